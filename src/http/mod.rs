//! The one home for HTTP: the application and server (`app`), the route
//! table with each route's access rule (`routes`), who is asking
//! (`request`: tokens, sessions, CSRF), the JSON API (`api`), the pages and
//! open data (`web`), how errors become status codes, JSON and pages
//! (`error`), and what the operator sees: metrics and request ids
//! (`operations`). Nothing outside this folder and the command line imports it.

pub mod api;
pub mod app;
pub mod error;
pub mod operations;
pub mod request;
pub mod routes;
pub mod web;
