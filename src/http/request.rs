//! Who is asking, for every request: a bearer token (API) or a session
//! cookie (web pages), resolved once by the route guard and kept in the
//! request's extensions. A valid token is accepted at once; invalid ones
//! are throttled per client address (`domain::throttle`);
//! session-authenticated changes must come from our own origin and carry
//! the session's CSRF token.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST, ORIGIN, REFERER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};

use crate::accounts::access;
use crate::domain::access::Principal;
use crate::domain::provenance::Actor;
use crate::formats::json::Audience;
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult};
use crate::platform::proxy::TrustedProxies;

/// The form field and API header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Cookie names; `__Host-` (Secure, no Domain, Path=/) when served over TLS.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-vangnet-session"
    } else {
        "vangnet-session"
    }
}

/// The double-submit cookie that protects forms used before signing in.
pub fn form_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-vangnet-form"
    } else {
        "vangnet-form"
    }
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Option<Principal>,
    /// The client address (NEN 7513 access point).
    pub address: String,
    pub session: Option<SessionRef>,
}

#[derive(Debug, Clone)]
pub struct SessionRef {
    pub id: i64,
    pub csrf_token: String,
}

impl Caller {
    /// The signed-in principal, or 401.
    pub fn principal(&self) -> AppResult<&Principal> {
        self.principal.as_ref().ok_or_else(|| {
            AppError::Unauthorized(
                "sign in, or send an API token: 'Authorization: Bearer <token>'".into(),
            )
        })
    }

    /// Who the history and the audit log name for this request.
    pub fn actor(&self) -> Actor {
        let (name, user_id, on_behalf_of) = match &self.principal {
            Some(p) => (
                p.name.clone(),
                p.user_id,
                p.organisation_id.map(|id| format!("organisation:{id}")),
            ),
            None => ("anonymous".to_string(), None, None),
        };
        Actor {
            name,
            user_id,
            on_behalf_of,
            access_point: self.address.clone(),
        }
    }

    /// What a reader may see of data without an object-level check.
    pub fn audience(&self) -> Audience {
        match self.principal {
            Some(_) => Audience::Internal,
            None => Audience::Public,
        }
    }
}

/// The client's address: the connection's peer, or behind a trusted
/// reverse proxy the client it names in `X-Forwarded-For` (`platform::proxy`).
fn client_address(parts: &Parts, proxies: &TrustedProxies) -> String {
    let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
        return "unknown".to_string();
    };
    client_ip(peer.ip(), &parts.headers, proxies).to_string()
}

/// The client of a connection from `peer` with these request headers:
/// the peer, or behind a trusted proxy the client it names.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, proxies: &TrustedProxies) -> IpAddr {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    proxies.client(peer, forwarded)
}

/// A cookie's value from the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// A cookie's value from request headers.
pub fn cookie_in<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

