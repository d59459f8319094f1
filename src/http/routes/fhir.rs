//! The FHIR R4 directory (IHE mCSD): public, read-only; what a caller sees
//! depends on their token (non-public facilities in its scope), so only
//! the CapabilityStatement is shared.
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
        route(GET, "/fhir/metadata", Public, false, api::fhir::metadata).shared(),
        route(GET, "/fhir/{type}", Public, true, api::fhir::search),
        route(GET, "/fhir/{type}/_history", Public, true, api::fhir::history),
        route(GET, "/fhir/{type}/{id}", Public, true, api::fhir::read),
        route(GET, "/fhir/{type}/{id}/_history/{vid}", Public, true, api::fhir::vread),
    ]
}
