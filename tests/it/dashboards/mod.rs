//! Indicators and dashboards: reference populations and boundaries, the
//! indicators against their bands, the dashboards, small-count suppression.

mod dashboard;
mod indicators;
mod pages;
mod reference;
