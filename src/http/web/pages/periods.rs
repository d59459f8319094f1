//! `/beheer/rapportages`: period reports for staff. The overview picks a
//! period and shows its completeness (expected, submitted, approved, who
//! is late); `/beheer/rapportages/{facility}/{period}` is a facility's
//! report: a field per metric of its services, prefilled from tallies
//! ("uit turven: N"), a note field where a warning asks for one, and the
//! buttons the reader's role allows (save, submit, approve, reopen).
//! Plain forms: it all works without JavaScript. The rules are in
//! `crate::monitoring::reports`. `/beheer/rapportages/import` loads many
//! reports from a file ([`import`]).

pub mod import;

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::Deserialize;

use crate::domain::date::today;
use crate::domain::error::Conflict;
use crate::domain::metric::Period;
use crate::domain::period_report::{parse_value, ReportStatus, ValueInput};
use crate::domain::FieldError;
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::{parse_query, see_other, FieldErrors, Page, PageError};
use crate::monitoring::completeness;
use crate::monitoring::reports::{self, ReportInput, ReportView};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OverviewQuery {
    periode: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReportQuery {
    melding: Option<String>,
}

/// The month before this one: the period most people come to fill.
fn last_month() -> Period {
    let first = Period::month_of(today()).start();
    Period::month_of(first.pred_opt().expect("a day before the first"))
}

fn status_label(page: &Page, status: Option<ReportStatus>) -> String {
    page.text(&format!(
        "periods.status.{}",
        status.map_or("none", ReportStatus::code)
    ))
}

fn report_path(id: i64, period: &str) -> String {
    format!("/beheer/rapportages/{id}/{period}")
}

pub async fn overview(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: OverviewQuery = parse_query(query.as_deref())?;
        let who = page.caller.principal()?;
        let chosen = query
            .periode
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| last_month().to_string());
        let mut errors = FieldErrors::new();
        let period = match Period::parse(&chosen) {
            Ok(p) => p,
            Err(reason) => {
                errors.insert("periode".into(), sentence(&reason.text(page.lang)));
                last_month()
            }
        };
        let done = completeness::completeness(
            &state.store,
            who,
            &page.caller.actor(),
            &period.to_string(),
        )
        .await?;
        let line = |f: &completeness::LateFacility| {
            context! {
                id => f.facility_id,
                name => f.name,
                status => f.status.map_or("none", ReportStatus::code),
                status_label => status_label(&page, f.status),
                href => report_path(f.facility_id, &period.to_string()),
            }
        };
        let facilities: Vec<Value> = done.facilities.iter().map(line).collect();
        let late: Vec<Value> = done.late.iter().map(line).collect();
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Ok(page.render(
            "periods/overview.html",
            status,
            context! {
                period => period.to_string(),
                chosen,
                errors,
                expected => done.expected,
                submitted => done.submitted,
                approved => done.approved,
                facilities,
                late,
            },
        ))
    })
    .await
}

/// The form as typed: metric → (value text, note).
type Typed = BTreeMap<String, (String, String)>;

fn render(
    page: &Page,
    view: &ReportView,
    status: StatusCode,
    typed: Option<&Typed>,
    errors: FieldErrors,
    message: Option<String>,
) -> Response {
    let who = page.caller.principal.as_ref();
    let lines: Vec<Value> = view
        .lines
        .iter()
        .map(|l| {
            let (value, note) = match typed.and_then(|t| t.get(&l.metric)) {
                Some((v, n)) => (v.clone(), n.clone()),
                None => (
                    l.value.map(|v| v.to_string()).unwrap_or_default(),
                    l.note.clone().unwrap_or_default(),
                ),
            };
            let warning = view
                .warnings
                .iter()
                .find(|(m, _)| *m == l.metric)
                .map(|(_, r)| sentence(&r.text(page.lang)));
            let asks_note = warning.is_some()
                || errors.contains_key(&format!("note-{}", l.metric))
                || !note.is_empty();
            context! {
                metric => l.metric,
                name => if page.lang == crate::domain::language::Language::Nl { &l.name_nl } else { &l.name_en },
                unit => l.unit,
                value,
                note,
                asks_note,
                warning,
                from_tallies => l.from_tallies.map(|n| page.text_with("periods.from_tallies", &[("n", n.to_string())])),
            }
        })
        .collect();
    let changes: Vec<Value> = view
        .changes
        .iter()
        .map(|c| {
            context! {
                metric => c.metric,
                before => c.before.map(|v| v.to_string()).unwrap_or_else(|| "–".into()),
                after => c.after.map(|v| v.to_string()).unwrap_or_else(|| "–".into()),
                by => c.changed_by,
                at => c.changed_at,
            }
        })
        .collect();
    // The handler checks the organisation; a reporter never approves.
    let may_approve = who.is_some_and(|p| p.role != crate::domain::access::Role::Reporter)
        && view.status == ReportStatus::Submitted;
    let may_reopen =
        who.is_some_and(|p| p.may_manage_monitoring()) && view.status == ReportStatus::Approved;
    page.render(
        "periods/report.html",
        status,
        context! {
            facility_id => view.facility_id,
            facility_name => view.facility_name,
            period => view.period.to_string(),
            action => report_path(view.facility_id, &view.period.to_string()),
            status => view.status.code(),
            status_label => status_label(page, view.stored.then_some(view.status)),
            editable => view.status.editable(),
            may_approve,
            may_reopen,
            reopened_reason => view.reopened_reason,
            submitted_by => view.submitted_by,
            approved_by => view.approved_by,
            source => view.source,
            lines,
            changes,
            errors,
            message,
        },
    )
}

