//! ADX (IHE QRPH, `urn:ihe:qrph:adx:2015`) and DHIS2: approved period
//! values as an ADX message and as a DHIS2 data value set, and the DHIS2
//! metadata (org units, data elements, data sets) a DHIS2 instance needs
//! to receive them with `dataElementIdScheme=code&orgUnitIdScheme=code`.
//!
//! Codes: a facility is `VNF<id>`, a municipality its CBS code
//! (`GM0344`), a province its ISO 3166-2 code (`NL-UT`), the country `NL`;
//! a data element is the metric's code; the data set is one per period
//! type (`VANGNET_MONTHLY`, `VANGNET_QUARTERLY`, `VANGNET_YEARLY`). DHIS2
//! ids (11 characters, a letter first) are derived from those codes by a
//! hash, so every export names the same object with the same id.
//!
//! The XML is written by hand rather than with an XML crate (quick-xml is
//! only a test dependency): the message is flat, and every attribute value
//! goes through [`escape`], which escapes the five XML specials and drops
//! characters XML 1.0 cannot carry, so no register text can break it.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::domain::geo::geo;
use crate::domain::metric::{Aggregation, Metric, Period, PeriodKind};

/// The ADX namespace.
pub const ADX_NAMESPACE: &str = "urn:ihe:qrph:adx:2015";
/// vangnet's own namespace, for the attribute that says which figures a
/// message holds (an attribute on a `group` would be a dimension to ADX).
pub const VANGNET_NAMESPACE: &str = "urn:vangnet:adx";

/// Which figures an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figures {
    /// Exact approved values per facility (national staff).
    Exact,
    /// The public figures per municipality: values of 1 to 4 people or
    /// acts, and those hidden to protect them, are left out.
    Public,
}

impl Figures {
    pub fn code(self) -> &'static str {
        match self {
            Figures::Exact => "exact",
            Figures::Public => "public",
        }
    }

    fn explained(self) -> &'static str {
        match self {
            Figures::Exact => "exact approved values per facility, for national staff; not for publication",
            Figures::Public => "public figures per municipality: values of 1 to 4 people or acts, and values hidden so that those cannot be worked out, are left out",
        }
    }
}

/// One org unit's values for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// `VNF12`, `GM0344`, `NL-UT`, `NL`.
    pub org_unit: String,
    pub period: Period,
    /// metric code → value, by code.
    pub values: Vec<(String, i64)>,
}

/// A set of values to send.
#[derive(Debug, Clone, PartialEq)]
pub struct DataValueSet {
    pub figures: Figures,
    /// RFC 3339.
    pub exported: String,
    pub groups: Vec<Group>,
}

/// A facility's org unit code.
pub fn facility_code(id: i64) -> String {
    format!("VNF{id}")
}

/// The data set of a period type.
pub fn data_set_code(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month => "VANGNET_MONTHLY",
        PeriodKind::Quarter => "VANGNET_QUARTERLY",
        PeriodKind::Year => "VANGNET_YEARLY",
    }
}

/// A period as ADX writes it: its first day and an ISO 8601 duration.
pub fn adx_period(period: Period) -> String {
    let duration = match period.kind() {
        PeriodKind::Month => "P1M",
        PeriodKind::Quarter => "P3M",
        PeriodKind::Year => "P1Y",
    };
    format!("{}/{duration}", period.start().format("%Y-%m-%d"))
}

/// A period as DHIS2 writes it: `202501`, `2025Q1`, `2025`.
pub fn dhis2_period(period: Period) -> String {
    match period {
        Period::Month { year, month } => format!("{year}{month:02}"),
        Period::Quarter { year, quarter } => format!("{year}Q{quarter}"),
        Period::Year { year } => format!("{year}"),
    }
}

/// A stable DHIS2 id for an object of `kind` with `code`: a letter, then
/// ten letters or digits, from a hash of both.
pub fn dhis2_uid(kind: &str, code: &str) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let digest = Sha256::digest(format!("vangnet:{kind}:{code}").as_bytes());
    let mut uid = String::with_capacity(11);
    uid.push(LETTERS[digest[0] as usize % LETTERS.len()] as char);
    for byte in &digest[1..11] {
        uid.push(ALPHANUMERIC[*byte as usize % ALPHANUMERIC.len()] as char);
    }
    uid
}

