//! vangnet: the national register and monitor for harm-reduction services in
//! the Netherlands.
//!
//! Layout: `domain` (types and rules), `geo` (bundled reference geography),
//! `storage` (SQLite and PostgreSQL), `register` and `import` (writing to the
//! register), `formats` (CSV, XLSX, JSON, GeoJSON), `api` (JSON API),
//! `web` (pages and open data), `cli` (the `vangnet` command), `app`
//! (router and server).

pub mod accounts;
pub mod api;
pub mod app;
pub mod auth;
pub mod changes;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod finder_cache;
pub mod formats;
pub mod geo;
pub mod import;
pub mod mail;
pub mod notify;
pub mod register;
pub mod reports;
pub mod round_report;
pub mod rounds;
pub mod routes;
pub mod spread;
pub mod storage;
pub mod web;
