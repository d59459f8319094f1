//! Period reports: the API under `/api/v1/reports/periods` and the staff
//! pages under `/beheer/rapportages`. Everyone who reports (reporters and
//! managers of an organisation, national roles) may call them; the
//! handlers check the facility's organisation and the step (`scoped`;
//! the import checks each row's facility).
//! One route per line: method, path, who may call it, scoped, handler.

use axum::http::Method;

use super::Access::Roles;
use super::{route, Route};
use crate::domain::access::Role;
use crate::http::api;
use crate::http::web;

/// Who files, approves or reopens reports (what each may do is the handler's check).
const REPORTING: &[Role] = &[
    Role::Admin,
    Role::Researcher,
    Role::OrgManager,
    Role::Reporter,
];

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    const PUT: Method = Method::PUT;
    vec![
        route(GET, "/api/v1/reports/periods", Roles(REPORTING), true, api::periods::list),
        route(GET, "/api/v1/reports/periods/{facility_id}/{period}", Roles(REPORTING), true, api::periods::show),
        route(PUT, "/api/v1/reports/periods/{facility_id}/{period}", Roles(REPORTING), true, api::periods::update),
        route(POST, "/api/v1/reports/periods/{facility_id}/{period}/submit", Roles(REPORTING), true, api::periods::submit),
        route(POST, "/api/v1/reports/periods/{facility_id}/{period}/approve", Roles(REPORTING), true, api::periods::approve),
        route(POST, "/api/v1/reports/periods/{facility_id}/{period}/reopen", Roles(REPORTING), true, api::periods::reopen),
        route(GET, "/beheer/rapportages", Roles(REPORTING), true, web::pages::periods::overview),
        route(GET, "/beheer/rapportages/import", Roles(REPORTING), true, web::pages::periods::import::form),
        route(POST, "/beheer/rapportages/import", Roles(REPORTING), true, web::pages::periods::import::check).body_limit(web::pages::upload::UPLOAD_LIMIT),
        route(POST, "/beheer/rapportages/import/importeren", Roles(REPORTING), true, web::pages::periods::import::write),
        route(GET, "/beheer/rapportages/{facility_id}/{period}", Roles(REPORTING), true, web::pages::periods::report),
        route(POST, "/beheer/rapportages/{facility_id}/{period}", Roles(REPORTING), true, web::pages::periods::save),
        route(POST, "/beheer/rapportages/{facility_id}/{period}/goedkeuren", Roles(REPORTING), true, web::pages::periods::approve),
        route(POST, "/beheer/rapportages/{facility_id}/{period}/heropenen", Roles(REPORTING), true, web::pages::periods::reopen),
    ]
}
