//! Monitoring: tallies at the desk, in the API and as the `/turven` page.
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::{Public, SignedIn};
use super::{route, Route};
use crate::http::api;
use crate::http::web;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    const DELETE: Method = Method::DELETE;
    vec![
        route(POST, "/api/v1/tallies", SignedIn, true, api::tallies::record),
        route(GET, "/api/v1/tallies/totals", SignedIn, true, api::tallies::totals),
        // Only who counted a tally may take it back: stricter than its organisation.
        route(DELETE, "/api/v1/tallies/{id}", SignedIn, false, api::tallies::undo),
        route(GET, "/turven", SignedIn, true, web::pages::desk::show),
        route(POST, "/turven", SignedIn, true, web::pages::desk::record),
        route(POST, "/turven/terug", SignedIn, false, web::pages::desk::undo),
        route(GET, "/static/desk.js", Public, false, web::pages::desk::script).shared(),
    ]
}
