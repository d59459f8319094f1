//! Dashboards and indicators as pages. One route per line: method, path,
//! who may call it, whether the handler also checks the object's
//! organisation, the handler.
//!
//! None is `.shared()`: a page carries the reader's language and, signed
//! in, their name in the header, so its answer is per caller (the figures
//! on the public ones are the same for everyone). The staff dashboards are
//! scoped: the use case shows organisation roles their own organisation's
//! figures and refuses another's (`dashboards::dashboard`).

use axum::http::Method;

use super::Access::{Public, SignedIn};
use super::{route, Route};
use crate::http::web::pages::dashboards as pages;

#[rustfmt::skip]
pub(super) fn routes() -> Vec<Route> {
    const GET: Method = Method::GET;
    vec![
        route(GET, "/cijfers/dashboard", Public, false, pages::public::country).kept(),
        route(GET, "/cijfers/dashboard/{gebied}", Public, false, pages::public::area).kept(),
        route(GET, "/cijfers/indicatoren", Public, false, pages::indicators::list).kept(),
        route(GET, "/cijfers/indicatoren/{code}", Public, false, pages::indicators::show).kept(),
        route(GET, "/beheer/dashboard", SignedIn, true, pages::staff::home),
        route(GET, "/beheer/dashboard/{gebied}", SignedIn, true, pages::staff::area),
        route(GET, "/beheer/dashboard/organisatie/{id}", SignedIn, true, pages::staff::organisation),
        route(GET, "/beheer/dashboard/voorziening/{id}", SignedIn, true, pages::staff::facility),
    ]
}
