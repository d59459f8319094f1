//! The route table: every route of vangnet with its access rule next to it.
//! The router is built from this table, the route guard enforces the rule,
//! and the authorisation matrix test (tests/it/matrix.rs) is generated from
//! it, so a route cannot exist without a rule.
//!
//! Rules say who may call a route at all; which objects a caller may see or
//! change (own organisation or all) is decided by `domain::access` in the
//! handlers, marked `scoped` here. A public line whose answer is the same
//! for everyone says `.shared()`; the guard derives from the rule who may
//! keep an answer (`web::caching`).

use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::header::AUTHORIZATION;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use crate::domain::access::Role;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::request::{check_csrf, Caller};
use crate::http::web;
use crate::http::web::caching::{self, Answer};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (what they see may still depend on who they are).
    Public,
    /// Any signed-in user or token.
    SignedIn,
    /// Signed in with one of these roles.
    Roles(&'static [Role]),
    /// The operator's scraper: an allowed address or the metrics token
    /// (`http::operations::admit`); no user credentials are read.
    Operator,
}

pub const NATIONAL: &[Role] = &[Role::Admin, Role::Researcher];
pub const EDITORS: &[Role] = &[Role::Admin, Role::Researcher, Role::OrgManager];
pub const ADMIN: &[Role] = &[Role::Admin];

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// The handler also checks that the object belongs to the caller's
    /// organisation (for organisation roles).
    pub scoped: bool,
    handler: MethodRouter<AppState>,
    /// A body limit other than the app's (`app::BODY_LIMIT`), for uploads.
    pub body_limit: Option<usize>,
    /// A public route whose answer is the same for everyone (see `web::caching`).
    shared: bool,
    /// The server keeps its anonymous answers (see `web::kept`).
    kept: bool,
}

impl Route {
    /// Accepts bodies up to `bytes` on this line (file uploads); the route
    /// guard's forgery check reads the body within the same limit.
    pub(super) fn body_limit(mut self, bytes: usize) -> Route {
        self.body_limit = Some(bytes);
        self
    }

    /// Marks a public route whose answer is the same whoever asks (no
    /// credentials, session or language in it), so caches may keep it.
    pub(super) fn shared(mut self) -> Route {
        debug_assert_eq!(
            self.access, Public,
            "{}: only public answers are shared",
            self.path
        );
        self.shared = true;
        self
    }

    /// Marks a public GET line whose answer to anonymous readers depends
    /// only on the request, the data and the minute, so the server works it
    /// out once and sends it again until one of those changes (`web::kept`).
    pub(super) fn kept(mut self) -> Route {
        debug_assert!(
            self.access == Public && self.method == Method::GET,
            "{}: only public GET answers are kept",
            self.path
        );
        self.kept = true;
        self
    }

    /// How far the answer depends on who asks: what caches may do with it.
    pub fn answer(&self) -> Answer {
        match (self.access, self.shared) {
            (Public, true) => Answer::Shared,
            (Public, false) => Answer::PerCaller,
            (SignedIn | Roles(_) | Operator, _) => Answer::Private,
        }
    }
}

/// One table line; the handler answers only the line's method.
pub(super) fn route<H, T>(
    method: Method,
    path: &'static str,
    access: Access,
    scoped: bool,
    handler: H,
) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
    Route {
        method,
        path,
        access,
        scoped,
        handler: on(filter, handler),
        body_limit: None,
        shared: false,
        kept: false,
    }
}

use Access::{Operator, Public, Roles, SignedIn};

mod accounts;
mod adx;
mod campaigns;
mod contacts;
mod dashboards;
mod fhir;
mod hsds;
mod metrics;
mod monitoring;
mod operations;
mod periods;
mod public;
mod questionnaires;
mod register;
mod rounds;
mod stats;

