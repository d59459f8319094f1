//! `/inloggen` and `/uitloggen`: signing in with e-mail address and
//! password (throttled and audited by `accounts::sign_in`), and out.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::{local_path, parse_query, see_other, set_cookie, Page};
use crate::accounts;
use crate::accounts::access;
use crate::domain::access::Role;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::request::session_cookie_name;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInQuery {
    terug: String,
    melding: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    email: String,
    password: String,
    terug: String,
}

fn render(
    page: &Page,
    status: StatusCode,
    email: &str,
    back: &str,
    error: Option<String>,
    message: Option<String>,
) -> Response {
    page.render(
        "sign_in.html",
        status,
        context! { email, terug => back, error, message },
    )
}

/// The sign-in form.
pub async fn form(page: Page, RawQuery(query): RawQuery) -> Response {
    page.run(async {
        let query: SignInQuery = parse_query(query.as_deref())?;
        let back = local_path(&query.terug).unwrap_or_default();
        Ok(render(
            &page,
            StatusCode::OK,
            "",
            back,
            None,
            page.message(&query.melding),
        ))
    })
    .await
}

/// Signs in: a new session (and cookie) at every sign-in, then back to
/// where the visitor came from.
pub async fn submit(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: SignInForm = page.form(&body)?;
        let back = local_path(&form.terug).unwrap_or_default();
        match accounts::sign_in(
            &state.store,
            &form.email,
            &form.password,
            &page.caller.address,
        )
        .await
        {
            Ok((user, token, _)) => {
                if let Some(old) = &page.caller.session {
                    access::end_session(&state.store, old.id, None).await?;
                }
                let mut response = see_other(if back.is_empty() {
                    work_of(user.role)
                } else {
                    back
                });
                response.headers_mut().append(
                    SET_COOKIE,
                    set_cookie(
                        session_cookie_name(page.secure),
                        &token,
                        "Strict",
                        None,
                        page.secure,
                    ),
                );
                Ok(response)
            }
            Err(AppError::Unauthorized(_)) => Ok(render(
                &page,
                StatusCode::UNAUTHORIZED,
                &form.email,
                back,
                Some(page.text("sign_in.wrong")),
                None,
            )),
            Err(AppError::TooManyRequests { retry_after, .. }) => {
                let error =
                    page.text_with("sign_in.throttled", &[("seconds", retry_after.to_string())]);
                let mut response = render(
                    &page,
                    StatusCode::TOO_MANY_REQUESTS,
                    &form.email,
                    back,
                    Some(error),
                    None,
                );
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(retry_after));
                Ok(response)
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Signs out: the session ends on the server, the cookie goes.
pub async fn sign_out(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        if let Some(session) = &page.caller.session {
            access::end_session(&state.store, session.id, Some(&page.caller.actor())).await?;
        }
        let mut response = see_other("/");
        response.headers_mut().append(
            SET_COOKIE,
            set_cookie(
                session_cookie_name(page.secure),
                "",
                "Strict",
                Some(0),
                page.secure,
            ),
        );
        Ok(response)
    })
    .await
}

/// Where a person's work starts after signing in (when they did not come
/// from a page): the rounds for the national researcher, the register's
/// list (their organisation's part of it) for the others who keep it, the
/// account for an auditor (whose audits arrive later).
fn work_of(role: Role) -> &'static str {
    match role {
        Role::Researcher => "/beheer/rondes",
        Role::Admin | Role::OrgManager | Role::Reporter => "/beheer/voorzieningen",
        Role::Auditor => "/account",
    }
}
