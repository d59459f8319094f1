//! Search parameters of the FHIR directory: which ones each resource type
//! takes (the same table feeds the CapabilityStatement, so it lists
//! exactly what is supported), how a request's parameters are read, and
//! whether a resource matches them.
//!
//! Matching runs on the resources as built (`formats::fhir`), not in SQL:
//! the directory is a few thousand resources at most, so a scan is quick,
//! and one path serves every parameter the same way on both engines.
//!
//! Unknown parameters are ignored, as FHIR lets a server do, unless the
//! request says `Prefer: handling=strict`: then they are a 400. The
//! Bundle's `self` link shows the parameters that were used. A known
//! parameter with a value that cannot be read, or a modifier that is not
//! supported, is always a 400.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;

use crate::domain::error::{AppError, AppResult};
use crate::domain::finder::{distance_km, Point};

/// What kind of FHIR search parameter, and where its values are found.
#[derive(Clone, Copy)]
pub enum Kind {
    Id,
    LastUpdated,
    /// A string: starts-with (case-insensitive), `:contains`, `:exact`.
    Text(fn(&Value) -> Vec<String>),
    /// A token: `code`, `system|code` or `|code`.
    Token(fn(&Value) -> Vec<(String, String)>),
    /// A reference to a resource of the named type.
    Reference(&'static str, fn(&Value) -> Vec<String>),
    /// `near=lat|lon|distance|km` on `position`.
    Near,
}

impl Kind {
    /// The FHIR search parameter type, for the CapabilityStatement.
    pub fn fhir_type(self) -> &'static str {
        match self {
            Kind::Id | Kind::Token(_) => "token",
            Kind::LastUpdated => "date",
            Kind::Text(_) => "string",
            Kind::Reference(..) => "reference",
            Kind::Near => "special",
        }
    }
}

pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
}

const fn p(name: &'static str, kind: Kind, doc: &'static str) -> Param {
    Param { name, kind, doc }
}

fn name(r: &Value) -> Vec<String> {
    r["name"].as_str().map(str::to_string).into_iter().collect()
}

