//! Opening hours as a form fills them, for people who do not write
//! OpenStreetMap text: per weekday up to [`RANGES_PER_DAY`] from–to times
//! or "closed", closed on public holidays, and exceptions on a date or
//! from–to dates (closed, or other times). [`WeekSchedule::to_text`] writes
//! the OpenStreetMap text and ends in [`OpeningHoursText::parse`], so a
//! week from the form is checked like hours from anywhere else;
//! [`WeekSchedule::from_text`] reads stored hours back into the form when
//! they say no more than the form can (otherwise the raw text is edited).

use chrono::{Datelike, NaiveDate, Weekday};
use opening_hours_syntax::rules::day::{
    Date, DateOffset, HolidayKind, MonthdayRange, WeekDayRange,
};
use opening_hours_syntax::rules::time::{Time, TimeSelector};
use opening_hours_syntax::rules::{RuleKind, RuleOperator, RuleSequence};
use serde::Serialize;

use super::super::date::{parse_date, Day};
use super::super::language::Language;
use super::super::Reason;
use super::{vocabulary, OpeningHoursText};

/// Time ranges a weekday row offers (a morning, an afternoon, an evening).
pub const RANGES_PER_DAY: usize = 3;
/// Empty exception rows the form offers besides the filled ones.
pub const BLANK_EXCEPTIONS: usize = 2;

/// OpenStreetMap's day codes, Monday first.
const CODES: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One from–to pair as typed (`9`, `09:00`, `9.30`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Span {
    pub from: String,
    pub to: String,
}

/// A weekday's row: closed, or up to [`RANGES_PER_DAY`] spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayRow {
    pub closed: bool,
    pub spans: Vec<Span>,
}

impl Default for DayRow {
    fn default() -> DayRow {
        DayRow {
            closed: false,
            spans: vec![Span::default(); RANGES_PER_DAY],
        }
    }
}

/// An exception: from a date (through an optional end date), closed when
/// no times are given, else open at those times only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExceptionRow {
    pub start: String,
    pub end: String,
    pub span: Span,
}

impl ExceptionRow {
    fn is_blank(&self) -> bool {
        [&self.start, &self.end, &self.span.from, &self.span.to]
            .iter()
            .all(|f| f.trim().is_empty())
    }
}

/// A week as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekSchedule {
    /// Monday first.
    pub days: Vec<DayRow>,
    pub holidays_closed: bool,
    pub exceptions: Vec<ExceptionRow>,
}

impl Default for WeekSchedule {
    fn default() -> WeekSchedule {
        WeekSchedule {
            days: vec![DayRow::default(); 7],
            holidays_closed: false,
            exceptions: vec![ExceptionRow::default(); BLANK_EXCEPTIONS],
        }
    }
}

/// Which row of the form a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Day(Weekday),
    /// Counted from 1, as the form shows them.
    Exception(usize),
    /// The week as a whole.
    Week,
}

/// A problem in one row of the editor.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorError {
    pub row: Row,
    pub reason: Reason,
}

impl EditorError {
    /// `dinsdag: …`, `uitzondering 2: …`, in `language`.
    pub fn text(&self, language: Language) -> String {
        let row = match self.row {
            Row::Day(day) => vocabulary(language).days[day.num_days_from_monday() as usize].clone(),
            Row::Exception(n) => super::super::text::text(
                language,
                "hours.editor.exception",
                &[("n", n.to_string())],
            ),
            Row::Week => return self.reason.text(language),
        };
        format!("{row}: {}", self.reason.text(language))
    }
}

/// `9` → `09:00`; `24:00` allowed as an end.
fn time(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    let (h, m) = match text.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None => (text, "00"),
    };
    let ok = !h.is_empty() && h.len() <= 2 && m.len() == 2;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (ok && m < 60 && (h < 24 || (h == 24 && m == 0))).then_some((h, m))
}

fn span_text(span: &Span) -> Result<Option<String>, Reason> {
    let (from, to) = (span.from.trim(), span.to.trim());
    match (from.is_empty(), to.is_empty()) {
        (true, true) => return Ok(None),
        (false, true) | (true, false) => return Err(Reason::of("hours.editor.error.half", &[])),
        _ => {}
    }
    let parse = |t: &str| {
        time(t).ok_or_else(|| Reason::of("hours.editor.error.time", &[("value", t.to_string())]))
    };
    let ((fh, fm), (th, tm)) = (parse(from)?, parse(to)?);
    if (fh, fm) == (th, tm) {
        return Err(Reason::of("hours.editor.error.empty_span", &[]));
    }
    // An end before the start runs past midnight, as OpenStreetMap reads it.
    Ok(Some(format!("{fh:02}:{fm:02}-{th:02}:{tm:02}")))
}

