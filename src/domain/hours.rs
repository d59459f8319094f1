//! Opening hours: the OpenStreetMap `opening_hours` text a facility keeps,
//! evaluated in Europe/Amsterdam time with Dutch public holidays (`PH`), so
//! that "open now?" and "when does it open next?" have answers; and the same
//! hours in words, in Dutch and English, for people who do not read
//! `Mo-Fr 09:00-17:00`.
//!
//! People may type Dutch (`ma-vr 9-17`, see [`typed`]); what is kept is
//! the OpenStreetMap form. Staff can also fill a week in a form instead
//! ([`editor`]); the words for the public are in [`words`].
//!
//! A rule with a comment and no state of its own (`Mo-Fr 09:00-17:00 "op
//! afspraak"`) is *unknown* during its times, not open, as in the
//! OpenStreetMap reference implementation (opening_hours.js): a person
//! walking in may find the door shut. The Rust crate reads it as open, so
//! [`Hours::parse`] evaluates such rules with an explicit `unknown`.

pub mod editor;
mod typed;
mod words;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use chrono_tz::Tz;
use opening_hours::localization::{Country, TzLocation};
use opening_hours::{Context, OpeningHours, RuleKind};

/// A moment in Dutch local time.
pub type LocalTime = DateTime<Tz>;

/// How far ahead "next opening" looks: a facility that opens only once a
/// year still gets an answer; one that never opens does not.
const HORIZON_DAYS: i64 = 366;

use super::language::Language;
use super::text::text;
use super::Reason;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// Parsed opening hours, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Hours {
    raw: String,
    rules: OpeningHours<TzLocation<Tz>>,
}

/// Opening hours as a facility keeps them: OpenStreetMap `opening_hours`
/// text of at most [`OpeningHoursText::MAX_CHARS`] characters that parses.
/// The only way facts about hours reach storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHoursText(String);

impl OpeningHoursText {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<OpeningHoursText, Reason> {
        let text = text.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Reason::of(
                "error.too_long",
                &[("max", Self::MAX_CHARS.to_string())],
            ));
        }
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            return Err(super::control_character(c));
        }
        // Dutch words and short times as OpenStreetMap text; text the
        // rewrite would break is kept as typed if it parses as it is.
        let osm = typed::to_osm(text);
        match Hours::parse(&osm) {
            Ok(_) => Ok(OpeningHoursText(osm)),
            Err(e) => match Hours::parse(text) {
                Ok(_) => Ok(OpeningHoursText(text.to_string())),
                Err(_) => Err(Reason::of(
                    "error.opening_hours",
                    &[("value", text.to_string()), ("detail", e)],
                )),
            },
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The hours, ready to evaluate.
    pub fn hours(&self) -> Option<Hours> {
        Hours::parse(&self.0).ok()
    }
}

/// Whether a facility is open at a moment, and until or from when.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenState {
    /// Open; `until` is when it closes (`None`: not within a year, e.g. 24/7).
    Open { until: Option<LocalTime> },
    /// Closed; `opens` is when it opens next (`None`: not within a year).
    Closed { opens: Option<LocalTime> },
    /// The hours say "unknown" at this moment, or none are recorded;
    /// `comment` is what they say instead ("op afspraak"), `until` when
    /// that ends.
    Unknown {
        comment: Option<String>,
        until: Option<LocalTime>,
    },
}

impl OpenState {
    pub fn is_open(&self) -> bool {
        matches!(self, OpenState::Open { .. })
    }

    /// `open`, `closed` or `unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            OpenState::Open { .. } => "open",
            OpenState::Closed { .. } => "closed",
            OpenState::Unknown { .. } => "unknown",
        }
    }

    /// No hours recorded.
    pub fn unrecorded() -> OpenState {
        OpenState::Unknown {
            comment: None,
            until: None,
        }
    }
}

