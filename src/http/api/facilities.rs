//! `/api/v1/facilities`: list, read, history, create and change.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{date_param, ApiJson, ApiQuery, Caller, Id};
use crate::domain::access::InternalScope;
use crate::domain::date::today;
use crate::domain::facility::{manual_source, FacilityInput, FacilityStatus};
use crate::domain::geo::geo;
use crate::domain::provenance::Actor;
use crate::domain::service::ServiceType;
use crate::formats::json::{history as history_of, Audience, FacilityJson, FacilityVersion};
use crate::http::app::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::register;
use crate::register::reads::{self, Reader};
use crate::storage::facilities::FacilityFilter;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// consumption_room, methadone_clinic, heroin_unit, syringe_exchange, paraphernalia or naloxone.
    service: Option<String>,
    /// CBS code (GM0344) or municipality name.
    municipality: Option<String>,
    /// ISO code (NL-UT) or name of a province.
    province: Option<String>,
    /// Words to find in the name, street, city or organisation.
    q: Option<String>,
    /// The day to describe (YYYY-MM-DD); default today.
    pub as_of: Option<String>,
    /// open (default), closed, planned or all.
    status: Option<String>,
    organisation_id: Option<i64>,
    /// At most 1000; default 100.
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacilityList {
    pub as_of: NaiveDate,
    pub limit: i64,
    pub offset: i64,
    pub facilities: Vec<FacilityJson>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AsOfQuery {
    /// The day to describe (YYYY-MM-DD); default today.
    pub as_of: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

impl ListQuery {
    fn filter(&self, internal: InternalScope) -> AppResult<(FacilityFilter, NaiveDate)> {
        let day = date_param("as_of", &self.as_of)?.unwrap_or_else(today);
        let service =
            match self.service.as_deref() {
                None | Some("") => None,
                Some(s) => Some(ServiceType::parse(s).ok_or_else(|| {
                    AppError::BadRequest(format!("service: unknown service '{s}'"))
                })?),
            };
        let municipality_code = match self.municipality.as_deref() {
            None | Some("") => None,
            Some(m) => Some(
                geo()
                    .municipality(m)
                    .or_else(|| geo().municipality_by_name(m))
                    .ok_or_else(|| {
                        AppError::BadRequest(format!("municipality: unknown municipality '{m}'"))
                    })?
                    .code
                    .clone(),
            ),
        };
        let province_code = match self.province.as_deref() {
            None | Some("") => None,
            Some(p) => Some(
                geo()
                    .province(p)
                    .ok_or_else(|| {
                        AppError::BadRequest(format!("province: unknown province '{p}'"))
                    })?
                    .code
                    .clone(),
            ),
        };
        let status = match self.status.as_deref() {
            None | Some("") => Some(FacilityStatus::Open),
            Some("all") => None,
            Some(s) => Some(FacilityStatus::parse(s).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "status: '{s}' is not one of open, closed, planned, all"
                ))
            })?),
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::BadRequest(format!(
                "limit: {limit} is out of range (1 to {MAX_LIMIT})"
            )));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(AppError::BadRequest("offset: must not be negative".into()));
        }
        Ok((
            FacilityFilter {
                as_of: Some(day),
                service,
                municipality_code,
                province_code,
                text: self.q.clone().filter(|q| !q.trim().is_empty()),
                status,
                internal,
                organisation_id: self.organisation_id,
                limit: Some(limit),
                offset,
            },
            day,
        ))
    }
}

/// The caller as a reader of the register.
fn reader<'a>(caller: &'a Caller, actor: &'a Actor) -> Reader<'a> {
    Reader {
        who: caller.principal.as_ref(),
        actor,
    }
}

