//! Monitoring: the metric catalogue, tallies at the desk, period reports.

mod desk;
mod import;
mod tallies;
