//! Exchange of figures (issue 15, items 3 and 4): ADX and DHIS2 data value
//! sets and metadata (public; national staff get exact values, so not
//! shared), and the EUDA tables (national staff). One route per line:
//! method, path, who may call it, whether the handler also checks the
//! object's organisation, the handler.

use axum::http::Method;

use super::Access::{Public, Roles};
use super::{route, Route, NATIONAL};
use crate::http::api;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    vec![
        route(GET, "/api/v1/exchange/adx", Public, false, api::exchange::adx_message),
        route(GET, "/api/v1/exchange/dhis2/datavaluesets", Public, false, api::exchange::dhis2_data_values),
        route(GET, "/api/v1/exchange/dhis2/metadata", Public, false, api::exchange::dhis2_metadata),
        route(GET, "/api/v1/exchange/euda", Roles(NATIONAL), false, api::exchange::euda_tables),
    ]
}