/// Texts read before, with what they gave: a register repeats a few
/// dozen rules over thousands of facilities, and reading one (the parser,
/// the Dutch holidays) took a fifth of listing 100,000 facilities
/// (bench/RESULTS.md, "Load"). Emptied when it holds [`READ_KEPT`] texts;
/// a reading is the same whenever it is made (holidays are a calendar,
/// not today's), and `Hours` clones share the parsed rules.
static READ: LazyLock<Mutex<HashMap<String, Result<Hours, String>>>> =
    LazyLock::new(Mutex::default);
const READ_KEPT: usize = 4096;

fn lock_read() -> std::sync::MutexGuard<'static, HashMap<String, Result<Hours, String>>> {
    READ.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hours {
    /// Parses OpenStreetMap `opening_hours` syntax (`Mo-Fr 09:00-17:00; PH off`).
    pub fn parse(raw: &str) -> Result<Hours, String> {
        let raw = raw.trim();
        let known = lock_read().get(raw).cloned();
        if let Some(known) = known {
            return known;
        }
        let parsed = Hours::read(raw);
        let mut read = lock_read();
        if read.len() >= READ_KEPT {
            read.clear();
        }
        read.insert(raw.to_string(), parsed.clone());
        parsed
    }

    /// [`Hours::parse`] without the texts read before.
    fn read(raw: &str) -> Result<Hours, String> {
        let text = comments_unknown(raw);
        // opening-hours-syntax 1.4 panics on a few malformed texts instead
        // of returning an error (`00-48/24:00`, found by fuzzing: "missing
        // hour"); such a text is refused like any other it cannot read.
        let parsed = std::panic::catch_unwind(|| OpeningHours::parse(&text))
            .map_err(|_| "the opening hours cannot be read".to_string())?;
        let rules = parsed.map_err(|e| {
            let text = e.to_string();
            text.lines().next().unwrap_or_default().trim().to_string()
        })?;
        let context = Context::default()
            .with_holidays(Country::NL.holidays())
            .with_locale(TzLocation::new(Amsterdam));
        Ok(Hours {
            raw: raw.to_string(),
            rules: rules.with_context(context),
        })
    }

    /// The hours as written.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Open or closed at `now`, with when that changes.
    pub fn state(&self, now: DateTime<Utc>) -> OpenState {
        let now = now.with_timezone(&Amsterdam);
        let horizon = now + Duration::days(HORIZON_DAYS);
        let mut ranges = self.rules.iter_range(now, horizon);
        let Some(current) = ranges.next() else {
            return OpenState::Closed { opens: None };
        };
        match current.kind {
            RuleKind::Open => OpenState::Open {
                until: (current.range.end < horizon).then_some(current.range.end),
            },
            RuleKind::Unknown => OpenState::Unknown {
                comment: (!current.comments.is_empty()).then(|| current.comments.join(", ")),
                until: (current.range.end < horizon).then_some(current.range.end),
            },
            RuleKind::Closed => OpenState::Closed {
                opens: ranges
                    .find(|r| r.kind == RuleKind::Open)
                    .map(|r| r.range.start),
            },
        }
    }

    /// When the state (open, closed, unknown) next changes after `now`,
    /// within a year: what the OpenStreetMap reference implementation
    /// calls the next change, for comparing with it.
    pub fn next_change(&self, now: DateTime<Utc>) -> Option<LocalTime> {
        let now = now.with_timezone(&Amsterdam);
        let horizon = now + Duration::days(HORIZON_DAYS);
        let mut ranges = self.rules.iter_range(now, horizon);
        let current = ranges.next()?;
        let mut end = current.range.end;
        for next in ranges {
            if next.kind != current.kind || next.comments != current.comments {
                break;
            }
            end = next.range.end;
        }
        (end < horizon).then_some(end)
    }

    /// The hours in words ("maandag t/m vrijdag 09:00–17:00",
    /// "24 december 2026: gesloten").
    pub fn in_words(&self, language: Language) -> String {
        words::phrase(&self.raw, vocabulary(language))
    }
}

