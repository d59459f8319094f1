//! The public site: the finder, facility pages, the map, open data, the API's documentation, the health check, the language switch and static files.
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
        route(GET, "/api/openapi.json", Public, false, api::openapi_json).shared(),
        route(GET, "/", Public, false, web::pages::finder::start).kept(),
        route(GET, "/healthz", Public, false, web::healthz).shared(),
        route(GET, "/healthz/live", Public, false, web::healthz_live).shared(),
        route(GET, "/healthz/ready", Public, false, web::healthz_ready).shared(),
        route(GET, "/opendata", Public, false, web::opendata::without_slash).shared(),
        route(GET, "/opendata/", Public, false, web::pages::opendata::show),
        route(GET, "/opendata/index.json", Public, false, web::opendata::catalogue).shared(),
        route(GET, "/opendata/{file}", Public, false, web::opendata::download).shared(),
        route(GET, "/zoeken", Public, false, web::pages::finder::search).kept(),
        route(GET, "/voorzieningen/{id}", Public, false, web::pages::facility::show),
        route(GET, "/kaart", Public, false, web::pages::overview::show),
        route(GET, "/api/v1/finder", Public, false, api::finder::nearest).shared().kept(),
        route(GET, "/static/finder.js", Public, false, web::pages::finder::script).shared(),
        route(GET, "/taal", Public, false, web::pages::site::language).shared(),
        route(GET, "/static/vangnet.css", Public, false, web::pages::site::stylesheet).shared(),
    ]
}
