//! The FHIR R4 directory: vangnet's register as the IHE mCSD "Directory"
//! actor with the Update Option, read-only. This module holds the use
//! cases: who asks and what they may see (the register's one rule,
//! `register::reads`), read and version read, search, and the history a
//! synchronising client (an mCSD Update Client) reads with `_since`. The
//! resources themselves are built in `formats::fhir`; the parameters in
//! [`search`]; the CapabilityStatement in [`capability`].
//!
//! Without a token only public facilities appear; with one, also the
//! non-public facilities in the caller's scope, and reading those is
//! audited (`register::reads` writes the entries). No resource carries
//! internal notes or contact people, whoever asks.
//!
//! History: every register version of a facility is one version of its
//! Location, FacilityOrganization and HealthcareServices, recorded when
//! the register recorded it; nothing is deleted, a closed facility or a
//! service no longer offered shows by its status.

pub mod capability;
pub mod search;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::domain::date::today;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::Facility;
use crate::domain::service::{ServiceSet, ServiceType};
use crate::formats::fhir::{
    facility_organization, healthcare_service, location, organization, parse_healthcare_service_id,
    TYPES,
};
use crate::formats::json::Audience;
use crate::register::reads::{self, Reader};
use crate::storage::audit::AuditEvent;
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;
use search::Search;

/// Who asks and where the directory is (`https://host/fhir`), for the
/// `fullUrl`s and links of Bundles.
#[derive(Clone, Copy)]
pub struct Ask<'a> {
    pub reader: Reader<'a>,
    pub base: &'a str,
}

fn not_found(resource_type: &str, id: &str) -> AppError {
    AppError::NotFound(format!("{resource_type}/{id} is not known"))
}

/// The resource type of a path, if the directory serves it.
pub fn resource_type(name: &str) -> AppResult<&'static str> {
    TYPES
        .iter()
        .find(|t| **t == name)
        .copied()
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "{name} is not a resource type of this directory (Organization, Location, HealthcareService)"
            ))
        })
}

/// The current versions of the facilities the reader may see (audited
/// when they include non-public facts).
async fn visible_facilities(store: &Store, reader: Reader<'_>) -> AppResult<Vec<Facility>> {
    Ok(
        reads::list_facilities(store, reader, FacilityFilter::default())
            .await?
            .into_iter()
            .map(|(f, _)| f)
            .collect(),
    )
}

/// The service kinds a facility has HealthcareServices for.
fn services_of(ever: &HashMap<i64, i64>, f: &Facility) -> Vec<ServiceType> {
    let bits = ever.get(&f.id).copied().unwrap_or(0) | f.fields.services.bits();
    ServiceSet::from_bits(bits).iter().collect()
}

/// The resources of one facility version, of `resource_type`.
fn facility_resources(
    resource_type: &str,
    f: &Facility,
    ever: &HashMap<i64, i64>,
    day: NaiveDate,
) -> Vec<Value> {
    match resource_type {
        "Location" => vec![location(f, day)],
        "Organization" => vec![facility_organization(f, day)],
        _ => services_of(ever, f)
            .into_iter()
            .map(|s| healthcare_service(f, s, day))
            .collect(),
    }
}

/// Every current resource of a type the reader may see.
async fn current(store: &Store, reader: Reader<'_>, resource_type: &str) -> AppResult<Vec<Value>> {
    let day = today();
    let ever = store.facility_services_ever().await?;
    let mut out = Vec::new();
    if resource_type == "Organization" {
        out.extend(
            reads::organisation_choices(store)
                .await?
                .iter()
                .map(organization),
        );
    }
    for f in visible_facilities(store, reader).await? {
        out.extend(facility_resources(resource_type, &f, &ever, day));
    }
    Ok(out)
}

/// The facility a resource id belongs to, with the service for a
/// HealthcareService; `None` for a register organisation's id.
fn facility_of(resource_type: &str, id: &str) -> AppResult<Option<(i64, Option<ServiceType>)>> {
    let found = match resource_type {
        "Location" => id.parse().ok().map(|f| (f, None)),
        "HealthcareService" => parse_healthcare_service_id(id).map(|(f, s)| (f, Some(s))),
        _ => match id.strip_prefix("facility-") {
            Some(f) => f.parse().ok().map(|f| (f, None)),
            None => return Ok(None),
        },
    };
    found.map(Some).ok_or_else(|| not_found(resource_type, id))
}

