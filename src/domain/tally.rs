//! A tally: one anonymous count at the desk (a facility, a moment, a
//! metric, an amount) and nothing else. The id is made on the device that
//! counted, so sending it again (after the connection came back) never
//! counts twice.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use serde::Deserialize;
use utoipa::ToSchema;

use super::metric::MetricCode;
use super::{required, FieldError, Reason};

/// The most one tally may count: a box of 1,000 syringes handed out at
/// once is the largest unit a desk hands over; more is a typing error.
pub const AMOUNT_MAX: i64 = 1000;

/// How long after recording a tally its counter may take it back (the
/// undo of a mistaken tap): long enough to notice, short enough that a
/// day's figures settle.
pub const UNDO_SECONDS: i64 = 60;

/// Whether a tally recorded at `recorded_at` (RFC 3339) may still be taken
/// back at `now`.
pub fn may_undo(recorded_at: &str, now: DateTime<Utc>) -> bool {
    DateTime::parse_from_rfc3339(recorded_at).is_ok_and(|at| {
        let age = now.signed_duration_since(at.with_timezone(&Utc));
        age <= chrono::Duration::seconds(UNDO_SECONDS)
    })
}

/// How far ahead of the server's clock a device's clock may be.
const CLOCK_SKEW_HOURS: i64 = 24;

/// A tally as the device, the API or a file sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TallyInput {
    /// Made on the device: 8 to 64 letters, digits, `-` or `_` (a UUID will do).
    #[schema(example = "9b2f6c1e-4d0a-4c61-8f3e-2a7d1c0b5e44")]
    pub id: Option<String>,
    pub facility_id: Option<i64>,
    /// ISO 8601 date-time; without an offset it is Dutch local time.
    #[schema(example = "2026-12-03T10:15:00+01:00")]
    pub at: Option<String>,
    #[schema(example = "syringes_out")]
    pub metric: Option<String>,
    /// 1 to 1000.
    pub amount: Option<i64>,
}

/// A checked tally.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub id: String,
    pub facility_id: i64,
    pub at: DateTime<Utc>,
    pub metric: MetricCode,
    pub amount: i64,
}

impl Tally {
    /// The Dutch day it was counted on: the day a period sums it into.
    pub fn day(&self) -> NaiveDate {
        self.at.with_timezone(&Amsterdam).date_naive()
    }
}

/// An id a device made: 8 to 64 letters, digits, `-` or `_`.
pub fn parse_id(text: &str) -> Result<String, Reason> {
    let id = text.trim();
    let ok = (8..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(id.to_string())
    } else {
        Err(Reason::of("error.tally_id", &[("value", id.to_string())]))
    }
}

/// An ISO 8601 moment: with an offset (`2026-12-03T10:15:00+01:00`, `…Z`)
/// as given, without one (`2026-12-03T10:15`, `2026-12-03 10:15:00`) as
/// Dutch local time; not before 1990 and not more than a day ahead of `now`.
pub fn parse_moment(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Reason> {
    let text = text.trim();
    let refused = || Reason::of("error.moment", &[("value", text.to_string())]);
    // The earlier of an hour that happens twice (the autumn clock change).
    let dutch = |local: NaiveDateTime| {
        Amsterdam
            .from_local_datetime(&local)
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .ok_or_else(refused)
    };
    // Most exports write `2026-12-03T10:15:00` without an offset: that
    // shape first, read without a format string to interpret; then with an
    // offset; then the other shapes without one.
    let moment = if let Ok(local) = text.parse::<NaiveDateTime>() {
        dutch(local)?
    } else if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        at.with_timezone(&Utc)
    } else {
        let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .ok_or_else(refused)?;
        dutch(local)?
    };
    let earliest = Utc
        .with_ymd_and_hms(1990, 1, 1, 0, 0, 0)
        .single()
        .ok_or_else(refused)?;
    if moment < earliest || moment > now + chrono::Duration::hours(CLOCK_SKEW_HOURS) {
        return Err(Reason::of(
            "error.moment_range",
            &[("value", text.to_string())],
        ));
    }
    Ok(moment)
}

impl TallyInput {
    /// Checks every field; `now` bounds the moment. Whether the facility
    /// and the metric exist (and fit) is for the use case, which knows them.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Tally, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut need = |field: &'static str, present: bool| {
            if !present {
                errors.push(FieldError::because(field, required()));
            }
        };
        need("id", self.id.is_some());
        need("facility_id", self.facility_id.is_some());
        need("at", self.at.is_some());
        need("metric", self.metric.is_some());
        need("amount", self.amount.is_some());
        let id = self.id.as_deref().map(parse_id).and_then(|r| {
            r.map_err(|e| errors.push(FieldError::because("id", e)))
                .ok()
        });
        let at = self
            .at
            .as_deref()
            .map(|t| parse_moment(t, now))
            .and_then(|r| {
                r.map_err(|e| errors.push(FieldError::because("at", e)))
                    .ok()
            });
        let metric = self.metric.as_deref().map(MetricCode::parse).and_then(|r| {
            r.map_err(|e| errors.push(FieldError::because("metric", e)))
                .ok()
        });
        if let Some(amount) = self.amount.filter(|a| !(1..=AMOUNT_MAX).contains(a)) {
            errors.push(FieldError::because(
                "amount",
                Reason::of(
                    "error.tally_amount",
                    &[
                        ("value", amount.to_string()),
                        ("max", AMOUNT_MAX.to_string()),
                    ],
                ),
            ));
        }
        match (id, self.facility_id, at, metric, self.amount) {
            (Some(id), Some(facility_id), Some(at), Some(metric), Some(amount))
                if errors.is_empty() =>
            {
                Ok(Tally {
                    id,
                    facility_id,
                    at,
                    metric,
                    amount,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_tally_may_be_taken_back_within_a_minute_only() {
        assert!(may_undo("2026-12-03T11:59:00Z", now()));
        assert!(!may_undo("2026-12-03T11:58:59Z", now()));
        assert!(!may_undo("not a time", now()));
    }

    #[test]
    fn a_moment_without_offset_is_dutch_local_time() {
        let at = parse_moment("2026-07-01T10:00", now()).unwrap();
        assert_eq!(
            at.to_rfc3339(),
            "2026-07-01T08:00:00+00:00",
            "summer time is UTC+2"
        );
        let winter = parse_moment("2026-12-01 10:00:00", now()).unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-12-01T09:00:00+00:00");
        let given = parse_moment("2026-12-01T10:00:00Z", now()).unwrap();
        assert_eq!(given.to_rfc3339(), "2026-12-01T10:00:00+00:00");
        for bad in [
            "",
            "gisteren",
            "2026-13-01T10:00",
            "1989-12-31T23:00:00Z",
            "2026-12-05T12:00:00Z",
        ] {
            assert!(parse_moment(bad, now()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_tally_names_every_field_that_is_wrong() {
        let input = TallyInput {
            id: Some("kort".into()),
            facility_id: Some(1),
            at: Some("2026-12-03T10:00".into()),
            metric: Some("Spuiten".into()),
            amount: Some(0),
        };
        let fields: Vec<String> = input
            .validate(now())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["id", "metric", "amount"]);
        let good = TallyInput {
            id: Some("device-1-000001".into()),
            metric: Some("syringes_out".into()),
            amount: Some(5),
            ..input
        };
        let tally = good.validate(now()).unwrap();
        assert_eq!(tally.day(), NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    }
}
