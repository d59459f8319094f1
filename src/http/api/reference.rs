//! `/api/v1/municipalities` and `/api/v1/provinces`: the bundled reference geography.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use crate::domain::geo::geo;
use crate::http::error::{AppError, AppResult, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityJson {
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub province: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProvinceJson {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityQuery {
    /// Only the municipalities of this province (ISO code or name).
    province: Option<String>,
}

/// The 342 municipalities (CBS codes) with their province.
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "reference", params(MunicipalityQuery),
    responses((status = 200, body = Vec<MunicipalityJson>), (status = 400, body = ErrorBody)))]
pub async fn municipalities(
    ApiQuery(query): ApiQuery<MunicipalityQuery>,
) -> AppResult<Json<Vec<MunicipalityJson>>> {
    let province =
        match query.province.as_deref() {
            None => None,
            Some(p) => Some(geo().province(p).ok_or_else(|| {
                AppError::BadRequest(format!("province: unknown province '{p}'"))
            })?),
        };
    Ok(Json(
        geo()
            .municipalities()
            .iter()
            .filter(|m| province.is_none_or(|p| p.code == m.province_code))
            .map(|m| MunicipalityJson {
                code: m.code.clone(),
                name: m.name.clone(),
                province_code: m.province_code.clone(),
                province: m.province_name.clone(),
                latitude: m.latitude,
                longitude: m.longitude,
            })
            .collect(),
    ))
}

/// The 12 provinces. Their shapes are at `/opendata/provinces.geojson`.
#[utoipa::path(get, path = "/api/v1/provinces", tag = "reference",
    responses((status = 200, body = Vec<ProvinceJson>)))]
pub async fn provinces() -> Json<Vec<ProvinceJson>> {
    Json(
        geo()
            .provinces()
            .iter()
            .map(|p| ProvinceJson {
                code: p.code.clone(),
                name: p.name.clone(),
            })
            .collect(),
    )
}
