//! Opening hours in words, rule by rule, from the parser's syntax tree:
//! days and day ranges, public holidays, dates and date ranges (with or
//! without a year), months, times (also overnight and open-ended), the
//! state (`off`, `unknown`) and comments ("op afspraak").
//!
//! A rule this module cannot phrase (weeks, sun times, Easter, "the first
//! Monday", fallback rules) is shown in its OpenStreetMap form, so one rare
//! rule does not hide the words for the others.

use chrono::{NaiveDate, Weekday};
use opening_hours_syntax::rules::day::{
    Date, HolidayKind, MonthdayRange, WeekDayOffset, WeekDayRange, YearRange,
};
use opening_hours_syntax::rules::time::{Time, TimeSelector};
use opening_hours_syntax::rules::{RuleKind, RuleOperator, RuleSequence};
use opening_hours_syntax::ExtendedTime;

use super::Vocabulary;

/// The hours in words, one phrase per rule, joined by `; `.
pub(super) fn phrase(raw: &str, v: &Vocabulary) -> String {
    let Ok(expression) = opening_hours_syntax::parse(raw) else {
        return raw.to_string();
    };
    let parts: Vec<String> = expression
        .rules
        .iter()
        .map(|rule| rule_phrase(rule, v).unwrap_or_else(|| rule.to_string()))
        .collect();
    if parts.is_empty() {
        return raw.to_string();
    }
    parts.join("; ")
}

fn rule_phrase(rule: &RuleSequence, v: &Vocabulary) -> Option<String> {
    if rule.operator == RuleOperator::Fallback {
        return None;
    }
    let days = &rule.day_selector;
    if !days.week.is_empty() {
        return None;
    }
    let full_day = is_full_day(&rule.time_selector);
    let comment = (!rule.comments.is_empty()).then(|| format!("({})", rule.comments.join(", ")));
    if days.is_empty() && full_day && rule.kind == RuleKind::Open {
        let always = match comment {
            Some(comment) => format!("{} {comment}", v.every_day),
            None => v.always.clone(),
        };
        return Some(always);
    }
    let dates = dates_phrase(&days.year, &days.monthday, v)?;
    let weekdays = match days.weekday.as_slice() {
        [] => None,
        items => Some(weekdays_phrase(items, v)?),
    };
    let times = if full_day {
        None
    } else {
        Some(times_phrase(&rule.time_selector, v)?)
    };
    let state = match (rule.kind, &times) {
        (RuleKind::Open, Some(_)) => None,
        (RuleKind::Open, None) => Some(v.all_day.clone()),
        (RuleKind::Closed, _) => Some(v.closed.clone()),
        (RuleKind::Unknown, _) => Some(v.unknown.clone()),
    };
    // An implicit state with a comment says what the comment says.
    let state = match (&state, &comment, rule.kind) {
        (Some(_), Some(_), RuleKind::Open) => None,
        _ => state,
    };
    let what: Vec<String> = [weekdays.clone(), times, state, comment]
        .into_iter()
        .flatten()
        .collect();
    Some(match dates {
        Some(dates) => format!("{dates}: {}", what.join(" ")),
        None if weekdays.is_none() => format!("{} {}", v.every_day, what.join(" ")),
        None => what.join(" "),
    })
}

fn is_full_day(times: &TimeSelector) -> bool {
    *times == TimeSelector::default()
}

