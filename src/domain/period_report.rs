//! Period reports: one per facility per period, holding one value per
//! metric of the facility's services (DESIGN.md, capability 4). The life
//! of a report (draft → submitted → approved, locked → reopened with a
//! reason → submitted …) and the checks on its values live here, so the
//! form, the API, the import and the command line refuse the same things
//! for the same reasons.
//!
//! Hard errors refuse a value: a negative number, one above `VALUE_MAX`, a
//! metric the facility's services don't have or that is retired, a period
//! before the facility counts or after it closed, a period not yet begun.
//! Warnings only ask for a confirming note: more syringes returned than
//! 1.5× those handed out (and at least `SYRINGE_MARGIN` more), patients in
//! treatment above the treatment places, a value above 3× the median of the
//! facility's last 12 periods of the same kind.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::facility::Facility;
use super::metric::{Metric, Period, VALUE_MAX};
use super::service::ServiceSet;
use super::{FieldError, Reason};

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Submitted,
    /// Locked: only reopening (with a reason) changes it again.
    Approved,
    Reopened,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] = [
        ReportStatus::Draft,
        ReportStatus::Submitted,
        ReportStatus::Approved,
        ReportStatus::Reopened,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Approved => "approved",
            ReportStatus::Reopened => "reopened",
        }
    }

    pub fn parse(text: &str) -> Option<ReportStatus> {
        ReportStatus::ALL
            .into_iter()
            .find(|s| s.code() == text.trim())
    }

    /// Whether values may change: anything but an approved report.
    pub fn editable(self) -> bool {
        self != ReportStatus::Approved
    }

    /// Submitting: from a draft, a reopened report, or again after a change.
    pub fn submit(self) -> Result<ReportStatus, Reason> {
        match self {
            ReportStatus::Approved => Err(Self::refused("submit")),
            _ => Ok(ReportStatus::Submitted),
        }
    }

    /// Approving: only a submitted report.
    pub fn approve(self) -> Result<ReportStatus, Reason> {
        match self {
            ReportStatus::Submitted => Ok(ReportStatus::Approved),
            _ => Err(Self::refused("approve")),
        }
    }

    /// Reopening: only an approved report, with a reason.
    pub fn reopen(self, reason: &str) -> Result<ReportStatus, Reason> {
        if self != ReportStatus::Approved {
            return Err(Self::refused("reopen"));
        }
        if reason.trim().is_empty() {
            return Err(Reason::of("error.report_reopen_reason", &[]));
        }
        Ok(ReportStatus::Reopened)
    }

    fn refused(action: &str) -> Reason {
        let key = match action {
            "submit" => "error.report_cannot_submit",
            "approve" => "error.report_cannot_approve",
            _ => "error.report_cannot_reopen",
        };
        // Worded without the status's code, which is English.
        Reason::of(key, &[])
    }
}

/// One value as typed (form, API, file): the metric, the number (none to
/// clear it) and the note that confirms a warning.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueInput {
    pub metric: String,
    pub value: Option<i64>,
    pub note: Option<String>,
}

/// The field a value's error is about: `values.syringes_in`.
pub fn value_field(metric: &str) -> String {
    format!("values.{metric}")
}

/// The field a warning's note is about: `values.syringes_in.note`.
pub fn note_field(metric: &str) -> String {
    format!("values.{metric}.note")
}

/// A number as typed in a form or a cell: digits, an optional minus sign
/// (so that a negative number is refused for being negative), and spaces
/// or dots between thousands (`12.500`, `12 500`). Blank is no value.
pub fn parse_value(text: &str) -> Result<Option<i64>, Reason> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, trimmed),
    };
    let cleaned: String = digits
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit()) || cleaned.len() > 15 {
        return Err(Reason::of(
            "error.cell.whole_number",
            &[("value", trimmed.to_string())],
        ));
    }
    let n: i64 = cleaned
        .parse()
        .map_err(|_| Reason::of("error.cell.whole_number", &[("value", trimmed.to_string())]))?;
    Ok(Some(if negative { -n } else { n }))
}

/// What a report is checked against: the facility's life and services,
/// the catalogue, today, and the facility's earlier values per metric.
#[derive(Debug, Clone)]
pub struct ReportFacts<'a> {
    pub services: ServiceSet,
    /// The opening date, or when unknown the first day a source saw it.
    pub counts_from: NaiveDate,
    /// The first day closed, if closed.
    pub closed_on: Option<NaiveDate>,
    pub catalogue: &'a [Metric],
    pub today: NaiveDate,
}

impl<'a> ReportFacts<'a> {
    /// The facts of a facility as the register has it now.
    pub fn of(f: &Facility, catalogue: &'a [Metric], today: NaiveDate) -> ReportFacts<'a> {
        ReportFacts {
            services: f.fields.services,
            counts_from: f.counts_from,
            closed_on: f.fields.closed_on.map(|d| d.date()),
            catalogue,
            today,
        }
    }
}

impl ReportFacts<'_> {
    /// The metrics this facility reports: in use, of one of its services.
    pub fn metrics(&self) -> Vec<&Metric> {
        self.catalogue
            .iter()
            .filter(|m| m.retired_at.is_none() && m.applies_to(self.services))
            .collect()
    }

