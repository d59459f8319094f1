//! The metric catalogue: read by anyone, kept by the national roles. One
//! route per line: method, path, who may call it, whether the handler also
//! checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::{Public, Roles, SignedIn};
use super::{route, Route, NATIONAL};
use crate::http::{api, web};

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    vec![
        route(GET, "/api/v1/metrics", Public, false, api::metrics::list).shared(),
        route(POST, "/api/v1/metrics", Roles(NATIONAL), false, api::metrics::create),
        route(POST, "/api/v1/metrics/{code}/retire", Roles(NATIONAL), false, api::metrics::retire),
        route(GET, "/beheer/metingen", SignedIn, false, web::pages::metrics::list),
        route(POST, "/beheer/metingen", Roles(NATIONAL), false, web::pages::metrics::create),
        route(POST, "/beheer/metingen/{code}/buiten-gebruik", Roles(NATIONAL), false, web::pages::metrics::retire),
    ]
}