/// One facility version as the resource `resource_type`/`id`.
fn as_resource(
    resource_type: &str,
    id: &str,
    f: &Facility,
    service: Option<ServiceType>,
    ever: &HashMap<i64, i64>,
) -> AppResult<Value> {
    let day = today();
    match service {
        Some(s) if services_of(ever, f).contains(&s) => Ok(healthcare_service(f, s, day)),
        Some(_) => Err(not_found(resource_type, id)),
        None => Ok(facility_resources(resource_type, f, ever, day)
            .into_iter()
            .next()
            .ok_or_else(|| not_found(resource_type, id))?),
    }
}

/// `GET /fhir/{type}/{id}`: the current version.
pub async fn read(
    store: &Store,
    reader: Reader<'_>,
    resource_type: &str,
    id: &str,
) -> AppResult<Value> {
    match facility_of(resource_type, id)? {
        None => {
            let organisation = match id.parse() {
                Ok(n) => reads::current_organisation(store, n).await?,
                Err(_) => None,
            };
            organisation
                .map(|o| organization(&o))
                .ok_or_else(|| not_found(resource_type, id))
        }
        Some((facility_id, service)) => {
            let (f, _) = reads::read_facility(store, reader, facility_id, None)
                .await
                .map_err(|e| match e {
                    AppError::NotFound(_) => not_found(resource_type, id),
                    other => other,
                })?;
            let ever = store.facility_services_ever().await?;
            as_resource(resource_type, id, &f, service, &ever)
        }
    }
}

