//! Open Referral HSDS 3.0 under `/hsds/`: public, the same answer for
//! everyone (a token changes nothing), so shared.
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::Public;
use super::{route, Route};
use crate::http::api;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    vec![
        route(GET, "/hsds/", Public, false, api::hsds::meta).shared(),
        route(GET, "/hsds/services", Public, false, api::hsds::services).shared(),
        route(GET, "/hsds/services/{id}", Public, false, api::hsds::service).shared(),
        route(GET, "/hsds/organizations", Public, false, api::hsds::organizations).shared(),
        route(GET, "/hsds/organizations/{id}", Public, false, api::hsds::organization).shared(),
        route(GET, "/hsds/service_at_locations", Public, false, api::hsds::service_at_locations).shared(),
        route(GET, "/hsds/service_at_locations/{id}", Public, false, api::hsds::service_at_location).shared(),
        route(GET, "/hsds/export.zip", Public, false, api::hsds::export).shared(),
    ]
}
