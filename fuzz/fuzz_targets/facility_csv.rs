//! The register import of a CSV file (`vangnet import`, the upload page):
//! `register::import::import_facilities` as a dry run over a seeded
//! register, so every row is read, checked and matched, nothing written.
//! No input may make it panic, hang or fail other than with a report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vangnet::register::import::{import_facilities, ImportOptions};
use vangnet_fuzz::{actor, today, world, ZIP_SIGNATURE};

fuzz_target!(|data: &[u8]| {
    // Workbooks are the XLSX target's.
    if data.starts_with(ZIP_SIGNATURE) {
        return;
    }
    let world = world();
    let options = ImportOptions {
        dry_run: true,
        actor: actor(),
        file_name: "fuzz.csv".into(),
        today: today(),
    };
    let report = world
        .block_on(import_facilities(&world.store, data, &options, &|_, _| {}))
        .expect("a dry run fails only with a report");
    assert!(!report.written, "a dry run writes nothing");
    // What the CLI prints and the page offers.
    let _ = report.to_string();
    let _ = report.summary();
    report
        .errors_csv(vangnet::domain::language::Language::Nl)
        .expect("the errors as CSV");
});
