//! vangnet: the national register and monitor for harm-reduction services in
//! the Netherlands.
//!
//! One folder per part of the product, over the domain and storage:
//!
//! - `domain`: types and rules (facilities, rounds, who may do what,
//!   opening hours, the reference geography); imports nothing else;
//! - `storage`: SQLite and PostgreSQL behind one `Store`;
//! - `formats`: CSV, XLSX, JSON, GeoJSON, SVG, Markdown (imports only `domain`);
//! - `platform`: configuration, mail transport, trusted proxies;
//! - `register`, `rounds`, `stats`, `accounts`, `monitoring`, `dashboards`,
//!   `campaigns`, `exchange`: the use cases of each part;
//! - `http`: the application, routes, API and pages;
//! - `cli`: the `vangnet` command.

pub mod accounts;
pub mod campaigns;
pub mod cli;
pub mod dashboards;
pub mod domain;
pub mod exchange;
pub mod formats;
pub mod http;
pub mod monitoring;
pub mod platform;
pub mod register;
pub mod rounds;
pub mod stats;
pub mod storage;
