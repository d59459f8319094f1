//! A JSON merge patch on a facility, as `PATCH /api/facilities/{id}` takes
//! it: any JSON body merged over the facility's input form
//! (`register::merged`, which also names the field a refused patch gets
//! wrong) and the result validated as the register validates every
//! change. What validates must validate again, unchanged, from the input
//! form of what it produced: the next edit starts from there.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use vangnet::domain::facility::manual_source;
use vangnet::domain::facility::FacilityInput;
use vangnet::register::merged;
use vangnet_fuzz::{today, world};

/// Facility 1 of the seeded register as the API would patch it.
fn base() -> &'static (FacilityInput, Option<i64>) {
    static BASE: OnceLock<(FacilityInput, Option<i64>)> = OnceLock::new();
    BASE.get_or_init(|| {
        let world = world();
        let facility = world
            .block_on(vangnet::register::reads::current_facility(&world.store, 1))
            .expect("the register reads")
            .expect("facility 1 is seeded");
        (
            facility.fields.to_input(facility.organisation_id),
            facility.organisation_id,
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(patch) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let (base, organisation_id) = base();
    let mut base = base.clone();
    if patch.get("organisation").is_some_and(|v| !v.is_null()) {
        base.organisation_id = None;
    }
    let Ok(input) = merged(&base, &patch, "facility") else {
        return;
    };
    let source = manual_source("fuzz");
    let Ok(draft) = input.validate(&source, today()) else {
        return;
    };
    let again = draft
        .fields
        .to_input(*organisation_id)
        .validate(&source, today())
        .unwrap_or_else(|e| panic!("{input:?} validated, its stored form not: {e:?}"));
    assert_eq!(again.fields, draft.fields, "{input:?}");
});