async fn resolve(parts: &Parts, state: &AppState) -> AppResult<Caller> {
    let address = client_address(parts, &state.config.trusted_proxies);
    if let Some(header) = parts.headers.get(AUTHORIZATION) {
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                AppError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
            })?;
        let principal = access::authenticate_token(&state.store, token, &address).await?;
        return Ok(Caller {
            principal: Some(principal),
            address,
            session: None,
        });
    }
    let secure = state.config.secure();
    if let Some(token) = cookie(parts, session_cookie_name(secure)) {
        if let Some(signed_in) = access::session(&state.store, token).await? {
            return Ok(Caller {
                principal: Some(signed_in.principal),
                address,
                session: Some(SessionRef {
                    id: signed_in.session_id,
                    csrf_token: signed_in.csrf_token,
                }),
            });
        }
    }
    Ok(Caller {
        principal: None,
        address,
        session: None,
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = resolve(parts, state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Browsers send `Origin` (or at least `Referer`) with a form post; it must
/// be this site. A request with neither is refused when a cookie authenticates it.
fn same_origin(parts: &Parts) -> bool {
    let host = parts.headers.get(HOST).and_then(|h| h.to_str().ok());
    let origin = parts
        .headers
        .get(ORIGIN)
        .or_else(|| parts.headers.get(REFERER))
        .and_then(|o| o.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
            .is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

/// Reads the CSRF token from a URL-encoded form body, returning the body
/// unchanged for the handler.
async fn form_token(request: Request) -> AppResult<(Option<String>, Request)> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, crate::http::app::BODY_LIMIT)
        .await
        .map_err(|_| AppError::PayloadTooLarge("the form is too large".into()))?;
    let token = form_urlencoded_value(&bytes, CSRF_FIELD);
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// Reads the CSRF token from a `multipart/form-data` body (a file upload),
/// returning the body unchanged for the handler. The body is read within
/// the route's `DefaultBodyLimit` (uploads have a larger one than forms).
async fn multipart_token(request: Request) -> AppResult<(Option<String>, Request)> {
    use axum::extract::FromRequest;
    use axum::RequestExt;
    let (parts, body) = request.with_limited_body().into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| AppError::PayloadTooLarge("the upload is too large".into()))?;
    let copy = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let mut token = None;
    if let Ok(mut multipart) = axum::extract::Multipart::from_request(copy, &()).await {
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some(CSRF_FIELD) {
                token = field.text().await.ok();
                break;
            }
        }
    }
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// One value of an `application/x-www-form-urlencoded` body.
pub fn form_urlencoded_value(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Checks a state-changing request for cross-site forgery: cookie-borne
/// authority needs our own origin plus the CSRF token (form field or
/// header); forms used before signing in need the double-submit cookie.
/// Bearer tokens are not sent by browsers on their own, so they need neither.
pub async fn check_csrf(caller: &Caller, state: &AppState, request: Request) -> AppResult<Request> {
    if is_safe(request.method()) {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bearer = parts.headers.contains_key(AUTHORIZATION);
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // A browser sends JSON cross-site only after a CORS preflight, which
    // vangnet never grants; anything else (forms, text/plain, multipart, no
    // type at all) it may send from any site, so that needs the token.
    let is_json = content_type.starts_with("application/json") || content_type.contains("+json");
    let is_form = !is_json;
    let expected = match &caller.session {
        Some(session) => Some(session.csrf_token.clone()),
        None if is_form => {
            cookie(&parts, form_cookie_name(state.config.secure())).map(str::to_string)
        }
        None => None,
    };
    let request = Request::from_parts(parts, body);
    if bearer || (caller.session.is_none() && !is_form) {
        return Ok(request);
    }
    let forged = || {
        AppError::Forbidden("the request did not come from a vangnet page (missing or wrong CSRF token); reload the page and try again".into())
    };
    let (parts, body) = request.into_parts();
    if !same_origin(&parts) {
        return Err(forged());
    }
    let header_token = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let request = Request::from_parts(parts, body);
    let (sent, request) = match header_token {
        Some(token) => (Some(token), request),
        None if content_type.starts_with("multipart/form-data") => multipart_token(request).await?,
        None if is_form => form_token(request).await?,
        None => (None, request),
    };
    match (expected, sent) {
        (Some(expected), Some(sent)) if crate::domain::secret::equal(&expected, &sent) => {
            Ok(request)
        }
        _ => Err(forged()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut builder = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/x");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn only_our_own_origin_counts_as_same_origin() {
        assert!(same_origin(&parts(&[
            ("host", "vangnet.example"),
            ("origin", "https://vangnet.example")
        ])));
        assert!(same_origin(&parts(&[
            ("host", "127.0.0.1:8080"),
            ("referer", "http://127.0.0.1:8080/inloggen")
        ])));
        assert!(!same_origin(&parts(&[
            ("host", "vangnet.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&parts(&[("host", "vangnet.example")])));
    }

    #[test]
    fn cookies_and_form_values_are_found_by_name() {
        let p = parts(&[("cookie", "a=1; vangnet-session=abc; b=2")]);
        assert_eq!(cookie(&p, "vangnet-session"), Some("abc"));
        assert_eq!(cookie(&p, "c"), None);
        assert_eq!(
            form_urlencoded_value(b"email=a%40b.nl&csrf_token=xyz", "csrf_token"),
            Some("xyz".into())
        );
    }
}
