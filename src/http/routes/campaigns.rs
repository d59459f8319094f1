//! Campaigns: the inventory questionnaire sent by e-mail, in the API and
//! on the staff pages. Admins and researchers only.
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::{Public, Roles};
use super::{route, Route, NATIONAL};
use crate::http::api;
use crate::http::web;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    const PUT: Method = Method::PUT;
    vec![
        route(GET, "/api/v1/campaigns", Roles(NATIONAL), false, api::campaigns::list),
        route(POST, "/api/v1/campaigns", Roles(NATIONAL), false, api::campaigns::create),
        route(GET, "/api/v1/campaigns/{name}", Roles(NATIONAL), false, api::campaigns::show),
        route(POST, "/api/v1/campaigns/{name}/send", Roles(NATIONAL), false, api::campaigns::send),
        route(POST, "/api/v1/campaigns/{name}/remind", Roles(NATIONAL), false, api::campaigns::remind),
        route(POST, "/api/v1/campaigns/{name}/invitations/{id}/revoke", Roles(NATIONAL), false, api::campaigns::revoke),
        route(GET, "/api/v1/campaigns/{name}/follow-ups", Roles(NATIONAL), false, api::campaigns::follow_ups),
        route(POST, "/api/v1/campaigns/{name}/follow-ups", Roles(NATIONAL), false, api::campaigns::add_follow_up),
        route(GET, "/api/v1/campaigns/{name}/review", Roles(NATIONAL), false, api::answers::show_review),
        route(POST, "/api/v1/campaigns/{name}/proposals/{id}/decision", Roles(NATIONAL), false, api::answers::decide_proposal),
        route(POST, "/api/v1/campaigns/{name}/answers/{id}/decision", Roles(NATIONAL), false, api::answers::decide_answer),
        route(POST, "/api/v1/campaigns/{name}/invitations/{id}/findings", Roles(NATIONAL), false, api::answers::record_finding),
        route(GET, "/api/v1/survey/{token}", Public, false, api::answers::show),
        route(PUT, "/api/v1/survey/{token}", Public, false, api::answers::save),
        route(GET, "/enquete/{token}", Public, false, web::pages::answer::show),
        route(POST, "/enquete/{token}", Public, false, web::pages::answer::save),
        route(GET, "/api/v1/campaigns/{name}/dashboard", Roles(NATIONAL), false, api::campaigns::dashboard),
        route(GET, "/beheer/campagnes", Roles(NATIONAL), false, web::pages::campaigns::list),
        route(POST, "/beheer/campagnes", Roles(NATIONAL), false, web::pages::campaigns::create),
        route(GET, "/beheer/campagnes/{name}", Roles(NATIONAL), false, web::pages::campaigns::show),
        route(GET, "/beheer/campagnes/{name}/overzicht", Roles(NATIONAL), false, web::pages::campaign_dashboard::show),
        route(POST, "/beheer/campagnes/{name}/versturen", Roles(NATIONAL), false, web::pages::campaigns::send),
        route(POST, "/beheer/campagnes/{name}/herinneren", Roles(NATIONAL), false, web::pages::campaigns::remind),
        route(POST, "/beheer/campagnes/{name}/uitnodigingen/{id}/intrekken", Roles(NATIONAL), false, web::pages::campaigns::revoke),
        route(POST, "/beheer/campagnes/{name}/opvolging", Roles(NATIONAL), false, web::pages::campaigns::follow_up),
        route(GET, "/beheer/campagnes/{name}/beoordelen", Roles(NATIONAL), false, web::pages::review::show),
        route(POST, "/beheer/campagnes/{name}/voorstellen/{id}/besluit", Roles(NATIONAL), false, web::pages::review::decide_proposal),
        route(POST, "/beheer/campagnes/{name}/antwoorden/{id}/besluit", Roles(NATIONAL), false, web::pages::review::decide_answer),
        route(GET, "/beheer/campagnes/{name}/uitnodigingen/{id}/bevinding", Roles(NATIONAL), false, web::pages::answer::finding),
        route(POST, "/beheer/campagnes/{name}/uitnodigingen/{id}/bevinding", Roles(NATIONAL), false, web::pages::answer::record_finding),
    ]
}
