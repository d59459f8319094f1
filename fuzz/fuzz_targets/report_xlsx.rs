//! The import of monthly reports from a workbook: `import_reports` as a
//! dry run over a seeded register. An input that starts like a ZIP file is
//! the file; any other is the XML of a workbook made around it
//! (`vangnet_fuzz::workbook_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vangnet::monitoring::report_import::{import_reports, ReportImportOptions};
use vangnet_fuzz::{actor, admin, today, workbook_input, world};

fuzz_target!(|data: &[u8]| {
    let bytes = workbook_input(data);
    let world = world();
    let who = admin();
    let options = ReportImportOptions {
        file_name: "fuzz.xlsx".into(),
        mapping: Vec::new(),
        approve: false,
        dry_run: true,
        who: &who,
        actor: actor(),
        today: today(),
    };
    let report = world
        .block_on(import_reports(&world.store, &bytes, &options))
        .expect("a dry run fails only with a report");
    assert_eq!(report.written, 0, "a dry run writes nothing");
    let _ = report.to_string();
});