/// List facilities as they were on a day, with filters.
///
/// Without a token only publicly accessible facilities are listed; signed-in
/// users also see the non-public facilities they may read (all for national
/// roles, their own organisation's otherwise), with internal notes.
#[utoipa::path(get, path = "/api/v1/facilities", tag = "register", params(ListQuery),
    responses(
        (status = 200, body = FacilityList),
        (status = 400, description = "A filter is not valid", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<Json<FacilityList>> {
    let actor = caller.actor();
    let reader = reader(&caller, &actor);
    let (filter, day) = query.filter(reader.internal_scope())?;
    let (limit, offset) = (filter.limit.unwrap_or(DEFAULT_LIMIT), filter.offset);
    let facilities = reads::list_facilities(&state.store, reader, filter)
        .await?
        .iter()
        .map(|(f, audience)| FacilityJson::new(f, day, *audience))
        .collect();
    Ok(Json(FacilityList {
        as_of: day,
        limit,
        offset,
        facilities,
    }))
}

/// One facility as it was on a day.
#[utoipa::path(get, path = "/api/v1/facilities/{id}", tag = "register", params(("id" = i64, Path), AsOfQuery),
    responses(
        (status = 200, body = FacilityJson),
        (status = 404, body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiQuery(query): ApiQuery<AsOfQuery>,
) -> AppResult<Json<FacilityJson>> {
    let day = date_param("as_of", &query.as_of)?.unwrap_or_else(today);
    let actor = caller.actor();
    let (facility, audience) =
        reads::read_facility(&state.store, reader(&caller, &actor), id, Some(day)).await?;
    Ok(Json(FacilityJson::new(&facility, day, audience)))
}

/// Every version of a facility, oldest first, with what each one changed,
/// who recorded it, when and from which source. Needs a token.
#[utoipa::path(get, path = "/api/v1/facilities/{id}/history", tag = "register", params(("id" = i64, Path)),
    security(("token" = [])),
    responses(
        (status = 200, body = Vec<FacilityVersion>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> AppResult<Json<Vec<FacilityVersion>>> {
    let versions =
        reads::facility_history(&state.store, caller.principal()?, &caller.actor(), id).await?;
    let day = today();
    let records = versions
        .iter()
        .map(|f| FacilityJson::new(f, day, Audience::Internal))
        .collect();
    Ok(Json(
        history_of(records)
            .into_iter()
            .map(|(changes, record)| FacilityVersion { changes, record })
            .collect(),
    ))
}

/// Add a facility. Its first version holds since the beginning of the register's history.
#[utoipa::path(post, path = "/api/v1/facilities", tag = "register", request_body = FacilityInput,
    security(("token" = [])),
    responses(
        (status = 201, body = Created),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "Fields are not valid; each is named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<FacilityInput>,
) -> AppResult<impl IntoResponse> {
    let id = register::create_facility(
        &state.store,
        &input,
        &manual_source("API"),
        caller.principal()?,
        &caller.actor(),
        today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a facility with a JSON merge patch (RFC 7386): give only the
/// fields that change, `null` to clear one. The change is recorded as a new
/// version from `effective_from` (default today), with its `source`,
/// `verified_on` and `change_note`.
#[utoipa::path(patch, path = "/api/v1/facilities/{id}", tag = "register", params(("id" = i64, Path)),
    request_body(content = FacilityInput, content_type = "application/merge-patch+json"),
    security(("token" = [])),
    responses(
        (status = 200, body = FacilityJson),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Value>,
) -> AppResult<Json<FacilityJson>> {
    let day = today();
    let written = register::patch_facility(
        &state.store,
        id,
        &patch,
        &manual_source("API"),
        caller.principal()?,
        &caller.actor(),
        day,
    )
    .await?;
    // The version as written; read back only when storage could not tell it.
    let facility = match written {
        Some(facility) => facility,
        None => crate::register::reads::current_facility(&state.store, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("facility {id} does not exist")))?,
    };
    Ok(Json(FacilityJson::new(&facility, day, Audience::Internal)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Corrected {
    /// The new version, holding over the corrected stretch.
    pub version: i64,
}

/// Correct the past (researchers and admins): the facts that in fact held
/// from `effective_from` (until `effective_until`, or still), as a merge
/// patch onto the version in force that day, with the reason in
/// `change_note`. The versions the correction covers stay in the history,
/// marked superseded, and no longer count; an ordinary change cannot take
/// effect before the current version began.
#[utoipa::path(post, path = "/api/v1/facilities/{id}/corrections", tag = "register", params(("id" = i64, Path)),
    request_body(content = Value, description = "effective_from, optional effective_until, change_note, and the corrected fields"),
    security(("token" = [])),
    responses(
        (status = 201, body = Corrected),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(patch): ApiJson<Value>,
) -> AppResult<impl IntoResponse> {
    let version = register::correct_facility(
        &state.store,
        id,
        &patch,
        &manual_source("API correction"),
        caller.principal()?,
        &caller.actor(),
        today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Corrected { version })))
}
