//! Security headers on every response: a strict Content Security Policy
//! (everything from this origin only, no inline scripts or styles, no
//! framing), no MIME sniffing, no cross-site referrers, an isolated browsing
//! context, and, when the register is served over HTTPS, HSTS.
//!
//! ```ignore
//! Router::new().merge(…).layer(crate::http::web::security::layer(public_url_is_https))
//! ```
//!
//! A header a handler has set itself is left alone, so one response can
//! carry a narrower or wider policy than the default.

use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Response};
use tower::util::MapResponseLayer;

/// Scripts, styles, fonts and fetches from this origin only; images also
/// as `data:` URLs; no plugins, no `<base>`, forms post here, and no page
/// may frame ours. Inline `<script>` and `<style>` are refused.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                       img-src 'self' data:; font-src 'self'; connect-src 'self'; \
                       object-src 'none'; base-uri 'none'; form-action 'self'; \
                       frame-ancestors 'none'";

/// One year, subdomains included. Sent only over HTTPS: a browser that saw
/// it would refuse plain HTTP to the host for a year.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

const CROSS_ORIGIN_OPENER_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-opener-policy");
const PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");

/// The headers for every response; with `secure` (the public URL is
/// `https://`) also `Strict-Transport-Security`.
pub fn headers(secure: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (REFERRER_POLICY, HeaderValue::from_static("same-origin")),
        (X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            CROSS_ORIGIN_OPENER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            PERMISSIONS_POLICY,
            HeaderValue::from_static("geolocation=(self), camera=(), microphone=()"),
        ),
    ];
    if secure {
        headers.push((STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS)));
    }
    headers
}

/// A layer for the whole router that adds [`headers`] to every response,
/// errors and fallbacks included, unless the handler set the header itself.
pub fn layer<B>(
    secure: bool,
) -> MapResponseLayer<impl Fn(Response<B>) -> Response<B> + Clone + Send + Sync + 'static> {
    let headers = std::sync::Arc::new(headers(secure));
    MapResponseLayer::new(move |mut response: Response<B>| {
        add_missing(response.headers_mut(), &headers);
        response
    })
}

fn add_missing(map: &mut HeaderMap, headers: &[(HeaderName, HeaderValue)]) {
    for (name, value) in headers {
        if !map.contains_key(name) {
            map.insert(name.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn router(secure: bool) -> Router {
        Router::new()
            .route("/", get(|| async { "hallo" }))
            .route(
                "/embeddable",
                get(|| async {
                    (
                        [(X_FRAME_OPTIONS, "SAMEORIGIN")],
                        "a handler may choose its own",
                    )
                }),
            )
            .route(
                "/error",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "kapot") }),
            )
            .layer(layer(secure))
    }

    async fn get_headers(router: Router, uri: &str) -> (StatusCode, HeaderMap) {
        let response = router
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        (response.status(), response.headers().clone())
    }

    fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        headers.get(name).map(|v| v.to_str().unwrap())
    }

    #[tokio::test]
    async fn every_response_carries_the_security_headers() {
        for uri in ["/", "/nowhere", "/error"] {
            let (status, headers) = get_headers(router(false), uri).await;
            assert_eq!(
                header(&headers, "content-security-policy"),
                Some(
                    "default-src 'self'; script-src 'self'; style-src 'self'; \
                     img-src 'self' data:; font-src 'self'; connect-src 'self'; \
                     object-src 'none'; base-uri 'none'; form-action 'self'; \
                     frame-ancestors 'none'"
                ),
                "{uri} ({status})"
            );
            assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
            assert_eq!(header(&headers, "referrer-policy"), Some("same-origin"));
            assert_eq!(header(&headers, "x-frame-options"), Some("DENY"));
            assert_eq!(
                header(&headers, "cross-origin-opener-policy"),
                Some("same-origin")
            );
            assert_eq!(
                header(&headers, "permissions-policy"),
                Some("geolocation=(self), camera=(), microphone=()")
            );
            assert_eq!(header(&headers, "strict-transport-security"), None, "{uri}");
        }
    }

    #[tokio::test]
    async fn hsts_only_when_the_public_url_is_https() {
        let (status, headers) = get_headers(router(true), "/").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header(&headers, "strict-transport-security"),
            Some("max-age=31536000; includeSubDomains")
        );
        let (status, headers) = get_headers(router(true), "/nowhere").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(headers.contains_key("strict-transport-security"));
    }

    #[tokio::test]
    async fn a_header_the_handler_set_is_kept() {
        let (_, headers) = get_headers(router(false), "/embeddable").await;
        assert_eq!(header(&headers, "x-frame-options"), Some("SAMEORIGIN"));
        assert_eq!(headers.get_all("x-frame-options").iter().count(), 1);
        assert!(headers.contains_key("content-security-policy"));
    }

    #[test]
    fn each_header_is_sent_once() {
        let names: Vec<_> = headers(true).into_iter().map(|(name, _)| name).collect();
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(names.len(), 7);
        assert_eq!(unique.len(), 7);
    }
}
