//! What every page shares: the start page, the language switch and the
//! stylesheet.

use axum::extract::RawQuery;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::{local_path, parse_query, see_other, set_cookie, Page, PageError, LANG_COOKIE};
use crate::web::templates::{Lang, STYLESHEET};

/// How long the language choice is remembered.
const LANG_COOKIE_SECONDS: i64 = 365 * 24 * 60 * 60;

/// The start page: what vangnet is and where its data is.
pub async fn index(page: Page) -> Response {
    page.render("index.html", StatusCode::OK, context! {})
}

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
        let lang = Lang::parse(&query.lang).ok_or(PageError::new(
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

/// The stylesheet; its address carries its version, so it may be kept for good.
pub async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
        .into_response()
}
