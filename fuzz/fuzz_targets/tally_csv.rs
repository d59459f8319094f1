//! The tally import (`vangnet tallies import`, `formats::tally_csv` read
//! by `monitoring::import::import_tallies`) as a dry run over a seeded
//! register: header, separator, every cell, the duplicate check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vangnet::monitoring::import::import_tallies;
use vangnet_fuzz::{actor, admin, now, world};

fuzz_target!(|data: &[u8]| {
    let world = world();
    let who = admin();
    let report = world
        .block_on(import_tallies(
            &world.store,
            data,
            "fuzz.csv",
            true,
            &who,
            &actor(),
            now(),
            &|_| {},
        ))
        .expect("a dry run fails only with a report");
    assert!(report.errors.len() as u64 <= report.error_count);
    let _ = report.to_string();
});
