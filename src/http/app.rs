//! Building and serving the application: the router with its state, so that
//! tests can drive it in process, and a server that binds any address
//! (port 0 works) and reports the real one.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::http::error::AppError;
use crate::http::operations;
use crate::platform::config::Config;
use crate::platform::jobs::{Jobs, STOP_LIMIT};
use crate::platform::mail::Mailer;
use crate::platform::telemetry::Telemetry;
use crate::storage::Store;

/// Largest request body accepted (a facility or a patch is a few KB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler and middleware shares. One `Arc` around all of it:
/// axum clones the state for every layer and handler a request passes, and
/// cloning seven `Arc`s (and the store's own) at each step, on both cores,
/// was a sixth of a kept answer's time (cache lines of the shared counts
/// moving between cores; bench/RESULTS.md, "Load").
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

pub struct AppParts {
    pub store: Store,
    pub config: Arc<Config>,
    pub mailer: Arc<Mailer>,
    /// The finder's list of public facilities, rebuilt after changes.
    pub finder: Arc<crate::register::finder::FinderCache>,
    /// Anonymous answers of the `.kept()` routes (`web::kept`).
    pub kept: Arc<crate::http::web::kept::Kept>,
    /// The background jobs (`/healthz/ready` reads their heartbeats).
    pub jobs: Arc<Jobs>,
    /// What `/metrics` reports (`http::operations`).
    pub telemetry: Arc<Telemetry>,
}

impl AppParts {
    /// The services use cases take (store, mailer, configuration).
    pub fn services(&self) -> crate::platform::services::Services {
        crate::platform::services::Services {
            store: self.store.clone(),
            mailer: self.mailer.clone(),
            config: self.config.clone(),
        }
    }
}

/// The whole application as one router, built from the route table
/// (without background jobs: `/healthz/ready` says they are not running).
pub fn build(store: Store, config: Config, mailer: Mailer) -> Router {
    build_with_jobs(store, config, mailer, Arc::default())
}

/// The application with the background jobs it reports on.
pub fn build_with_jobs(store: Store, config: Config, mailer: Mailer, jobs: Arc<Jobs>) -> Router {
    let state = AppState(Arc::new(AppParts {
        store,
        config: Arc::new(config),
        mailer: Arc::new(mailer),
        finder: Arc::default(),
        kept: Arc::default(),
        jobs,
        telemetry: Arc::default(),
    }));
    let access_log = if state.config.access_log {
        tracing::Level::INFO
    } else {
        tracing::Level::DEBUG
    };
    // One layer of the whole stack, outermost first. axum boxes each
    // `Router::layer` separately, and a boxed route clones every box inside
    // it at each call: nine layers added one by one cost 45 clones and as
    // many allocations a request (bench/RESULTS.md, "Load").
    let stack = tower::ServiceBuilder::new()
        .map_request(operations::drop_unfit_request_id)
        // The request id, taken or made, goes back on every response.
        .layer(SetRequestIdLayer::new(
            operations::REQUEST_ID,
            operations::NewRequestIds,
        ))
        .layer(PropagateRequestIdLayer::new(operations::REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    // Keyed by the matched route, not the raw path, so spans
                    // group; every line of the request names its id.
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str);
                    let request_id = operations::request_id(request);
                    tracing::info_span!("request", method = %request.method(), route, request_id)
                })
                // One line per request (status, latency): the access log,
                // at info with --access-log.
                .on_response(DefaultOnResponse::new().level(access_log)),
        )
        .layer(operations::CountLayer(state.telemetry.clone()))
        .layer(crate::http::web::security::layer(state.config.secure()))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(compression())
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    crate::http::routes::router(&state)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(stack)
        .with_state(state)
}

/// Gzip for clients that accept it: pages, JSON, CSV, GeoJSON, SVG and
/// XML (tower-http's default leaves out other images and bodies under 32
/// bytes). Spreadsheets and ZIP files are compressed already; kept answers
/// (`web::kept`) come gzipped once and are passed on as they are.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().gzip(true).compress_when(
        DefaultPredicate::new()
            .and(NotForContentType::const_new(
                "application/vnd.openxmlformats",
            ))
            .and(NotForContentType::const_new("application/zip")),
    )
}

/// A last line of defence: a panic in a handler becomes a logged JSON 500
/// instead of a dropped connection.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    AppError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}

/// An error as JSON for the API, as an HTML page otherwise.
fn error_for(uri: &Uri, headers: &HeaderMap, error: AppError) -> Response {
    if uri.path().starts_with("/api/") {
        error.into_response()
    } else {
        crate::http::web::pages::error_response(headers, error)
    }
}

/// Nothing here: JSON for the API; for people, the site's 404 page with
/// their session (the header still says who is signed in).
async fn not_found(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let error = AppError::NotFound(format!("nothing at {} {}", parts.method, parts.uri.path()));
    if parts.uri.path().starts_with("/api/") {
        return error.into_response();
    }
    match crate::http::web::pages::Page::from_request_parts(&mut parts, &state).await {
        Ok(page) => page.error(error.into()),
        Err(refused) => refused,
    }
}

async fn method_not_allowed(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let mut response = error_for(
        &uri,
        &headers,
        AppError::BadRequest(format!("{method} is not allowed on {}", uri.path())),
    );
    *response.status_mut() = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    response
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    router: Router,
    jobs: Arc<Jobs>,
}

impl Server {
    /// Serves on a bound listener with the given settings.
    pub fn from_listener(
        listener: TcpListener,
        store: Store,
        config: Config,
    ) -> anyhow::Result<Server> {
        let mailer = Mailer::from_url(config.smtp_url.as_deref(), &config.mail_from)?;
        // Builds Table 1's counting index while the server starts taking
        // requests (seconds for a very large register; see bench/RESULTS.md).
        let warm = store.clone();
        tokio::spawn(async move {
            if let Err(e) = warm
                .tally_services(crate::domain::date::today(), false)
                .await
            {
                tracing::warn!(error = %e, "cannot build the counting index ahead");
            }
            // And the public figures, suppressed once per metric.
            if let Err(e) = crate::dashboards::public::PublicFigures::load(&warm).await {
                tracing::warn!(error = %e, "cannot work out the public figures ahead");
            }
        });
        let jobs = Arc::new(Jobs::default());
        // What changed, read a few times a second instead of at every request.
        if let Some(watcher) = store.watch_changes_until(Some(jobs.stopping())) {
            jobs.add(watcher);
        }
        let router = build_with_jobs(store.clone(), config.clone(), mailer.clone(), jobs.clone());
        // Campaign mail queued in the database, delivered in the background.
        jobs.add(crate::campaigns::campaigns::outbox::start_worker(
            store,
            Arc::new(mailer),
            Arc::new(config),
            jobs.stopping(),
            jobs.mail_beat(),
        ));
        Ok(Server {
            listener,
            router,
            jobs,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully: stops
    /// accepting connections, finishes the requests in flight, tells the
    /// background jobs to stop and waits (at most [`STOP_LIMIT`]) for the
    /// step each is in.
    pub async fn run(self) -> anyhow::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        tracing::info!("requests finished; stopping the background jobs");
        self.jobs.stop(STOP_LIMIT).await;
        served?;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: no new connections; finishing requests in flight");
}
