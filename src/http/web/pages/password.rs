//! `/wachtwoord-vergeten` and `/wachtwoord-instellen`: asking for a link to
//! set a new password, and setting one with that link (or an invitation's).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::{parse_query, see_other, FieldErrors, Page, PageResult};
use crate::accounts;
use crate::accounts::mails;
use crate::accounts::password::{MAX_LENGTH, MIN_LENGTH};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult};
use crate::storage::users::User;
use crate::storage::write::Writes;
use crate::storage::Store;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ForgotForm {
    email: String,
}

/// The form to ask for a link.
pub async fn forgot_form(page: Page) -> Response {
    page.render(
        "forgot_password.html",
        StatusCode::OK,
        context! { done => false },
    )
}

/// Sends a link when the address has an active account, and says the same
/// either way, so that nobody can find out which addresses have one.
pub async fn forgot(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: ForgotForm = page.form(&body)?;
        let email = form.email.trim();
        if email.is_empty() {
            let errors =
                FieldErrors::from([("email".to_string(), page.text("forgot.error.email"))]);
            return Ok(page.render(
                "forgot_password.html",
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { done => false, errors },
            ));
        }
        if let Some((user, secret)) =
            accounts::request_reset(&state.store, email, &page.caller.actor()).await?
        {
            // Sent in the background, so that the answer takes as long for an
            // address with an account as for one without.
            let state = state.clone();
            tokio::spawn(async move {
                mails::send_reset(&state.services(), &user.email, &secret).await;
            });
        }
        Ok(page.render(
            "forgot_password.html",
            StatusCode::OK,
            context! { done => true },
        ))
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeQuery {
    code: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SetForm {
    code: String,
    password: String,
    password_confirm: String,
}

/// The user a link is for, without using the link up.
async fn peek(store: &Store, code: &str) -> AppResult<Option<User>> {
    if code.is_empty() {
        return Ok(None);
    }
    let mut tx = store.begin_write(Writes::Audit).await?;
    let user = Store::use_password_reset(&mut tx, code).await?;
    tx.rollback().await?;
    Ok(user)
}

fn render_form(
    page: &Page,
    status: StatusCode,
    code: &str,
    user: &User,
    errors: FieldErrors,
) -> Response {
    page.render(
        "set_password.html",
        status,
        context! { code, email => user.email, errors, min_length => MIN_LENGTH },
    )
}

fn render_invalid_link(page: &Page) -> Response {
    page.render(
        "set_password.html",
        StatusCode::NOT_FOUND,
        context! { invalid_link => true },
    )
}

/// The form to set a password, when the link is (still) valid.
pub async fn set_form(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: CodeQuery = parse_query(query.as_deref())?;
        Ok(match peek(&state.store, &query.code).await? {
            Some(user) => render_form(
                &page,
                StatusCode::OK,
                &query.code,
                &user,
                FieldErrors::new(),
            ),
            None => render_invalid_link(&page),
        })
    })
    .await
}

fn check(page: &Page, form: &SetForm) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let min = [("min", MIN_LENGTH.to_string())];
    let length = form.password.chars().count();
    if length == 0 {
        errors.insert("password".into(), page.text("set_password.error.required"));
    } else if length < MIN_LENGTH {
        errors.insert(
            "password".into(),
            page.text_with("set_password.error.too_short", &min),
        );
    } else if length > MAX_LENGTH {
        errors.insert(
            "password".into(),
            page.text_with(
                "set_password.error.too_long",
                &[("max", MAX_LENGTH.to_string())],
            ),
        );
    } else if form.password != form.password_confirm {
        errors.insert(
            "password_confirm".into(),
            page.text("set_password.error.mismatch"),
        );
    }
    errors
}

/// Sets the password; the link works once, and every session and API token
/// of the user ends with it. Then on to signing in.
pub async fn set(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    page.run(async {
        let mut form: SetForm = page.form(&body)?;
        if form.code.is_empty() {
            form.code = parse_query::<CodeQuery>(query.as_deref())?.code;
        }
        let errors = check(&page, &form);
        if !errors.is_empty() {
            return refuse(&page, &state, &form.code, errors).await;
        }
        match accounts::set_password(
            &state.store,
            &form.code,
            &form.password,
            &page.caller.actor(),
        )
        .await
        {
            // Say so when signing in elsewhere or a script's token ended:
            // the user has to sign in there again and make new tokens.
            Ok(set) if set.sessions_ended + set.tokens_revoked > 0 => {
                Ok(see_other("/inloggen?melding=wachtwoord-ingesteld-afgemeld"))
            }
            Ok(_) => Ok(see_other("/inloggen?melding=wachtwoord-ingesteld")),
            Err(AppError::Invalid(_)) => {
                let min = [("min", MIN_LENGTH.to_string())];
                let errors = FieldErrors::from([(
                    "password".to_string(),
                    page.text_with("set_password.error.weak", &min),
                )]);
                refuse(&page, &state, &form.code, errors).await
            }
            Err(AppError::NotFound(_)) => Ok(render_invalid_link(&page)),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// The form again with what is wrong (422), or that the link is not valid.
async fn refuse(page: &Page, state: &AppState, code: &str, errors: FieldErrors) -> PageResult {
    Ok(match peek(&state.store, code).await? {
        Some(user) => render_form(page, StatusCode::UNPROCESSABLE_ENTITY, code, &user, errors),
        None => render_invalid_link(page),
    })
}
