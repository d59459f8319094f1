//! The `vangnet` command.

mod backup;
mod commands;
