//! The `vangnet` command.

mod backup;
mod commands;
mod two_servers;
