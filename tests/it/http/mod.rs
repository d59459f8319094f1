//! HTTP: the authorisation matrix over the route table, caching headers,
//! pages, and what the operator sees (metrics, request ids, JSON logs).

mod caching;
mod compression;
mod health;
mod kept;
mod matrix;
mod metrics;
mod pages;