/// Every route, by area (one file each); each line is one rule.
pub fn table() -> Vec<Route> {
    [
        register::routes(),
        rounds::routes(),
        stats::routes(),
        dashboards::routes(),
        metrics::routes(),
        monitoring::routes(),
        accounts::routes(),
        periods::routes(),
        questionnaires::routes(),
        public::routes(),
        operations::routes(),
        contacts::routes(),
        campaigns::routes(),
        hsds::routes(),
        fhir::routes(),
        adx::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The router for the whole table, each route behind its guard.
pub fn router(state: &AppState) -> Router<AppState> {
    let mut router = Router::new();
    for r in table() {
        let rule = (r.access, r.answer());
        // One route layer (each one axum boxes, and clones at every call),
        // outermost first: the body limit, so that the guard's forgery
        // check honours it too; the kept answers, which are the guard's as
        // it left them; the guard.
        let guarded = r.handler.route_layer(
            tower::ServiceBuilder::new()
                .option_layer(r.body_limit.map(DefaultBodyLimit::max))
                .option_layer(r.kept.then(|| web::kept::KeptLayer(state.clone())))
                .layer(middleware::from_fn_with_state((state.clone(), rule), guard)),
        );
        // Lines with the same path and other methods merge into one route.
        router = router.route(r.path, guarded);
    }
    router
}

/// Resolves the caller once (kept for the handler), enforces the route's
/// rule ([`enforce`]), and says who may keep the answer, refusals included
/// (`web::caching`).
async fn guard(
    State((state, (access, answer))): State<(AppState, (Access, Answer))>,
    request: Request,
    next: Next,
) -> Response {
    let bearer = request.headers().contains_key(AUTHORIZATION);
    if access == Operator {
        let mut response = crate::http::operations::admit(&state.config, request, next).await;
        caching::apply(response.headers_mut(), answer, bearer, false);
        return response;
    }
    let (mut parts, body) = request.into_parts();
    let (mut response, signed_in) = match Caller::from_request_parts(&mut parts, &state).await {
        Ok(caller) => (
            enforce(&state, access, &caller, parts, body, next).await,
            caller.principal.is_some(),
        ),
        Err(e) => (e.into_response(), false),
    };
    caching::apply(response.headers_mut(), answer, bearer, signed_in);
    response
}

/// Refuses the anonymous (401; web pages go to the sign-in page) and the
/// wrong role (403), and checks state-changing requests for forgery.
async fn enforce(
    state: &AppState,
    access: Access,
    caller: &Caller,
    parts: axum::http::request::Parts,
    body: axum::body::Body,
    next: Next,
) -> Response {
    let is_page = !parts.uri.path().starts_with("/api/");
    let refuse = |parts: &axum::http::request::Parts, error: AppError| {
        if is_page {
            web::pages::error_response(&parts.headers, error)
        } else {
            error.into_response()
        }
    };
    let denied = match (access, &caller.principal) {
        // The guard admits the operator's scraper before (it is no caller).
        (Public | Operator, _) => None,
        (SignedIn | Roles(_), None) if is_page => {
            // Back to where they were, for pages one can open (a GET).
            let target = match parts.method {
                Method::GET => {
                    let back = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                    format!("/inloggen?terug={}", urlencode(back))
                }
                _ => "/inloggen".to_string(),
            };
            return Redirect::to(&target).into_response();
        }
        (SignedIn | Roles(_), None) => Some(AppError::Unauthorized(
            "sign in, or send an API token: 'Authorization: Bearer <token>'".into(),
        )),
        (SignedIn, Some(_)) => None,
        (Roles(roles), Some(p)) if roles.contains(&p.role) => None,
        (Roles(_), Some(p)) => Some(AppError::Forbidden(format!(
            "your role ({}) may not do this",
            p.role
        ))),
    };
    if let Some(error) = denied {
        return refuse(&parts, error);
    }
    let headers = parts.headers.clone();
    let request = Request::from_parts(parts, body);
    match check_csrf(caller, state, request).await {
        Ok(request) => next.run(request).await,
        Err(e) if is_page => web::pages::error_response(&headers, e),
        Err(e) => e.into_response(),
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// Whether someone with `role` (or nobody signed in, for `None`) may open
/// the page at `path`, by the GET line of the table; a path the table lacks
/// may not be opened. The page layout shows only the links this allows.
pub fn may_open(path: &str, role: Option<Role>) -> bool {
    static PAGES: std::sync::LazyLock<Vec<(&'static str, Access)>> =
        std::sync::LazyLock::new(|| {
            table()
                .into_iter()
                .filter(|r| r.method == Method::GET)
                .map(|r| (r.path, r.access))
                .collect()
        });
    PAGES
        .iter()
        .find(|(p, _)| *p == path)
        .is_some_and(|(_, access)| match (access, role) {
            (Public, _) => true,
            (SignedIn, Some(_)) => true,
            (Roles(roles), Some(role)) => roles.contains(&role),
            (SignedIn | Roles(_), None) | (Operator, _) => false,
        })
}
