//! Who may keep an answer: one rule for every route, applied by the route
//! guard from the route table (`routes.rs`), so no handler has to remember.
//!
//! - **Private** (a route that needs signing in: users, tokens, `/me`, the
//!   audit log, history, staff pages): `Cache-Control: no-store`, always,
//!   refusals included.
//! - **Per caller** (a public route whose answer depends on who asks: the
//!   facility and organisation API with non-public facilities and notes for
//!   staff, unpublished rounds for national roles, every page with its
//!   signed-in header and chosen language): `Vary: Cookie, Authorization`
//!   always, so a cache never hands one caller's answer to another; and
//!   `no-store` when the request was signed in or sent a token, as the
//!   answer may then hold non-public data.
//! - **Shared** (the same for everyone: static files, reference geography,
//!   open data, published statistics, the OpenAPI document): the handler's
//!   own caching, except that a request with an `Authorization` header gets
//!   `no-store` (an authenticated API call is never kept). A session cookie
//!   alone does not count here: browsers send it with every request,
//!   stylesheets included, and those should stay cached.
//!
//! Public routes are per caller unless their table line says `.shared()`,
//! so a route nobody thought about errs on the side of not being kept.

use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderMap, HeaderValue};

/// How far a route's answer depends on who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Private,
    PerCaller,
    Shared,
}

/// What a cache must key an answer on when it depends on the caller.
pub const VARY_CALLER: &str = "Cookie, Authorization";

/// Whether the answer must not be stored, and whether it varies by caller.
pub fn rule(answer: Answer, bearer: bool, signed_in: bool) -> (bool, bool) {
    match answer {
        Answer::Private => (true, false),
        Answer::PerCaller => (bearer || signed_in, true),
        Answer::Shared => (bearer, false),
    }
}

/// Sets `Cache-Control: no-store` and adds `Cookie, Authorization` to
/// `Vary` (keeping what the handler put there) as [`rule`] says.
pub fn apply(headers: &mut HeaderMap, answer: Answer, bearer: bool, signed_in: bool) {
    let (no_store, vary) = rule(answer, bearer, signed_in);
    if no_store {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !vary {
        return;
    }
    let mut names: Vec<String> = headers
        .get_all(VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if names.iter().any(|v| v == "*") {
        return;
    }
    for name in VARY_CALLER.split(", ") {
        if !names.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            names.push(name.to_string());
        }
    }
    if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_answers_are_never_kept_and_shared_ones_only_without_a_token() {
        use Answer::*;
        // (answer, bearer, signed in) → (no-store, vary)
        let cases = [
            (Private, false, false, (true, false)),
            (Private, true, true, (true, false)),
            (PerCaller, false, false, (false, true)),
            (PerCaller, false, true, (true, true)),
            (PerCaller, true, false, (true, true)),
            (Shared, false, false, (false, false)),
            (Shared, false, true, (false, false)),
            (Shared, true, true, (true, false)),
        ];
        for (answer, bearer, signed_in, expected) in cases {
            assert_eq!(
                rule(answer, bearer, signed_in),
                expected,
                "{answer:?} bearer={bearer} signed_in={signed_in}"
            );
        }
    }

    #[test]
    fn vary_keeps_what_the_handler_said() {
        let mut headers = HeaderMap::new();
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        apply(&mut headers, Answer::PerCaller, false, false);
        assert_eq!(headers[VARY], "accept-encoding, Cookie, Authorization");
        assert_eq!(headers[CACHE_CONTROL], "public, max-age=60");
        apply(&mut headers, Answer::PerCaller, false, true);
        assert_eq!(headers[VARY], "accept-encoding, Cookie, Authorization");
        assert_eq!(headers[CACHE_CONTROL], "no-store");
        assert_eq!(headers.get_all(CACHE_CONTROL).iter().count(), 1);

        let mut any = HeaderMap::new();
        any.insert(VARY, HeaderValue::from_static("*"));
        apply(&mut any, Answer::PerCaller, false, false);
        assert_eq!(any[VARY], "*");
    }
}