/// Text as an XML attribute value: the specials escaped, characters XML
/// 1.0 does not allow left out.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The set as an ADX message.
pub fn adx_xml(set: &DataValueSet) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // A comment says it to people; the attribute to programs.
    out.push_str(&format!(
        "<!-- vangnet: {} -->\n",
        set.figures.explained().replace("--", "- -")
    ));
    out.push_str(&format!(
        "<adx xmlns=\"{ADX_NAMESPACE}\" xmlns:vangnet=\"{VANGNET_NAMESPACE}\" exported=\"{}\" vangnet:figures=\"{}\">\n",
        escape(&set.exported),
        set.figures.code()
    ));
    for group in &set.groups {
        out.push_str(&format!(
            "  <group orgUnit=\"{}\" period=\"{}\" dataSet=\"{}\">\n",
            escape(&group.org_unit),
            adx_period(group.period),
            data_set_code(group.period.kind())
        ));
        for (metric, value) in &group.values {
            out.push_str(&format!(
                "    <dataValue dataElement=\"{}\" value=\"{value}\"/>\n",
                escape(metric)
            ));
        }
        out.push_str("  </group>\n");
    }
    out.push_str("</adx>\n");
    out
}

/// The set as a DHIS2 data value set (JSON); `figures` says which figures
/// it holds (DHIS2 ignores the field on import).
pub fn dhis2_json(set: &DataValueSet) -> Value {
    let values: Vec<Value> = set
        .groups
        .iter()
        .flat_map(|group| {
            group.values.iter().map(move |(metric, value)| {
                json!({
                    "dataElement": metric,
                    "period": dhis2_period(group.period),
                    "orgUnit": group.org_unit,
                    "value": value.to_string(),
                })
            })
        })
        .collect();
    json!({
        "figures": set.figures.code(),
        "figuresExplained": set.figures.explained(),
        "exported": set.exported,
        "dataValues": values,
    })
}

/// A facility as an org unit.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityUnit {
    pub id: i64,
    pub name: String,
    pub municipality_code: String,
    /// ISO dates.
    pub opened_on: String,
    pub closed_on: Option<String>,
}

/// DHIS2's short names are at most 50 characters.
fn short(name: &str) -> String {
    name.chars().take(50).collect()
}