/// The text to evaluate: every comment that follows a rule without a state
/// of its own gets an explicit `unknown` before it. A comment followed by
/// `:` labels a selector and is left alone.
fn comments_unknown(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    let mut rest = raw;
    while let Some(start) = rest.find('"') {
        let (before, from_quote) = rest.split_at(start);
        out.push_str(before);
        let close = from_quote[1..]
            .find('"')
            .map_or(from_quote.len(), |i| i + 2);
        let (comment, after) = from_quote.split_at(close);
        let labels_selector = after.trim_start().starts_with(':');
        let last_word = out
            .trim_end()
            .rsplit(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let has_state = ["open", "closed", "off", "unknown"].contains(&last_word.as_str());
        if !labels_selector && !has_state {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str("unknown ");
        }
        out.push_str(comment);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The words one language needs for hours and dates.
struct Vocabulary {
    /// Monday first.
    days: Vec<String>,
    months: Vec<String>,
    through: String,
    and: String,
    every_day: String,
    holidays: String,
    closed: String,
    unknown: String,
    /// An open end: `vanaf {time}`.
    from: String,
    all_day: String,
    always: String,
    today: String,
    tomorrow: String,
    at: String,
}

impl Vocabulary {
    /// The words from the catalogue (`hours.*`; lists as `a|b|c`).
    fn of(language: Language) -> Vocabulary {
        let word = |key: &str| text(language, &format!("hours.{key}"), &[]);
        let list = |key: &str| word(key).split('|').map(str::to_string).collect();
        Vocabulary {
            days: list("days"),
            months: list("months"),
            through: word("through"),
            and: word("and"),
            every_day: word("every_day"),
            holidays: word("holidays"),
            closed: word("closed"),
            unknown: word("unknown"),
            from: word("from"),
            all_day: word("all_day"),
            always: word("always"),
            today: word("today"),
            tomorrow: word("tomorrow"),
            at: word("at"),
        }
    }
}

fn vocabulary(language: Language) -> &'static Vocabulary {
    static DUTCH: LazyLock<Vocabulary> = LazyLock::new(|| Vocabulary::of(Language::Nl));
    static ENGLISH: LazyLock<Vocabulary> = LazyLock::new(|| Vocabulary::of(Language::En));
    match language {
        Language::Nl => &DUTCH,
        Language::En => &ENGLISH,
    }
}

/// The time of day, `09:00`.
pub fn time_of_day(at: &LocalTime) -> String {
    at.format("%H:%M").to_string()
}

/// A date in words: `1 juni 2022`, `1 June 2022`.
pub fn date_in_words(date: impl Into<NaiveDate>, language: Language) -> String {
    let date: NaiveDate = date.into();
    let v = vocabulary(language);
    format!(
        "{} {} {}",
        date.day(),
        v.months[date.month0() as usize],
        date.year()
    )
}

/// When something happens, seen from `now`: `vandaag om 16:00`,
/// `morgen om 08:00`, `maandag om 09:00` within a week, `3 januari om 09:00`
/// (with the year when it is not this year's) beyond.
pub fn when_in_words(at: &LocalTime, now: DateTime<Utc>, language: Language) -> String {
    let v = vocabulary(language);
    let today = now.with_timezone(&Amsterdam).date_naive();
    let day = at.date_naive();
    let days_ahead = (day - today).num_days();
    let date = match days_ahead {
        0 => v.today.to_string(),
        1 => v.tomorrow.to_string(),
        2..=6 => v.days[day.weekday().num_days_from_monday() as usize].to_string(),
        _ if day.year() == today.year() => {
            format!("{} {}", day.day(), v.months[day.month0() as usize])
        }
        _ => date_in_words(day, language),
    };
    format!("{date} {} {}", v.at, time_of_day(at))
}

/// `a`, `a en b`, `a, b en c`.
fn join_list(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn local(text: &str) -> LocalTime {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Amsterdam)
    }

    fn hours(raw: &str) -> Hours {
        Hours::parse(raw).unwrap()
    }

    #[test]
    fn open_now_is_evaluated_in_dutch_local_time() {
        let h = hours("Mo-Fr 09:00-17:00; Sa 10:00-14:00");
        // Wednesday 25 November 2026, 11:00 in Amsterdam (UTC+1).
        assert_eq!(
            h.state(utc("2026-11-25T10:00:00Z")),
            OpenState::Open {
                until: Some(local("2026-11-25T17:00:00+01:00"))
            }
        );
        // 08:30 local is 07:30 UTC: still closed.
        assert_eq!(
            h.state(utc("2026-11-25T07:30:00Z")),
            OpenState::Closed {
                opens: Some(local("2026-11-25T09:00:00+01:00"))
            }
        );
        // Saturday after closing: next opening is Monday morning.
        assert_eq!(
            h.state(utc("2026-11-28T13:30:00Z")),
            OpenState::Closed {
                opens: Some(local("2026-11-30T09:00:00+01:00"))
            }
        );
    }

    #[test]
    fn the_clock_change_in_spring_moves_openings_by_an_hour_in_utc() {
        let h = hours("Mo-Su 08:00-10:00");
        // Saturday 28 March 2026 21:00 CET; the clocks go forward that night.
        assert_eq!(
            h.state(utc("2026-03-28T20:00:00Z")),
            OpenState::Closed {
                opens: Some(local("2026-03-29T08:00:00+02:00"))
            }
        );
        let opens = local("2026-03-29T08:00:00+02:00");
        assert_eq!(opens.with_timezone(&Utc), utc("2026-03-29T06:00:00Z"));
        // 07:30 UTC on the day itself is 09:30 summer time: open until 10:00.
        assert_eq!(
            h.state(utc("2026-03-29T07:30:00Z")),
            OpenState::Open {
                until: Some(local("2026-03-29T10:00:00+02:00"))
            }
        );
        // The day before, 07:30 UTC was 08:30 winter time: open too, until 09:00 UTC.
        assert_eq!(
            h.state(utc("2026-03-28T07:30:00Z")),
            OpenState::Open {
                until: Some(local("2026-03-28T10:00:00+01:00"))
            }
        );
    }

    #[test]
    fn the_clock_change_in_autumn_is_followed_too() {
        let h = hours("Mo-Su 08:00-10:00");
        // Sunday 25 October 2026: back to winter time at 03:00.
        assert_eq!(
            h.state(utc("2026-10-24T20:00:00Z")),
            OpenState::Closed {
                opens: Some(local("2026-10-25T08:00:00+01:00"))
            }
        );
        // 06:30 UTC is 07:30 local after the change: not open yet.
        assert!(!h.state(utc("2026-10-25T06:30:00Z")).is_open());
        assert!(h.state(utc("2026-10-25T07:30:00Z")).is_open());
        // Overnight hours across the change still close at 02:00 local.
        let night = hours("Sa 22:00-26:00");
        assert_eq!(
            night.state(utc("2026-10-24T21:00:00Z")),
            OpenState::Open {
                until: Some(
                    Amsterdam
                        .with_ymd_and_hms(2026, 10, 25, 2, 0, 0)
                        .latest()
                        .unwrap()
                )
            }
        );
    }

    #[test]
    fn public_holidays_are_dutch() {
        let h = hours("Mo-Fr 09:00-17:00; PH off");
        // Friday 25 December 2026 (Christmas); Saturday is Boxing Day.
        assert_eq!(
            h.state(utc("2026-12-25T10:00:00Z")),
            OpenState::Closed {
                opens: Some(local("2026-12-28T09:00:00+01:00"))
            }
        );
        // King's Day, Monday 27 April 2026.
        assert!(!h.state(utc("2026-04-27T10:00:00Z")).is_open());
        assert!(h.state(utc("2026-04-28T10:00:00Z")).is_open());
    }

    #[test]
    fn always_open_and_never_open_have_no_next_change() {
        assert_eq!(
            hours("24/7").state(utc("2026-11-25T10:00:00Z")),
            OpenState::Open { until: None }
        );
        assert_eq!(
            hours("off").state(utc("2026-11-25T10:00:00Z")),
            OpenState::Closed { opens: None }
        );
        assert_eq!(
            hours("Mo-Fr 09:00-17:00 unknown").state(utc("2026-11-25T10:00:00Z")),
            OpenState::Unknown {
                comment: None,
                until: Some(local("2026-11-25T17:00:00+01:00"))
            }
        );
    }

    #[test]
    fn hours_are_phrased_in_dutch_and_english() {
        let cases = [
            (
                "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
                "maandag t/m vrijdag 09:00–17:00; zaterdag 10:00–14:00",
                "Monday to Friday 09:00–17:00; Saturday 10:00–14:00",
            ),
            (
                "Mo-Su 08:00-10:00,16:00-18:00",
                "elke dag 08:00–10:00 en 16:00–18:00",
                "every day 08:00–10:00 and 16:00–18:00",
            ),
            (
                "Mo,We,Fr 13:00-16:00",
                "maandag, woensdag en vrijdag 13:00–16:00",
                "Monday, Wednesday and Friday 13:00–16:00",
            ),
            (
                "Tu,Th 19:00-22:00",
                "dinsdag en donderdag 19:00–22:00",
                "Tuesday and Thursday 19:00–22:00",
            ),
            (
                "Sa-Su 9:00-12:00; Su,PH off",
                "zaterdag en zondag 09:00–12:00; zondag en feestdagen gesloten",
                "Saturday and Sunday 09:00–12:00; Sunday and public holidays closed",
            ),
            (
                "Fr 22:00-26:00",
                "vrijdag 22:00–02:00",
                "Friday 22:00–02:00",
            ),
            (
                "24/7",
                "altijd open (dag en nacht)",
                "always open (day and night)",
            ),
            ("Sa", "zaterdag de hele dag open", "Saturday open all day"),
            (
                "10:00-12:00",
                "elke dag 10:00–12:00",
                "every day 10:00–12:00",
            ),
        ];
        for (raw, nl, en) in cases {
            let h = hours(raw);
            assert_eq!(h.in_words(Language::Nl), nl, "{raw}");
            assert_eq!(h.in_words(Language::En), en, "{raw}");
        }
    }

    #[test]
    fn dates_months_comments_and_open_ends_are_phrased_too() {
        let cases = [
            (
                "2026 Dec 24 off",
                "24 december 2026: gesloten",
                "24 December 2026: closed",
            ),
            (
                "Mo-Fr 09:00-17:00; 2026 Dec 24-2027 Jan 02 off",
                "maandag t/m vrijdag 09:00–17:00; 24 december 2026 t/m 2 januari 2027: gesloten",
                "Monday to Friday 09:00–17:00; 24 December 2026 to 2 January 2027: closed",
            ),
            (
                "Dec 31 10:00-14:00",
                "31 december: 10:00–14:00",
                "31 December: 10:00–14:00",
            ),
            (
                "Jan-Mar Mo-Fr 09:00-17:00",
                "januari t/m maart: maandag t/m vrijdag 09:00–17:00",
                "January to March: Monday to Friday 09:00–17:00",
            ),
            (
                "Mo-Fr 09:00-17:00 \"op afspraak\"",
                "maandag t/m vrijdag 09:00–17:00 (op afspraak)",
                "Monday to Friday 09:00–17:00 (op afspraak)",
            ),
            ("PH off", "feestdagen gesloten", "public holidays closed"),
            ("Fr 18:00+", "vrijdag vanaf 18:00", "Friday from 18:00"),
            (
                "Mo 10:00-12:00 unknown",
                "maandag 10:00–12:00 onbekend of het open is",
                "Monday 10:00–12:00 not known whether open",
            ),
        ];
        for (raw, nl, en) in cases {
            let h = hours(raw);
            assert_eq!(h.in_words(Language::Nl), nl, "{raw}");
            assert_eq!(h.in_words(Language::En), en, "{raw}");
        }
    }

    #[test]
    fn rules_without_words_are_shown_in_openstreetmap_form_beside_the_others() {
        assert_eq!(
            hours("Mo-Fr sunrise-sunset; Sa 10:00-12:00").in_words(Language::Nl),
            "Mo-Fr sunrise-sunset; zaterdag 10:00–12:00"
        );
        assert_eq!(
            hours("week 01-10 Mo 10:00-12:00").in_words(Language::En),
            "week01-10 Mo 10:00-12:00"
        );
    }

    #[test]
    fn a_comment_without_a_state_is_unknown_not_open() {
        let wednesday_11 = utc("2026-11-25T10:00:00Z");
        let h = hours("Mo-Fr 09:00-17:00 \"op afspraak\"");
        assert_eq!(
            h.state(wednesday_11),
            OpenState::Unknown {
                comment: Some("op afspraak".into()),
                until: Some(local("2026-11-25T17:00:00+01:00"))
            }
        );
        // An explicit `open` keeps it open.
        assert!(hours("Mo-Fr 09:00-17:00 open \"op afspraak\"")
            .state(wednesday_11)
            .is_open());
        // Outside the times it is closed, as before.
        assert!(matches!(
            h.state(utc("2026-11-25T20:00:00Z")),
            OpenState::Closed { .. }
        ));
        assert_eq!(
            h.next_change(wednesday_11),
            Some(local("2026-11-25T17:00:00+01:00"))
        );
    }

    #[test]
    fn dutch_as_typed_is_stored_in_openstreetmap_form() {
        for (typed, stored) in [
            ("ma-vr 9-17", "Mo-Fr 09:00-17:00"),
            ("za 10:00-14:00", "Sa 10:00-14:00"),
            ("ma-vr 9-17; zo gesloten", "Mo-Fr 09:00-17:00; Su off"),
            ("zo dicht", "Su off"),
            ("Mo-Fr 09:00-17:00", "Mo-Fr 09:00-17:00"),
        ] {
            assert_eq!(OpeningHoursText::parse(typed).unwrap().as_str(), stored);
        }
        assert_eq!(
            OpeningHoursText::parse("maandag tot vrijdag")
                .unwrap()
                .as_str(),
            "Mo-Fr"
        );
        assert!(OpeningHoursText::parse("elke werkdag").is_err());
        assert!(OpeningHoursText::parse("ma-vr 9-49").is_err());
    }

    #[test]
    fn moments_are_phrased_relative_to_now() {
        let now = utc("2026-11-25T10:00:00Z"); // Wednesday
        let at = |t: &str| local(t);
        let nl = |t: &str| when_in_words(&at(t), now, Language::Nl);
        assert_eq!(nl("2026-11-25T16:00:00+01:00"), "vandaag om 16:00");
        assert_eq!(nl("2026-11-26T08:00:00+01:00"), "morgen om 08:00");
        assert_eq!(nl("2026-11-30T09:00:00+01:00"), "maandag om 09:00");
        assert_eq!(nl("2026-12-07T09:00:00+01:00"), "7 december om 09:00");
        assert_eq!(nl("2027-01-04T09:00:00+01:00"), "4 januari 2027 om 09:00");
        assert_eq!(
            when_in_words(&at("2026-11-30T09:00:00+01:00"), now, Language::En),
            "Monday at 09:00"
        );
        assert_eq!(
            date_in_words(NaiveDate::from_ymd_opt(2022, 6, 1).unwrap(), Language::En),
            "1 June 2022"
        );
    }

    #[test]
    fn invalid_hours_are_refused() {
        assert!(Hours::parse("maandag tot vrijdag").is_err());
    }

    #[test]
    fn a_text_that_makes_the_parser_panic_is_refused_at_every_entry_point() {
        // Found by fuzzing: opening-hours-syntax 1.4 panics ("missing hour").
        assert!(Hours::parse("00-48/24:00").is_err());
        assert!(OpeningHoursText::parse("00-48/24:00").is_err());
    }
}
