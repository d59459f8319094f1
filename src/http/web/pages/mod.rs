//! The server-rendered pages for accounts: signing in and out, setting a
//! password, one's own account and API tokens, and for admins the users,
//! locked accounts and the audit log. Dutch unless the visitor chose English
//! (`/taal`); every text comes from the translation files.
//!
//! Handlers stay thin: the rules are in `crate::accounts` and the storage.
//! Each takes a [`Page`] (who asks, in which language, the form token) and
//! runs its work through [`Page::run`], which turns errors into HTML pages.

pub mod account;
pub mod answer;
pub mod audit;
pub mod campaign_dashboard;
pub mod campaigns;
pub mod contacts;
pub mod dashboards;
pub mod desk;
mod error;
pub mod facility;
pub mod finder;
pub mod locked;
pub mod metrics;
pub mod opendata;
pub mod overview;
pub mod password;
pub mod periods;
pub mod questionnaires;
pub mod register;
pub mod review;
pub mod rounds;
pub mod sign_in;
pub mod site;
pub mod stats;
pub mod upload;
pub mod users;

use std::collections::BTreeMap;
use std::future::Future;

use axum::extract::FromRequestParts;
use axum::http::header::{CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use serde::de::DeserializeOwned;
use serde::Deserialize;

pub use self::error::{error_response, PageError, PageResult};
use super::templates;
use crate::domain::language::Language;
use crate::domain::secret;
use crate::http::app::AppState;
use crate::http::request::{cookie, form_cookie_name, Caller};

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "lang";

/// Field name → message shown next to that field.
pub type FieldErrors = BTreeMap<String, String>;

/// What every page needs to know about its request.
pub struct Page {
    pub caller: Caller,
    pub lang: Language,
    /// Whether vangnet is served over TLS (secure cookies).
    pub secure: bool,
    /// Where the language switch and the sign-in link come back to.
    here: String,
    /// The token forms on this page carry: the session's, or before signing
    /// in the double-submit cookie's.
    csrf_token: String,
    /// A new double-submit cookie to set with this page.
    new_form_cookie: Option<String>,
    /// Whether the body is an HTML form (`application/x-www-form-urlencoded`).
    form_body: bool,
}

fn lang_of(headers: &HeaderMap) -> Language {
    crate::http::request::cookie_in(headers, LANG_COOKIE)
        .and_then(Language::parse)
        .unwrap_or_default()
}

/// The page a form posted from: a page rendered in answer to a post comes
/// back to that page, not to the post.
fn page_of_post(path: &str) -> &str {
    if path.starts_with("/account") {
        "/account"
    } else if path.starts_with("/beheer/import") {
        "/beheer/import"
    } else if path.starts_with("/beheer/contacten/import") {
        "/beheer/contacten/import"
    } else if path.starts_with("/beheer/rapportages/import") {
        "/beheer/rapportages/import"
    } else {
        path
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = match Caller::from_request_parts(parts, state).await {
            Ok(caller) => caller,
            Err(e) => return Err(error_response(&parts.headers, e)),
        };
        let secure = state.config.secure();
        let here = if parts.method == Method::GET {
            parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string()
        } else {
            page_of_post(parts.uri.path()).to_string()
        };
        let (csrf_token, new_form_cookie) = match &caller.session {
            Some(session) => (session.csrf_token.clone(), None),
            None => match cookie(parts, form_cookie_name(secure)).filter(|v| !v.is_empty()) {
                Some(value) => (value.to_string(), None),
                None => {
                    let value = secret::generate("");
                    (value.clone(), Some(value))
                }
            },
        };
        let form_body = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        Ok(Page {
            form_body,
            lang: lang_of(&parts.headers),
            caller,
            secure,
            here,
            csrf_token,
            new_form_cookie,
        })
    }
}

impl Page {
    /// Runs a handler's work; an error becomes an HTML error page.
    pub async fn run(&self, work: impl Future<Output = PageResult>) -> Response {
        match work.await {
            Ok(response) => response,
            Err(error) => self.error(error),
        }
    }

    /// A text in the page's language.
    pub fn text(&self, key: &str) -> String {
        crate::domain::text::text(self.lang, key, &[])
    }

    pub fn text_with(&self, key: &str, args: &[(&str, String)]) -> String {
        crate::domain::text::text(self.lang, key, args)
    }

    /// The text of a `melding` (a message code a redirect carries), if known.
    pub fn message(&self, code: &str) -> Option<String> {
        MESSAGES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, key)| self.text(key))
    }

    /// The context every page has: language, who is signed in, form token, links.
    fn base(&self) -> Value {
        let path = self.here.split('?').next().unwrap_or("/");
        let sign_in_url =
            if path.starts_with("/inloggen") || path.starts_with("/wachtwoord") || path == "/" {
                "/inloggen".to_string()
            } else {
                format!("/inloggen?terug={}", urlencode(&self.here))
            };
        let user = self.caller.principal.as_ref().map(|p| {
            context! {
                name => p.name,
                role => p.role.code(),
                may_manage_users => p.may_manage_users(),
                may_read_audit_log => p.may_read_audit_log(),
            }
        });
        context! {
            lang => self.lang.code(),
            other_lang => self.lang.other().code(),
            lang_switch => format!("/taal?lang={}&terug={}", self.lang.other().code(), urlencode(&self.here)),
            path => path,
            csrf_token => self.csrf_token,
            sign_in_url => sign_in_url,
            user => user,
        }
    }

    /// Renders a page template with its own context added to the common one.
    pub fn render(&self, template: &str, status: StatusCode, context: Value) -> Response {
        let context = minijinja::value::merge_maps([context, self.base()]);
        let html = match templates::render(template, context) {
            Ok(html) => html,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), template, "cannot render page");
                return (StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
                    .into_response();
            }
        };
        let mut response = (status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(self.lang.code()));
        // Pages show who is signed in and what they may see: never keep them.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(value) = &self.new_form_cookie {
            headers.append(
                SET_COOKIE,
                set_cookie(
                    form_cookie_name(self.secure),
                    value,
                    "Strict",
                    None,
                    self.secure,
                ),
            );
        }
        response
    }

    /// The posted form as `T` (fields it lacks take their defaults). Only
    /// HTML forms are read: the forgery check (`check_csrf`) lets other
    /// bodies through when nobody is signed in, and a cross-site
    /// `text/plain` form could otherwise pass for one.
    pub fn form<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, PageError> {
        if !self.form_body {
            return Err(PageError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "error.unsupported.text",
            ));
        }
        serde_urlencoded::from_bytes(body)
            .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "error.bad_request.text"))
    }
}

