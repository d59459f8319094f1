//! Indicators and dashboards: coverage against reference populations,
//! trends and maps of what the services do. `reference` loads the
//! reference data they stand on (municipal populations and boundaries).

pub mod reference;
