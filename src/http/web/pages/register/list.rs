//! `/beheer/voorzieningen`: the facilities a signed-in person may see, as
//! of a day, with filters: national roles see every facility, an
//! organisation's staff their own organisation's (public or not), anyone
//! else what the public sees. Links lead to each facility's form and
//! history, and to the exports of the same selection.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{display_value, field_label, service_options, services_text};
use crate::domain::access::Principal;
use crate::domain::date::{parse_date, today};
use crate::domain::facility::{Facility, FacilityStatus};
use crate::domain::geo::geo;
use crate::domain::service::ServiceType;
use crate::http::app::AppState;
use crate::http::web::pages::{parse_query, FieldErrors, Page};
use crate::register::reads;
use crate::register::scope;
use crate::storage::facilities::FacilityFilter;

/// Facilities one page lists at most; the register holds a few hundred.
const LIMIT: i64 = 500;

/// The filters as typed in the search form (and carried to the exports).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub service: String,
    /// A municipality's name or CBS code.
    pub municipality: String,
    /// A province's name or code.
    pub province: String,
    /// open, closed, planned or all (the default: staff keep all of them).
    pub status: String,
    pub organisation_id: String,
    pub as_of: String,
    /// `verified` (the default: longest unchecked first, never checked
    /// before all) or `name`.
    pub sort: String,
}

impl ListQuery {
    /// The filter this query asks for, limited to what `who` may see, or a
    /// message for each filter that is not understood.
    pub fn filter(
        &self,
        page: &Page,
        who: &Principal,
    ) -> Result<(FacilityFilter, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut error = |field: &str| {
            errors.insert(
                field.to_string(),
                page.text(&format!("register.list.error.{field}")),
            );
        };
        let blank = |s: &str| s.trim().is_empty();
        let day = if blank(&self.as_of) {
            today()
        } else {
            parse_date(&self.as_of).unwrap_or_else(|| {
                error("as_of");
                today()
            })
        };
        let service = (!blank(&self.service))
            .then(|| {
                ServiceType::parse(&self.service).or_else(|| {
                    error("service");
                    None
                })
            })
            .flatten();
        let municipality_code = (!blank(&self.municipality))
            .then(|| {
                let m = self.municipality.trim();
                let found = geo()
                    .municipality(m)
                    .or_else(|| geo().municipality_by_name(m));
                found.map(|m| m.code.clone()).or_else(|| {
                    error("municipality");
                    None
                })
            })
            .flatten();
        let province_code = (!blank(&self.province))
            .then(|| {
                geo()
                    .province(self.province.trim())
                    .map(|p| p.code.clone())
                    .or_else(|| {
                        error("province");
                        None
                    })
            })
            .flatten();
        let status = match self.status.trim() {
            "" | "all" => None,
            s => FacilityStatus::parse(s).or_else(|| {
                error("status");
                None
            }),
        };
        let mut organisation_id = (!blank(&self.organisation_id))
            .then(|| {
                self.organisation_id
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| error("organisation_id"))
                    .ok()
            })
            .flatten();
        // An organisation's staff list their own organisation's facilities.
        if who.role.needs_organisation() {
            organisation_id = who.organisation_id.or(Some(-1));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = Some(self.q.trim().to_string()).filter(|q| !q.is_empty());
        let filter = FacilityFilter {
            as_of: Some(day),
            service,
            municipality_code,
            province_code,
            text,
            status,
            internal: who.internal_scope(),
            organisation_id,
            limit: Some(LIMIT + 1),
            offset: 0,
        };
        Ok((filter, day))
    }

