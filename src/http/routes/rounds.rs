//! Inventory rounds: the API, Table 1, the staff pages and the published rounds under /cijfers.
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
    vec![
        route(GET, "/api/v1/reports/table1", Public, false, api::reports::table1).kept(),
        route(GET, "/api/v1/rounds", Public, false, api::rounds::list),
        route(POST, "/api/v1/rounds", Roles(NATIONAL), false, api::rounds::create),
        route(GET, "/api/v1/rounds/{name}", Public, false, api::rounds::show),
        route(POST, "/api/v1/rounds/{name}/counts", Roles(NATIONAL), false, api::rounds::set_count),
        route(POST, "/api/v1/rounds/{name}/close", Roles(NATIONAL), false, api::rounds::close),
        route(POST, "/api/v1/rounds/{name}/reopen", Roles(NATIONAL), false, api::rounds::reopen),
        route(POST, "/api/v1/rounds/{name}/publish", Roles(NATIONAL), false, api::rounds::publish),
        route(GET, "/beheer/rondes", Roles(NATIONAL), false, web::pages::rounds::staff::list),
        route(POST, "/beheer/rondes", Roles(NATIONAL), false, web::pages::rounds::staff::create),
        route(GET, "/beheer/rondes/{name}", Roles(NATIONAL), false, web::pages::rounds::staff::show),
        route(GET, "/beheer/rondes/{name}/rapport.html", Roles(NATIONAL), false, web::pages::rounds::report::download),
        route(GET, "/beheer/rondes/{name}/rapport.xlsx", Roles(NATIONAL), false, web::pages::rounds::report::download),
        route(POST, "/beheer/rondes/{name}/telling", Roles(NATIONAL), false, web::pages::rounds::staff::set_count),
        route(POST, "/beheer/rondes/{name}/sluiten", Roles(NATIONAL), false, web::pages::rounds::staff::close),
        route(POST, "/beheer/rondes/{name}/heropenen", Roles(NATIONAL), false, web::pages::rounds::staff::reopen),
        route(POST, "/beheer/rondes/{name}/publiceren", Roles(NATIONAL), false, web::pages::rounds::staff::publish),
        route(GET, "/cijfers", Public, false, web::pages::rounds::public::list).kept(),
        route(GET, "/cijfers/tabel-1", Public, false, web::pages::rounds::public::newest_table1),
        route(GET, "/cijfers/{name}", Public, false, web::pages::rounds::public::show).kept(),
        route(GET, "/cijfers/{name}/rapport.html", Public, false, web::pages::rounds::report::download),
        route(GET, "/cijfers/{name}/rapport.xlsx", Public, false, web::pages::rounds::report::download),
    ]
}
