//! The open-data files under `/opendata/`: the public facility list in
//! every export format, as of any day, and the reference geography, with
//! their machine-readable index (`/opendata/index.json`). Only publicly
//! accessible facilities that are open on the day are published. The page
//! that explains them to people is `web::pages::opendata`.

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::domain::date::today;
use crate::domain::geo::{OUTLINE_GEOJSON, PROVINCES_GEOJSON};
use crate::formats::columns::ExportScope;
use crate::formats::{export_facilities, ExportFormat};
use crate::http::api::{date_param, ApiQuery};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult};

/// The facility list's formats, in the order the index and the page list them.
pub const FORMATS: [ExportFormat; 4] = [
    ExportFormat::Csv,
    ExportFormat::Xlsx,
    ExportFormat::Json,
    ExportFormat::Geojson,
];

/// The reference geography's files.
pub const GEOGRAPHY: [&str; 2] = ["provinces.geojson", "netherlands.geojson"];

/// The licence of vangnet's own data (README, "Data and licences").
pub const LICENCE: &str = "CC BY 4.0";

/// What can be downloaded, with its licence, for programs.
pub fn index() -> serde_json::Value {
    let files: Vec<_> = FORMATS
        .iter()
        .map(|f| {
            json!({
                "url": format!("/opendata/facilities.{}", f.extension()),
                "format": f.extension(),
                "media_type": f.content_type(),
                "description": "Publicly accessible harm-reduction facilities open on the day (?as_of=YYYY-MM-DD, default today)",
                "updated": "live",
            })
        })
        .chain([
            json!({"url": "/opendata/metric_figures.csv", "format": "csv", "media_type": "text/csv", "description": "Approved monitoring figures per metric, area (country, province, municipality) and month, quarter and year, as every public table shows them: 1 to 4 people or acts as <5, cells hidden to protect them as x or .", "updated": "live"}),
            json!({"url": "/opendata/provinces.geojson", "format": "geojson", "description": "Province outlines (Natural Earth, public domain)", "updated": "with each release"}),
            json!({"url": "/opendata/netherlands.geojson", "format": "geojson", "description": "Outline of the European Netherlands (Natural Earth, public domain)", "updated": "with each release"}),
        ])
        .collect();
    json!({
        "title": "vangnet open data",
        "page": "/opendata/",
        "licence": format!("{LICENCE}; reference geography: GeoNames (CC BY 4.0) and Natural Earth (public domain)"),
        "files": files,
    })
}

/// `/opendata/index.json`: the index for programs.
pub async fn catalogue() -> Json<serde_json::Value> {
    Json(index())
}

/// `/opendata`: the page lives at `/opendata/`.
pub async fn without_slash() -> Redirect {
    Redirect::permanent("/opendata/")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    pub as_of: Option<String>,
}

pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    ApiQuery(query): ApiQuery<DownloadQuery>,
) -> AppResult<impl IntoResponse> {
    let static_file = match file.as_str() {
        "provinces.geojson" => Some(PROVINCES_GEOJSON),
        "netherlands.geojson" => Some(OUTLINE_GEOJSON),
        _ => None,
    };
    if file == "metric_figures.csv" {
        let body = crate::dashboards::public::open_data_csv(&state.store).await?;
        return Ok((
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"vangnet-metric-figures.csv\"".to_string(),
                ),
            ],
            body,
        )
            .into_response());
    }
    if let Some(body) = static_file {
        return Ok((
            [(CONTENT_TYPE, "application/geo+json".to_string())],
            body.as_bytes().to_vec(),
        )
            .into_response());
    }
    let format = file
        .strip_prefix("facilities.")
        .and_then(ExportFormat::parse)
        .ok_or_else(|| AppError::NotFound(format!("there is no open-data file '{file}'")))?;
    let day = date_param("as_of", &query.as_of)?.unwrap_or_else(today);
    let facilities = crate::register::reads::open_public_facilities(&state.store, day).await?;
    let body = export_facilities(&facilities, day, format, ExportScope::Public)?;
    Ok((
        [
            (CONTENT_TYPE, format.content_type().to_string()),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"vangnet-facilities-{day}.{}\"",
                    format.extension()
                ),
            ),
        ],
        body,
    )
        .into_response())
}
