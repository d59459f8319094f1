//! `/cijfers/indicatoren` (every indicator: what it is, how it is
//! computed, its bands and the national value) and
//! `/cijfers/indicatoren/{code}` (one indicator's rows, the country and
//! the provinces, per service where it has them, with the figures each
//! stands on). Public figures only, for everyone; the same answer as
//! JSON is `GET /api/v1/indicators`, linked from the page. A year is
//! asked with `?jaar=`; last year by default, as the API does, since an
//! indicator describes a whole year.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::super::{parse_query, FieldErrors, Page, PageError, PageResult};
use super::view::{bands_text, tile_rows};
use super::{year_field, year_options};
use crate::dashboards::indicators::{area_name, indicator, indicators_for, IndicatorQuery};
use crate::domain::date::today;
use crate::domain::figure::NATIONAL;
use crate::domain::indicator::{IndicatorCode, IndicatorInput};
use crate::domain::number::written;
use crate::domain::table1::Qualifier;
use crate::domain::text::catalogue;
use crate::http::app::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Query {
    jaar: String,
}

#[derive(Debug, Serialize)]
struct InputRow {
    /// The row it belongs to: area, and service where there is one.
    row: String,
    what: String,
    area: String,
    period: String,
    value: String,
    source: String,
    note: String,
}

/// The year of the page, or the reason it is not one.
fn year_of(page: &Page, text: &str) -> Result<i32, String> {
    year_field(page, text, today().year() - 1)
}

/// The page without figures, saying why the year is not one (400).
fn year_error(page: &Page, message: String, template: &str, here: &str) -> PageResult {
    let default = today().year() - 1;
    let mut errors = FieldErrors::new();
    errors.insert("jaar".into(), message);
    Ok(page.render(
        template,
        StatusCode::BAD_REQUEST,
        context! {
            errors,
            action => here,
            year => default,
            years => year_options(default),
            failed => true,
        },
    ))
}

pub async fn list(
    page: Page,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: Query = parse_query(query.as_deref())?;
        let here = "/cijfers/indicatoren";
        let year = match year_of(&page, &query.jaar) {
            Ok(year) => year,
            Err(message) => return year_error(&page, message, "dashboards/indicators.html", here),
        };
        let answers = indicators_for(&state.store, None, year, true, page.lang).await?;
        let indicators: Vec<_> = answers
            .iter()
            .map(|answer| {
                let rows: Vec<_> = tile_rows(&page, answer)
                    .into_iter()
                    .filter(|r| r.area == NATIONAL)
                    .collect();
                context! {
                    code => answer.code.code(),
                    name => answer.name,
                    unit => answer.unit,
                    formula => answer.formula,
                    bands => bands_text(&page, answer),
                    has_bands => answer.bands.is_some(),
                    per_service => answer.code.per_service(),
                    rows,
                    href => format!("/cijfers/indicatoren/{}?jaar={year}", answer.code.code()),
                }
            })
            .collect();
        Ok(page.render(
            "dashboards/indicators.html",
            StatusCode::OK,
            context! {
                errors => FieldErrors::new(),
                action => here,
                year,
                years => year_options(year),
                indicators,
                api_url => format!("/api/v1/indicators?code=syringes_per_pwid&year={year}&lang={}", page.lang.code()),
            },
        ))
    })
    .await
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let code = IndicatorCode::parse(&code)
            .ok_or_else(|| PageError::not_found("dashboards.error.no_indicator"))?;
        let query: Query = parse_query(query.as_deref())?;
        let here = format!("/cijfers/indicatoren/{}", code.code());
        let year = match year_of(&page, &query.jaar) {
            Ok(year) => year,
            Err(message) => return year_error(&page, message, "dashboards/indicator.html", &here),
        };
        let question = IndicatorQuery {
            code: Some(code.code().to_string()),
            year: Some(year.to_string()),
            ..IndicatorQuery::default()
        };
        let answer = indicator(&state.store, &question, true, page.lang).await?;
        let rows = tile_rows(&page, &answer);
        let mut inputs: Vec<InputRow> = Vec::new();
        for (row, view) in answer.rows.iter().zip(&rows) {
            let label = match &view.service {
                Some(service) => format!("{} · {service}", row.area_name),
                None => row.area_name.clone(),
            };
            for input in &row.inputs {
                inputs.push(input_row(&page, &label, input));
            }
        }
        Ok(page.render(
            "dashboards/indicator.html",
            StatusCode::OK,
            context! {
                errors => FieldErrors::new(),
                action => here,
                year,
                years => year_options(year),
                code => code.code(),
                name => answer.name,
                unit => answer.unit,
                formula => answer.formula,
                bands => bands_text(&page, &answer),
                has_bands => answer.bands.is_some(),
                per_service => code.per_service(),
                reference_day => crate::domain::hours::date_in_words(answer.reference_day, page.lang),
                rows,
                inputs,
                many_inputs => answer.rows.len() > 13,
                api_url => format!("/api/v1/indicators?code={}&year={year}&lang={}", code.code(), page.lang.code()),
            },
        ))
    })
    .await
}

fn input_row(page: &Page, row: &str, input: &IndicatorInput) -> InputRow {
    let lang = page.lang;
    let value = match input.value {
        Some(v) => {
            let number = written(v, 1, lang);
            match input.qualifier {
                Qualifier::Exact => number,
                Qualifier::AtLeast => format!("≥ {number}"),
                Qualifier::Approximate => format!("± {number}"),
                Qualifier::Unknown => format!("{number} ({})", page.text("table1.unknown")),
            }
        }
        None => page.text("dashboards.indicator.none"),
    };
    InputRow {
        row: row.to_string(),
        what: catalogue(lang)
            .get(&format!("dashboards.input.{}", input.key))
            .cloned()
            .unwrap_or_else(|| input.key.clone()),
        area: area_name(&input.area, lang),
        period: input.period.clone(),
        value,
        source: input.source.clone(),
        note: input.note.clone().unwrap_or_default(),
    }
}
