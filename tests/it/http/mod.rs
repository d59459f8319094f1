//! HTTP: the authorisation matrix over the route table, caching headers, pages.

mod caching;
mod matrix;
mod pages;
