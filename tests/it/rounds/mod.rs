//! Inventory rounds: lifecycle, Table 1 and its counting index, the round's report.

mod counting;
mod demo_round;
pub(crate) mod lifecycle;
mod round_report;