/// The DHIS2 metadata: org units (the country, its provinces, their
/// municipalities and the facilities in them), data elements (the metric
/// catalogue) and one data set per period type, assigned to every org
/// unit (the public figures are per municipality).
pub fn dhis2_metadata(metrics: &[Metric], facilities: &[FacilityUnit]) -> Value {
    let unit = |code: &str| dhis2_uid("organisationUnit", code);
    let mut units = vec![json!({
        "id": unit("NL"), "code": "NL", "name": "Nederland", "shortName": "Nederland",
        "openingDate": "1990-01-01",
    })];
    for p in geo().provinces() {
        units.push(json!({
            "id": unit(&p.code), "code": p.code, "name": p.name, "shortName": short(&p.name),
            "openingDate": "1990-01-01", "parent": {"id": unit("NL")},
        }));
    }
    for m in geo().municipalities() {
        units.push(json!({
            "id": unit(&m.code), "code": m.code, "name": m.name, "shortName": short(&m.name),
            "openingDate": "1990-01-01", "parent": {"id": unit(&m.province_code)},
        }));
    }
    for f in facilities {
        let code = facility_code(f.id);
        let mut value = json!({
            "id": unit(&code), "code": code, "name": f.name, "shortName": short(&f.name),
            "openingDate": f.opened_on, "parent": {"id": unit(&f.municipality_code)},
        });
        if let Some(closed) = &f.closed_on {
            value["closedDate"] = json!(closed);
        }
        units.push(value);
    }
    let elements: Vec<Value> = metrics
        .iter()
        .map(|m| {
            let aggregation = match m.aggregation {
                Aggregation::Sum => "SUM",
                Aggregation::Average => "AVERAGE_SUM_ORG_UNIT",
                Aggregation::Last => "LAST",
            };
            json!({
                "id": dhis2_uid("dataElement", m.code.as_str()),
                "code": m.code.as_str(),
                "name": m.name_en,
                "shortName": short(&m.name_en),
                "formName": m.name_nl,
                "description": format!("{} ({}); vangnet metric {}", m.name_en, m.unit, m.code),
                "valueType": "INTEGER_ZERO_OR_POSITIVE",
                "domainType": "AGGREGATE",
                "aggregationType": aggregation,
                "zeroIsSignificant": true,
            })
        })
        .collect();
    let unit_ids: Vec<Value> = units.iter().map(|u| json!({"id": u["id"]})).collect();
    let data_sets: Vec<Value> = [
        (PeriodKind::Month, "Monthly", "maand"),
        (PeriodKind::Quarter, "Quarterly", "kwartaal"),
        (PeriodKind::Year, "Yearly", "jaar"),
    ]
    .into_iter()
    .map(|(kind, period_type, dutch)| {
        let code = data_set_code(kind);
        let id = dhis2_uid("dataSet", code);
        let members: Vec<Value> = metrics
            .iter()
            .map(|m| {
                json!({
                    "dataSet": {"id": id},
                    "dataElement": {"id": dhis2_uid("dataElement", m.code.as_str())},
                })
            })
            .collect();
        json!({
            "id": id,
            "code": code,
            "name": format!("vangnet: figures per {dutch} ({period_type})"),
            "shortName": format!("vangnet {period_type}"),
            "periodType": period_type,
            "dataSetElements": members,
            "organisationUnits": unit_ids,
        })
    })
    .collect();
    json!({
        "organisationUnits": units,
        "dataElements": elements,
        "dataSets": data_sets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_adx_and_dhis2_write_them() {
        let march = Period::parse("2025-03").unwrap();
        assert_eq!(adx_period(march), "2025-03-01/P1M");
        assert_eq!(dhis2_period(march), "202503");
        let q2 = Period::parse("2025-Q2").unwrap();
        assert_eq!(adx_period(q2), "2025-04-01/P3M");
        assert_eq!(dhis2_period(q2), "2025Q2");
        assert_eq!(adx_period(Period::parse("2025").unwrap()), "2025-01-01/P1Y");
    }

    #[test]
    fn ids_are_stable_dhis2_uids() {
        let id = dhis2_uid("organisationUnit", "GM0344");
        assert_eq!(id, dhis2_uid("organisationUnit", "GM0344"));
        assert_ne!(id, dhis2_uid("organisationUnit", "GM0363"));
        assert_eq!(id.len(), 11);
        assert!(id.starts_with(|c: char| c.is_ascii_alphabetic()));
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn a_set_is_written_as_adx_and_as_dhis2_json() {
        let set = DataValueSet {
            figures: Figures::Exact,
            exported: "2026-01-02T03:04:05Z".into(),
            groups: vec![Group {
                org_unit: facility_code(7),
                period: Period::parse("2025-Q1").unwrap(),
                values: vec![("open_days".into(), 60), ("syringes_out".into(), 1800)],
            }],
        };
        let xml = adx_xml(&set);
        let body = xml.split_once("-->\n").unwrap().1;
        assert_eq!(
            body,
            "<adx xmlns=\"urn:ihe:qrph:adx:2015\" xmlns:vangnet=\"urn:vangnet:adx\" \
             exported=\"2026-01-02T03:04:05Z\" vangnet:figures=\"exact\">\n  \
             <group orgUnit=\"VNF7\" period=\"2025-01-01/P3M\" dataSet=\"VANGNET_QUARTERLY\">\n    \
             <dataValue dataElement=\"open_days\" value=\"60\"/>\n    \
             <dataValue dataElement=\"syringes_out\" value=\"1800\"/>\n  \
             </group>\n</adx>\n"
        );
        let json = dhis2_json(&set);
        assert_eq!(
            json["dataValues"][1],
            serde_json::json!({"dataElement": "syringes_out", "period": "2025Q1", "orgUnit": "VNF7", "value": "1800"})
        );
        assert_eq!(json["figures"], "exact");
    }

    #[test]
    fn attribute_text_cannot_break_the_message() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
