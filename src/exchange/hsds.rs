//! Open Referral HSDS 3.0 (issue 15, item 2): the HSDS API under `/hsds/`
//! (services, organizations, service_at_locations, each as a paged list
//! and by id) and a full export as a ZIP of JSON. The objects are written
//! by `formats::hsds`; this module decides what is shown.
//!
//! Only what is public: the facilities the public open data and finder
//! show (`register::reads::list_facilities` for an anonymous reader:
//! public access only), in their version in force today, open, planned
//! (`inactive`) and closed (`defunct`) alike, so that a client that keeps
//! in step with `modified_after` learns of a closure; organisations with
//! their public facts (name, kind, website), never contact people or
//! internal notes. The answer is the same whoever asks, a token changes
//! nothing, so nothing here is audited.
//!
//! The register is small (hundreds of facilities), so a request reads the
//! public register once and filters and pages in memory; ids are UUID v5
//! and are found by computing them.

use std::io::{Cursor, Write};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::Postcode;
use crate::domain::finder::{distance_km, Point};
use crate::domain::geo::geo;
use crate::domain::language::Language;
use crate::domain::provenance::Actor;
use crate::domain::service::ServiceType;
use crate::formats::hsds::{
    self, last_modified, organization_id, service_at_location_id, service_id, Directory, Listed,
    Shape,
};
use crate::register::reads::{self, Reader};
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;

/// Items per page unless asked for another number.
pub const DEFAULT_PER_PAGE: usize = 50;
/// The most items one page holds.
pub const MAX_PER_PAGE: usize = 1000;

/// The list parameters of the HSDS API, checked.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub page: usize,
    pub per_page: usize,
    /// Words that must occur in the name, street, city or organisation.
    pub search: Option<String>,
    pub modified_after: Option<DateTime<Utc>>,
    pub organization_id: Option<String>,
    pub taxonomy_term_id: Option<String>,
    /// Nearest first from this postcode's centre, and with a distance
    /// (`proximity`, metres) only those within it.
    pub near: Option<(Point, Option<f64>)>,
    pub full: bool,
    pub lang: Language,
}

impl ListQuery {
    /// Checks the raw parameters; `page` counts from 1.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        page: Option<i64>,
        per_page: Option<i64>,
        search: Option<String>,
        modified_after: Option<&str>,
        postcode: Option<&str>,
        proximity: Option<&str>,
        lang: Option<&str>,
    ) -> AppResult<ListQuery> {
        let page = page.unwrap_or(1);
        if page < 1 {
            return Err(AppError::invalid("page", "must be 1 or more"));
        }
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE as i64);
        if !(1..=MAX_PER_PAGE as i64).contains(&per_page) {
            return Err(AppError::invalid(
                "per_page",
                format!("must be 1 to {MAX_PER_PAGE}"),
            ));
        }
        let modified_after = modified_after
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(parse_instant)
            .transpose()?;
        let centre = match postcode.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(text) => {
                let unknown = || {
                    AppError::invalid(
                        "postcode",
                        format!("'{text}' is not a known Dutch postcode"),
                    )
                };
                let postcode = Postcode::parse(text).map_err(|_| unknown())?;
                let area = geo().postcode(postcode.pc4()).ok_or_else(unknown)?;
                Some(Point::new(area.latitude, area.longitude).ok_or_else(unknown)?)
            }
        };
        let proximity = match proximity.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(text) => Some(
                text.parse::<f64>()
                    .ok()
                    .filter(|m| m.is_finite() && *m >= 0.0)
                    .ok_or_else(|| {
                        AppError::invalid("proximity", "must be a distance in metres")
                    })?,
            ),
        };
        if proximity.is_some() && centre.is_none() {
            return Err(AppError::invalid(
                "proximity",
                "needs a postcode to measure from",
            ));
        }
        let lang = match lang.map(str::trim).filter(|l| !l.is_empty()) {
            None => Language::Nl,
            Some(code) => Language::parse(code)
                .ok_or_else(|| AppError::invalid("lang", "must be nl or en"))?,
        };
        Ok(ListQuery {
            page: page as usize,
            per_page: per_page as usize,
            search: search.filter(|s| !s.trim().is_empty()),
            modified_after,
            organization_id: None,
            taxonomy_term_id: None,
            near: centre.map(|c| (c, proximity)),
            full: false,
            lang,
        })
    }
}