fn codings(r: &Value, field: &str) -> Vec<(String, String)> {
    let concepts = match &r[field] {
        Value::Array(items) => items.clone(),
        Value::Object(_) => vec![r[field].clone()],
        _ => Vec::new(),
    };
    concepts
        .iter()
        .flat_map(|c| c["coding"].as_array().cloned().unwrap_or_default())
        .map(|c| {
            (
                c["system"].as_str().unwrap_or_default().to_string(),
                c["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn types(r: &Value) -> Vec<(String, String)> {
    codings(r, "type")
}

fn identifiers(r: &Value) -> Vec<(String, String)> {
    r["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            (
                i["system"].as_str().unwrap_or_default().to_string(),
                i["value"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn active(r: &Value) -> Vec<(String, String)> {
    r["active"]
        .as_bool()
        .map(|a| (String::new(), a.to_string()))
        .into_iter()
        .collect()
}

fn status(r: &Value) -> Vec<(String, String)> {
    r["status"]
        .as_str()
        .map(|s| (String::new(), s.to_string()))
        .into_iter()
        .collect()
}

fn reference_at(r: &Value, field: &str) -> Vec<String> {
    match &r[field] {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i["reference"].as_str().map(str::to_string))
            .collect(),
        other => other["reference"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect(),
    }
}

fn managing_organization(r: &Value) -> Vec<String> {
    reference_at(r, "managingOrganization")
}

fn provided_by(r: &Value) -> Vec<String> {
    reference_at(r, "providedBy")
}

fn locations(r: &Value) -> Vec<String> {
    reference_at(r, "location")
}

fn part_of(r: &Value) -> Vec<String> {
    reference_at(r, "partOf")
}

const ID: Param = p(
    "_id",
    Kind::Id,
    "The resource's id; several separated by commas.",
);
const LAST_UPDATED: Param = p(
    "_lastUpdated",
    Kind::LastUpdated,
    "When the current version was recorded: eq, gt, lt, ge, le with a date or instant.",
);

pub const ORGANIZATION: &[Param] = &[
    ID,
    LAST_UPDATED,
    p("name", Kind::Text(name), "Name; :contains and :exact."),
    p(
        "type",
        Kind::Token(types),
        "The organisation kind, or the mCSD code facility for FacilityOrganizations.",
    ),
    p("active", Kind::Token(active), "true or false."),
    p("identifier", Kind::Token(identifiers), "system|value."),
    p(
        "partof",
        Kind::Reference("Organization", part_of),
        "The operator of a FacilityOrganization.",
    ),
];

pub const LOCATION: &[Param] = &[
    ID,
    LAST_UPDATED,
    p("name", Kind::Text(name), "Name; :contains and :exact."),
    p(
        "status",
        Kind::Token(status),
        "active (open), suspended (not open yet), inactive (closed).",
    ),
    p(
        "organization",
        Kind::Reference("Organization", managing_organization),
        "The managing FacilityOrganization.",
    ),
    p(
        "type",
        Kind::Token(types),
        "The mCSD code facility, or a vangnet service type.",
    ),
    p(
        "identifier",
        Kind::Token(identifiers),
        "system|value: the facility id or the CBS municipality code.",
    ),
    p(
        "near",
        Kind::Near,
        "latitude|longitude|distance|km (great-circle distance, as the public finder measures it); default 10 km.",
    ),
];

pub const HEALTHCARE_SERVICE: &[Param] = &[
    ID,
    LAST_UPDATED,
    p(
        "service-type",
        Kind::Token(types),
        "A vangnet service type: consumption_room, methadone_clinic, heroin_unit, syringe_exchange, paraphernalia, naloxone.",
    ),
    p(
        "location",
        Kind::Reference("Location", locations),
        "The Location it is offered at.",
    ),
    p(
        "organization",
        Kind::Reference("Organization", provided_by),
        "The FacilityOrganization that provides it.",
    ),
    p("active", Kind::Token(active), "true or false."),
    p("name", Kind::Text(name), "Name; :contains and :exact."),
];

/// The search parameters of a resource type.
pub fn params_of(resource_type: &str) -> &'static [Param] {
    match resource_type {
        "Organization" => ORGANIZATION,
        "Location" => LOCATION,
        _ => HEALTHCARE_SERVICE,
    }
}

/// Parameters about the result rather than the match.
pub const RESULT_PARAMS: [&str; 4] = ["_count", "_offset", "_include", "_revinclude"];

/// Default and largest page.
pub const DEFAULT_COUNT: usize = 50;
pub const MAX_COUNT: usize = 500;
/// `near` without a distance.
const DEFAULT_NEAR_KM: f64 = 10.0;

/// One criterion: a parameter with its values (any of them may match).
struct Criterion {
    kind: Kind,
    modifier: Option<String>,
    values: Vec<String>,
}

/// A search as read from the request.
pub struct Search {
    criteria: Vec<Criterion>,
    pub count: usize,
    pub offset: usize,
    pub include: bool,
    pub revinclude: bool,
    /// The parameters used, for the `self` and `next` links.
    pub used: Vec<(String, String)>,
    /// Parameters that were ignored (lenient handling).
    pub ignored: Vec<String>,
}

fn bad(message: String) -> AppError {
    AppError::BadRequest(message)
}

fn number(name: &str, value: &str, max: usize) -> AppResult<usize> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| bad(format!("{name}: '{value}' is not a number from 0 to {max}")))
}

impl Search {
    /// Reads the query's parameters for `resource_type`; `strict` when
    /// the request asked for `Prefer: handling=strict`.
    pub fn parse(
        resource_type: &str,
        pairs: &[(String, String)],
        strict: bool,
    ) -> AppResult<Search> {
        let mut search = Search {
            criteria: Vec::new(),
            count: DEFAULT_COUNT,
            offset: 0,
            include: false,
            revinclude: false,
            used: Vec::new(),
            ignored: Vec::new(),
        };
        for (key, value) in pairs {
            let (name, modifier) = match key.split_once(':') {
                Some((n, m)) => (n, Some(m.to_string())),
                None => (key.as_str(), None),
            };
            match name {
                "_count" => search.count = number("_count", value, MAX_COUNT)?.max(1),
                "_offset" => search.offset = number("_offset", value, usize::MAX / 2)?,
                "_include" | "_revinclude" => {
                    let (wanted, expected_type) = if name == "_include" {
                        (&mut search.include, "Location")
                    } else {
                        (&mut search.revinclude, "Organization")
                    };
                    if value != "Location:organization" || resource_type != expected_type {
                        return Err(bad(format!(
                            "{name}={value} is not supported on {resource_type}: only _include=Location:organization on Location and _revinclude=Location:organization on Organization"
                        )));
                    }
                    *wanted = true;
                }
                "_format"
                    if matches!(
                        value.as_str(),
                        "json" | "application/fhir+json" | "application/json"
                    ) => {}
                _ => {
                    let Some(param) = params_of(resource_type).iter().find(|p| p.name == name)
                    else {
                        if strict {
                            return Err(bad(format!(
                                "{key}: not a search parameter of {resource_type} on this server"
                            )));
                        }
                        search.ignored.push(key.clone());
                        continue;
                    };
                    let criterion = Criterion {
                        kind: param.kind,
                        modifier,
                        values: value.split(',').map(str::to_string).collect(),
                    };
                    criterion.check(key)?;
                    search.criteria.push(criterion);
                }
            }
            if !search.ignored.contains(key) && key != "_offset" {
                search.used.push((key.clone(), value.clone()));
            }
        }
        Ok(search)
    }

    /// Whether a resource matches every criterion.
    pub fn matches(&self, resource: &Value) -> bool {
        self.criteria.iter().all(|c| c.matches(resource))
    }
}

impl Criterion {
    /// Rejects values and modifiers that cannot be used (before matching,
    /// so a bad request is a 400 even when nothing would match).
    fn check(&self, key: &str) -> AppResult<()> {
        let modifier_ok = matches!(
            (self.kind, self.modifier.as_deref()),
            (_, None) | (Kind::Text(_), Some("contains" | "exact"))
        );
        if !modifier_ok {
            return Err(bad(format!("{key}: this modifier is not supported")));
        }
        for value in &self.values {
            match self.kind {
                Kind::LastUpdated => {
                    date_range(value).ok_or_else(|| {
                        bad(format!("_lastUpdated: '{value}' is not [eq|gt|lt|ge|le] followed by a date or instant"))
                    })?;
                }
                Kind::Near => {
                    near(value).ok_or_else(|| {
                        bad(format!(
                            "near: '{value}' is not latitude|longitude|distance|km"
                        ))
                    })?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn matches(&self, r: &Value) -> bool {
        self.values.iter().any(|v| self.matches_value(r, v))
    }

    fn matches_value(&self, r: &Value, value: &str) -> bool {
        match self.kind {
            Kind::Id => r["id"].as_str() == Some(value),
            Kind::LastUpdated => {
                let Some((prefix, lo, hi)) = date_range(value) else {
                    return false;
                };
                let Some(at) = r["meta"]["lastUpdated"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc))
                else {
                    return false;
                };
                match prefix {
                    "gt" => at >= hi,
                    "ge" => at >= lo,
                    "lt" => at < lo,
                    "le" => at < hi,
                    _ => lo <= at && at < hi,
                }
            }
            Kind::Text(get) => {
                let wanted = value.to_lowercase();
                get(r).iter().any(|s| match self.modifier.as_deref() {
                    Some("exact") => s == value,
                    Some("contains") => s.to_lowercase().contains(&wanted),
                    _ => s.to_lowercase().starts_with(&wanted),
                })
            }
            Kind::Token(get) => {
                let (system, code) = match value.split_once('|') {
                    Some((s, c)) => (Some(s), c),
                    None => (None, value),
                };
                get(r)
                    .iter()
                    .any(|(s, c)| c == code && system.is_none_or(|wanted| wanted == s))
            }
            Kind::Reference(target, get) => {
                let wanted = reference_key(target, value);
                get(r).iter().any(|s| reference_key(target, s) == wanted)
            }
            Kind::Near => {
                let Some((point, km)) = near(value) else {
                    return false;
                };
                let position = &r["position"];
                match (
                    position["latitude"].as_f64(),
                    position["longitude"].as_f64(),
                ) {
                    (Some(lat), Some(lon)) => {
                        Point::new(lat, lon).is_some_and(|at| distance_km(point, at) <= km)
                    }
                    _ => false,
                }
            }
        }
    }
}

/// `Type/id` from `id`, `Type/id` or an absolute URL ending in `Type/id`.
fn reference_key(target: &str, value: &str) -> String {
    let parts: Vec<&str> = value.trim_end_matches('/').rsplit('/').take(2).collect();
    match parts.as_slice() {
        [id, kind] => format!("{kind}/{id}"),
        [id] => format!("{target}/{id}"),
        _ => String::new(),
    }
}

/// A `_lastUpdated` value: its prefix and the instants it covers
/// (a date covers its day in UTC, an instant its second).
fn date_range(value: &str) -> Option<(&str, DateTime<Utc>, DateTime<Utc>)> {
    let (prefix, rest) = match value.get(..2) {
        Some(p @ ("eq" | "gt" | "lt" | "ge" | "le")) => (p, &value[2..]),
        _ => ("eq", value),
    };
    if let Ok(day) = NaiveDate::parse_from_str(rest, "%Y-%m-%d") {
        let lo = day.and_hms_opt(0, 0, 0)?.and_utc();
        return Some((prefix, lo, lo + Duration::days(1)));
    }
    let at = DateTime::parse_from_rfc3339(rest).ok()?.with_timezone(&Utc);
    Some((prefix, at, at + Duration::seconds(1)))
}

/// `near`: the point and the distance in km.
fn near(value: &str) -> Option<(Point, f64)> {
    let parts: Vec<&str> = value.split('|').collect();
    let lat = parts.first()?.trim().parse().ok()?;
    let lon = parts.get(1)?.trim().parse().ok()?;
    let km = match parts.get(2).map(|d| d.trim()) {
        None | Some("") => DEFAULT_NEAR_KM,
        Some(d) => d
            .parse::<f64>()
            .ok()
            .filter(|d| d.is_finite() && *d >= 0.0)?,
    };
    if !matches!(
        parts.get(3).map(|u| u.trim()),
        None | Some("" | "km" | "[km]")
    ) {
        return None;
    }
    Some((Point::new(lat, lon)?, km))
}

/// The instant a `_since` names.
pub fn since(value: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        })
        .map_err(|_| bad(format!("_since: '{value}' is not an instant")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn strings_match_from_the_start_or_anywhere_or_exactly() {
        let r = json!({"name": "Huiskamer Utrecht"});
        let search = |k: &str, v: &str| {
            Search::parse("Location", &pairs(&[(k, v)]), true)
                .unwrap()
                .matches(&r)
        };
        assert!(search("name", "huis"));
        assert!(!search("name", "utrecht"));
        assert!(search("name:contains", "UTRECHT"));
        assert!(!search("name:exact", "huiskamer utrecht"));
        assert!(search("name:exact", "Huiskamer Utrecht"));
    }

    #[test]
    fn unknown_parameters_are_ignored_unless_strict() {
        let lenient = Search::parse("Location", &pairs(&[("colour", "red")]), false).unwrap();
        assert_eq!(lenient.ignored, vec!["colour".to_string()]);
        assert!(Search::parse("Location", &pairs(&[("colour", "red")]), true).is_err());
        assert!(Search::parse("Location", &pairs(&[("name:near", "x")]), false).is_err());
    }

    #[test]
    fn last_updated_prefixes_cover_days_and_seconds() {
        let r = json!({"meta": {"lastUpdated": "2026-12-05T10:00:00Z"}});
        let m = |v: &str| {
            Search::parse("Location", &pairs(&[("_lastUpdated", v)]), true)
                .unwrap()
                .matches(&r)
        };
        assert!(m("2026-12-05"));
        assert!(m("ge2026-12-05T10:00:00Z"));
        assert!(!m("gt2026-12-05T10:00:00Z"));
        assert!(m("le2026-12-05T10:00:00Z"));
        assert!(!m("lt2026-12-05T10:00:00Z"));
        assert!(m("gt2026-12-04"));
        assert!(!m("lt2026-12-05"));
    }

    #[test]
    fn near_uses_great_circle_kilometres() {
        let r = json!({"position": {"latitude": 52.0907, "longitude": 5.1214}});
        let m = |v: &str| {
            Search::parse("Location", &pairs(&[("near", v)]), true)
                .unwrap()
                .matches(&r)
        };
        // Amersfoort is about 20 km from Utrecht.
        assert!(m("52.1561|5.3878|25|km"));
        assert!(!m("52.1561|5.3878|15|km"));
        assert!(Search::parse("Location", &pairs(&[("near", "52|5|3|mi")]), true).is_err());
    }
}
