//! Storage: both engines, their migrations.

mod engines;
mod uploads;