/// `2026-01-31T12:00:00Z`, with any offset, or a day (its start in
/// Europe/Amsterdam).
fn parse_instant(text: &str) -> AppResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(hsds::start_of_day(day));
    }
    Err(AppError::invalid(
        "modified_after",
        format!("'{text}' is not a date-time; use e.g. 2026-01-31T12:00:00Z or 2026-01-31"),
    ))
}

/// The public register as HSDS describes it on `day` (today, in the API).
pub async fn directory(
    store: &Store,
    day: NaiveDate,
    search: Option<String>,
) -> AppResult<Directory> {
    let actor = Actor::named("hsds");
    let reader = Reader {
        who: None,
        actor: &actor,
    };
    let filter = FacilityFilter {
        as_of: Some(day),
        text: search,
        ..FacilityFilter::default()
    };
    let organisations: Vec<_> = reads::list_organisations(store, reader, Some(day))
        .await?
        .into_iter()
        .map(|(o, _)| o)
        .collect();
    let facilities = reads::list_facilities(store, reader, filter)
        .await?
        .into_iter()
        .map(|(facility, _)| {
            let organisation = facility
                .organisation_id
                .and_then(|id| organisations.iter().find(|o| o.id == id));
            Listed {
                status: facility.status_on(day),
                last_modified: last_modified(
                    &facility,
                    day,
                    organisation.map(|o| o.recorded.recorded_at.as_str()),
                ),
                facility,
            }
        })
        .collect();
    Ok(Directory {
        day,
        facilities,
        organisations,
    })
}

fn page_of(items: Vec<Value>, q: &ListQuery, total: usize) -> Value {
    hsds::page(items, total, q.page, q.per_page)
}

fn slice<T>(all: Vec<T>, q: &ListQuery) -> (Vec<T>, usize) {
    let total = all.len();
    let page: Vec<T> = all
        .into_iter()
        .skip((q.page - 1).saturating_mul(q.per_page))
        .take(q.per_page)
        .collect();
    (page, total)
}

/// The services of `dir` that `q` asks for, nearest first when it names
/// a postcode.
fn matching<'a>(dir: &'a Directory, q: &ListQuery) -> Vec<(&'a Listed, ServiceType)> {
    let mut found: Vec<(&Listed, ServiceType, Option<f64>)> = dir
        .services()
        .filter(|(l, _)| {
            q.modified_after
                .is_none_or(|after| l.last_modified >= after)
        })
        .filter(|(l, _)| {
            q.organization_id.as_deref().is_none_or(|wanted| {
                l.facility.organisation_id.map(organization_id).as_deref() == Some(wanted)
            })
        })
        .filter(|(_, k)| {
            q.taxonomy_term_id
                .as_deref()
                .is_none_or(|wanted| hsds::id(&format!("taxonomy_term/{}", k.code())) == wanted)
        })
        .filter_map(|(l, k)| match q.near {
            None => Some((l, k, None)),
            Some((centre, within)) => {
                let position = l.facility.fields.location.as_ref()?;
                let point = Point::new(position.latitude, position.longitude)?;
                let metres = distance_km(centre, point) * 1000.0;
                within
                    .is_none_or(|m| metres <= m)
                    .then_some((l, k, Some(metres)))
            }
        })
        .collect();
    if q.near.is_some() {
        found.sort_by(|a, b| a.2.partial_cmp(&b.2).unwrap_or(std::cmp::Ordering::Equal));
    }
    found.into_iter().map(|(l, k, _)| (l, k)).collect()
}

/// `GET /hsds/services`: a page of services.
pub async fn services(store: &Store, q: &ListQuery) -> AppResult<Value> {
    let dir = directory(store, crate::domain::date::today(), q.search.clone()).await?;
    let shape = if q.full { Shape::Full } else { Shape::List };
    let (page, total) = slice(matching(&dir, q), q);
    let items = page
        .into_iter()
        .map(|(l, k)| dir.service(l, k, shape, q.full, q.lang))
        .collect();
    Ok(page_of(items, q, total))
}

/// `GET /hsds/service_at_locations`: a page of services at their locations.
pub async fn service_at_locations(store: &Store, q: &ListQuery) -> AppResult<Value> {
    let dir = directory(store, crate::domain::date::today(), q.search.clone()).await?;
    let shape = if q.full { Shape::Full } else { Shape::List };
    let (page, total) = slice(matching(&dir, q), q);
    let items = page
        .into_iter()
        .map(|(l, k)| dir.service_at_location(l, k, shape, true, q.lang))
        .collect();
    Ok(page_of(items, q, total))
}

