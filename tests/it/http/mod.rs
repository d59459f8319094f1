//! HTTP: the authorisation matrix over the route table, caching headers, pages.

mod caching;
mod compression;
mod health;
mod kept;
mod matrix;
mod pages;
