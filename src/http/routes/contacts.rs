//! Contacts, the people at organisations whom campaigns mail: in the API
//! and on the staff pages. Never public; national roles keep all, an
//! organisation's manager their own organisation's (`scoped`); erasing is
//! for admins.
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::Roles;
use super::{route, Route, ADMIN, EDITORS, NATIONAL};
use crate::http::api;
use crate::http::web;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    const PATCH: Method = Method::PATCH;
    const POST: Method = Method::POST;
    vec![
        route(GET, "/api/v1/contacts", Roles(EDITORS), true, api::contacts::list),
        route(POST, "/api/v1/contacts", Roles(EDITORS), true, api::contacts::create),
        route(PATCH, "/api/v1/contacts/{id}", Roles(EDITORS), true, api::contacts::update),
        route(POST, "/api/v1/contacts/{id}/erase", Roles(ADMIN), false, api::contacts::erase),
        route(GET, "/beheer/contacten", Roles(EDITORS), true, web::pages::contacts::list),
        route(GET, "/beheer/contacten/nieuw", Roles(EDITORS), true, web::pages::contacts::new_form),
        route(POST, "/beheer/contacten/nieuw", Roles(EDITORS), true, web::pages::contacts::create),
        route(GET, "/beheer/contacten/import", Roles(NATIONAL), false, web::pages::contacts::import_form),
        route(POST, "/beheer/contacten/import", Roles(NATIONAL), false, web::pages::contacts::import_check).body_limit(web::pages::upload::UPLOAD_LIMIT),
        route(POST, "/beheer/contacten/import/importeren", Roles(NATIONAL), false, web::pages::contacts::import_write),
        route(GET, "/beheer/contacten/import/sjabloon.csv", Roles(NATIONAL), false, web::pages::contacts::template_csv),
        route(GET, "/beheer/contacten/import/sjabloon.xlsx", Roles(NATIONAL), false, web::pages::contacts::template_xlsx),
        route(GET, "/beheer/contacten/{id}", Roles(EDITORS), true, web::pages::contacts::show),
        route(POST, "/beheer/contacten/{id}", Roles(EDITORS), true, web::pages::contacts::save),
        route(GET, "/beheer/contacten/{id}/wissen", Roles(ADMIN), false, web::pages::contacts::erase_confirm),
        route(POST, "/beheer/contacten/{id}/wissen", Roles(ADMIN), false, web::pages::contacts::erase),
    ]
}
