//! Monitoring: the metric catalogue, tallies at the desk, period reports.

mod catalogue;
mod stats;
mod desk;
mod import;
mod tallies;
