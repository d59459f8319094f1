//! Integration tests: one binary (faster to link), one module per area.
//! Each test runs on the engine `VANGNET_TEST_DATABASE` names; the test
//! command (`scripts/test`) runs the whole suite on SQLite and PostgreSQL.

mod accounts;
mod api;
mod audit;
mod browser;
mod caching;
mod cli;
mod common;
mod counting;
mod exports;
mod finder;
mod import;
mod integrity;
mod layering;
mod mail;
mod matrix;
mod pages;
mod property;
mod register_pages;
mod round_report;
mod rounds;
mod stats;
mod storage;
mod uploads;