/// `GET /fhir/{type}/{id}/_history/{vid}`: one version, if the reader may
/// see it (a version of a non-public facility read with a token is audited).
pub async fn vread(
    store: &Store,
    reader: Reader<'_>,
    resource_type: &str,
    id: &str,
    version: &str,
) -> AppResult<Value> {
    let unknown = || AppError::NotFound(format!("{resource_type}/{id} has no version {version}"));
    let version: i64 = version.parse().map_err(|_| unknown())?;
    match facility_of(resource_type, id)? {
        None => {
            let organisation = match id.parse() {
                Ok(n) => reads::organisation_version(store, n, version).await?,
                Err(_) => None,
            };
            organisation.map(|o| organization(&o)).ok_or_else(unknown)
        }
        Some((facility_id, service)) => {
            let f = reads::facility_version(store, facility_id, version)
                .await?
                .filter(|f| reader.may_see(f))
                .ok_or_else(unknown)?;
            if reader.audience(&f) == Audience::Internal {
                store
                    .audit(
                        &AuditEvent::new("read", reader.actor, "facility")
                            .object(facility_id)
                            .detail(format!("FHIR version {version}")),
                    )
                    .await?;
            }
            let ever = store.facility_services_ever().await?;
            as_resource(resource_type, id, &f, service, &ever).map_err(|_| unknown())
        }
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn link(base: &str, resource_type: &str, tail: &str, params: &[(String, String)]) -> String {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    if query.is_empty() {
        format!("{base}/{resource_type}{tail}")
    } else {
        format!("{base}/{resource_type}{tail}?{query}")
    }
}

fn full_url(base: &str, resource: &Value) -> String {
    format!(
        "{base}/{}/{}",
        resource["resourceType"].as_str().unwrap_or_default(),
        resource["id"].as_str().unwrap_or_default()
    )
}

/// `self` and, when more follow, `next` links of a page.
fn page_links(
    base: &str,
    resource_type: &str,
    tail: &str,
    used: &[(String, String)],
    offset: usize,
    count: usize,
    total: usize,
) -> Vec<Value> {
    let at = |offset: usize| {
        let mut params = used.to_vec();
        params.retain(|(k, _)| k != "_count" && k != "_offset");
        params.push(("_count".into(), count.to_string()));
        if offset > 0 {
            params.push(("_offset".into(), offset.to_string()));
        }
        link(base, resource_type, tail, &params)
    };
    let mut links = vec![json!({"relation": "self", "url": at(offset)})];
    if offset + count < total {
        links.push(json!({"relation": "next", "url": at(offset + count)}));
    }
    if offset > 0 {
        links.push(json!({"relation": "previous", "url": at(offset.saturating_sub(count))}));
    }
    links
}

/// `GET /fhir/{type}?…`: a searchset Bundle, paged.
pub async fn search(
    store: &Store,
    ask: Ask<'_>,
    resource_type: &str,
    pairs: &[(String, String)],
    strict: bool,
) -> AppResult<Value> {
    let search = Search::parse(resource_type, pairs, strict)?;
    let stamp = now();
    let all = current(store, ask.reader, resource_type).await?;
    let matched: Vec<&Value> = all.iter().filter(|r| search.matches(r)).collect();
    let total = matched.len();
    let page: Vec<&Value> = matched
        .iter()
        .skip(search.offset)
        .take(search.count)
        .copied()
        .collect();
    let mut entries: Vec<Value> = page
        .iter()
        .map(|r| {
            json!({"fullUrl": full_url(ask.base, r), "resource": r, "search": {"mode": "match"}})
        })
        .collect();
    let references = |field: &str| -> Vec<String> {
        page.iter()
            .filter_map(|r| r[field]["reference"].as_str().map(str::to_string))
            .collect()
    };
    if search.include {
        let wanted = references("managingOrganization");
        for org in current(store, ask.reader, "Organization").await? {
            let key = format!("Organization/{}", org["id"].as_str().unwrap_or_default());
            if wanted.contains(&key) {
                entries.push(json!({"fullUrl": full_url(ask.base, &org), "resource": org, "search": {"mode": "include"}}));
            }
        }
    }
    if search.revinclude {
        let keys: Vec<String> = page
            .iter()
            .map(|r| format!("Organization/{}", r["id"].as_str().unwrap_or_default()))
            .collect();
        for loc in current(store, ask.reader, "Location").await? {
            let by = loc["managingOrganization"]["reference"]
                .as_str()
                .unwrap_or_default();
            if keys.iter().any(|k| k == by) {
                entries.push(json!({"fullUrl": full_url(ask.base, &loc), "resource": loc, "search": {"mode": "include"}}));
            }
        }
    }
    if !search.ignored.is_empty() {
        entries.push(json!({
            "resource": crate::formats::fhir::operation_outcome(
                "warning",
                "not-supported",
                &format!("ignored: {} (send Prefer: handling=strict to have them refused)", search.ignored.join(", ")),
            ),
            "search": {"mode": "outcome"},
        }));
    }
    let links = page_links(
        ask.base,
        resource_type,
        "",
        &search.used,
        search.offset,
        search.count,
        total,
    );
    Ok(bundle("searchset", &stamp, total, links, entries))
}

fn bundle(kind: &str, stamp: &str, total: usize, links: Vec<Value>, entries: Vec<Value>) -> Value {
    let mut b = json!({
        "resourceType": "Bundle",
        "meta": {"lastUpdated": stamp},
        "type": kind,
        "total": total,
        "link": links,
    });
    if !entries.is_empty() {
        b["entry"] = Value::Array(entries);
    }
    b
}

/// `GET /fhir/{type}/_history?_since=…`: every version of the type's
/// resources the reader may see that was recorded at or after `_since`
/// (all of them without it), newest first as FHIR orders a history,
/// paged with `_count` and `_offset` (other parameters are ignored,
/// or refused with `Prefer: handling=strict`). The Bundle's `meta.lastUpdated` is
/// the instant to send as the next `_since`: versions recorded in that
/// same second may come twice, none is missed.
pub async fn history(
    store: &Store,
    ask: Ask<'_>,
    resource_type: &str,
    pairs: &[(String, String)],
    strict: bool,
) -> AppResult<Value> {
    let mut since: Option<DateTime<Utc>> = None;
    let mut count = search::DEFAULT_COUNT;
    let mut offset = 0;
    let mut used = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "_since" => since = Some(search::since(value)?),
            "_count" => {
                count = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=search::MAX_COUNT).contains(n))
                    .ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "_count: '{value}' is not 1 to {}",
                            search::MAX_COUNT
                        ))
                    })?
            }
            "_offset" => {
                offset = value.parse().map_err(|_| {
                    AppError::BadRequest(format!("_offset: '{value}' is not a number"))
                })?
            }
            "_format" => {}
            other if strict => {
                return Err(AppError::BadRequest(format!(
                    "{other}: the history takes _since, _count and _offset"
                )))
            }
            // Ignored, as in a search (see `search`), and left out of the links.
            _ => continue,
        }
        if key != "_offset" {
            used.push((key.clone(), value.clone()));
        }
    }
    let stamp = now();
    let since_text = since
        .map(|s| s.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| "0000".into());
    let day = today();
    let ever = store.facility_services_ever().await?;
    let mut versions: Vec<Value> = Vec::new();
    if resource_type == "Organization" {
        versions.extend(
            store
                .organisation_versions_since(&since_text)
                .await?
                .iter()
                .map(organization),
        );
    }
    let mut internal = Vec::new();
    for f in store.facility_versions_since(&since_text).await? {
        if !ask.reader.may_see(&f) {
            // Withdrawn from this reader's view (no longer public): shown by
            // status, as a version of its own, never as a delete.
            if let Some(shown) = withdrawn(store, ask.reader, &f).await? {
                versions.extend(
                    facility_resources(resource_type, &shown, &ever, day)
                        .into_iter()
                        .map(inactive),
                );
            }
            continue;
        }
        if !f.fields.public_access {
            internal.push(format!("{}/{}", f.id, f.validity.version));
        }
        versions.extend(facility_resources(resource_type, &f, &ever, day));
    }
    if !internal.is_empty() {
        store
            .audit(
                &AuditEvent::new("read", ask.reader.actor, "facility")
                    .object("list")
                    .detail(format!(
                        "FHIR history of non-public facility versions {}",
                        internal.join(",")
                    )),
            )
            .await?;
    }
    let key = |r: &Value| {
        (
            r["meta"]["lastUpdated"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r["id"].as_str().unwrap_or_default().to_string(),
            r["meta"]["versionId"]
                .as_str()
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
        )
    };
    versions.sort_by_key(|r| std::cmp::Reverse(key(r)));
    let total = versions.len();
    let entries: Vec<Value> = versions
        .into_iter()
        .skip(offset)
        .take(count)
        .map(|r| history_entry(ask.base, r))
        .collect();
    let links = page_links(
        ask.base,
        resource_type,
        "/_history",
        &used,
        offset,
        count,
        total,
    );
    Ok(bundle("history", &stamp, total, links, entries))
}

