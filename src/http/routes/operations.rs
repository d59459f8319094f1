//! The operator's routes: metrics for their Prometheus scraper (the health
//! checks, which load balancers ask anonymously, are in `public`).
//! One route per line: method, path, who may call it, whether the handler
//! also checks the object's organisation, the handler.

use axum::http::Method;

use super::Access::Operator;
use super::{route, Route};
use crate::http::operations;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    vec![
        route(GET, "/metrics", Operator, false, operations::metrics),
    ]
}
