//! The `vangnet` command.

mod backup;
pub(crate) mod commands;
