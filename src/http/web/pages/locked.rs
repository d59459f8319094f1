//! `/beheer/geblokkeerd` (admins): accounts with failed sign-ins in the
//! last hour, locked or slowed down, and unlocking one.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::{parse_query, see_other, MessageQuery, Page, PageError};
use crate::accounts::access;
use crate::domain::error::AppError;
use crate::domain::throttle::{ACCOUNT_LIMIT_PER_HOUR, FREE_FAILURES};
use crate::http::app::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UnlockForm {
    account: String,
}

pub async fn list(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: MessageQuery = parse_query(query.as_deref())?;
        let accounts: Vec<_> = crate::accounts::access::accounts_with_failures(&state.store)
            .await?
            .into_iter()
            .map(|(account, failures, last_failure_at)| {
                context! {
                    account,
                    failures,
                    last_failure_at,
                    locked => failures >= ACCOUNT_LIMIT_PER_HOUR as i64,
                    slowed => failures > FREE_FAILURES as i64,
                }
            })
            .collect();
        Ok(page.render(
            "locked.html",
            StatusCode::OK,
            context! { accounts, limit => ACCOUNT_LIMIT_PER_HOUR, free => FREE_FAILURES, message => page.message(&query.melding) },
        ))
    })
    .await
}

/// Forgets an account's failed sign-ins, so that it may sign in at once.
pub async fn unlock(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: UnlockForm = page.form(&body)?;
        match access::unlock(&state.store, &form.account, &page.caller.actor()).await {
            Ok(()) => {}
            Err(AppError::NotFound(_)) => {
                return Err(PageError::not_found("locked.nothing_to_unlock"))
            }
            Err(e) => return Err(e.into()),
        }
        Ok(see_other("/beheer/geblokkeerd?melding=ontgrendeld"))
    })
    .await
}
