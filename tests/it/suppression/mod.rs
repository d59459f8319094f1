//! Small-count suppression seen from the outside: a checker that works out
//! what a reader can from the published tables alone, tested on tables
//! that give a small cell away, then run over suppressed random cubes.

mod catches;
mod checker;
mod cubes;
mod published;
