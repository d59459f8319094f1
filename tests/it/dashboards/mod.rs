//! Indicators and dashboards, and the reference data they stand on.

mod reference;
