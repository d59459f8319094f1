//! The `vangnet` command.

mod commands;
