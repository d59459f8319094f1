//! `/beheer/metingen`: the metric catalogue for staff. Everyone signed in
//! sees what vangnet counts (in their language, with the services that
//! report it and whether small public values are suppressed); admins and
//! researchers add metrics and retire them (their data stays).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

use super::{parse_query, see_other, FieldErrors, MessageQuery, Page, PageResult};
use crate::domain::error::AppError;
use crate::domain::metric::MetricInput;
use crate::http::app::AppState;
use crate::http::web::pages::error::sentence;
use crate::monitoring;

/// The add form as typed.
#[derive(Debug, Default, Clone, Serialize)]
struct MetricForm {
    code: String,
    name_nl: String,
    name_en: String,
    unit: String,
    period: String,
    aggregation: String,
    counts: String,
    services: Vec<String>,
}

impl MetricForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> MetricForm {
        let mut form = MetricForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "code" => form.code = value,
                "name_nl" => form.name_nl = value,
                "name_en" => form.name_en = value,
                "unit" => form.unit = value,
                "period" => form.period = value,
                "aggregation" => form.aggregation = value,
                "counts" => form.counts = value,
                "services" => form.services.push(value),
                _ => {}
            }
        }
        form
    }

    fn input(&self) -> MetricInput {
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        MetricInput {
            code: text(&self.code),
            name_nl: text(&self.name_nl),
            name_en: text(&self.name_en),
            unit: text(&self.unit),
            period: text(&self.period),
            aggregation: text(&self.aggregation),
            counts: text(&self.counts),
            services: Some(self.services.clone()),
        }
    }
}

async fn render(
    page: &Page,
    state: &AppState,
    status: StatusCode,
    form: &MetricForm,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let who = page.caller.principal()?;
    let metrics: Vec<_> = monitoring::metrics(&state.store)
        .await?
        .iter()
        .map(|m| {
            context! {
                code => m.code.as_str(),
                name => m.name(page.lang),
                unit => m.unit,
                counts => page.text(&format!("monitoring.counts.{}", m.counts.code())),
                aggregation => page.text(&format!("monitoring.aggregation.{}", m.aggregation.code())),
                services => m.services.iter().map(|s| page.text(&format!("finder.service.{}", s.code()))).collect::<Vec<_>>(),
                retired => m.retired_at.is_some(),
            }
        })
        .collect();
    let choice = |group: &str, codes: &[&str]| -> Vec<(String, String)> {
        codes
            .iter()
            .map(|c| (c.to_string(), page.text(&format!("monitoring.{group}.{c}"))))
            .collect()
    };
    let services: Vec<_> = crate::domain::service::ServiceType::ALL
        .iter()
        .map(|s| {
            context! {
                code => s.code(),
                label => page.text(&format!("finder.service.{}", s.code())),
                checked => form.services.iter().any(|c| c == s.code()),
            }
        })
        .collect();
    Ok(page.render(
        "metrics.html",
        status,
        context! {
            metrics,
            may_manage => who.may_manage_monitoring(),
            form,
            errors,
            message,
            counts_options => choice("counts", &["activity", "people", "things"]),
            aggregation_options => choice("aggregation", &["sum", "average", "last"]),
            services,
        },
    ))
}

pub async fn list(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: MessageQuery = parse_query(query.as_deref())?;
        let message = page.message(&query.melding);
        render(
            &page,
            &state,
            StatusCode::OK,
            &MetricForm::default(),
            FieldErrors::new(),
            message,
        )
        .await
    })
    .await
}

/// Adds a metric; what is wrong is shown at its field.
pub async fn create(page: Page, State(state): State<AppState>, body: Bytes) -> Response {
    page.run(async {
        let form = MetricForm::from_pairs(page.form(&body)?);
        let who = page.caller.principal()?;
        let mut errors = FieldErrors::new();
        match monitoring::add_metric(&state.store, &form.input(), who, &page.caller.actor()).await {
            Ok(_) => return Ok(see_other("/beheer/metingen?melding=meting-toegevoegd")),
            Err(AppError::Invalid(refused)) => {
                for e in refused {
                    errors
                        .entry(e.field)
                        .or_insert_with(|| sentence(&e.reason.text(page.lang)));
                }
            }
            Err(AppError::Conflict(conflict)) => {
                errors.insert(
                    conflict.field.unwrap_or("code").to_string(),
                    sentence(&conflict.reason.text(page.lang)),
                );
            }
            Err(e) => return Err(e.into()),
        }
        render(
            &page,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            errors,
            None,
        )
        .await
    })
    .await
}

/// Retires a metric (its data stays).
pub async fn retire(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let _: Vec<(String, String)> = page.form(&body)?;
        let who = page.caller.principal()?;
        match monitoring::retire_metric(&state.store, &code, who, &page.caller.actor()).await {
            Ok(()) => Ok(see_other("/beheer/metingen?melding=meting-buiten-gebruik")),
            Err(AppError::NotFound(_)) => Err(super::PageError::not_found("monitoring.not_found")),
            Err(e) => Err(e.into()),
        }
    })
    .await
}
