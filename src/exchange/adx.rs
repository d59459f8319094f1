//! Approved period values as ADX and as DHIS2 data value sets, and the
//! DHIS2 metadata to receive them (issue 15, item 3). The files are
//! written by `formats::adx`; this module decides what goes in them.
//!
//! Decisions:
//! - National staff (admin, researcher; by token, session or the command
//!   line) get the exact approved values per facility (org unit `VNF<id>`),
//!   each report at its own period; the read is audited.
//! - Everyone else gets the public figures: the municipality cells of the
//!   one suppressed cube every public table reads
//!   (`dashboards::public`), at the period the metric is reported over
//!   (months for the shipped catalogue). Cells shown "<5", "x" or "." are
//!   left out: a DHIS2 number cannot say "<5". Municipalities rather than
//!   facilities because the public cube goes no finer (`GET
//!   /api/v1/stats/metrics` refuses `facility` without a token); one
//!   level only, because DHIS2 adds the levels up itself and would count a
//!   province's total twice.
//! - The message says which it is: `vangnet:figures="exact|public"` on
//!   the ADX root (an extra attribute on a `group` would be a dimension to
//!   ADX and DHIS2), and `"figures"` in the JSON.
//! - `from` and `to` are periods (`2025-01`, `2025-Q1`, `2025`); a report
//!   is in when its period lies within `from`'s start and `to`'s end.

use std::collections::BTreeMap;

use chrono::Datelike;

use crate::dashboards::public::{FigureState, PublicFigures};
use crate::domain::access::{Principal, Role};
use crate::domain::error::{AppError, AppResult};
use crate::domain::metric::Period;
use crate::domain::provenance::Actor;
use crate::formats::adx::{facility_code, DataValueSet, FacilityUnit, Figures, Group};
use crate::register::reads::{list_facilities, Reader};
use crate::storage::audit::AuditEvent;
use crate::storage::facilities::FacilityFilter;
use crate::storage::rollups::Basis;
use crate::storage::Store;

/// Whether `who` gets exact figures: national staff.
pub fn exact_for(who: Option<&Principal>) -> bool {
    who.is_some_and(|p| matches!(p.role, Role::Admin | Role::Researcher))
}

fn period(field: &str, text: Option<&str>) -> AppResult<Period> {
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                field,
                "is required: a period such as 2025-01, 2025-Q1 or 2025",
            )
        })?;
    Period::parse(text).map_err(|r| AppError::invalid(field, r.english()))
}

/// The approved values of the periods from `from` to `to` as `who` may
/// see them (see the module's decisions).
pub async fn data_values(
    store: &Store,
    from: Option<&str>,
    to: Option<&str>,
    who: Option<&Principal>,
    actor: &Actor,
) -> AppResult<DataValueSet> {
    let from = period("from", from)?;
    let to = period("to", to)?;
    let (start, end) = (from.start(), to.end());
    if start >= end {
        return Err(AppError::invalid(
            "to",
            format!("{to} ends before {from} begins"),
        ));
    }
    let within = |p: Period| start <= p.start() && p.end() <= end;
    let metrics = store.metrics().await?;
    let mut cells: BTreeMap<(String, Period), BTreeMap<String, i64>> = BTreeMap::new();
    let figures = if exact_for(who) {
        let (first, after) = (start.year().to_string(), (end.year() + 1).to_string());
        let mut count = 0;
        for metric in &metrics {
            let facts = store
                .metric_facts(Basis::Approved, metric.code.as_str(), &first, &after)
                .await?;
            for fact in facts {
                let Ok(p) = Period::parse(&fact.period) else {
                    continue;
                };
                if within(p) {
                    count += 1;
                    cells
                        .entry((facility_code(fact.facility_id), p))
                        .or_default()
                        .insert(metric.code.to_string(), fact.value);
                }
            }
        }
        store
            .audit(
                &AuditEvent::new("export", actor, "period_report")
                    .object("adx")
                    .detail(format!(
                        "{count} exact approved values per facility, {from} to {to}"
                    )),
            )
            .await?;
        Figures::Exact
    } else {
        let public = PublicFigures::load(store).await?;
        for (code, area, label, figure) in public.cells() {
            let Some(metric) = metrics.iter().find(|m| m.code.as_str() == code) else {
                continue;
            };
            let Ok(p) = Period::parse(&label) else {
                continue;
            };
            if !area.starts_with("GM")
                || p.kind() != metric.period
                || !within(p)
                || figure.state != FigureState::Value
            {
                continue;
            }
            if let Some(value) = figure.value {
                cells.entry((area, p)).or_default().insert(code, value);
            }
        }
        Figures::Public
    };
    let mut groups: Vec<Group> = cells
        .into_iter()
        .map(|((org_unit, period), values)| Group {
            org_unit,
            period,
            values: values.into_iter().collect(),
        })
        .collect();
    // By period, then org unit as a number would sort (VNF2 before VNF10).
    groups.sort_by(|a, b| {
        (a.period, a.org_unit.len(), &a.org_unit).cmp(&(b.period, b.org_unit.len(), &b.org_unit))
    });
    Ok(DataValueSet {
        figures,
        exported: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        groups,
    })
}

/// The DHIS2 metadata for `who`: the facilities they may see (the
/// public: public facilities; national staff: all, audited by
/// `register::reads`), the metric catalogue and the data sets.
pub async fn metadata(
    store: &Store,
    who: Option<&Principal>,
    actor: &Actor,
) -> AppResult<serde_json::Value> {
    let metrics = store.metrics().await?;
    let facilities =
        list_facilities(store, Reader { who, actor }, FacilityFilter::default()).await?;
    let units: Vec<FacilityUnit> = facilities
        .into_iter()
        .map(|(f, _)| FacilityUnit {
            id: f.id,
            name: f.fields.name.clone(),
            municipality_code: f.fields.municipality_code.clone(),
            opened_on: f.counts_from.format("%Y-%m-%d").to_string(),
            closed_on: f
                .fields
                .closed_on
                .map(|d| d.date().format("%Y-%m-%d").to_string()),
        })
        .collect();
    Ok(crate::formats::adx::dhis2_metadata(&metrics, &units))
}
