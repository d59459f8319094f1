//! The answer form's decoding: a posted body (`application/x-www-form-
//! urlencoded`, as the answer page reads it) into the form's fields, read
//! by `Answers::from_form` against the shipped inventory questionnaire and
//! checked by `Answers::check` as a draft and as a submission, over a
//! register that knows facility 1. A form shown from read answers
//! (`to_form`, a stored draft) reads back as the same answers.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vangnet::domain::answer::{Answers, FormValues, LocationAnswer};
use vangnet::domain::facility::FacilityInput;
use vangnet::domain::questionnaire::Questionnaire;
use vangnet_fuzz::today;

fn questionnaire() -> &'static Questionnaire {
    static Q: OnceLock<Questionnaire> = OnceLock::new();
    Q.get_or_init(Questionnaire::inventory)
}

/// What the register holds for facility 1 (as the seeded demo has it).
fn register() -> &'static BTreeMap<i64, FacilityInput> {
    static R: OnceLock<BTreeMap<i64, FacilityInput>> = OnceLock::new();
    R.get_or_init(|| {
        let world = vangnet_fuzz::world();
        let facility = world
            .block_on(vangnet::register::reads::current_facility(&world.store, 1))
            .expect("the register reads")
            .expect("facility 1 is seeded");
        BTreeMap::from([(1, facility.fields.to_input(facility.organisation_id))])
    })
}

/// The answers without locations that hold nothing (the form shows none
/// of those fields, so they do not come back).
fn without_blank_locations(mut answers: Answers) -> Answers {
    for list in answers.locations.values_mut() {
        list.retain(|l| *l != LocationAnswer::default());
    }
    answers.locations.retain(|_, list| !list.is_empty());
    answers
}

fuzz_target!(|data: &[u8]| {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data) else {
        return;
    };
    let mut form = FormValues::new();
    for (name, value) in pairs {
        match name.as_str() {
            "actie" | "bron" | "csrf_token" => {}
            _ => form.entry(name).or_default().push(value),
        }
    }
    let q = questionnaire();
    let Ok(answers) = Answers::from_form(q, &form) else {
        return;
    };
    let shown = Answers::from_form(q, &answers.to_form()).expect("shown answers read back");
    assert_eq!(
        without_blank_locations(shown),
        without_blank_locations(answers.clone())
    );
    for complete in [false, true] {
        if let Ok(checked) = answers.clone().check(q, complete, register(), today()) {
            let _ = checked.to_form();
        }
    }
});
