//! Integration tests: one binary (faster to link), one folder per part of
//! the product, as in `src/`. Each test runs on the engine
//! `VANGNET_TEST_DATABASE` names; the test command (`scripts/test`) runs
//! the whole suite on SQLite and PostgreSQL. `common` and `browser` are
//! shared helpers; `layering` checks the architecture of `src/`.

mod accounts;
mod browser;
mod campaigns;
mod cli;
mod common;
mod dashboards;
mod exchange;
mod http;
mod layering;
mod monitoring;
mod register;
mod rounds;
mod stats;
mod storage;
mod suppression;
