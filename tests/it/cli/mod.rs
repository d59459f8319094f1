//! The `vangnet` command.

mod backup;
pub(crate) mod commands;
mod two_servers;
