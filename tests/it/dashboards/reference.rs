//! The reference data of the dashboards: inhabitants of the country and
//! its provinces (bundled), of municipalities (`vangnet import
//! population`) and municipal boundaries (`vangnet import boundaries`),
//! loaded through the real command line on the test's engine. The CBS
//! files are read from `../shared/data/nl/`, never copied in.

use std::path::Path;
use std::process::{Command, Stdio};

use vangnet::domain::figure::PublishedFigure;
use vangnet::storage::audit::AuditFilter;
use vangnet::storage::Store;

use crate::common::TestDb;

const POPULATION: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/nl/municipality_population.csv"
);
const BOUNDARIES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/nl/municipalities_2025.topojson"
);
const FIGURES: &[u8] = include_bytes!("../../../data/published_figures.csv");
const PDOK: &str = "Gemeentegrenzen: CBS / PDOK, CBS Gebiedsindelingen 2025";

/// What a run of `vangnet` printed, and whether it succeeded.
struct Run {
    ok: bool,
    out: String,
}

/// `vangnet ARGS --database URL`, with a clean environment.
fn vangnet(db: &TestDb, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_vangnet"))
        .args(args)
        .args(["--database", &db.url])
        .env_remove("VANGNET_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run vangnet");
    Run {
        ok: output.status.success(),
        out: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

fn write(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test file");
    path.to_str().expect("UTF-8 path").to_string()
}

async fn inhabitants(store: &Store) -> Vec<PublishedFigure> {
    store.published_figures(Some("inhabitants")).await.unwrap()
}

fn figure<'a>(figures: &'a [PublishedFigure], scope: &str) -> &'a PublishedFigure {
    figures
        .iter()
        .find(|f| f.scope == scope)
        .unwrap_or_else(|| panic!("no inhabitants figure for {scope}"))
}

/// The audit entries of imports of one kind of object.
async fn imports(store: &Store, object_type: &str) -> usize {
    let filter = AuditFilter {
        event: Some("import".into()),
        object_type: Some(object_type.into()),
        limit: 100,
        ..AuditFilter::default()
    };
    store.search_audit(&filter).await.unwrap().len()
}

#[tokio::test]
async fn the_bundled_figures_hold_the_inhabitants_of_the_country_and_each_province() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let actor = vangnet::domain::provenance::Actor::named("test");
    let report = vangnet::rounds::import_figures(&store, FIGURES, "published_figures.csv", &actor)
        .await
        .unwrap();
    assert!(report.is_ok(), "{report}");
    let figures = inhabitants(&store).await;
    assert_eq!(figures.len(), 13, "the country and twelve provinces");
    let national = figure(&figures, "NL");
    assert_eq!(national.value.whole(), Some(17_942_942));
    assert_eq!(national.period, "2024");
    assert!(national.source.contains("70072NED"), "{}", national.source);
    assert_eq!(figure(&figures, "NL-DR").value.whole(), Some(504_129));
    let provinces: i64 = figures
        .iter()
        .filter(|f| f.scope.starts_with("NL-"))
        .filter_map(|f| f.value.whole())
        .sum();
    assert_eq!(provinces, 17_942_942, "the provinces add up to the country");
}

#[tokio::test]
async fn importing_municipal_populations_stores_each_once_with_its_year_and_source() {
    let db = TestDb::new().await;
    let first = vangnet(&db, &["import", "population", POPULATION]);
    assert!(first.ok, "{}", first.out);
    assert!(
        first.out.contains(
            "inhabitants of 342 municipalities (2024): 342 created, 0 updated, 0 unchanged"
        ),
        "{}",
        first.out
    );
    assert!(
        first
            .out
            .contains("GM0518 is Den Haag in the reference list"),
        "another name is noted, not refused: {}",
        first.out
    );
    let store = db.store().await;
    let figures = inhabitants(&store).await;
    assert_eq!(figures.len(), 342);
    let amsterdam = figure(&figures, "GM0363");
    assert_eq!(amsterdam.value.whole(), Some(931_298));
    assert_eq!(amsterdam.period, "2024");
    assert_eq!(amsterdam.unit.as_deref(), Some("persons"));
    assert!(
        amsterdam.source.starts_with("CBS StatLine 70072NED"),
        "{}",
        amsterdam.source
    );
    assert_eq!(amsterdam.note.as_deref(), Some("reference date 2024-01-01"));
    assert_eq!(imports(&store, "published_figures").await, 1);

    let again = vangnet(&db, &["import", "population", POPULATION]);
    assert!(again.ok, "{}", again.out);
    assert!(
        again.out.contains("0 created, 0 updated, 342 unchanged"),
        "{}",
        again.out
    );
    assert_eq!(inhabitants(&store).await, figures, "nothing changed");
    assert_eq!(imports(&store, "published_figures").await, 2);
}

