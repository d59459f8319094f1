//! Statistics: changes, trend and spread.

mod reports;
mod trend;
