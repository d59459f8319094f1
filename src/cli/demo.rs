//! The demo: a realistic, clearly labelled register (every name starts with
//! "Demo") loaded into its own SQLite file, recreated at each start, with a
//! little history so that "as of" questions have interesting answers.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use serde_json::json;

use crate::accounts;
use crate::domain::access::Principal;
use crate::domain::date::today;
use crate::domain::provenance::{Actor, Source};
use crate::domain::round::{OverrideInput, RoundInput};
use crate::register;
use crate::register::import::{import_facilities, ImportOptions};
use crate::rounds;
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;

/// The demo facilities, with Dutch column names as a coordinator's spreadsheet would have.
pub const FACILITIES_CSV: &str = include_str!("../../data/demo/facilities.csv");

/// The published national figures (real, with their sources; see data/README.md).
pub const PUBLISHED_FIGURES_CSV: &str = include_str!("../../data/published_figures.csv");

/// The demo's inventory round: counted on this day from the demo register,
/// whose counts then are the published Table 1 of 2026 (data/demo/generate.py;
/// checked by tests/it/rounds/demo_round.rs).
const ROUND_NAME: &str = "2026";
const ROUND_DAY: &str = "2026-07-01";
/// The open revision of round 2026 that the demo's campaign works on.
pub const REVISION_NAME: &str = "2026-herziening";

pub struct Demo {
    pub store: Store,
    /// The admin API token made for this run.
    pub admin_token: String,
    /// (e-mail, role, password) of the demo accounts made for this run.
    pub logins: Vec<(String, String, String)>,
    /// What reference data was loaded (see [`load_reference`]).
    pub reference: Vec<String>,
}

impl Demo {
    /// What the demo prints at the start; `mail` says where e-mail goes.
    pub fn banner(&self, file: &Path, address: std::net::SocketAddr, mail: &str) -> String {
        let mut text = format!(
            "vangnet demo: DEMO DATA, not real services (every name starts with 'Demo')\n\
             database: {} (recreated at every start)\n{mail}\n{}\
             demo logins (sign in at http://{address}/inloggen; new passwords at every start):\n",
            file.display(),
            self.reference
                .iter()
                .map(|line| format!("{line}\n"))
                .collect::<String>()
        );
        for (email, role, password) in &self.logins {
            text.push_str(&format!("  {role:<12} {email:<34} {password}\n"));
        }
        text.push_str(&format!(
            "demo API token (role admin): {}\n\
             try: curl -H 'Authorization: Bearer {}' http://{address}/api/v1/facilities/1/history",
            self.admin_token, self.admin_token
        ));
        text
    }
}

/// Changes that give the demo a history: (facility name, effective day, source, patch).
fn timeline() -> Vec<(&'static str, &'static str, &'static str, serde_json::Value)> {
    vec![
        (
            "Demo Gebruiksruimte Het Anker Utrecht 1",
            "2025-01-06",
            "telefoon: gesproken met de teamleider",
            json!({"opening_hours": "Mo-Su 09:00-21:00", "change_note": "ruimere openingstijden na evaluatie"}),
        ),
        (
            "Demo Apotheek Amsterdam",
            "2025-06-01",
            "website",
            json!({"services": ["syringe_exchange", "paraphernalia", "naloxone"], "change_note": "deelt nu ook naloxon uit"}),
        ),
        (
            "Demo MHU Utrecht",
            "2024-01-01",
            "ladis",
            json!({"capacity": 40, "change_note": "meer behandelplaatsen toegekend"}),
        ),
    ]
}

/// Recreates the demo database and fills it.
pub async fn prepare(file: &Path) -> anyhow::Result<Demo> {
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", file.display());
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot remove the old demo file {path}"))
            }
        }
    }
    let store = Store::connect(&file.display().to_string()).await?;
    let (admin_token, logins) = fill(&store).await?;
    let dir = [
        Path::new(REFERENCE_DIR).to_path_buf(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join(REFERENCE_DIR),
    ]
    .into_iter()
    .find(|d| d.is_dir())
    .unwrap_or_else(|| Path::new(REFERENCE_DIR).to_path_buf());
    let reference = load_reference(&store, &dir).await?;
    Ok(Demo {
        store,
        admin_token,
        logins,
        reference,
    })
}