fn key(path: &(String, String)) -> Result<(i64, String), PageError> {
    let id = path
        .0
        .parse::<i64>()
        .map_err(|_| PageError::not_found("periods.not_found"))?;
    Ok((id, path.1.clone()))
}

/// A message code a redirect carries.
fn message(page: &Page, code: Option<&str>) -> Option<String> {
    let key = match code? {
        "opgeslagen" => "periods.message.saved",
        "ingediend" => "periods.message.submitted",
        "goedgekeurd" => "periods.message.approved",
        "heropend" => "periods.message.reopened",
        _ => return None,
    };
    Some(page.text(key))
}

pub async fn report(
    page: Page,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let (id, period) = key(&path)?;
        let query: ReportQuery = parse_query(query.as_deref())?;
        let who = page.caller.principal()?;
        let view = reports::read_report(
            &state.store,
            who,
            &page.caller.actor(),
            id,
            &period,
            today(),
        )
        .await?;
        let message = message(&page, query.melding.as_deref());
        Ok(render(
            &page,
            &view,
            StatusCode::OK,
            None,
            FieldErrors::new(),
            message,
        ))
    })
    .await
}

/// The page's name of a domain field: `values.X` → `value-X`, `values.X.note` → `note-X`.
fn form_field(field: &str) -> String {
    match field.strip_prefix("values.") {
        Some(rest) => match rest.strip_suffix(".note") {
            Some(metric) => format!("note-{metric}"),
            None => format!("value-{rest}"),
        },
        None => field.to_string(),
    }
}

fn field_errors(page: &Page, refused: Vec<FieldError>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for e in refused {
        errors
            .entry(form_field(&e.field))
            .or_insert_with(|| sentence(&e.text(page.lang)));
    }
    errors
}

/// Saves the values (`action=opslaan`) or saves and submits (`action=indienen`).
pub async fn save(
    page: Page,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    body: Bytes,
) -> Response {
    page.run(async {
        let (id, period) = key(&path)?;
        let who = page.caller.principal()?;
        let actor = page.caller.actor();
        let view = reports::read_report(&state.store, who, &actor, id, &period, today()).await?;
        let fields: Vec<(String, String)> = page.form(&body)?;
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let submitting = get("action") == "indienen";
        let mut typed = Typed::new();
        let mut errors = FieldErrors::new();
        let mut values = Vec::new();
        for l in &view.lines {
            let text = get(&format!("value-{}", l.metric));
            let note = get(&format!("note-{}", l.metric));
            typed.insert(l.metric.clone(), (text.clone(), note.clone()));
            match parse_value(&text) {
                Ok(value) => values.push(ValueInput {
                    metric: l.metric.clone(),
                    value,
                    note: Some(note).filter(|n| !n.trim().is_empty()),
                }),
                Err(reason) => {
                    errors.insert(
                        format!("value-{}", l.metric),
                        sentence(&reason.text(page.lang)),
                    );
                }
            }
        }
        if errors.is_empty() {
            let input = ReportInput { values };
            let done = if submitting {
                reports::submit(&state.store, who, &actor, id, &period, &input, today()).await
            } else {
                reports::set_values(&state.store, who, &actor, id, &period, &input, today()).await
            };
            match done {
                Ok(_) => {
                    let code = if submitting {
                        "ingediend"
                    } else {
                        "opgeslagen"
                    };
                    return Ok(see_other(&format!(
                        "{}?melding={code}",
                        report_path(id, &period)
                    )));
                }
                Err(AppError::Invalid(refused)) => errors = field_errors(&page, refused),
                Err(AppError::Conflict(Conflict { reason, .. })) => {
                    errors.insert("status".into(), sentence(&reason.text(page.lang)));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(render(
            &page,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&typed),
            errors,
            None,
        ))
    })
    .await
}

/// Approves; the button's form holds only its token, which the route guard checks.
pub async fn approve(
    page: Page,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
) -> Response {
    page.run(async {
        let (id, period) = key(&path)?;
        let who = page.caller.principal()?;
        reports::approve(
            &state.store,
            who,
            &page.caller.actor(),
            id,
            &period,
            today(),
        )
        .await?;
        Ok(see_other(&format!(
            "{}?melding=goedgekeurd",
            report_path(id, &period)
        )))
    })
    .await
}

pub async fn reopen(
    page: Page,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    body: Bytes,
) -> Response {
    page.run(async {
        let (id, period) = key(&path)?;
        let who = page.caller.principal()?;
        if !who.may_manage_monitoring() {
            return Err(AppError::Forbidden(format!(
                "your role ({}) may not reopen reports",
                who.role
            ))
            .into());
        }
        let fields: Vec<(String, String)> = page.form(&body)?;
        let reason = fields
            .iter()
            .find(|(n, _)| n == "reason")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let actor = page.caller.actor();
        match reports::reopen(&state.store, who, &actor, id, &period, &reason, today()).await {
            Ok(_) => Ok(see_other(&format!(
                "{}?melding=heropend",
                report_path(id, &period)
            ))),
            Err(AppError::Invalid(refused)) => {
                let view =
                    reports::read_report(&state.store, who, &actor, id, &period, today()).await?;
                let errors = field_errors(&page, refused);
                Ok(render(
                    &page,
                    &view,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    errors,
                    None,
                ))
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}