    /// The query string of the filters that are set, for links.
    pub fn query_string(&self) -> String {
        let fields = [
            ("q", &self.q),
            ("service", &self.service),
            ("municipality", &self.municipality),
            ("province", &self.province),
            ("status", &self.status),
            ("organisation_id", &self.organisation_id),
            ("as_of", &self.as_of),
            ("sort", &self.sort),
        ];
        let set: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (*k, v.trim()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        serde_urlencoded::to_string(set).unwrap_or_default()
    }
}

/// Whether `who` may see this facility in a list at all: the one rule of
/// `Principal::may_see`, as the API and the exports apply it.
pub fn visible(who: &Principal, facility: &Facility) -> bool {
    who.may_see(scope(facility))
}

pub async fn list(page: Page, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    page.run(async {
        let query: ListQuery = parse_query(raw.as_deref())?;
        let who = page.caller.principal()?;
        let mut broken = Vec::new();
        let (facilities, day, errors) = match query.filter(&page, who) {
            Ok((filter, day)) => {
                let actor = page.caller.actor();
                let (shown, unreadable) =
                    reads::staff_list(&state.store, who, &actor, filter, LIMIT as usize).await?;
                // Those who can repair see what cannot be read (national roles).
                broken = unreadable;
                (shown, day, FieldErrors::new())
            }
            Err(errors) => (Vec::new(), today(), errors),
        };
        let broken: Vec<_> = broken
            .iter()
            .map(|b| {
                context! {
                    text => page.text_with("register.list.broken_row", &[
                        ("id", b.id.to_string()),
                        ("version", b.version.unwrap_or_default().to_string()),
                        ("label", field_label(&page, &b.column)),
                        ("value", b.value.clone()),
                    ]),
                    repair => format!("/beheer/voorzieningen/{}/herstel", b.id),
                }
            })
            .collect();
        let truncated = facilities.len() as i64 > LIMIT;
        let mut facilities = facilities;
        facilities.truncate(LIMIT as usize);
        // The work of keeping the register right starts with what was
        // checked longest ago (a page holds at most LIMIT, so in memory).
        if query.sort.trim() != "name" {
            facilities.sort_by_key(|f| f.recorded.verified_on);
        }
        let facilities = &facilities[..];
        let rows: Vec<_> = facilities
            .iter()
            .map(|f| {
                let status = serde_json::to_value(f.status_on(day)).unwrap_or_default();
                context! {
                    id => f.id,
                    name => f.fields.name,
                    organisation => f.organisation_name,
                    services => services_text(&page, &f.fields.services),
                    city => f.fields.city,
                    municipality => geo().municipality(&f.fields.municipality_code).map(|m| m.name.clone()),
                    status => display_value(&page, "status", &status),
                    public_access => f.fields.public_access,
                    verified_on => f.recorded.verified_on.map(|d| d.to_string()),
                    may_edit => who.may_edit_facility(scope(f)),
                }
            })
            .collect();
        let organisations: Vec<_> = if who.role.needs_organisation() {
            Vec::new()
        } else {
            crate::register::reads::organisation_choices(&state.store)
                .await?
                .iter()
                .map(|o| context! { value => o.id.to_string(), label => o.fields.name })
                .collect()
        };
        let provinces: Vec<_> = geo()
            .provinces()
            .iter()
            .map(|p| context! { value => p.code, label => p.name })
            .collect();
        let qs = query.query_string();
        let suffix = if qs.is_empty() { String::new() } else { format!("?{qs}") };
        let exports: Vec<_> = [
            ("csv", "CSV"),
            ("json", "JSON"),
            ("geojson", "GeoJSON"),
            ("xlsx", "XLSX"),
        ]
        .iter()
        .map(|(ext, name)| {
                context! {
                    format => name,
                    full => format!("/beheer/export/voorzieningen.{ext}{suffix}"),
                    public => format!("/opendata/facilities.{ext}?as_of={day}"),
                }
            })
            .collect();
        let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
        Ok(page.render(
            "register/list.html",
            status,
            context! {
                query,
                errors,
                broken,
                rows,
                count => facilities.len(),
                truncated,
                limit => LIMIT,
                day => day.to_string(),
                services => service_options(&page),
                organisations,
                provinces,
                exports,
                may_create => who.may_create_facility(who.organisation_id.or(Some(-1))),
                may_export => who.may_manage_register(),
            },
        ))
    })
    .await
}