    /// Whether the facility may report for `period`: it has begun, and the
    /// facility counted (was open) on at least one of its days.
    pub fn check_period(&self, period: Period) -> Result<(), Reason> {
        let text = period.to_string();
        if period.start() > self.today {
            return Err(Reason::of("error.report_period_ahead", &[("period", text)]));
        }
        if period.end() <= self.counts_from {
            return Err(Reason::of(
                "error.report_before_opened",
                &[("period", text), ("opened", self.counts_from.to_string())],
            ));
        }
        if let Some(closed) = self.closed_on.filter(|c| *c <= period.start()) {
            return Err(Reason::of(
                "error.report_after_closed",
                &[("period", text), ("closed", closed.to_string())],
            ));
        }
        Ok(())
    }

    /// The hard checks of one value: a metric of this facility in use, a
    /// number from 0 to `VALUE_MAX`. Errors are named by field.
    pub fn check_value(&self, input: &ValueInput) -> Result<(), FieldError> {
        let field = value_field(&input.metric);
        let code = input.metric.clone();
        let refuse = |key, args: &[(&'static str, String)]| {
            Err(FieldError::because(field.clone(), Reason::of(key, args)))
        };
        match self.catalogue.iter().find(|m| m.code.as_str() == code) {
            None => return refuse("error.metric_unknown", &[("value", code)]),
            Some(m) if m.retired_at.is_some() => {
                if input.value.is_some() {
                    return refuse("error.metric_retired", &[("value", code)]);
                }
            }
            Some(m) if !m.applies_to(self.services) => {
                if input.value.is_some() {
                    return refuse("error.metric_not_offered", &[("value", code)]);
                }
            }
            Some(_) => {}
        }
        match input.value {
            Some(v) if v < 0 => refuse("error.report_value_negative", &[("value", v.to_string())]),
            Some(v) if v > VALUE_MAX => refuse(
                "error.report_value_max",
                &[("value", v.to_string()), ("max", VALUE_MAX.to_string())],
            ),
            _ => Ok(()),
        }
    }
}

/// Syringes returned count as "far above" those handed out when they are
/// more than 1.5× as many and at least this many more: a few extra
/// returned syringes in a quiet month are normal (people bring back what
/// they got elsewhere), hundreds more are a typing error or a swapped pair.
pub const SYRINGE_MARGIN: i64 = 20;

/// How many earlier periods the median looks at, and how many it needs.
pub const HISTORY_PERIODS: usize = 12;
const HISTORY_MIN: usize = 3;

/// The median of the values (the mean of the middle two for an even count).
fn median(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) as f64 / 2.0
    } else {
        sorted[mid] as f64
    })
}

/// A value that needs a confirming note: the metric and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub metric: String,
    pub reason: Reason,
}

/// The warnings of a report's values. `history` holds the facility's
/// values per metric in its earlier periods of the same kind, newest
/// first (only the first `HISTORY_PERIODS` count).
pub fn warnings(
    values: &BTreeMap<String, i64>,
    history: &BTreeMap<String, Vec<i64>>,
) -> Vec<Warning> {
    let mut found = Vec::new();
    if let (Some(&out), Some(&back)) = (values.get("syringes_out"), values.get("syringes_in")) {
        if back * 2 > out * 3 && back - out >= SYRINGE_MARGIN {
            found.push(Warning {
                metric: "syringes_in".into(),
                reason: Reason::of(
                    "error.warning_syringes_in",
                    &[("value", back.to_string()), ("out", out.to_string())],
                ),
            });
        }
    }
    if let (Some(&patients), Some(&places)) = (
        values.get("patients_in_treatment"),
        values.get("treatment_places"),
    ) {
        if patients > places {
            found.push(Warning {
                metric: "patients_in_treatment".into(),
                reason: Reason::of(
                    "error.warning_patients",
                    &[
                        ("value", patients.to_string()),
                        ("places", places.to_string()),
                    ],
                ),
            });
        }
    }
    for (metric, &value) in values {
        let Some(earlier) = history.get(metric) else {
            continue;
        };
        let earlier = &earlier[..earlier.len().min(HISTORY_PERIODS)];
        if earlier.len() < HISTORY_MIN {
            continue;
        }
        if let Some(m) = median(earlier).filter(|m| *m > 0.0) {
            if value as f64 > 3.0 * m && !found.iter().any(|w| &w.metric == metric) {
                found.push(Warning {
                    metric: metric.clone(),
                    reason: Reason::of(
                        "error.warning_median",
                        &[("value", value.to_string()), ("median", format!("{m}"))],
                    ),
                });
            }
        }
    }
    found
}