#[tokio::test]
async fn a_bad_population_file_is_refused_with_row_and_column_and_nothing_is_written() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let header = "cbs_code,name,population,reference_date,source\n";
    let good = "GM0363,Amsterdam,931298,2024-01-01,CBS\n";
    let cases = [
        (
            "unknown-code.csv",
            format!("{header}{good}GM9999,Nergenshuizen,12,2024-01-01,CBS\n"),
            "row 3, column A (cbs_code): 'GM9999' is not a current CBS municipality code",
        ),
        (
            "negative.csv",
            format!("{header}{good}GM0344,Utrecht,-374238,2024-01-01,CBS\n"),
            "row 3, column C (population): -374238 is negative",
        ),
        (
            "no-date-column.csv",
            "gemeentecode;naam;inwoners;bron\nGM0363;Amsterdam;931298;CBS\n".to_string(),
            "row 1, column reference_date: the required column 'reference_date (peildatum)' is missing",
        ),
    ];
    for (name, contents, expected) in cases {
        let file = write(dir.path(), name, &contents);
        let run = vangnet(&db, &["import", "population", &file]);
        assert!(!run.ok, "{name} is refused:\n{}", run.out);
        assert!(run.out.contains(expected), "{name}:\n{}", run.out);
        assert!(run.out.contains("nothing was written"), "{}", run.out);
    }
    let store = db.store().await;
    assert!(
        inhabitants(&store).await.is_empty(),
        "not even the good rows"
    );
    assert_eq!(imports(&store, "published_figures").await, 0);
}

#[tokio::test]
async fn importing_the_cbs_boundaries_stores_342_and_a_second_import_replaces_them() {
    let db = TestDb::new().await;
    let first = vangnet(&db, &["import", "boundaries", BOUNDARIES, "--source", PDOK]);
    assert!(first.ok, "{}", first.out);
    assert!(
        first.out.contains(
            "boundaries of 342 municipalities (TopoJSON, 342 features) stored, replacing 0 earlier"
        ),
        "{}",
        first.out
    );
    assert!(
        first
            .out
            .contains("every municipality of the reference list has a boundary"),
        "{}",
        first.out
    );
    let store = db.store().await;
    let boundaries = store.boundaries().await.unwrap();
    assert_eq!(boundaries.len(), 342);
    let amsterdam = boundaries.iter().find(|b| b.code == "GM0363").unwrap();
    assert_eq!(amsterdam.name, "Amsterdam");
    let ring = &amsterdam.geometry[0][0];
    assert_eq!(ring.first(), ring.last(), "rings are closed");
    for &(lon, lat) in ring {
        assert!(
            (4.6..5.2).contains(&lon) && (52.2..52.5).contains(&lat),
            "{lon}, {lat}"
        );
        for x in [lon, lat] {
            assert!(
                ((x * 1e5).round() - x * 1e5).abs() < 1e-6,
                "{x}: 5 decimals"
            );
        }
    }
    let set = store.boundary_set().await.unwrap().unwrap();
    assert_eq!((set.count, set.source.as_str()), (342, PDOK));

    let again = vangnet(&db, &["import", "boundaries", BOUNDARIES]);
    assert!(again.ok, "{}", again.out);
    assert!(again.out.contains("replacing 342 earlier"), "{}", again.out);
    assert!(
        again.out.contains("source: unknown") && again.out.contains("give --source"),
        "the file names no source: {}",
        again.out
    );
    assert_eq!(
        store.boundaries().await.unwrap(),
        boundaries,
        "replaced, not added"
    );
    assert_eq!(imports(&store, "boundaries").await, 2);
}

#[tokio::test]
async fn a_boundary_file_replaces_the_set_whole_or_not_at_all() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let square = r#"{"type": "Polygon", "coordinates":
        [[[4.8, 52.3], [5.0, 52.3], [5.0, 52.4], [4.8, 52.4], [4.8, 52.3]]]}"#;
    let collection = |codes: &[&str]| {
        let features: Vec<String> = codes
            .iter()
            .map(|code| {
                format!(
                    r#"{{"type": "Feature", "properties": {{"statcode": "{code}"}}, "geometry": {square}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"type": "FeatureCollection", "source": "test", "features": [{}]}}"#,
            features.join(",")
        )
    };
    assert!(vangnet(&db, &["import", "boundaries", BOUNDARIES]).ok);

    let unknown = write(
        dir.path(),
        "unknown.geojson",
        &collection(&["GM0363", "GM9999"]),
    );
    let refused = vangnet(&db, &["import", "boundaries", &unknown]);
    assert!(!refused.ok, "{}", refused.out);
    assert!(
        refused.out.contains(
            "unknown.geojson: feature 2 (GM9999): 'GM9999' is not a current CBS municipality code"
        ),
        "{}",
        refused.out
    );
    assert!(
        refused.out.contains("nothing was written"),
        "{}",
        refused.out
    );
    let store = db.store().await;
    assert_eq!(
        store.boundaries().await.unwrap().len(),
        342,
        "the old set stays"
    );

    let one = write(dir.path(), "amsterdam.geojson", &collection(&["GM0363"]));
    let partial = vangnet(&db, &["import", "boundaries", &one]);
    assert!(partial.ok, "{}", partial.out);
    assert!(
        partial.out.contains(
            "341 municipalities of the reference list have no boundary (maps draw them as circles)"
        ),
        "{}",
        partial.out
    );
    assert!(partial.out.contains("source: test"), "{}", partial.out);
    let stored = store.boundaries().await.unwrap();
    assert_eq!(stored.len(), 1, "the file replaces the whole set");
    assert_eq!(stored[0].code, "GM0363");
}
