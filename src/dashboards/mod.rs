//! Indicators and dashboards (DESIGN.md, capability 5): what the
//! monitoring data and the register say about coverage, computed from the
//! rollups that every write keeps current, next to the reference figures
//! (populations, estimates of people who use drugs) they are measured
//! against. `reference` loads the reference data they stand on (municipal
//! populations and boundaries).

pub mod dashboard;
pub mod indicators;
pub mod public;
pub mod reference;
