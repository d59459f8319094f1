//! The register import of a workbook (XLSX, and whatever else calamine
//! opens: XLS, ODS): `register::import::import_facilities` as a dry run
//! over a seeded register. An input that starts like a ZIP file is taken
//! as the file; any other input is the worksheet and shared-strings XML of
//! a workbook made around it (`vangnet_fuzz::workbook_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vangnet::register::import::{import_facilities, ImportOptions};
use vangnet_fuzz::{actor, today, workbook_input, world};

fuzz_target!(|data: &[u8]| {
    let bytes = workbook_input(data);
    let world = world();
    let options = ImportOptions {
        dry_run: true,
        actor: actor(),
        file_name: "fuzz.xlsx".into(),
        today: today(),
    };
    let report = world
        .block_on(import_facilities(
            &world.store,
            &bytes,
            &options,
            &|_, _| {},
        ))
        .expect("a dry run fails only with a report");
    assert!(!report.written, "a dry run writes nothing");
    let _ = report.to_string();
    report
        .errors_csv(vangnet::domain::language::Language::En)
        .expect("the errors as CSV");
});