/// For a version the reader may not see: the version before it as the
/// reader last saw it, numbered and timed as this one, when the reader
/// could see that one (the facility was withdrawn from their view).
async fn withdrawn(store: &Store, reader: Reader<'_>, f: &Facility) -> AppResult<Option<Facility>> {
    if f.validity.version <= 1 {
        return Ok(None);
    }
    let Some(before) = reads::facility_version(store, f.id, f.validity.version - 1).await? else {
        return Ok(None);
    };
    if !reader.may_see(&before) {
        return Ok(None);
    }
    let mut shown = before;
    shown.validity = f.validity.clone();
    shown.recorded = f.recorded.clone();
    Ok(Some(shown))
}

/// A resource marked as no longer in use: a Location `inactive`, an
/// Organization or HealthcareService not `active`.
fn inactive(mut resource: Value) -> Value {
    match resource["resourceType"].as_str() {
        Some("Location") => resource["status"] = json!("inactive"),
        _ => resource["active"] = json!(false),
    }
    resource
}

/// A history entry: the first version as a create, later ones as updates.
fn history_entry(base: &str, resource: Value) -> Value {
    let kind = resource["resourceType"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let id = resource["id"].as_str().unwrap_or_default().to_string();
    let version = resource["meta"]["versionId"]
        .as_str()
        .unwrap_or("1")
        .to_string();
    let at = resource["meta"]["lastUpdated"].clone();
    let (request, status) = if version == "1" {
        (json!({"method": "POST", "url": kind}), "201 Created")
    } else {
        (
            json!({"method": "PUT", "url": format!("{kind}/{id}")}),
            "200 OK",
        )
    };
    json!({
        "fullUrl": full_url(base, &resource),
        "resource": resource,
        "request": request,
        "response": {"status": status, "etag": format!("W/\"{version}\""), "lastModified": at},
    })
}