/// `GET /hsds/organizations`: a page of organisations (name words with
/// `search`; `modified_after` by the organisation or its public facilities).
pub async fn organizations(store: &Store, q: &ListQuery, full_service: bool) -> AppResult<Value> {
    let dir = directory(store, crate::domain::date::today(), None).await?;
    let words: Vec<String> = q
        .search
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_lowercase)
        .collect();
    let found: Vec<_> = dir
        .organisations
        .iter()
        .filter(|o| {
            let name = o.fields.name.to_lowercase();
            words.iter().all(|w| name.contains(w.as_str()))
        })
        .filter(|o| {
            q.modified_after
                .is_none_or(|after| dir.organisation_modified(o).is_some_and(|m| m >= after))
        })
        .collect();
    let (page, total) = slice(found, q);
    let shape = if q.full { Shape::Full } else { Shape::List };
    let service_shape = if full_service {
        Shape::Full
    } else {
        Shape::List
    };
    let items = page
        .into_iter()
        .map(|o| dir.organization(o, shape, service_shape, q.lang))
        .collect();
    Ok(page_of(items, q, total))
}

fn not_found(what: &str, id: &str) -> AppError {
    AppError::NotFound(format!("there is no public {what} with the id '{id}'"))
}

/// `GET /hsds/services/{id}`: one service in full.
pub async fn service(store: &Store, id: &str, lang: Language) -> AppResult<Value> {
    let dir = directory(store, crate::domain::date::today(), None).await?;
    let found = dir
        .services()
        .find(|(l, k)| service_id(l.facility.id, *k) == id)
        .map(|(l, k)| dir.service(l, k, Shape::Full, true, lang));
    found.ok_or_else(|| not_found("service", id))
}

/// `GET /hsds/service_at_locations/{id}`: one in full, with its service.
pub async fn service_at_location(store: &Store, id: &str, lang: Language) -> AppResult<Value> {
    let dir = directory(store, crate::domain::date::today(), None).await?;
    let found = dir
        .services()
        .find(|(l, k)| service_at_location_id(l.facility.id, *k) == id)
        .map(|(l, k)| dir.service_at_location(l, k, Shape::Full, true, lang));
    found.ok_or_else(|| not_found("service_at_location", id))
}

/// `GET /hsds/organizations/{id}`: one organisation in full.
pub async fn organization(
    store: &Store,
    id: &str,
    full_service: bool,
    lang: Language,
) -> AppResult<Value> {
    let dir = directory(store, crate::domain::date::today(), None).await?;
    let service_shape = if full_service {
        Shape::Full
    } else {
        Shape::List
    };
    dir.organisations
        .iter()
        .find(|o| organization_id(o.id) == id)
        .map(|o| dir.organization(o, Shape::Full, service_shape, lang))
        .ok_or_else(|| not_found("organization", id))
}

/// The files of the full export, each a JSON array of full objects:
/// `organizations.json`, `services.json`, `service_at_locations.json`.
pub async fn export_files(store: &Store, lang: Language) -> AppResult<Vec<(&'static str, Value)>> {
    let dir = directory(store, crate::domain::date::today(), None).await?;
    let organizations: Vec<Value> = dir
        .organisations
        .iter()
        .map(|o| dir.organization(o, Shape::Full, Shape::List, lang))
        .collect();
    let services: Vec<Value> = dir
        .services()
        .map(|(l, k)| dir.service(l, k, Shape::Full, true, lang))
        .collect();
    let service_at_locations: Vec<Value> = dir
        .services()
        .map(|(l, k)| dir.service_at_location(l, k, Shape::Full, false, lang))
        .collect();
    Ok(vec![
        ("organizations.json", organizations.into()),
        ("services.json", services.into()),
        ("service_at_locations.json", service_at_locations.into()),
    ])
}

/// `GET /hsds/export.zip`: [`export_files`] in one ZIP.
pub async fn export_zip(store: &Store, lang: Language) -> AppResult<Vec<u8>> {
    let files = export_files(store, lang).await?;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let failed = |e: &dyn std::fmt::Display| {
        AppError::Internal(anyhow::anyhow!("cannot write the HSDS export: {e}"))
    };
    for (name, value) in files {
        writer.start_file(name, options).map_err(|e| failed(&e))?;
        let bytes = serde_json::to_vec_pretty(&value).map_err(|e| failed(&e))?;
        writer.write_all(&bytes).map_err(|e| failed(&e))?;
    }
    Ok(writer.finish().map_err(|e| failed(&e))?.into_inner())
}