/// Where the demo looks for municipal populations and boundaries to load
/// (from the working directory, else from the checkout it was built in):
/// the shared reference data beside a checkout, which vangnet does not
/// bundle (their licences ask for attribution, and a deployment loads the
/// official files itself with `vangnet import population` and `vangnet
/// import boundaries`).
pub const REFERENCE_DIR: &str = "../shared/data/nl";

/// Loads `municipality_population.csv` and `municipalities_2025.topojson`
/// from `dir` when they are there; says what it did.
pub async fn load_reference(store: &Store, dir: &Path) -> anyhow::Result<Vec<String>> {
    let actor = Actor::named("demo");
    let mut said = Vec::new();
    let population = dir.join("municipality_population.csv");
    match std::fs::read(&population) {
        Ok(bytes) => {
            let report = crate::dashboards::reference::import_population(
                store,
                &bytes,
                &population.display().to_string(),
                &actor,
            )
            .await?;
            anyhow::ensure!(report.is_ok(), "{report}");
            said.push(format!("municipal populations: loaded from {}", population.display()));
        }
        Err(_) => said.push(
            "municipal populations: not loaded (vangnet import population FILE); indicators per inhabitant by municipality stay empty"
                .to_string(),
        ),
    }
    let boundaries = dir.join("municipalities_2025.topojson");
    match std::fs::read(&boundaries) {
        Ok(bytes) => {
            let report = crate::dashboards::reference::import_boundaries(
                store,
                &bytes,
                &boundaries.display().to_string(),
                Some("Gemeentegrenzen: CBS / PDOK, CBS Gebiedsindelingen 2025 (CC BY 4.0)"),
                &actor,
            )
            .await?;
            anyhow::ensure!(report.is_ok(), "{report}");
            said.push(format!("municipal boundaries: loaded from {}", boundaries.display()));
        }
        Err(_) => said.push(
            "municipal boundaries: not loaded (vangnet import boundaries FILE); maps draw municipalities as circles"
                .to_string(),
        ),
    }
    Ok(said)
}

/// Fills an empty database with the demo register, its history, round,
/// reports and tallies and accounts: (the admin API token, the logins).
pub async fn fill(store: &Store) -> anyhow::Result<(String, Vec<(String, String, String)>)> {
    let store = store.clone();
    let actor = Actor::named("demo");
    let day = today();
    let options = ImportOptions {
        dry_run: false,
        actor: actor.clone(),
        file_name: "demo/facilities.csv".into(),
        today: day,
    };
    let report = import_facilities(&store, FACILITIES_CSV.as_bytes(), &options, &|_, _| {}).await?;
    anyhow::ensure!(report.is_ok(), "the demo data does not import:\n{report}");

    let facilities = store
        .list_facilities(&FacilityFilter {
            internal: crate::domain::access::InternalScope::All,
            ..FacilityFilter::default()
        })
        .await?;
    for (name, effective, source, mut patch) in timeline() {
        let facility = facilities
            .iter()
            .find(|f| f.fields.name == name)
            .with_context(|| format!("the demo has no facility '{name}'"))?;
        patch["effective_from"] = json!(effective);
        let effective_day = NaiveDate::parse_from_str(effective, "%Y-%m-%d")?;
        patch["verified_on"] = json!(effective_day);
        register::patch_facility(
            &store,
            facility.id,
            &patch,
            &Source::parse(source),
            &Principal::command_line("demo"),
            &actor,
            day,
        )
        .await
        .with_context(|| format!("demo change to '{name}'"))?;
    }
    demo_round(&store, &actor, day).await?;
    super::demo_reports::demo_reports(&store, &actor, day).await?;
    let (_, admin_token) = store.create_token("demo-admin", "admin").await?;
    let logins = demo_logins(&store, &facilities, &actor).await?;
    Ok((admin_token, logins))
}