/// The warnings no note confirms, as field errors on the note fields.
pub fn unconfirmed(warnings: &[Warning], notes: &BTreeMap<String, String>) -> Vec<FieldError> {
    warnings
        .iter()
        .filter(|w| notes.get(&w.metric).is_none_or(|n| n.trim().is_empty()))
        .map(|w| FieldError::because(note_field(&w.metric), w.reason.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metric::default_metrics;
    use crate::domain::service::ServiceType;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(catalogue: &[Metric]) -> ReportFacts<'_> {
        ReportFacts {
            services: ServiceSet::parse(["syringe_exchange"]).unwrap(),
            counts_from: day("2024-03-15"),
            closed_on: Some(day("2025-07-01")),
            catalogue,
            today: day("2025-09-10"),
        }
    }

    #[test]
    fn a_report_goes_from_draft_to_approved_and_reopens_only_with_a_reason() {
        let s = ReportStatus::Draft;
        assert!(s.approve().is_err(), "a draft is not approved");
        let s = s.submit().unwrap();
        let s = s.approve().unwrap();
        assert!(!s.editable());
        assert!(s.submit().is_err(), "locked");
        assert!(s.reopen("  ").is_err(), "a reason is needed");
        let s = s.reopen("typo in March").unwrap();
        assert!(s.editable());
        assert_eq!(s.submit().unwrap(), ReportStatus::Submitted);
        assert!(ReportStatus::Submitted.reopen("x").is_err());
    }

    #[test]
    fn a_period_must_have_begun_and_lie_within_the_facilitys_life() {
        let catalogue = default_metrics();
        let f = facts(&catalogue);
        assert!(f.check_period(Period::parse("2024-03").unwrap()).is_ok());
        assert!(f.check_period(Period::parse("2024-02").unwrap()).is_err());
        assert!(f.check_period(Period::parse("2025-06").unwrap()).is_ok());
        assert!(f.check_period(Period::parse("2025-07").unwrap()).is_err());
        let open = ReportFacts {
            closed_on: None,
            ..f
        };
        assert!(open.check_period(Period::parse("2025-09").unwrap()).is_ok());
        assert!(open
            .check_period(Period::parse("2025-10").unwrap())
            .is_err());
    }

    #[test]
    fn values_are_refused_when_negative_too_large_or_not_the_facilitys() {
        let catalogue = default_metrics();
        let f = facts(&catalogue);
        let input = |metric: &str, value| ValueInput {
            metric: metric.into(),
            value: Some(value),
            note: None,
        };
        assert!(f.check_value(&input("syringes_out", 0)).is_ok());
        let e = f.check_value(&input("syringes_out", -1)).unwrap_err();
        assert_eq!(e.field, "values.syringes_out");
        assert!(f
            .check_value(&input("syringes_out", VALUE_MAX + 1))
            .is_err());
        assert!(f.check_value(&input("visits", 3)).is_err(), "not offered");
        assert!(f.check_value(&input("no_such", 3)).is_err());
        assert!(f
            .metrics()
            .iter()
            .all(|m| m.services.contains(ServiceType::SyringeExchange)));
    }

    #[test]
    fn numbers_are_read_with_thousands_separators_and_a_sign() {
        assert_eq!(parse_value(" 12.500 ").unwrap(), Some(12500));
        assert_eq!(parse_value("-3").unwrap(), Some(-3));
        assert_eq!(parse_value("").unwrap(), None);
        assert!(parse_value("3,5").is_err());
        assert!(parse_value("abc").is_err());
    }

    #[test]
    fn warnings_need_a_note() {
        let values: BTreeMap<String, i64> = [
            ("syringes_out".to_string(), 100),
            ("syringes_in".to_string(), 151),
            ("patients_in_treatment".to_string(), 41),
            ("treatment_places".to_string(), 40),
        ]
        .into();
        let found = warnings(&values, &BTreeMap::new());
        assert_eq!(found.len(), 2, "{found:?}");
        let small: BTreeMap<String, i64> = [
            ("syringes_out".to_string(), 4),
            ("syringes_in".to_string(), 10),
        ]
        .into();
        assert!(
            warnings(&small, &BTreeMap::new()).is_empty(),
            "within the margin"
        );
        let history: BTreeMap<String, Vec<i64>> =
            [("syringes_out".to_string(), vec![30, 40, 50, 35])].into();
        let high: BTreeMap<String, i64> = [("syringes_out".to_string(), 200)].into();
        let found = warnings(&high, &history);
        assert_eq!(found[0].metric, "syringes_out");
        let notes: BTreeMap<String, String> =
            [("syringes_out".to_string(), "festival".into())].into();
        assert!(unconfirmed(&found, &notes).is_empty());
        assert_eq!(
            unconfirmed(&found, &BTreeMap::new())[0].field,
            "values.syringes_out.note"
        );
    }
}
