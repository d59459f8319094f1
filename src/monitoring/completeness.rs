//! Period reports over many facilities: the reports a caller may see, and
//! the completeness of a period (expected, submitted, approved, who is
//! late). Reads of reports are non-public and audited.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::reports::parse_period;
use crate::domain::access::Principal;
use crate::domain::error::AppResult;
use crate::domain::facility::Facility;
use crate::domain::metric::Period;
use crate::domain::period_report::ReportStatus;
use crate::domain::provenance::Actor;
use crate::register::scope;
use crate::storage::audit::AuditEvent;
use crate::storage::facilities::FacilityFilter;
use crate::storage::period_reports::{ReportFilter, StoredReport};
use crate::storage::Store;

/// Completeness of one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Completeness {
    #[schema(value_type = String, example = "2025-03")]
    pub period: Period,
    /// Facilities open in the period with a service that has metrics.
    pub expected: usize,
    /// Submitted or approved.
    pub submitted: usize,
    pub approved: usize,
    /// Expected facilities with no submitted or approved report.
    pub late: Vec<LateFacility>,
    /// Every expected facility with its report's status (none: no report).
    pub facilities: Vec<LateFacility>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LateFacility {
    pub facility_id: i64,
    pub name: String,
    pub status: Option<ReportStatus>,
}

/// Reports matching a filter, within the caller's reach; audited.
pub async fn list_reports(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    filter: &ReportFilter,
) -> AppResult<Vec<StoredReport>> {
    let reports = store.period_reports(filter).await?;
    let mut shown = Vec::with_capacity(reports.len());
    let mut facilities: BTreeMap<i64, bool> = BTreeMap::new();
    for r in reports {
        let allowed = match facilities.get(&r.facility_id) {
            Some(a) => *a,
            None => {
                let a = crate::register::reads::current_facility(store, r.facility_id)
                    .await?
                    .is_some_and(|f| who.may_report_for(scope(&f)));
                facilities.insert(r.facility_id, a);
                a
            }
        };
        if allowed {
            shown.push(r);
        }
    }
    store
        .audit(&AuditEvent::new("read", actor, "period_report").object("list"))
        .await?;
    Ok(shown)
}

/// Completeness of a period over the facilities within the caller's reach:
/// those that counted (were open) in the period with a service that has
/// metrics in use; late are those without a submitted or approved report.
pub async fn completeness(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    period: &str,
) -> AppResult<Completeness> {
    let period = parse_period(period)?;
    let catalogue = store.metrics().await?;
    let filter = FacilityFilter {
        internal: who.internal_scope(),
        organisation_id: if who.may_manage_monitoring() {
            None
        } else {
            who.organisation_id
        },
        ..FacilityFilter::default()
    };
    let facilities: Vec<Facility> = store
        .list_facilities(&filter)
        .await?
        .into_iter()
        .filter(|f| who.may_report_for(scope(f)))
        .filter(|f| {
            f.counts_from < period.end()
                && f.fields.closed_on.is_none_or(|c| c.date() > period.start())
                && catalogue
                    .iter()
                    .any(|m| m.retired_at.is_none() && m.applies_to(f.fields.services))
        })
        .collect();
    let reports: BTreeMap<i64, ReportStatus> = store
        .period_reports(&ReportFilter {
            period: Some(period),
            ..ReportFilter::default()
        })
        .await?
        .into_iter()
        .map(|r| (r.facility_id, r.status))
        .collect();
    let mut done = Completeness {
        period,
        expected: facilities.len(),
        submitted: 0,
        approved: 0,
        late: Vec::new(),
        facilities: Vec::new(),
    };
    for f in &facilities {
        let status = reports.get(&f.id).copied();
        let line = LateFacility {
            facility_id: f.id,
            name: f.fields.name.clone(),
            status,
        };
        match status {
            Some(ReportStatus::Approved) => {
                done.approved += 1;
                done.submitted += 1;
            }
            Some(ReportStatus::Submitted) => done.submitted += 1,
            _ => done.late.push(line.clone()),
        }
        done.facilities.push(line);
    }
    store
        .audit(
            &AuditEvent::new("read", actor, "period_report")
                .object(format!("completeness/{period}")),
        )
        .await?;
    Ok(done)
}
