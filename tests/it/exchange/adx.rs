//! Issue 15, items 3 and 4: the demo's approved figures as ADX (validated
//! by xmllint against the loose ADX schema and vangnet's strict one, then
//! parsed back) and as a DHIS2 data value set, equal to each other and to
//! the approved values as stored; the public message per municipality,
//! equal to the exact values added up where it shows them; the DHIS2
//! metadata that names every org unit and data element the messages use;
//! and the EUDA tables of the demo year, read back from the workbook,
//! equal to the register's figures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sqlx::Row;

use crate::common::*;

/// (orgUnit, DHIS2 period, dataElement) → value.
type Values = BTreeMap<(String, String, String), i64>;

const XMLLINT: &str = "/usr/bin/xmllint";

/// Validates `xml` with xmllint against a schema of tests/exchange/; fails
/// (does not skip) when xmllint is missing.
fn xmllint(xml: &str, schema: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("message.xml");
    std::fs::write(&file, xml).unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/exchange")
        .join(schema);
    let output = Command::new(XMLLINT)
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint (Debian's libxml2-utils) is needed: scripts/test installs it");
    assert!(
        output.status.success(),
        "the ADX message does not validate against {}:\n{}",
        schema.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `2025-01-01/P1M` → `202501`; `2025-04-01/P3M` → `2025Q2`; `2025-01-01/P1Y` → `2025`.
fn dhis2_period(adx: &str) -> (String, &'static str) {
    let (start, duration) = adx.split_once('/').unwrap();
    let year = &start[..4];
    let month: u32 = start[5..7].parse().unwrap();
    match duration {
        "P1M" => (format!("{year}{month:02}"), "VANGNET_MONTHLY"),
        "P3M" => (
            format!("{year}Q{}", (month - 1) / 3 + 1),
            "VANGNET_QUARTERLY",
        ),
        "P1Y" => (year.to_string(), "VANGNET_YEARLY"),
        other => panic!("unexpected duration {other}"),
    }
}

/// Parses an ADX message back: its figures attribute and its values.
fn parse_adx(xml: &str) -> (String, Values) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut figures = String::new();
    let mut values = Values::new();
    let mut group: Option<(String, String)> = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let attributes: BTreeMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.decode_and_unescape_value(reader.decoder())
                                .unwrap()
                                .to_string(),
                        )
                    })
                    .collect();
                match e.local_name().as_ref() {
                    b"adx" => figures = attributes["vangnet:figures"].clone(),
                    b"group" => {
                        let (period, data_set) = dhis2_period(&attributes["period"]);
                        assert_eq!(attributes["dataSet"], data_set, "{attributes:?}");
                        group = Some((attributes["orgUnit"].clone(), period));
                    }
                    b"dataValue" => {
                        let (unit, period) = group.clone().expect("a value inside a group");
                        let key = (unit, period, attributes["dataElement"].clone());
                        let value: i64 = attributes["value"].parse().unwrap();
                        assert!(values.insert(key, value).is_none(), "a value twice");
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    (figures, values)
}

fn dhis2_values(set: &Value) -> Values {
    set["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                (
                    v["orgUnit"].as_str().unwrap().to_string(),
                    v["period"].as_str().unwrap().to_string(),
                    v["dataElement"].as_str().unwrap().to_string(),
                ),
                v["value"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

/// The approved values of 2025 as stored, read with SQL of this test's own.
async fn stored_approved(app: &TestApp) -> Values {
    let rows = sqlx::query(
        "SELECT r.facility_id, r.period, v.metric, v.value FROM period_reports r \
         JOIN report_values v ON v.report_id = r.id \
         WHERE r.status = 'approved' AND r.period >= '2025' AND r.period < '2026'",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            let period: String = r.get("period");
            let dhis2 = period.replace('-', "");
            (
                (
                    format!("VNF{}", r.get::<i64, _>("facility_id")),
                    dhis2,
                    r.get::<String, _>("metric"),
                ),
                r.get::<i64, _>("value"),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_demo_figures_export_as_valid_adx_and_dhis2_with_the_same_values() {
    let app = TestApp::new().await;
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    let (_, researcher) = app
        .user_token("onderzoek@example.org", "researcher", None)
        .await;
    let query = "from=2025-01&to=2025-12";

    // National staff: exact values per facility.
    let adx = app
        .send(
            axum::http::Method::GET,
            &format!("/api/v1/exchange/adx?{query}"),
            None,
            Some(&researcher),
        )
        .await;
    assert_eq!(adx.status, 200, "{}", adx.text());
    assert!(adx.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/adx+xml"));
    assert_eq!(adx.headers["x-vangnet-figures"], "exact");
    let xml = adx.text();
    xmllint(&xml, "adx.xsd");
    xmllint(&xml, "adx-vangnet.xsd");
    let (figures, exact) = parse_adx(&xml);
    assert_eq!(figures, "exact");
    assert!(
        exact.len() > 1000,
        "two years of demo reports: {}",
        exact.len()
    );
    assert_eq!(
        exact,
        stored_approved(&app).await,
        "ADX = the approved values as stored"
    );
    let audited = sqlx::query(
        "SELECT actor FROM audit_log WHERE event = 'export' AND object_type = 'period_report' \
         AND object_id = 'adx'",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(audited.len(), 1, "the exact export is in the audit log");
    assert_eq!(
        audited[0].get::<String, _>("actor"),
        "onderzoek@example.org"
    );
    let dhis2 = app
        .send(
            axum::http::Method::GET,
            &format!("/api/v1/exchange/dhis2/datavaluesets?{query}"),
            None,
            Some(&researcher),
        )
        .await
        .json();
    assert_eq!(dhis2["figures"], "exact");
    assert_eq!(dhis2_values(&dhis2), exact, "DHIS2 JSON = ADX");

    // The metadata names every org unit and data element, and every
    // facility hangs under its municipality, province and the country.
    let metadata = app
        .send(
            axum::http::Method::GET,
            "/api/v1/exchange/dhis2/metadata",
            None,
            Some(&researcher),
        )
        .await
        .json();
    let units = metadata["organisationUnits"].as_array().unwrap();
    let by_id: BTreeMap<&str, &Value> = units
        .iter()
        .map(|u| (u["id"].as_str().unwrap(), u))
        .collect();
    assert_eq!(by_id.len(), units.len(), "ids are unique");
    let code_of = |id: &str| by_id[id]["code"].as_str().unwrap().to_string();
    let mut parent_of: BTreeMap<String, String> = BTreeMap::new();
    for unit in units {
        let id = unit["id"].as_str().unwrap();
        assert!(id.len() == 11 && id.starts_with(|c: char| c.is_ascii_alphabetic()));
        if let Some(parent) = unit["parent"]["id"].as_str() {
            assert!(by_id.contains_key(parent), "the parent of {unit} exists");
            parent_of.insert(unit["code"].as_str().unwrap().into(), code_of(parent));
        }
    }
    let elements: BTreeSet<&str> = metadata["dataElements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    for (unit, _, element) in exact.keys() {
        assert!(
            elements.contains(element.as_str()),
            "{element} is a data element"
        );
        let municipality = &parent_of[unit];
        let province = &parent_of[municipality];
        assert!(
            municipality.starts_with("GM"),
            "{unit} under {municipality}"
        );
        assert_eq!(parent_of[province], "NL");
    }
    let data_sets: Vec<&str> = metadata["dataSets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        data_sets,
        ["VANGNET_MONTHLY", "VANGNET_QUARTERLY", "VANGNET_YEARLY"]
    );

    // The public: per municipality, each value the sum of the exact values
    // of its facilities, none of 1 to 4 people or acts.
    let public = app.get(&format!("/api/v1/exchange/adx?{query}")).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.headers["x-vangnet-figures"], "public");
    let xml = public.text();
    xmllint(&xml, "adx.xsd");
    xmllint(&xml, "adx-vangnet.xsd");
    let (figures, shown) = parse_adx(&xml);
    assert_eq!(figures, "public");
    assert!(!shown.is_empty());
    let mut sums: Values = Values::new();
    for ((unit, period, element), value) in &exact {
        *sums
            .entry((parent_of[unit].clone(), period.clone(), element.clone()))
            .or_default() += value;
    }
    let sensitive: BTreeSet<String> = app.get("/api/v1/metrics").await.json()["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["counts"] != "things")
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect();
    let averaged = [
        "unique_visitors",
        "patients_in_treatment",
        "treatment_places",
    ];
    for (key, value) in &shown {
        assert!(
            key.0.starts_with("GM"),
            "public figures are per municipality: {key:?}"
        );
        assert!(
            !sensitive.contains(&key.2) || *value == 0 || *value >= 5,
            "{key:?} = {value}"
        );
        if !averaged.contains(&key.2.as_str()) {
            assert_eq!(Some(value), sums.get(key), "{key:?}");
        }
    }
    let public_json = app
        .get(&format!("/api/v1/exchange/dhis2/datavaluesets?{query}"))
        .await
        .json();
    assert_eq!(public_json["figures"], "public");
    assert_eq!(dhis2_values(&public_json), shown);

    // The public metadata lists the public facilities only.
    let public_units: BTreeSet<String> = app.get("/api/v1/exchange/dhis2/metadata").await.json()
        ["organisationUnits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| {
            u["code"]
                .as_str()
                .filter(|c| c.starts_with("VNF"))
                .map(String::from)
        })
        .collect();
    let listed: BTreeSet<String> = app
        .get("/api/v1/facilities?status=all&limit=1000")
        .await
        .json()["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("VNF{}", f["id"]))
        .collect();
    assert_eq!(public_units, listed);
    let all_units = units
        .iter()
        .filter(|u| u["code"].as_str().unwrap().starts_with("VNF"))
        .count();
    assert!(
        all_units > public_units.len(),
        "staff also see residents-only rooms"
    );

    // The command line writes the same exact values.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2025.json");
    let output = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args([
            "export", "adx", "--from", "2025-01", "--to", "2025-12", "--format", "dhis2", "-o",
        ])
        .arg(&file)
        .args(["--database", app.database_url()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(dhis2_values(&written), exact);
}

#[tokio::test]
async fn an_export_names_the_period_it_cannot_read() {
    let app = TestApp::new().await;
    for (query, field) in [
        ("from=2025-13&to=2025-12", "from"),
        ("from=2025-01", "to"),
        ("from=2025-06&to=2025-01", "to"),
    ] {
        let reply = app.get(&format!("/api/v1/exchange/adx?{query}")).await;
        assert_eq!(reply.status, 422, "{query}");
        assert_eq!(reply.json()["errors"][0]["field"], field, "{query}");
    }
    let empty = app.get("/api/v1/exchange/adx?from=2025&to=2025").await;
    assert_eq!(empty.status, 200);
    xmllint(&empty.text(), "adx.xsd");
    xmllint(&empty.text(), "adx-vangnet.xsd");
}

/// The rows of the first sheet of a workbook, as text.
fn workbook_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX file");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    calamine::Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    calamine::Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn cell<'a>(rows: &'a [Vec<String>], indicator: &str, breakdown: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r[1] == indicator && r[2] == breakdown)
        .unwrap_or_else(|| panic!("no row {indicator} / {breakdown}"))
}

/// The public facilities offering `service` open on 31 December 2025.
async fn open_at_end_of_2025(app: &TestApp, service: &str) -> Vec<i64> {
    app.get(&format!(
        "/api/v1/facilities?as_of=2025-12-31&service={service}&limit=1000"
    ))
    .await
    .json()["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

/// The approved values of `metric` in 2025 of `facilities`, added up.
async fn approved_sum(app: &TestApp, metric: &str, facilities: &[i64]) -> i64 {
    let rows = sqlx::query(
        "SELECT r.facility_id, v.value FROM period_reports r \
         JOIN report_values v ON v.report_id = r.id \
         WHERE r.status = 'approved' AND v.metric = $1 AND r.period >= '2025' AND r.period < '2026'",
    )
    .bind(metric)
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    rows.iter()
        .filter(|r| facilities.contains(&r.get::<i64, _>("facility_id")))
        .map(|r| r.get::<i64, _>("value"))
        .sum()
}

#[tokio::test]
async fn the_euda_tables_of_the_demo_year_open_and_hold_the_registers_figures() {
    let app = TestApp::new().await;
    vangnet::cli::demo::fill(&app.store).await.unwrap();
    assert_eq!(app.get("/api/v1/exchange/euda?year=2025").await.status, 401);
    let workbook = app
        .get_as_admin("/api/v1/exchange/euda?year=2025&format=xlsx")
        .await;
    assert_eq!(workbook.status, 200, "{}", workbook.text());
    let rows = workbook_rows(&workbook.bytes);
    assert_eq!(
        rows[0],
        [
            "table",
            "indicator",
            "breakdown",
            "value",
            "qualifier",
            "unit",
            "period",
            "source",
            "note"
        ]
    );
    assert!(
        rows[1..].iter().all(|r| !r[7].is_empty()),
        "every row has a source"
    );

    let exchanges = open_at_end_of_2025(&app, "syringe_exchange").await;
    let syringes = cell(&rows, "syringes_provided", "NL");
    assert_eq!(
        syringes[3],
        approved_sum(&app, "syringes_out", &exchanges)
            .await
            .to_string()
    );
    let by_type: i64 = ["fixed_site", "outreach_mobile", "pharmacy"]
        .iter()
        .map(|t| {
            cell(&rows, "syringes_provided", t)[3]
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(by_type.to_string(), syringes[3], "the types add up");
    assert_eq!(
        cell(&rows, "syringes_provided", "vending_machine")[4],
        "unknown"
    );
    let sites = cell(&rows, "provision_sites", "NL");
    assert_eq!(sites[3], exchanges.len().to_string());
    let per_province: i64 = rows
        .iter()
        .filter(|r| r[1] == "provision_sites" && r[2].starts_with("NL-"))
        .map(|r| r[3].parse::<i64>().unwrap())
        .sum();
    assert_eq!(per_province.to_string(), sites[3]);

    let rooms = open_at_end_of_2025(&app, "consumption_room").await;
    assert_eq!(
        cell(&rows, "consumption_rooms", "NL")[3],
        rooms.len().to_string()
    );
    let naloxone = open_at_end_of_2025(&app, "naloxone").await;
    assert_eq!(
        cell(&rows, "programmes", "NL")[3],
        naloxone.len().to_string()
    );
    assert_eq!(
        cell(&rows, "kits_handed_out", "NL")[3],
        approved_sum(&app, "naloxone_kits_out", &naloxone)
            .await
            .to_string()
    );
    let external = cell(&rows, "external: opioid_agonist_treatment.clients", "NL");
    assert_eq!(external[3], "7421");
    assert_eq!(external[7], "EMCDDA Country Drug Report 2017 (Netherlands)");

    // National staff find the tables from the country's staff dashboard.
    let page = app.get_as_admin("/beheer/dashboard?jaar=2025").await;
    assert_eq!(page.status, 200);
    let page = page.text();
    let link = "/api/v1/exchange/euda?year=2025&amp;format=xlsx";
    assert!(
        page.contains(link),
        "the staff dashboard links the EUDA tables"
    );
    let followed = app.get_as_admin(&link.replace("&amp;", "&")).await;
    assert_eq!(workbook_rows(&followed.bytes), rows);
    assert!(!app
        .get("/cijfers/dashboard?jaar=2025")
        .await
        .text()
        .contains("exchange/euda"));

    // The CSV holds the same rows, and so does the command line's file.
    let csv = app
        .get_as_admin("/api/v1/exchange/euda?year=2025&format=csv")
        .await;
    assert_eq!(csv.status, 200);
    let read = |bytes: &[u8]| -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    assert_eq!(read(&csv.bytes), rows[1..]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("euda.xlsx");
    let output = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(["export", "euda", "--year", "2025", "-o"])
        .arg(&file)
        .args(["--database", app.database_url()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(workbook_rows(&std::fs::read(&file).unwrap()), rows);
}
