//! Opening hours: the text a person types (Dutch words, short times) read
//! as `OpeningHoursText::parse` reads it for the register, then evaluated
//! as the finder and the facility page do (open now? until when? next
//! change?) at fixed moments around the clock changes and holidays, put in
//! words in both languages, and read into the week editor and back. The
//! raw text is evaluated as stored text too (`Hours::parse`).
#![no_main]

use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use vangnet::domain::hours::editor::WeekSchedule;
use vangnet::domain::hours::{when_in_words, Hours, OpenState, OpeningHoursText};
use vangnet::domain::language::Language;

/// vangnet catches the panics of opening-hours-syntax on a few malformed
/// texts (`Hours::parse`); libfuzzer-sys's panic hook would abort before
/// that catch, so this target puts the default hook back (a panic that
/// escapes still aborts: libfuzzer-sys catches what the target lets out).
fn default_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = std::panic::take_hook();
    });
}

fn moments() -> Vec<DateTime<Utc>> {
    [
        (2026, 6, 1, 10, 0),   // an ordinary Monday
        (2026, 3, 29, 1, 30),  // the spring clock change
        (2026, 10, 25, 0, 30), // the autumn clock change (an hour twice)
        (2026, 12, 25, 12, 0), // Christmas (PH)
        (2026, 12, 31, 23, 59),
    ]
    .into_iter()
    .map(|(y, m, d, h, min)| {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("a moment")
    })
    .collect()
}

fn evaluate(hours: &Hours) {
    for now in moments() {
        let state = hours.state(now);
        let _ = state.code();
        match &state {
            OpenState::Open { until: Some(at) } | OpenState::Closed { opens: Some(at) } => {
                assert!(at.with_timezone(&Utc) >= now, "a change lies ahead");
                for language in [Language::Nl, Language::En] {
                    let _ = when_in_words(at, now, language);
                }
            }
            _ => {}
        }
        if let Some(at) = hours.next_change(now) {
            assert!(at.with_timezone(&Utc) >= now, "the next change lies ahead");
        }
    }
    for language in [Language::Nl, Language::En] {
        let _ = hours.in_words(language);
    }
}

fuzz_target!(|data: &[u8]| {
    default_panic_hook();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // What the register keeps is always the 500 characters it allows;
    // longer stored text cannot occur.
    if text.chars().count() > OpeningHoursText::MAX_CHARS {
        let _ = OpeningHoursText::parse(text);
        return;
    }
    if let Ok(hours) = Hours::parse(text) {
        evaluate(&hours);
    }
    let Ok(kept) = OpeningHoursText::parse(text) else {
        return;
    };
    let hours = kept.hours().expect("kept hours parse again");
    evaluate(&hours);
    if let Some(week) = WeekSchedule::from_text(&kept) {
        // What the editor shows is hours the register accepts.
        let again = week.to_text();
        assert!(again.is_ok(), "{kept:?} -> {week:?} -> {again:?}");
    }
});
