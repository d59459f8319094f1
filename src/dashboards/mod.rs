//! Indicators and dashboards (DESIGN.md, capability 5): what the
//! monitoring data and the register say about coverage, computed from the
//! rollups that every write keeps current, next to the reference figures
//! (populations, estimates of people who use drugs) they are measured
//! against. `reference` loads the reference data they stand on (municipal
//! populations and boundaries); `map` gives a metric's year per
//! municipality and `download` the dashboard's figures as files.

pub mod dashboard;
pub mod download;
pub mod indicators;
pub mod map;
pub mod public;
pub mod reference;
