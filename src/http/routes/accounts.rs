//! Accounts: who you are, tokens, users, locked accounts and the audit log in the API; signing in and out, passwords, the account page and the staff pages for users and the audit log.
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::{Public, Roles, SignedIn};
use super::{route, Route, ADMIN, NATIONAL};
use crate::http::api;
use crate::http::web;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const DELETE: Method = Method::DELETE;
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    vec![
        route(GET, "/api/v1/me", SignedIn, false, api::accounts::me),
        route(GET, "/api/v1/tokens", SignedIn, false, api::accounts::list_tokens),
        route(POST, "/api/v1/tokens", SignedIn, false, api::accounts::create_token),
        route(DELETE, "/api/v1/tokens/{id}", SignedIn, true, api::accounts::revoke_token),
        route(GET, "/api/v1/users", Roles(ADMIN), false, api::accounts::list_users),
        route(POST, "/api/v1/users", Roles(ADMIN), false, api::accounts::create_user),
        route(POST, "/api/v1/users/{id}/disable", Roles(ADMIN), false, api::accounts::disable_user),
        route(GET, "/api/v1/locked-accounts", Roles(ADMIN), false, api::accounts::locked_accounts),
        route(POST, "/api/v1/locked-accounts/unlock", Roles(ADMIN), false, api::accounts::unlock_account),
        route(GET, "/api/v1/audit", Roles(NATIONAL), false, api::audit::search),
        route(GET, "/inloggen", Public, false, web::pages::sign_in::form),
        route(POST, "/inloggen", Public, false, web::pages::sign_in::submit),
        route(POST, "/uitloggen", SignedIn, false, web::pages::sign_in::sign_out),
        route(GET, "/wachtwoord-vergeten", Public, false, web::pages::password::forgot_form),
        route(POST, "/wachtwoord-vergeten", Public, false, web::pages::password::forgot),
        route(GET, "/wachtwoord-instellen", Public, false, web::pages::password::set_form),
        route(POST, "/wachtwoord-instellen", Public, false, web::pages::password::set),
        route(GET, "/account", SignedIn, false, web::pages::account::show),
        route(POST, "/account/tokens", SignedIn, false, web::pages::account::create_token),
        route(POST, "/account/tokens/{id}/intrekken", SignedIn, true, web::pages::account::revoke_token),
        route(GET, "/beheer/gebruikers", Roles(ADMIN), false, web::pages::users::list),
        route(POST, "/beheer/gebruikers", Roles(ADMIN), false, web::pages::users::create),
        route(POST, "/beheer/gebruikers/{id}/uitschakelen", Roles(ADMIN), false, web::pages::users::disable),
        route(GET, "/beheer/geblokkeerd", Roles(ADMIN), false, web::pages::locked::list),
        route(POST, "/beheer/geblokkeerd/ontgrendelen", Roles(ADMIN), false, web::pages::locked::unlock),
        route(GET, "/beheer/audit", Roles(NATIONAL), false, web::pages::audit::search),
        route(GET, "/beheer/audit.csv", Roles(NATIONAL), false, web::pages::audit::export),
    ]
}