/// Loads the published figures and runs the 2026 round on the demo register
/// as a researcher would: the inventory's services, the counts the register
/// cannot give read as the inventory printed them, closed and published.
async fn demo_round(store: &Store, actor: &Actor, day: NaiveDate) -> anyhow::Result<()> {
    let report = rounds::import_figures(
        store,
        PUBLISHED_FIGURES_CSV.as_bytes(),
        "published_figures.csv",
        actor,
    )
    .await?;
    anyhow::ensure!(
        report.is_ok(),
        "the published figures do not load:\n{report}"
    );
    let who = Principal::command_line("demo");
    let input = RoundInput {
        name: Some(ROUND_NAME.into()),
        reference_date: Some(ROUND_DAY.into()),
        services: [
            "consumption_room",
            "heroin_unit",
            "methadone_clinic",
            "syringe_exchange",
        ]
        .map(String::from)
        .to_vec(),
    };
    rounds::create_round(store, &input, &who, actor).await?;
    set_readings(store, ROUND_NAME, &who, actor).await?;
    rounds::close_round(store, ROUND_NAME, &who, actor, day).await?;
    rounds::publish_round(store, ROUND_NAME, &who, actor).await?;
    // The revision the demo's campaign works on: the same day and
    // readings, open, so its Table 1 starts as the published one and takes
    // in what the campaign's accepted answers change (a published round
    // never changes again).
    let revision = RoundInput {
        name: Some(REVISION_NAME.into()),
        ..input
    };
    rounds::create_round(store, &revision, &who, actor).await?;
    set_readings(store, REVISION_NAME, &who, actor).await?;
    Ok(())
}

/// What the inventory printed where the register cannot count: methadone
/// clinics unknown, syringe exchange "at least".
async fn set_readings(
    store: &Store,
    round: &str,
    who: &Principal,
    actor: &Actor,
) -> anyhow::Result<()> {
    let readings = [
        (
            "methadone_clinic",
            "unknown",
            "Geen landelijk overzicht te krijgen; LADIS telt 11 instellingen met 5.148 cliënten in 2024.",
            "LADIS Kerncijfers verslavingszorg 2015-2024 (Stichting IVZ)",
        ),
        (
            "syringe_exchange",
            "at_least",
            "Bekende ondertelling: omruil is vaak een nevenactiviteit (apotheken, GGD, opvang).",
            "Trimbos-inventarisatie 2026",
        ),
    ];
    for (service, qualifier, note, source) in readings {
        let reading = OverrideInput {
            service: Some(service.into()),
            qualifier: Some(qualifier.into()),
            value: None,
            note: Some(note.into()),
            source: Some(source.into()),
        };
        rounds::set_count(store, round, &reading, who, actor).await?;
    }
    Ok(())
}

/// One account per role, each with a fresh random password.
async fn demo_logins(
    store: &Store,
    facilities: &[crate::domain::facility::Facility],
    actor: &Actor,
) -> anyhow::Result<Vec<(String, String, String)>> {
    let west = facilities
        .iter()
        .find(|f| f.organisation_name.as_deref() == Some("Demo Verslavingszorg West"))
        .and_then(|f| f.organisation_id)
        .context("the demo has no 'Demo Verslavingszorg West'")?;
    let accounts = [
        ("admin@demo.vangnet.example", "admin", None),
        ("onderzoeker@demo.vangnet.example", "researcher", None),
        (
            "beheerder.west@demo.vangnet.example",
            "org_manager",
            Some(west),
        ),
        ("melder.west@demo.vangnet.example", "reporter", Some(west)),
        ("auditor@demo.vangnet.example", "auditor", None),
    ];
    let mut logins = Vec::new();
    for (email, role, organisation_id) in accounts {
        let new = accounts::NewUser {
            email: email.into(),
            name: None,
            role: role.into(),
            organisation_id,
            facility_ids: Vec::new(),
        };
        let (_, link) = accounts::create_user(store, &new, actor).await?;
        let password = format!("demo-{}", &crate::domain::secret::generate("")[..12]);
        accounts::set_password(store, &link, &password, actor).await?;
        logins.push((email.to_string(), role.to_string(), password));
    }
    Ok(logins)
}
