//! The opening-hours part of the facility form: the week editor's fields
//! (`hours_mo_from1`, `hours_ex2_start`, …) and which of the two ways of
//! writing hours a person used. The editor wins when its rows differ from
//! how the form showed them, the OpenStreetMap text when that differs; a
//! person who changes both is asked to choose. The text itself is made and
//! checked by [`WeekSchedule`] in the domain.

use chrono::Weekday;
use minijinja::{context, Value};

use crate::domain::hours::editor::{EditorError, Row, WeekSchedule, RANGES_PER_DAY};
use crate::domain::hours::OpeningHoursText;
use crate::http::web::pages::{FieldErrors, Page};

/// The day codes in field names, Monday first.
const DAYS: [&str; 7] = ["mo", "tu", "we", "th", "fr", "sa", "su"];

/// The editor filled from stored hours; `None` when they say more than it can.
pub(super) fn prefill(stored: &str) -> Option<WeekSchedule> {
    match stored.trim() {
        "" => Some(WeekSchedule::default()),
        text => OpeningHoursText::parse(text)
            .ok()
            .and_then(|t| WeekSchedule::from_text(&t)),
    }
}

/// Puts a posted `hours_*` field into the editor; false for other names.
pub(super) fn set(week: &mut WeekSchedule, name: &str, value: String) -> bool {
    let Some(rest) = name.strip_prefix("hours_") else {
        return false;
    };
    if rest == "ph_closed" {
        week.holidays_closed = true;
        return true;
    }
    if let Some(rest) = rest.strip_prefix("ex") {
        let Some((n, part)) = rest.split_once('_') else {
            return false;
        };
        let Some(n) = n.parse::<usize>().ok().filter(|n| (1..=50).contains(n)) else {
            return false;
        };
        if week.exceptions.len() < n {
            week.exceptions.resize(n, Default::default());
        }
        let row = &mut week.exceptions[n - 1];
        match part {
            "start" => row.start = value,
            "end" => row.end = value,
            "from" => row.span.from = value,
            "to" => row.span.to = value,
            _ => return false,
        }
        return true;
    }
    let Some((day, part)) = rest.split_once('_') else {
        return false;
    };
    let Some(day) = DAYS.iter().position(|d| *d == day) else {
        return false;
    };
    let row = &mut week.days[day];
    if part == "closed" {
        row.closed = true;
        return true;
    }
    let slot = |p: &str| {
        p.parse::<usize>()
            .ok()
            .filter(|i| (1..=RANGES_PER_DAY).contains(i))
    };
    match (part.strip_prefix("from"), part.strip_prefix("to")) {
        (Some(i), _) if slot(i).is_some() => row.spans[slot(i).unwrap_or(1) - 1].from = value,
        (_, Some(i)) if slot(i).is_some() => row.spans[slot(i).unwrap_or(1) - 1].to = value,
        _ => return false,
    }
    true
}

/// The editor with every value trimmed, for comparing what was posted with
/// what was shown.
fn trimmed(week: &WeekSchedule) -> WeekSchedule {
    let mut week = week.clone();
    for day in &mut week.days {
        for span in &mut day.spans {
            span.from = span.from.trim().to_string();
            span.to = span.to.trim().to_string();
        }
    }
    week.exceptions.retain(|e| {
        ![&e.start, &e.end, &e.span.from, &e.span.to]
            .iter()
            .all(|v| v.trim().is_empty())
    });
    for e in &mut week.exceptions {
        for v in [&mut e.start, &mut e.end, &mut e.span.from, &mut e.span.to] {
            *v = v.trim().to_string();
        }
    }
    week
}

/// The hours text the form asks for: the editor's when it was changed,
/// otherwise the OpenStreetMap text field's. Problems go into `errors`,
/// under `hours_editor` (and `hours_<day>` / `hours_ex<n>` for the row).
pub(super) fn resolve(
    page: &Page,
    week: &WeekSchedule,
    raw: &str,
    original: &str,
    errors: &mut FieldErrors,
) -> Option<String> {
    let shown = prefill(original).unwrap_or_default();
    let editor_changed = trimmed(week) != trimmed(&shown);
    let text_changed = raw.trim() != original.trim();
    let raw = Some(raw.trim().to_string()).filter(|t| !t.is_empty());
    if !editor_changed {
        return raw;
    }
    if text_changed {
        errors.insert(
            "opening_hours".into(),
            page.text("register.hours.error.both"),
        );
        return raw;
    }
    match week.to_text() {
        Ok(text) => text.map(|t| t.as_str().to_string()),
        Err(problems) => {
            let lines: Vec<String> = problems.iter().map(|p| p.text(page.lang)).collect();
            for problem in &problems {
                errors
                    .entry(row_key(problem))
                    .or_insert_with(|| problem.text(page.lang));
            }
            errors.insert("hours_editor".into(), lines.join("; "));
            raw
        }
    }
}

fn row_key(problem: &EditorError) -> String {
    match problem.row {
        Row::Day(day) => format!("hours_{}", DAYS[day.num_days_from_monday() as usize]),
        Row::Exception(n) => format!("hours_ex{n}"),
        Row::Week => "hours_editor".into(),
    }
}

/// What the template needs to draw the editor: each day with its name,
/// field prefix and message.
pub(super) fn view(page: &Page, week: &WeekSchedule, errors: &FieldErrors) -> Value {
    let names: Vec<String> = page
        .text("hours.days")
        .split('|')
        .map(str::to_string)
        .collect();
    let days: Vec<Value> = week
        .days
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let key = format!("hours_{}", DAYS[i]);
            let day = Weekday::try_from(i as u8).unwrap_or(Weekday::Mon);
            context! {
                key,
                name => names.get(day.num_days_from_monday() as usize).cloned().unwrap_or_default(),
                closed => row.closed,
                spans => row.spans,
                error => errors.get(&key),
            }
        })
        .collect();
    let exceptions: Vec<Value> = week
        .exceptions
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let key = format!("hours_ex{}", i + 1);
            context! {
                key,
                n => i + 1,
                start => row.start,
                end => row.end,
                from => row.span.from,
                to => row.span.to,
                error => errors.get(&key),
            }
        })
        .collect();
    context! {
        days,
        exceptions,
        holidays_closed => week.holidays_closed,
        error => errors.get("hours_editor"),
    }
}