/// Years and dates (`24 december 2026`, `24 december 2026 t/m 2 januari
/// 2027`, `januari t/m maart`), or `Some(None)` when the rule has none.
fn dates_phrase(
    years: &[YearRange],
    monthdays: &[MonthdayRange],
    v: &Vocabulary,
) -> Option<Option<String>> {
    let mut words = Vec::new();
    for year in years {
        if year.step != 1 {
            return None;
        }
        let (from, to) = (**year.range.start(), **year.range.end());
        words.push(if from == to {
            from.to_string()
        } else {
            format!("{from} {} {to}", v.through)
        });
    }
    for monthday in monthdays {
        words.push(match monthday {
            MonthdayRange::Month { range, year } => {
                let name =
                    |m: &opening_hours_syntax::rules::day::Month| v.months[*m as usize - 1].clone();
                let months = if range.start() == range.end() {
                    name(range.start())
                } else {
                    format!(
                        "{} {} {}",
                        name(range.start()),
                        v.through,
                        name(range.end())
                    )
                };
                match year {
                    Some(year) => format!("{months} {year}"),
                    None => months,
                }
            }
            MonthdayRange::Date { start, end } => {
                let plain = |offset: &opening_hours_syntax::rules::day::DateOffset| {
                    offset.day_offset == 0 && offset.wday_offset == WeekDayOffset::None
                };
                if !plain(&start.1) || !plain(&end.1) {
                    return None;
                }
                let first = date_phrase(&start.0, None, v)?;
                if start == end {
                    first
                } else {
                    let year = match start.0 {
                        Date::Fixed { year, .. } => year,
                        Date::Easter { .. } => None,
                    };
                    format!("{first} {} {}", v.through, date_phrase(&end.0, year, v)?)
                }
            }
        });
    }
    Some((!words.is_empty()).then(|| super::join_list(&words, &v.and)))
}

/// `24 december 2026`, or `24 december` every year; an end date without a
/// year of its own takes the start's.
fn date_phrase(date: &Date, year_of_start: Option<u16>, v: &Vocabulary) -> Option<String> {
    let Date::Fixed { year, month, day } = *date else {
        return None;
    };
    let month = v.months[month as usize - 1].as_str();
    Some(match year.or(year_of_start) {
        Some(year) => {
            // Refuse 31 February and the like rather than print them.
            NaiveDate::from_ymd_opt(year.into(), 1, 1)?;
            format!("{day} {month} {year}")
        }
        None => format!("{day} {month}"),
    })
}

/// `maandag t/m vrijdag`, `dinsdag en donderdag`, `zondag en feestdagen`.
fn weekdays_phrase(items: &[WeekDayRange], v: &Vocabulary) -> Option<String> {
    let name = |d: Weekday| v.days[d.num_days_from_monday() as usize].clone();
    let mut words = Vec::new();
    let mut covered = 0;
    for item in items {
        match item {
            WeekDayRange::Holiday {
                kind: HolidayKind::Public,
                offset: 0,
            } => words.push(v.holidays.clone()),
            WeekDayRange::Fixed {
                range,
                offset: 0,
                nth_from_start,
                nth_from_end,
            } if !nth_from_start.contains(&false) && !nth_from_end.contains(&false) => {
                let (from, to) = (*range.start(), *range.end());
                let span = (to.num_days_from_monday() + 7 - from.num_days_from_monday()) % 7 + 1;
                covered += span;
                match span {
                    1 => words.push(name(from)),
                    2 => words.extend([name(from), name(to)]),
                    _ => words.push(format!("{} {} {}", name(from), v.through, name(to))),
                }
            }
            _ => return None,
        }
    }
    if items.len() == 1 && covered == 7 {
        return Some(v.every_day.clone());
    }
    Some(super::join_list(&words, &v.and))
}

/// `09:00–17:00 en 18:00–20:00`; an overnight end as the clock shows it
/// (`22:00–02:00`); an open end as `vanaf 18:00`.
fn times_phrase(times: &TimeSelector, v: &Vocabulary) -> Option<String> {
    let words = times
        .time
        .iter()
        .map(|span| {
            if span.repeats.is_some() {
                return None;
            }
            let (Time::Fixed(from), Time::Fixed(to)) = (span.range.start, span.range.end) else {
                return None;
            };
            if span.open_end {
                return Some(v.from.replace("{time}", &clock(from)));
            }
            Some(format!("{}–{}", clock(from), clock(to)))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(super::join_list(&words, &v.and))
}

/// `09:00`; hours past midnight as the clock shows them (`26:00` → `02:00`),
/// but the end of the day as `24:00`.
fn clock(time: ExtendedTime) -> String {
    let hour = if time.hour() > 24 {
        time.hour() - 24
    } else {
        time.hour()
    };
    format!("{hour:02}:{:02}", time.minute())
}
