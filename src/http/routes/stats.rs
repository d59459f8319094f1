//! Statistics: changes, trend and spread in the API and as public pages.
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::Public;
use super::{route, Route};
use crate::http::api;
use crate::http::web;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    vec![
        route(GET, "/api/v1/reports/changes", Public, false, api::stats::changes).shared(),
        route(GET, "/api/v1/reports/trend", Public, false, api::stats::trend).shared(),
        route(GET, "/api/v1/reports/trend.svg", Public, false, api::stats::trend_svg).shared(),
        route(GET, "/api/v1/reports/spread", Public, false, api::stats::spread).shared(),
        // Not shared: a token sees exact and non-public figures.
        route(GET, "/api/v1/stats/metrics", Public, false, api::metric_stats::metrics).kept(),
        // Not shared: a token sees values the public sees suppressed.
        route(GET, "/api/v1/indicators", Public, false, api::indicators::indicator).kept(),
        route(GET, "/cijfers/trend", Public, false, web::pages::stats::trend::show),
        route(GET, "/cijfers/veranderingen", Public, false, web::pages::stats::changes::show),
        route(GET, "/cijfers/spreiding", Public, false, web::pages::stats::spread::show),
    ]
}
