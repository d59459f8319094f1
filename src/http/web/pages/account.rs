//! `/account`: who you are, and your API tokens: make one (its secret is
//! shown once) or revoke one.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::{
    parse_id, parse_query, see_other, FieldErrors, MessageQuery, Page, PageError, PageResult,
};
use crate::accounts::access;
use crate::http::app::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    name: String,
}

/// What the account page shows besides the account.
#[derive(Default)]
struct Extra {
    message: Option<String>,
    token_name: String,
    errors: FieldErrors,
    /// A token just made: (name, secret).
    new_token: Option<(String, String)>,
}

async fn render(page: &Page, state: &AppState, status: StatusCode, extra: Extra) -> PageResult {
    let principal = page.caller.principal()?;
    let organisation = match principal.organisation_id {
        Some(id) => crate::register::reads::current_organisation(&state.store, id)
            .await?
            .map(|o| o.fields.name),
        None => None,
    };
    let (user, tokens) = match principal.user_id {
        Some(id) => (
            access::user(&state.store, id).await?,
            access::tokens(&state.store, Some(id)).await?,
        ),
        None => (None, Vec::new()),
    };
    let tokens: Vec<_> = tokens
        .iter()
        .map(|t| {
            context! {
                id => t.id,
                name => t.name,
                created_at => t.created_at,
                last_used_at => t.last_used_at,
                revoked_at => t.revoked_at,
            }
        })
        .collect();
    let new_token = extra
        .new_token
        .map(|(name, secret)| context! { name, secret });
    Ok(page.render(
        "account.html",
        status,
        context! {
            email => principal.name,
            name => user.as_ref().and_then(|u| u.name.clone()),
            role => principal.role.code(),
            organisation,
            organisation_id => principal.organisation_id,
            has_user => principal.user_id.is_some(),
            tokens,
            new_token,
            token_name => extra.token_name,
            errors => extra.errors,
            message => extra.message,
        },
    ))
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: MessageQuery = parse_query(query.as_deref())?;
        let extra = Extra {
            message: page.message(&query.melding),
            ..Extra::default()
        };
        render(&page, &state, StatusCode::OK, extra).await
    })
    .await
}

/// Makes a token that acts as you, and shows its secret this once.
pub async fn create_token(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form: TokenForm = page.form(&body)?;
        let user_id = page.caller.principal()?.user_id.ok_or(PageError::new(
            StatusCode::FORBIDDEN,
            "account.only_users_have_tokens",
        ))?;
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            let extra = Extra {
                token_name: form.name.clone(),
                errors: FieldErrors::from([(
                    "name".to_string(),
                    page.text("account.error.token_name"),
                )]),
                ..Extra::default()
            };
            return render(&page, &state, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
        }
        let (_, secret) =
            access::create_token(&state.store, user_id, name, &page.caller.actor()).await?;
        let extra = Extra {
            new_token: Some((name.to_string(), secret)),
            ..Extra::default()
        };
        render(&page, &state, StatusCode::OK, extra).await
    })
    .await
}

/// Revokes one of your own tokens at once.
pub async fn revoke_token(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    page.run(async {
        let id = parse_id(&id, "account.token_not_found")?;
        let owner = page.caller.principal()?.user_id;
        let revoked = match owner {
            Some(owner) => {
                access::revoke_token(&state.store, id, Some(owner), &page.caller.actor()).await?
            }
            None => false,
        };
        if !revoked {
            return Err(PageError::not_found("account.token_not_found"));
        }
        Ok(see_other("/account?melding=token-ingetrokken"))
    })
    .await
}