/// `Mo-Fr`, `Mo,We,Fr`, `Mo-We,Fr`.
fn days_text(days: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        parts.push(match j - i {
            0 => CODES[days[i]].to_string(),
            1 => format!("{},{}", CODES[days[i]], CODES[days[j]]),
            _ => format!("{}-{}", CODES[days[i]], CODES[days[j]]),
        });
        i = j + 1;
    }
    parts.join(",")
}

fn date_text(date: NaiveDate) -> String {
    format!(
        "{} {} {:02}",
        date.year(),
        MONTHS[date.month0() as usize],
        date.day()
    )
}

impl WeekSchedule {
    /// Whether nothing is filled in.
    pub fn is_blank(&self) -> bool {
        *self == WeekSchedule::default()
            || (self.days.iter().all(|d| {
                !d.closed
                    && d.spans
                        .iter()
                        .all(|s| s.from.trim().is_empty() && s.to.trim().is_empty())
            }) && !self.holidays_closed
                && self.exceptions.iter().all(ExceptionRow::is_blank))
    }

    /// The OpenStreetMap text the form describes, checked as all hours are;
    /// `Ok(None)` when nothing is filled in.
    pub fn to_text(&self) -> Result<Option<OpeningHoursText>, Vec<EditorError>> {
        let mut errors = Vec::new();
        // Each day's rule body (`09:00-17:00`, `off`), or None when empty.
        let mut bodies: Vec<Option<String>> = Vec::new();
        for (i, day) in self.days.iter().enumerate() {
            let row = Row::Day(Weekday::try_from(i as u8).unwrap_or(Weekday::Mon));
            let mut spans = Vec::new();
            for span in &day.spans {
                match span_text(span) {
                    Ok(Some(text)) => spans.push(text),
                    Ok(None) => {}
                    Err(reason) => errors.push(EditorError { row, reason }),
                }
            }
            bodies.push(match (day.closed, spans.is_empty()) {
                (true, false) => {
                    errors.push(EditorError {
                        row,
                        reason: Reason::of("hours.editor.error.closed_and_times", &[]),
                    });
                    None
                }
                (true, true) => Some("off".to_string()),
                (false, false) => Some(spans.join(",")),
                (false, true) => None,
            });
        }
        let mut rules = Vec::new();
        let mut done = [false; 7];
        for i in 0..7 {
            let Some(body) = &bodies[i] else { continue };
            if done[i] {
                continue;
            }
            let same: Vec<usize> = (i..7)
                .filter(|j| bodies[*j].as_ref() == Some(body))
                .collect();
            for j in &same {
                done[*j] = true;
            }
            rules.push(format!("{} {body}", days_text(&same)));
        }
        if self.holidays_closed {
            rules.push("PH off".to_string());
        }
        for (n, exception) in self.exceptions.iter().enumerate() {
            if exception.is_blank() {
                continue;
            }
            let row = Row::Exception(n + 1);
            match exception_text(exception) {
                Ok(text) => rules.push(text),
                Err(reason) => errors.push(EditorError { row, reason }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if rules.is_empty() {
            return Ok(None);
        }
        OpeningHoursText::parse(&rules.join("; "))
            .map(Some)
            .map_err(|reason| {
                vec![EditorError {
                    row: Row::Week,
                    reason,
                }]
            })
    }

    /// The form filled from stored hours, or `None` when they say more than
    /// the form can (comments, months, weeks, sun times, …).
    pub fn from_text(hours: &OpeningHoursText) -> Option<WeekSchedule> {
        let expression = opening_hours_syntax::parse(hours.as_str()).ok()?;
        let mut week = WeekSchedule {
            exceptions: Vec::new(),
            ..WeekSchedule::default()
        };
        // Weekday rules first, then holidays and exceptions: a weekday rule
        // after those would override them, which the form cannot show.
        let mut past_weekdays = false;
        for rule in &expression.rules {
            if rule.operator != RuleOperator::Normal
                || !rule.comments.is_empty()
                || rule.kind == RuleKind::Unknown
            {
                return None;
            }
            let days = &rule.day_selector;
            if !days.year.is_empty() || !days.week.is_empty() {
                return None;
            }
            let spans = spans_of(rule)?;
            match (days.monthday.as_slice(), days.weekday.as_slice()) {
                (
                    [],
                    [WeekDayRange::Holiday {
                        kind: HolidayKind::Public,
                        offset: 0,
                    }],
                ) => {
                    if rule.kind != RuleKind::Closed || !spans.is_empty() {
                        return None;
                    }
                    week.holidays_closed = true;
                    past_weekdays = true;
                }
                ([], weekdays) => {
                    if past_weekdays {
                        return None;
                    }
                    for day in weekdays_of(weekdays)? {
                        let row = &mut week.days[day];
                        *row = DayRow::default();
                        match rule.kind {
                            RuleKind::Closed if spans.is_empty() => row.closed = true,
                            RuleKind::Open => {
                                let all_day = vec![Span {
                                    from: "00:00".into(),
                                    to: "24:00".into(),
                                }];
                                let spans = if spans.is_empty() { &all_day } else { &spans };
                                if spans.len() > RANGES_PER_DAY {
                                    return None;
                                }
                                row.spans[..spans.len()].clone_from_slice(spans);
                            }
                            _ => return None,
                        }
                    }
                }
                ([MonthdayRange::Date { start, end }], []) => {
                    past_weekdays = true;
                    let first = fixed_date(&start.0, &start.1, None)?;
                    let last = fixed_date(&end.0, &end.1, Some(first.year()))?;
                    // A range that runs into the next year without saying
                    // so (`2026 Dec 31-Jan 02`) is more than the form's
                    // two dates can say.
                    if last < first {
                        return None;
                    }
                    let span = match (rule.kind, spans.as_slice()) {
                        (RuleKind::Closed, []) => Span::default(),
                        (RuleKind::Open, [span]) => span.clone(),
                        _ => return None,
                    };
                    week.exceptions.push(ExceptionRow {
                        start: first.to_string(),
                        end: if last == first {
                            String::new()
                        } else {
                            last.to_string()
                        },
                        span,
                    });
                }
                _ => return None,
            }
        }
        week.exceptions.extend(std::iter::repeat_n(
            ExceptionRow::default(),
            BLANK_EXCEPTIONS,
        ));
        Some(week)
    }
}

fn exception_text(row: &ExceptionRow) -> Result<String, Reason> {
    let date = |text: &str| {
        parse_date(text.trim()).ok_or_else(|| {
            Reason::of(
                "hours.editor.error.date",
                &[("value", text.trim().to_string())],
            )
        })
    };
    if row.start.trim().is_empty() {
        return Err(Reason::of("hours.editor.error.no_date", &[]));
    }
    let start = date(&row.start)?;
    let end = match row.end.trim() {
        "" => start,
        text => date(text)?,
    };
    if end < start {
        return Err(Reason::of("hours.editor.error.end_before_start", &[]));
    }
    let dates = if end == start {
        date_text(start)
    } else {
        format!("{}-{}", date_text(start), date_text(end))
    };
    Ok(match span_text(&row.span)? {
        Some(times) => format!("{dates} {times}"),
        None => format!("{dates} off"),
    })
}

/// The rule's times as spans; empty for the whole day.
fn spans_of(rule: &RuleSequence) -> Option<Vec<Span>> {
    if rule.time_selector == TimeSelector::default() {
        return Some(Vec::new());
    }
    rule.time_selector
        .time
        .iter()
        .map(|span| {
            let (Time::Fixed(from), Time::Fixed(to)) = (span.range.start, span.range.end) else {
                return None;
            };
            // In minutes; an end past midnight (`22:00-26:00`, `01:00-24:01`)
            // as the next day's time (`02:00`, `00:01`), which the form
            // writes as an end before the start. A span that reaches the
            // start again (24 hours or more) or ends when it starts is one
            // the form refuses (`empty_span`), so the form cannot show it.
            let start = u32::from(from.hour()) * 60 + u32::from(from.minute());
            let mut end = u32::from(to.hour()) * 60 + u32::from(to.minute());
            if end > 24 * 60 {
                end -= 24 * 60;
                if end >= start {
                    return None;
                }
            }
            if span.open_end || span.repeats.is_some() || end == start || start >= 24 * 60 {
                return None;
            }
            Some(Span {
                from: format!("{:02}:{:02}", start / 60, start % 60),
                to: format!("{:02}:{:02}", end / 60, end % 60),
            })
        })
        .collect()
}

/// The weekdays (Monday = 0) a plain selector names; all seven when empty.
fn weekdays_of(items: &[WeekDayRange]) -> Option<Vec<usize>> {
    if items.is_empty() {
        return Some((0..7).collect());
    }
    let mut days = Vec::new();
    for item in items {
        let WeekDayRange::Fixed {
            range,
            offset: 0,
            nth_from_start,
            nth_from_end,
        } = item
        else {
            return None;
        };
        if nth_from_start.contains(&false) || nth_from_end.contains(&false) {
            return None;
        }
        let mut day = *range.start();
        loop {
            days.push(day.num_days_from_monday() as usize);
            if day == *range.end() {
                break;
            }
            day = day.succ();
        }
    }
    Some(days)
}

fn fixed_date(date: &Date, offset: &DateOffset, year_of_start: Option<i32>) -> Option<NaiveDate> {
    if *offset != DateOffset::default() {
        return None;
    }
    let Date::Fixed { year, month, day } = *date else {
        return None;
    };
    let year = year.map(i32::from).or(year_of_start)?;
    // Only the days the form's date fields take back (1900 to 2999).
    let date = NaiveDate::from_ymd_opt(year, month as u32, day.into())?;
    Day::new(date).ok().map(Day::date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week() -> WeekSchedule {
        WeekSchedule::default()
    }

    fn set(week: &mut WeekSchedule, day: usize, spans: &[(&str, &str)]) {
        for (i, (from, to)) in spans.iter().enumerate() {
            week.days[day].spans[i] = Span {
                from: from.to_string(),
                to: to.to_string(),
            };
        }
    }

    #[test]
    fn a_week_becomes_openstreetmap_text_with_days_grouped() {
        let mut w = week();
        for day in 0..5 {
            set(&mut w, day, &[("9", "17")]);
        }
        set(&mut w, 2, &[("9", "12:30"), ("13.30", "17")]);
        w.days[5].closed = true;
        w.holidays_closed = true;
        w.exceptions[0].start = "2026-12-24".into();
        w.exceptions[1] = ExceptionRow {
            start: "27-12-2026".into(),
            end: "2027-01-02".into(),
            span: Span {
                from: "10".into(),
                to: "14".into(),
            },
        };
        assert_eq!(
            w.to_text().unwrap().unwrap().as_str(),
            "Mo,Tu,Th,Fr 09:00-17:00; We 09:00-12:30,13:30-17:00; Sa off; PH off; \
             2026 Dec 24 off; 2026 Dec 27-2027 Jan 02 10:00-14:00"
        );
    }

    #[test]
    fn an_empty_week_is_no_hours() {
        assert_eq!(week().to_text().unwrap(), None);
    }

    #[test]
    fn problems_name_their_row_in_the_readers_language() {
        let mut w = week();
        set(&mut w, 1, &[("9", "")]);
        w.days[3].closed = true;
        set(&mut w, 3, &[("25", "26")]);
        w.exceptions[1].span = Span {
            from: "10".into(),
            to: "12".into(),
        };
        let errors = w.to_text().unwrap_err();
        let nl: Vec<String> = errors.iter().map(|e| e.text(Language::Nl)).collect();
        assert!(nl[0].starts_with("dinsdag: "), "{nl:?}");
        assert!(nl[1].starts_with("donderdag: '25' is geen tijd"), "{nl:?}");
        assert!(
            nl.iter().any(|e| e.starts_with("uitzondering 2: ")),
            "{nl:?}"
        );
        assert!(errors[0].text(Language::En).starts_with("Tuesday: "));
    }

    #[test]
    fn stored_hours_fill_the_editor_and_come_back_the_same() {
        for text in [
            "Mo-Fr 09:00-17:00; Sa off; PH off; 2026 Dec 24 off",
            "Mo,We,Fr 13:00-16:00",
            "Mo-Su 08:00-10:00,16:00-18:00",
            "Fr 22:00-02:00; 2026 Dec 27-2027 Jan 02 10:00-14:00",
        ] {
            let stored = OpeningHoursText::parse(text).unwrap();
            let w = WeekSchedule::from_text(&stored).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(w.to_text().unwrap().unwrap().as_str(), text);
        }
    }

    #[test]
    fn hours_whose_dates_or_times_the_form_cannot_take_do_not_fill_the_editor() {
        // Found by fuzzing (fuzz/fuzz_targets/opening_hours.rs): the form
        // showed these dates and times and then refused them when saved
        // unchanged.
        for text in [
            "Mo-Fr 09:00-17:00; Sa off; PH off; 4971 Dec 24 off",
            "Mo-Fr 09:00-17:00; 2026 Dec 31-Jan 02 off",
            "01:00-01:00",
            "01:00-25:00",
        ] {
            let stored = OpeningHoursText::parse(text).unwrap();
            assert_eq!(WeekSchedule::from_text(&stored), None, "{text}");
        }
    }

    #[test]
    fn a_span_a_minute_past_midnight_fills_the_editor_as_the_next_days_time() {
        // Found by fuzzing: `24:01` filled the form, which refused it.
        let stored = OpeningHoursText::parse("Mo 01:00-24:01").unwrap();
        let w = WeekSchedule::from_text(&stored).unwrap();
        assert_eq!(w.days[0].spans[0].to, "00:01");
        assert_eq!(w.to_text().unwrap().unwrap().as_str(), "Mo 01:00-00:01");
    }

    #[test]
    fn rich_hours_do_not_fill_the_editor() {
        for text in [
            "Mo-Fr 09:00-17:00 \"op afspraak\"",
            "Jan-Mar Mo-Fr 09:00-17:00",
            "Mo-Fr sunrise-sunset",
            "PH off; Mo-Fr 09:00-17:00",
            "Mo 08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00",
        ] {
            let stored = OpeningHoursText::parse(text).unwrap();
            assert_eq!(WeekSchedule::from_text(&stored), None, "{text}");
        }
    }
}
