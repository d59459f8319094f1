//! What every part of the product runs on: configuration (`config`), the
//! mail transport (`mail`), the trusted reverse proxies (`proxy`) and what
//! `/metrics` reports (`telemetry`).

pub mod backup;
pub mod config;
pub mod freshness;
pub mod health;
pub mod jobs;
pub mod mail;
pub mod proxy;
pub mod services;
pub mod telemetry;
pub mod uploads;
