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
use crate::http::api;
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
}

impl Route {
    /// Accepts bodies up to `bytes` on this line (file uploads); the route
    /// guard's forgery check reads the body within the same limit.
    fn body_limit(mut self, bytes: usize) -> Route {
        self.body_limit = Some(bytes);
        self
    }

    /// Marks a public route whose answer is the same whoever asks (no
    /// credentials, session or language in it), so caches may keep it.
    fn shared(mut self) -> Route {
        debug_assert_eq!(
            self.access, Public,
            "{}: only public answers are shared",
            self.path
        );
        self.shared = true;
        self
    }

    /// How far the answer depends on who asks: what caches may do with it.
    pub fn answer(&self) -> Answer {
        match (self.access, self.shared) {
            (Public, true) => Answer::Shared,
            (Public, false) => Answer::PerCaller,
            (SignedIn | Roles(_), _) => Answer::Private,
        }
    }
}

/// One table line; the handler answers only the line's method.
fn route<H, T>(
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
    }
}

use Access::{Public, Roles, SignedIn};

/// Every route. Keep the table sorted by area; each line is one rule.
pub fn table() -> Vec<Route> {
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    const PATCH: Method = Method::PATCH;
    const DELETE: Method = Method::DELETE;
    vec![
        // Register API
        route(
            GET,
            "/api/v1/facilities",
            Public,
            true,
            api::facilities::list,
        ),
        route(
            POST,
            "/api/v1/facilities",
            Roles(EDITORS),
            true,
            api::facilities::create,
        ),
        route(
            GET,
            "/api/v1/facilities/{id}",
            Public,
            true,
            api::facilities::show,
        ),
        route(
            PATCH,
            "/api/v1/facilities/{id}",
            Roles(EDITORS),
            true,
            api::facilities::update,
        ),
        route(
            POST,
            "/api/v1/facilities/{id}/corrections",
            Roles(NATIONAL),
            true,
            api::facilities::correct,
        ),
        route(
            GET,
            "/api/v1/facilities/{id}/history",
            SignedIn,
            true,
            api::facilities::history,
        ),
        route(
            GET,
            "/api/v1/organisations",
            Public,
            true,
            api::organisations::list,
        ),
        route(
            POST,
            "/api/v1/organisations",
            Roles(NATIONAL),
            false,
            api::organisations::create,
        ),
        route(
            GET,
            "/api/v1/organisations/{id}",
            Public,
            true,
            api::organisations::show,
        ),
        route(
            PATCH,
            "/api/v1/organisations/{id}",
            Roles(EDITORS),
            true,
            api::organisations::update,
        ),
        route(
            GET,
            "/api/v1/organisations/{id}/history",
            SignedIn,
            true,
            api::organisations::history,
        ),
        route(
            GET,
            "/api/v1/reports/table1",
            Public,
            false,
            api::reports::table1,
        ),
        // Inventory rounds API (see src/api/rounds.rs): published rounds
        // are public, the others (and all changes) for national roles.
        route(GET, "/api/v1/rounds", Public, false, api::rounds::list),
        route(
            POST,
            "/api/v1/rounds",
            Roles(NATIONAL),
            false,
            api::rounds::create,
        ),
        route(
            GET,
            "/api/v1/rounds/{name}",
            Public,
            false,
            api::rounds::show,
        ),
        route(
            POST,
            "/api/v1/rounds/{name}/counts",
            Roles(NATIONAL),
            false,
            api::rounds::set_count,
        ),
        route(
            POST,
            "/api/v1/rounds/{name}/close",
            Roles(NATIONAL),
            false,
            api::rounds::close,
        ),
        route(
            POST,
            "/api/v1/rounds/{name}/reopen",
            Roles(NATIONAL),
            false,
            api::rounds::reopen,
        ),
        route(
            POST,
            "/api/v1/rounds/{name}/publish",
            Roles(NATIONAL),
            false,
            api::rounds::publish,
        ),
        // Statistics API (see src/api/stats.rs)
        route(
            GET,
            "/api/v1/reports/changes",
            Public,
            false,
            api::stats::changes,
        )
        .shared(),
        route(
            GET,
            "/api/v1/reports/trend",
            Public,
            false,
            api::stats::trend,
        )
        .shared(),
        route(
            GET,
            "/api/v1/reports/trend.svg",
            Public,
            false,
            api::stats::trend_svg,
        )
        .shared(),
        route(
            GET,
            "/api/v1/reports/spread",
            Public,
            false,
            api::stats::spread,
        )
        .shared(),
        route(
            GET,
            "/api/v1/municipalities",
            Public,
            false,
            api::reference::municipalities,
        )
        .shared(),
        route(
            GET,
            "/api/v1/provinces",
            Public,
            false,
            api::reference::provinces,
        )
        .shared(),
        route(GET, "/api/openapi.json", Public, false, api::openapi_json).shared(),
        // Accounts API
        route(GET, "/api/v1/me", SignedIn, false, api::accounts::me),
        route(
            GET,
            "/api/v1/tokens",
            SignedIn,
            false,
            api::accounts::list_tokens,
        ),
        route(
            POST,
            "/api/v1/tokens",
            SignedIn,
            false,
            api::accounts::create_token,
        ),
        route(
            DELETE,
            "/api/v1/tokens/{id}",
            SignedIn,
            true,
            api::accounts::revoke_token,
        ),
        route(
            GET,
            "/api/v1/users",
            Roles(ADMIN),
            false,
            api::accounts::list_users,
        ),
        route(
            POST,
            "/api/v1/users",
            Roles(ADMIN),
            false,
            api::accounts::create_user,
        ),
        route(
            POST,
            "/api/v1/users/{id}/disable",
            Roles(ADMIN),
            false,
            api::accounts::disable_user,
        ),
        route(
            GET,
            "/api/v1/locked-accounts",
            Roles(ADMIN),
            false,
            api::accounts::locked_accounts,
        ),
        route(
            POST,
            "/api/v1/locked-accounts/unlock",
            Roles(ADMIN),
            false,
            api::accounts::unlock_account,
        ),
        route(
            GET,
            "/api/v1/audit",
            Roles(NATIONAL),
            false,
            api::audit::search,
        ),
        // Public web
        route(GET, "/", Public, false, web::pages::finder::start),
        route(GET, "/healthz", Public, false, web::healthz).shared(),
        route(GET, "/opendata/", Public, false, web::opendata::catalogue).shared(),
        route(
            GET,
            "/opendata/{file}",
            Public,
            false,
            web::opendata::download,
        )
        .shared(),
        // -- web pages for accounts (see src/web/pages) --
        route(GET, "/inloggen", Public, false, web::pages::sign_in::form),
        route(
            POST,
            "/inloggen",
            Public,
            false,
            web::pages::sign_in::submit,
        ),
        route(
            POST,
            "/uitloggen",
            SignedIn,
            false,
            web::pages::sign_in::sign_out,
        ),
        route(
            GET,
            "/wachtwoord-vergeten",
            Public,
            false,
            web::pages::password::forgot_form,
        ),
        route(
            POST,
            "/wachtwoord-vergeten",
            Public,
            false,
            web::pages::password::forgot,
        ),
        route(
            GET,
            "/wachtwoord-instellen",
            Public,
            false,
            web::pages::password::set_form,
        ),
        route(
            POST,
            "/wachtwoord-instellen",
            Public,
            false,
            web::pages::password::set,
        ),
        route(GET, "/account", SignedIn, false, web::pages::account::show),
        route(
            POST,
            "/account/tokens",
            SignedIn,
            false,
            web::pages::account::create_token,
        ),
        route(
            POST,
            "/account/tokens/{id}/intrekken",
            SignedIn,
            true,
            web::pages::account::revoke_token,
        ),
        route(
            GET,
            "/beheer/gebruikers",
            Roles(ADMIN),
            false,
            web::pages::users::list,
        ),
        route(
            POST,
            "/beheer/gebruikers",
            Roles(ADMIN),
            false,
            web::pages::users::create,
        ),
        route(
            POST,
            "/beheer/gebruikers/{id}/uitschakelen",
            Roles(ADMIN),
            false,
            web::pages::users::disable,
        ),
        route(
            GET,
            "/beheer/geblokkeerd",
            Roles(ADMIN),
            false,
            web::pages::locked::list,
        ),
        route(
            POST,
            "/beheer/geblokkeerd/ontgrendelen",
            Roles(ADMIN),
            false,
            web::pages::locked::unlock,
        ),
        route(
            GET,
            "/beheer/audit",
            Roles(NATIONAL),
            false,
            web::pages::audit::search,
        ),
        route(
            GET,
            "/beheer/audit.csv",
            Roles(NATIONAL),
            false,
            web::pages::audit::export,
        ),
        // -- staff pages for the register (see src/web/pages/register) --
        // Any signed-in user reads the facilities they may see: national
        // roles all, organisation roles their own, others the public ones.
        route(
            GET,
            "/beheer/voorzieningen",
            SignedIn,
            true,
            web::pages::register::list::list,
        ),
        route(
            GET,
            "/beheer/voorzieningen/nieuw",
            Roles(EDITORS),
            true,
            web::pages::register::new::form,
        ),
        route(
            POST,
            "/beheer/voorzieningen/nieuw",
            Roles(EDITORS),
            true,
            web::pages::register::new::create,
        ),
        // Editors get the form, reporters of the organisation a read-only view.
        route(
            GET,
            "/beheer/voorzieningen/{id}",
            SignedIn,
            true,
            web::pages::register::edit::show,
        ),
        route(
            POST,
            "/beheer/voorzieningen/{id}",
            Roles(EDITORS),
            true,
            web::pages::register::edit::save,
        ),
        route(
            GET,
            "/beheer/voorzieningen/{id}/herstel",
            Roles(NATIONAL),
            true,
            web::pages::register::repair::show,
        ),
        route(
            POST,
            "/beheer/voorzieningen/{id}/herstel",
            Roles(NATIONAL),
            true,
            web::pages::register::repair::save,
        ),
        route(
            GET,
            "/beheer/voorzieningen/{id}/geschiedenis",
            SignedIn,
            true,
            web::pages::register::history::show,
        ),
        route(
            GET,
            "/beheer/import",
            Roles(NATIONAL),
            false,
            web::pages::register::import::form,
        ),
        route(
            POST,
            "/beheer/import",
            Roles(NATIONAL),
            false,
            web::pages::register::import::check,
        )
        .body_limit(web::pages::register::import::UPLOAD_LIMIT),
        route(
            POST,
            "/beheer/import/importeren",
            Roles(NATIONAL),
            false,
            web::pages::register::import::write,
        ),
        route(
            GET,
            "/beheer/import/fouten.csv",
            Roles(NATIONAL),
            false,
            web::pages::register::import::errors,
        ),
        route(
            GET,
            "/beheer/export/{file}",
            Roles(NATIONAL),
            false,
            web::pages::register::export::download,
        ),
        route(
            GET,
            "/beheer/organisaties",
            Roles(EDITORS),
            true,
            web::pages::register::organisations::list,
        ),
        route(
            GET,
            "/beheer/organisaties/{id}",
            Roles(EDITORS),
            true,
            web::pages::register::organisations::show,
        ),
        route(
            POST,
            "/beheer/organisaties/{id}",
            Roles(EDITORS),
            true,
            web::pages::register::organisations::save,
        ),
        // -- inventory rounds (see src/web/pages/rounds) --
        route(
            GET,
            "/beheer/rondes",
            Roles(NATIONAL),
            false,
            web::pages::rounds::staff::list,
        ),
        route(
            POST,
            "/beheer/rondes",
            Roles(NATIONAL),
            false,
            web::pages::rounds::staff::create,
        ),
        route(
            GET,
            "/beheer/rondes/{name}",
            Roles(NATIONAL),
            false,
            web::pages::rounds::staff::show,
        ),
        route(
            GET,
            "/beheer/rondes/{name}/rapport.html",
            Roles(NATIONAL),
            false,
            web::pages::rounds::report::download,
        ),
        route(
            GET,
            "/beheer/rondes/{name}/rapport.xlsx",
            Roles(NATIONAL),
            false,
            web::pages::rounds::report::download,
        ),
        route(
            POST,
            "/beheer/rondes/{name}/telling",
            Roles(NATIONAL),
            false,
            web::pages::rounds::staff::set_count,
        ),
        route(
            POST,
            "/beheer/rondes/{name}/sluiten",
            Roles(NATIONAL),
            false,
            web::pages::rounds::staff::close,
        ),
        route(
            POST,
            "/beheer/rondes/{name}/heropenen",
            Roles(NATIONAL),
            false,
            web::pages::rounds::staff::reopen,
        ),
        route(
            POST,
            "/beheer/rondes/{name}/publiceren",
            Roles(NATIONAL),
            false,
            web::pages::rounds::staff::publish,
        ),
        // Published rounds for everyone; others do not exist here.
        route(
            GET,
            "/cijfers",
            Public,
            false,
            web::pages::rounds::public::list,
        ),
        route(
            GET,
            "/cijfers/{name}",
            Public,
            false,
            web::pages::rounds::public::show,
        ),
        route(
            GET,
            "/cijfers/{name}/rapport.html",
            Public,
            false,
            web::pages::rounds::report::download,
        ),
        route(
            GET,
            "/cijfers/{name}/rapport.xlsx",
            Public,
            false,
            web::pages::rounds::report::download,
        ),
        // -- the public finder, facility pages and map (see src/web/pages/finder.rs) --
        route(GET, "/zoeken", Public, false, web::pages::finder::search),
        route(
            GET,
            "/voorzieningen/{id}",
            Public,
            false,
            web::pages::facility::show,
        ),
        route(GET, "/kaart", Public, false, web::pages::overview::show),
        // -- public statistics pages (see src/web/pages/stats) --
        route(
            GET,
            "/cijfers/trend",
            Public,
            false,
            web::pages::stats::trend::show,
        ),
        route(
            GET,
            "/cijfers/veranderingen",
            Public,
            false,
            web::pages::stats::changes::show,
        ),
        route(
            GET,
            "/cijfers/spreiding",
            Public,
            false,
            web::pages::stats::spread::show,
        ),
        route(GET, "/api/v1/finder", Public, false, api::finder::nearest).shared(),
        route(
            GET,
            "/static/finder.js",
            Public,
            false,
            web::pages::finder::script,
        )
        .shared(),
        route(GET, "/taal", Public, false, web::pages::site::language).shared(),
        route(
            GET,
            "/static/vangnet.css",
            Public,
            false,
            web::pages::site::stylesheet,
        )
        .shared(),
    ]
}

/// The router for the whole table, each route behind its guard.
pub fn router(state: &AppState) -> Router<AppState> {
    let mut router = Router::new();
    for r in table() {
        let rule = (r.access, r.answer());
        let mut guarded = r
            .handler
            .route_layer(middleware::from_fn_with_state((state.clone(), rule), guard));
        if let Some(bytes) = r.body_limit {
            // Outside the guard, so that its forgery check honours it too.
            guarded = guarded.route_layer(DefaultBodyLimit::max(bytes));
        }
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
        (Public, _) => None,
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
            (SignedIn | Roles(_), None) => false,
        })
}
