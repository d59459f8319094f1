//! Monitoring: the metric catalogue, tallies at the desk, period reports.

mod catalogue;
mod desk;
mod import;
mod report_import;
mod reports;
mod stats;
mod tallies;
