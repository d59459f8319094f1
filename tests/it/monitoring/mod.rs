//! Monitoring: the metric catalogue, tallies at the desk, period reports.

mod report_import;
mod reports;
mod tallies;