/// Message codes that redirects carry in `?melding=`, with their text. Only
/// these are shown, so a link cannot make a page say anything else.
const MESSAGES: &[(&str, &str)] = &[
    ("wachtwoord-ingesteld", "sign_in.password_set"),
    (
        "wachtwoord-ingesteld-afgemeld",
        "sign_in.password_set_signed_out",
    ),
    ("token-ingetrokken", "account.token_revoked"),
    ("uitgenodigd", "users.invited"),
    ("uitnodiging-mislukt", "users.invitation_failed"),
    ("uitgeschakeld", "users.disabled"),
    ("ontgrendeld", "locked.unlocked"),
    ("voorziening-opgeslagen", "register.saved"),
    ("voorziening-toegevoegd", "register.created"),
    ("voorziening-hersteld", "register.repaired"),
    ("klopt-nog", "register.confirm.done"),
    ("meting-toegevoegd", "monitoring.added"),
    ("meting-buiten-gebruik", "monitoring.retired_done"),
    ("organisatie-opgeslagen", "register.organisation.saved"),
    ("ronde-aangemaakt", "rounds.message.created"),
    ("telling-opgeslagen", "rounds.message.count_saved"),
    ("ronde-gesloten", "rounds.message.closed"),
    ("ronde-heropend", "rounds.message.reopened"),
    ("ronde-gepubliceerd", "rounds.message.published"),
    ("contact-toegevoegd", "contacts.message.created"),
    ("contact-opgeslagen", "contacts.message.saved"),
    ("contact-gewist", "contacts.message.erased"),
    ("vragenlijst-opgeslagen", "questionnaire.message.saved"),
    ("vragenlijst-ongewijzigd", "questionnaire.message.unchanged"),
];

/// The query of a page a redirect may have sent back to with a message
/// (`?melding=`, shown with [`Page::message`]).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessageQuery {
    pub melding: String,
}

/// A query string as `T`.
pub fn parse_query<T: DeserializeOwned>(query: Option<&str>) -> Result<T, PageError> {
    serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "error.bad_request.text"))
}

/// A number from a path segment; anything else is not there.
pub fn parse_id(text: &str, key: &'static str) -> Result<i64, PageError> {
    text.parse().map_err(|_| PageError::not_found(key))
}

/// A path on this site to return to: only local paths (`/…`, not `//…` or
/// `/\…`, which browsers take for another host).
pub fn local_path(path: &str) -> Option<&str> {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.len() <= 2000
        && path.chars().all(|c| c.is_ascii() && !c.is_ascii_control());
    local.then_some(path)
}

/// 303 See Other to a local path.
pub fn see_other(path: &str) -> Response {
    let location = local_path(path)
        .and_then(|p| HeaderValue::from_str(p).ok())
        .unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// A `Set-Cookie` value: `Path=/`, `HttpOnly`, no `Domain`; `Secure` over TLS.
/// An empty value with `Max-Age=0` removes the cookie.
pub fn set_cookie(
    name: &str,
    value: &str,
    same_site: &str,
    max_age: Option<i64>,
    secure: bool,
) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(seconds) = max_age {
        text.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).expect("cookie names and values are ASCII tokens")
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path("/account"), Some("/account"));
        assert_eq!(
            local_path("/beheer/audit?actor=a%40b.nl"),
            Some("/beheer/audit?actor=a%40b.nl")
        );
        for foreign in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "account",
            "/a\nb",
        ] {
            assert_eq!(local_path(foreign), None, "{foreign:?}");
        }
    }

    #[test]
    fn cookies_are_http_only_and_secure_over_tls() {
        assert_eq!(
            set_cookie("vangnet-session", "abc", "Strict", None, false),
            "vangnet-session=abc; Path=/; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            set_cookie("lang", "en", "Lax", Some(60), true),
            "lang=en; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
    }

    #[test]
    fn the_language_comes_from_its_cookie_and_is_dutch_otherwise() {
        let mut headers = HeaderMap::new();
        assert_eq!(lang_of(&headers), Language::Nl);
        headers.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_static("a=1; lang=en"),
        );
        assert_eq!(lang_of(&headers), Language::En);
        headers.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_static("lang=fr"),
        );
        assert_eq!(lang_of(&headers), Language::Nl);
    }
}
