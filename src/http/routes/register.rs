//! The register: facilities, organisations and reference geography in the API; the staff pages to list, add, change, repair, import and export.
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::{Public, Roles, SignedIn};
use super::{route, Route, EDITORS, NATIONAL};
use crate::http::api;
use crate::http::web;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    const PATCH: Method = Method::PATCH;
    const POST: Method = Method::POST;
    vec![
        route(GET, "/api/v1/facilities", Public, true, api::facilities::list),
        route(POST, "/api/v1/facilities", Roles(EDITORS), true, api::facilities::create),
        route(GET, "/api/v1/facilities/{id}", Public, true, api::facilities::show),
        route(PATCH, "/api/v1/facilities/{id}", Roles(EDITORS), true, api::facilities::update),
        route(POST, "/api/v1/facilities/{id}/corrections", Roles(NATIONAL), true, api::facilities::correct),
        route(GET, "/api/v1/facilities/{id}/history", SignedIn, true, api::facilities::history),
        route(GET, "/api/v1/organisations", Public, true, api::organisations::list),
        route(POST, "/api/v1/organisations", Roles(NATIONAL), false, api::organisations::create),
        route(GET, "/api/v1/organisations/{id}", Public, true, api::organisations::show),
        route(PATCH, "/api/v1/organisations/{id}", Roles(EDITORS), true, api::organisations::update),
        route(GET, "/api/v1/organisations/{id}/history", SignedIn, true, api::organisations::history),
        route(GET, "/api/v1/municipalities", Public, false, api::reference::municipalities).shared(),
        route(GET, "/api/v1/provinces", Public, false, api::reference::provinces).shared(),
        route(GET, "/beheer/voorzieningen", SignedIn, true, web::pages::register::list::list),
        route(GET, "/beheer/voorzieningen/nieuw", Roles(EDITORS), true, web::pages::register::new::form),
        route(GET, "/beheer/uitzoeken", Roles(NATIONAL), false, web::pages::register::find_out::list),
        route(POST, "/beheer/voorzieningen/nieuw", Roles(EDITORS), true, web::pages::register::new::create),
        route(GET, "/beheer/voorzieningen/{id}", SignedIn, true, web::pages::register::edit::show),
        route(POST, "/beheer/voorzieningen/{id}", Roles(EDITORS), true, web::pages::register::edit::save),
        route(POST, "/beheer/voorzieningen/{id}/klopt-nog", Roles(EDITORS), true, web::pages::register::edit::confirm),
        route(GET, "/beheer/voorzieningen/{id}/herstel", Roles(NATIONAL), true, web::pages::register::repair::show),
        route(POST, "/beheer/voorzieningen/{id}/herstel", Roles(NATIONAL), true, web::pages::register::repair::save),
        route(GET, "/beheer/voorzieningen/{id}/geschiedenis", SignedIn, true, web::pages::register::history::show),
        route(GET, "/beheer/import", Roles(NATIONAL), false, web::pages::register::import::form),
        route(POST, "/beheer/import", Roles(NATIONAL), false, web::pages::register::import::check).body_limit(web::pages::upload::UPLOAD_LIMIT),
        route(POST, "/beheer/import/importeren", Roles(NATIONAL), false, web::pages::register::import::write),
        route(GET, "/beheer/import/fouten.csv", Roles(NATIONAL), false, web::pages::register::import::errors),
        route(GET, "/beheer/import/sjabloon.xlsx", Roles(NATIONAL), false, web::pages::register::import_template::template_xlsx),
        route(GET, "/beheer/import/sjabloon.csv", Roles(NATIONAL), false, web::pages::register::import_template::template_csv),
        route(GET, "/beheer/export/{file}", Roles(NATIONAL), false, web::pages::register::export::download),
        route(GET, "/beheer/organisaties", Roles(EDITORS), true, web::pages::register::organisations::list),
        route(GET, "/beheer/organisaties/{id}", Roles(EDITORS), true, web::pages::register::organisations::show),
        route(POST, "/beheer/organisaties/{id}", Roles(EDITORS), true, web::pages::register::organisations::save),
    ]
}
