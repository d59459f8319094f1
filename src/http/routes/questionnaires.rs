//! Questionnaires of survey campaigns: the API and the staff pages, for
//! admins and researchers only (never public).
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::Roles;
use super::{route, Route, NATIONAL};
use crate::http::api;
use crate::http::web;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    const PUT: Method = Method::PUT;
    vec![
        route(GET, "/api/v1/questionnaires", Roles(NATIONAL), false, api::questionnaires::list),
        route(GET, "/api/v1/questionnaires/{code}", Roles(NATIONAL), false, api::questionnaires::show),
        route(PUT, "/api/v1/questionnaires/{code}", Roles(NATIONAL), false, api::questionnaires::put),
        route(GET, "/beheer/vragenlijsten", Roles(NATIONAL), false, web::pages::questionnaires::list),
        route(GET, "/beheer/vragenlijsten/{code}", Roles(NATIONAL), false, web::pages::questionnaires::show),
        route(GET, "/beheer/vragenlijsten/{code}/bewerken", Roles(NATIONAL), false, web::pages::questionnaires::edit),
        route(POST, "/beheer/vragenlijsten/{code}/bewerken", Roles(NATIONAL), false, web::pages::questionnaires::save),
    ]
}
