//! The import of monthly reports from a CSV file (`vangnet reports
//! import`, the import page): `monitoring::report_import::import_reports`
//! as a dry run over a seeded register (facility 1 has earlier months, so
//! values meet the history warnings), with a fixed mapping of own column
//! names; and the mapping file reader itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vangnet::monitoring::report_import::{import_reports, read_mapping, ReportImportOptions};
use vangnet_fuzz::{actor, admin, today, world, ZIP_SIGNATURE};

fuzz_target!(|data: &[u8]| {
    if data.starts_with(ZIP_SIGNATURE) {
        return;
    }
    // The mapping file is text the same person gives.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read_mapping(text);
    }
    let world = world();
    let who = admin();
    let options = ReportImportOptions {
        file_name: "fuzz.csv".into(),
        mapping: vec![
            ("Uitgegeven spuiten".into(), "syringes_out".into()),
            ("Ingeleverd".into(), "syringes_in".into()),
        ],
        approve: false,
        dry_run: true,
        who: &who,
        actor: actor(),
        today: today(),
    };
    let report = world
        .block_on(import_reports(&world.store, data, &options))
        .expect("a dry run fails only with a report");
    assert_eq!(report.written, 0, "a dry run writes nothing");
    let _ = report.to_string();
});
