//! What the operator sees of a running server: `/metrics` for a Prometheus
//! scraper the operator allows by address or token, the layer that counts
//! every request for it, and the request id every response carries and
//! every log line of the request names (the id's layers are tower-http's
//! `request-id`; this module decides which ids are taken and makes new ones).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::http::app::AppState;
use crate::platform::config::{Config, MetricsToken};
use crate::platform::telemetry::{self, Telemetry};

/// The header a request id travels in, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The route label of what no route answers (the 404 fallback).
const UNMATCHED: &str = "unmatched";

/// `GET /metrics`: everything [`Telemetry`] reports, in the Prometheus text
/// format 0.0.4. Who may ask is decided before, by [`admit`].
pub async fn metrics(State(state): State<AppState>) -> Response {
    let text = state
        .telemetry
        .scrape(&state.store, &state.jobs, &state.mailer)
        .await;
    (
        [
            (CONTENT_TYPE, telemetry::CONTENT_TYPE),
            (CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// Lets the operator's scraper through (the route guard's rule
/// `Access::Operator`): a request with `Authorization: Bearer` must carry
/// the metrics token; one without must come from an allowed network (the
/// client behind a trusted proxy, not the proxy). Anyone else gets a plain
/// 403. User tokens and sessions are not consulted: the metrics token is no
/// API token, and a signed-in person is no scraper.
pub async fn admit(config: &Config, request: Request, next: Next) -> Response {
    let admitted =
        match request.headers().get(AUTHORIZATION) {
            Some(header) => {
                let sent = header
                    .to_str()
                    .ok()
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .map(str::trim);
                match (&config.metrics_token, sent) {
                    (Some(MetricsToken(token)), Some(sent)) => {
                        crate::domain::secret::equal(token, sent)
                    }
                    _ => false,
                }
            }
            None => {
                let client = request.extensions().get::<ConnectInfo<SocketAddr>>().map(
                    |ConnectInfo(peer)| {
                        crate::http::request::client_ip(
                            peer.ip(),
                            request.headers(),
                            &config.trusted_proxies,
                        )
                    },
                );
                client.is_some_and(|ip| config.metrics_allow.iter().any(|n| n.contains(ip)))
            }
        };
    if admitted {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            "metrics are for the operator's scraper: an allowed address (--metrics-allow) \
             or 'Authorization: Bearer <metrics token>' (--metrics-token)\n",
        )
            .into_response()
    }
}

/// Counts each request by its route template, method and status, with its
/// latency to the response's headers (a layer around every route).
///
/// A tower layer rather than an axum `from_fn`: that boxes the rest of the
/// stack and its own future at every request, which this, around every
/// request, should not cost.
#[derive(Clone)]
pub struct CountLayer(pub Arc<Telemetry>);

impl<S> Layer<S> for CountLayer {
    type Service = Count<S>;

    fn layer(&self, inner: S) -> Count<S> {
        Count {
            inner,
            telemetry: self.0.clone(),
        }
    }
}

/// The service of [`CountLayer`].
#[derive(Clone)]
pub struct Count<S> {
    inner: S,
    telemetry: Arc<Telemetry>,
}

impl<S, B> Service<Request> for Count<S>
where
    S: Service<Request, Response = axum::http::Response<B>>,
{
    type Response = axum::http::Response<B>;
    type Error = S::Error;
    type Future = Counted<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let route = request.extensions().get::<MatchedPath>().cloned();
        let method = request.method().clone();
        Counted {
            inner: self.inner.call(request),
            telemetry: self.telemetry.clone(),
            route,
            method,
            began: Instant::now(),
        }
    }
}

pin_project_lite::pin_project! {
    /// A request's answer on its way, counted when it is there.
    pub struct Counted<F> {
        #[pin]
        inner: F,
        telemetry: Arc<Telemetry>,
        route: Option<MatchedPath>,
        method: Method,
        began: Instant,
    }
}

impl<F, B, E> Future for Counted<F>
where
    F: Future<Output = Result<axum::http::Response<B>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let answer = std::task::ready!(this.inner.poll(cx));
        if let Ok(response) = &answer {
            this.telemetry.record(
                this.route.as_ref().map_or(UNMATCHED, MatchedPath::as_str),
                this.method.as_str(),
                response.status().as_u16(),
                this.began.elapsed().as_secs_f64(),
            );
        }
        Poll::Ready(answer)
    }
}

/// Whether an incoming request id is taken as it is: 1 to 64 characters of
/// `A-Z a-z 0-9 . _ -`, so that it cannot forge log lines or headers.
pub fn fit_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops an incoming request id that is not [fit](fit_request_id), so
/// that a new one is made in its place.
pub fn drop_unfit_request_id<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let headers = request.headers_mut();
    if headers
        .get_all(REQUEST_ID)
        .iter()
        .enumerate()
        .any(|(n, id)| n > 0 || !fit_request_id(id.as_bytes()))
    {
        headers.remove(REQUEST_ID);
    }
    request
}

/// Makes the id of a request that came without one: 16 random hex digits.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewRequestIds;

impl MakeRequestId for NewRequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let mut bytes = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let mut id = [0u8; 16];
        hex::encode_to_slice(bytes, &mut id).ok()?;
        HeaderValue::from_bytes(&id).ok().map(RequestId::new)
    }
}

/// The request id of a request, once the layers gave it one.
pub fn request_id<B>(request: &axum::http::Request<B>) -> &str {
    request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_request_ids_are_taken() {
        for fit in ["test-123", "a", "A.b_c-9", &"x".repeat(64)] {
            assert!(fit_request_id(fit.as_bytes()), "{fit}");
        }
        for unfit in ["", "a b", "id\"}", "ü", "a/b", &"x".repeat(65)] {
            assert!(!fit_request_id(unfit.as_bytes()), "{unfit}");
        }
        let mut make = NewRequestIds;
        let request = axum::http::Request::new(());
        let a = make.make_request_id(&request).unwrap();
        let b = make.make_request_id(&request).unwrap();
        assert_eq!(a.header_value().len(), 16);
        assert!(fit_request_id(a.header_value().as_bytes()));
        assert_ne!(a.header_value(), b.header_value());
    }
}
