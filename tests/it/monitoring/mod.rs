//! Monitoring: the metric catalogue, tallies at the desk, period reports.

mod reports;
mod tallies;
