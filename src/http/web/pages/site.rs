//! What every page shares: the language switch and the
//! stylesheet (served gzipped to browsers that take it).

use axum::extract::RawQuery;
use std::sync::LazyLock;

use axum::http::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, SET_COOKIE, VARY};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::http::web::kept::{accepts_gzip, gzip};

use super::{local_path, parse_query, see_other, set_cookie, Page, PageError, LANG_COOKIE};
use crate::domain::language::Language;
use crate::http::web::templates::STYLESHEET;

/// How long the language choice is remembered.
const LANG_COOKIE_SECONDS: i64 = 365 * 24 * 60 * 60;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LangQuery {
    lang: String,
    terug: String,
}

/// `/taal?lang=en&terug=/account`: remembers the language and goes back.
pub async fn language(page: Page, RawQuery(query): RawQuery) -> Response {
    page.run(async {
        let query: LangQuery = parse_query(query.as_deref())?;
        let lang = Language::parse(&query.lang).ok_or(PageError::new(
            StatusCode::BAD_REQUEST,
            "error.unknown_language",
        ))?;
        let mut response = see_other(local_path(&query.terug).unwrap_or("/"));
        response.headers_mut().append(
            SET_COOKIE,
            set_cookie(
                LANG_COOKIE,
                lang.code(),
                "Lax",
                Some(LANG_COOKIE_SECONDS),
                page.secure,
            ),
        );
        Ok(response)
    })
    .await
}

/// The stylesheet; its address carries its version, so it may be kept for
/// good. Gzipped for browsers that accept it (about a seventh of the size).
pub async fn stylesheet(headers: HeaderMap) -> Response {
    let gzipped = accepts_gzip(&headers)
        .then(|| STYLESHEET_GZIP.as_deref())
        .flatten();
    let common = [
        (CONTENT_TYPE, "text/css; charset=utf-8"),
        (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (VARY, "accept-encoding"),
    ];
    match gzipped {
        Some(body) => (common, [(CONTENT_ENCODING, "gzip")], body).into_response(),
        None => (common, STYLESHEET).into_response(),
    }
}

/// The stylesheet gzipped once, at the first request; `None` (and plain
/// CSS for everyone) if that failed, which is logged.
static STYLESHEET_GZIP: LazyLock<Option<Vec<u8>>> =
    LazyLock::new(
        || match gzip(STYLESHEET.as_bytes(), flate2::Compression::best()) {
            Ok(body) => Some(body),
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "cannot gzip the stylesheet");
                None
            }
        },
    );

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[tokio::test]
    async fn the_stylesheet_is_kept_for_a_year_and_gzipped_when_accepted() {
        for (accept_encoding, gzipped) in [("gzip, deflate, br", true), ("identity", false)] {
            let response = stylesheet(accept(accept_encoding)).await;
            let headers = response.headers().clone();
            assert_eq!(headers[CONTENT_TYPE], "text/css; charset=utf-8");
            assert_eq!(
                headers[CACHE_CONTROL],
                "public, max-age=31536000, immutable"
            );
            assert_eq!(headers[VARY], "accept-encoding");
            assert_eq!(headers.contains_key(CONTENT_ENCODING), gzipped);
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            assert_eq!(body.len() < STYLESHEET.len(), gzipped);
        }
    }

    /// A one-entry zip around a raw deflate stream, so that the `zip`
    /// crate inflates it and checks its CRC-32.
    fn zip_of(deflate: &[u8], crc: u32, length: u32) -> Vec<u8> {
        let (u16le, u32le) = (
            |v: u16| v.to_le_bytes().to_vec(),
            |v: u32| v.to_le_bytes().to_vec(),
        );
        let compressed = u32::try_from(deflate.len()).unwrap();
        // version needed, flags, deflate, time, date, CRC, sizes, name length, extra length
        let common = [
            u16le(20),
            u16le(0),
            u16le(8),
            u32le(0),
            u32le(crc),
            u32le(compressed),
            u32le(length),
            u16le(1),
            u16le(0),
        ]
        .concat();
        let mut zip = [
            u32le(0x0403_4b50),
            common.clone(),
            b"x".to_vec(),
            deflate.to_vec(),
        ]
        .concat();
        let directory_at = u32::try_from(zip.len()).unwrap();
        // made by, the common part, comment, disk, attributes, offset of the entry
        let directory = [
            u32le(0x0201_4b50),
            u16le(20),
            common,
            u16le(0),
            u16le(0),
            u16le(0),
            u32le(0),
            u32le(0),
            b"x".to_vec(),
        ]
        .concat();
        let directory_size = u32::try_from(directory.len()).unwrap();
        zip.extend(directory);
        zip.extend(
            [
                u32le(0x0605_4b50),
                u16le(0),
                u16le(0),
                u16le(1),
                u16le(1),
                u32le(directory_size),
                u32le(directory_at),
                u16le(0),
            ]
            .concat(),
        );
        zip
    }

    /// The member has gzip's header, then a deflate stream that inflates
    /// back to the stylesheet, then the stylesheet's CRC-32 and length.
    #[test]
    fn the_gzipped_stylesheet_is_a_gzip_member_of_the_stylesheet() {
        use std::io::{Cursor, Read};
        let body = STYLESHEET_GZIP.as_deref().expect("the stylesheet gzips");
        assert!(body.len() * 4 < STYLESHEET.len(), "{} bytes", body.len());
        assert_eq!(&body[..4], &[0x1f, 0x8b, 8, 0]);
        let n = body.len();
        let crc = u32::from_le_bytes(body[n - 8..n - 4].try_into().unwrap());
        let length = u32::from_le_bytes(body[n - 4..].try_into().unwrap());
        assert_eq!(length as usize, STYLESHEET.len());
        let zip = zip_of(&body[10..n - 8], crc, length);
        let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
        let mut inflated = String::new();
        archive
            .by_index(0)
            .unwrap()
            .read_to_string(&mut inflated)
            .expect("inflates, with the right CRC-32");
        assert_eq!(inflated, STYLESHEET);
    }
}
