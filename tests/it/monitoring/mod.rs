//! Monitoring: the metric catalogue, tallies at the desk, period reports.

mod catalogue;
mod cycle;
mod desk;
mod import;
mod report_import;
mod report_import_page;
mod reports;
mod stats;
mod tallies;
