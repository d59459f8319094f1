//! Test support: a fresh database per test on the engine the run asks for
//! (`VANGNET_TEST_DATABASE=sqlite|postgres`), and the app driven in process.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use sqlx::Connection;
use tower::ServiceExt;
use vangnet::storage::Store;

/// Where the PostgreSQL server for tests is (without a database name).
fn postgres_base() -> String {
    std::env::var("VANGNET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

pub fn engine() -> &'static str {
    match std::env::var("VANGNET_TEST_DATABASE").as_deref() {
        Ok("postgres") => "postgres",
        Ok("sqlite") | Err(_) => "sqlite",
        Ok(other) => panic!("VANGNET_TEST_DATABASE must be sqlite or postgres, not {other}"),
    }
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        match engine() {
            "postgres" => {
                sqlx::any::install_default_drivers();
                let name = format!(
                    "vangnet_test_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                let mut admin =
                    sqlx::AnyConnection::connect(&format!("{}/postgres", postgres_base()))
                        .await
                        .unwrap_or_else(|e| {
                            panic!(
                            "VANGNET_TEST_DATABASE=postgres but no PostgreSQL answers at {}: {e}",
                            postgres_base()
                        )
                        });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                TestDb {
                    url: format!("{}/{name}", postgres_base()),
                    _dir: None,
                    postgres_name: Some(name),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                TestDb {
                    url: path.display().to_string(),
                    _dir: Some(dir),
                    postgres_name: None,
                }
            }
        }
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url)
            .await
            .expect("connect to test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs outside async code; a small runtime on its own thread
        // removes the database (FORCE ends connections still open).
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(mut admin) =
                    sqlx::AnyConnection::connect(&format!("{}/postgres", postgres_base())).await
                {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// The app on a fresh database, with an admin token.
pub struct TestApp {
    pub store: Store,
    pub router: Router,
    pub token: String,
    _db: TestDb,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| {
            panic!(
                "response is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.bytes)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        let db = TestDb::new().await;
        let store = db.store().await;
        let (_, token) = store.create_token("test-admin", "admin").await.unwrap();
        let mailer =
            vangnet::platform::mail::Mailer::from_url(None, "vangnet <noreply@vangnet.invalid>")
                .expect("development mailer");
        TestApp {
            router: vangnet::http::app::build(
                store.clone(),
                vangnet::platform::config::Config::default(),
                mailer,
            ),
            store,
            token,
            _db: db,
        }
    }

    /// The app's database, for the command line (`--database`).
    pub fn database_url(&self) -> &str {
        &self._db.url
    }

    /// Adds a user with a role (and organisation) and returns an API token acting as them.
    pub async fn user_token(
        &self,
        email: &str,
        role: &str,
        organisation_id: Option<i64>,
    ) -> (i64, String) {
        let new = vangnet::accounts::NewUser {
            email: email.to_string(),
            role: role.to_string(),
            organisation_id,
            ..Default::default()
        };
        let actor = vangnet::domain::provenance::Actor::named("test");
        let (id, _) = vangnet::accounts::create_user(&self.store, &new, &actor)
            .await
            .unwrap_or_else(|e| panic!("create user {email}: {e}"));
        let (_, token) = self.store.create_user_token(id, "test").await.unwrap();
        (id, token)
    }

    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(serde_json::to_vec(&body).unwrap())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        self.raw(request).await
    }

    pub async fn raw(&self, request: Request<Body>) -> Reply {
        call(&self.router, request).await
    }

    /// GET without a token.
    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Method::GET, uri, None, None).await
    }

    /// GET with the admin token.
    pub async fn get_as_admin(&self, uri: &str) -> Reply {
        self.send(Method::GET, uri, None, Some(&self.token.clone()))
            .await
    }

    pub async fn post(&self, uri: &str, body: Value) -> Reply {
        self.send(Method::POST, uri, Some(body), Some(&self.token.clone()))
            .await
    }

    pub async fn patch(&self, uri: &str, body: Value) -> Reply {
        self.send(Method::PATCH, uri, Some(body), Some(&self.token.clone()))
            .await
    }

    /// The facilities the API lists to the admin for `query` (such as `status=all`).
    pub async fn facilities(&self, query: &str) -> Vec<Value> {
        let list = self
            .get_as_admin(&format!("/api/v1/facilities?{query}"))
            .await
            .json();
        list["facilities"].as_array().unwrap().clone()
    }

    /// Imports the bundled published figures (`data/published_figures.csv`:
    /// estimates and CBS inhabitants).
    pub async fn import_bundled_figures(&self) {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/published_figures.csv"
        ))
        .unwrap();
        vangnet::rounds::import_figures(
            &self.store,
            &bytes,
            "published_figures.csv",
            &vangnet::domain::provenance::Actor::named("test"),
        )
        .await
        .unwrap();
    }

    /// Imports CSV text as `name`, writing for real, and returns the report.
    pub async fn import(&self, name: &str, text: &str) -> vangnet::register::import::ImportReport {
        import_bytes(&self.store, name, text.as_bytes(), false).await
    }
}

/// Sends `request` to the app in process and reads the whole response.
pub async fn call(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        bytes,
    }
}

pub async fn import_bytes(
    store: &Store,
    name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> vangnet::register::import::ImportReport {
    let options = vangnet::register::import::ImportOptions {
        dry_run,
        actor: vangnet::domain::provenance::Actor::named("test"),
        file_name: name.to_string(),
        today: vangnet::domain::date::today(),
    };
    vangnet::register::import::import_facilities(store, bytes, &options, &|_, _| {})
        .await
        .expect("import runs")
}

/// A spreadsheet with Dutch headers, as a coordinator would send it.
pub const DUTCH_CSV: &str = r#"naam;organisatie;voorzieningen;adres;postcode;plaats;geopend;gesloten;openbaar;mobiel;ruimtes;capaciteit;openingstijden;bron;geverifieerd;opmerkingen
Demo Huiskamer Centrum;Demo Zorg Utrecht;"gebruiksruimte;spuitomruil";Voorbeeldstraat 1;3511 AB;Utrecht;2015-03-01;;ja;nee;3;12;Mo-Fr 09:00-17:00;telefoon;2026-01-15;drie gescheiden ruimtes
Demo Bewonersruimte;Demo Zorg Utrecht;gebruiksruimte;Demoweg 2;3512 CD;Utrecht;2018-01-01;;nee;nee;1;4;;website;2026-01-15;alleen bewoners
Demo Oude Ruimte;Demo Zorg Amsterdam;gebruiksruimte;Proefkade 3;1012 AB;Amsterdam;2005-01-01;2023-06-01;ja;nee;1;6;;inventarisatie;2022-06-01;
Demo MHU Amsterdam;Demo Zorg Amsterdam;mhu;Oefenplein 4;1013 AB;Amsterdam;2008-05-01;;ja;nee;;60;Mo-Su 08:00-10:00;ladis;2025-12-31;
Demo Apotheek Zwolle;Demo Apotheek;"spuitomruil;naloxon";Testlaan 5;8011 AB;Zwolle;;;ja;nee;;;Mo-Sa 08:00-18:00;;;
"#;

/// A day written `YYYY-MM-DD`.
pub fn date(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The text of a page that must have answered 200.
pub fn page(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.text()
}

/// Table 1's row (JSON) of a service.
pub fn table1_row<'a>(table: &'a Value, service: &str) -> &'a Value {
    table["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows in {table}"))
        .iter()
        .find(|r| r["service"] == service)
        .unwrap_or_else(|| panic!("no {service} row in {table}"))
}

impl TestApp {
    /// The id of the facility with this name (open, closed or planned).
    pub async fn facility_id(&self, name: &str) -> i64 {
        self.facilities(&format!("status=all&q={}", name.replace(' ', "+")))
            .await
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no facility {name}"))["id"]
            .as_i64()
            .unwrap()
    }

    /// A GET as a browser that chose English at `/taal`.
    pub async fn get_in_english(&self, uri: &str) -> Reply {
        let switch = self.get("/taal?lang=en&terug=/").await;
        assert_eq!(switch.status, StatusCode::SEE_OTHER);
        let cookie = switch.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let request = Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        self.raw(request).await
    }
}

/// The Python that has `modules` importable (a line such as `import
/// aiosmtpd`): the venv `scripts/test` installs into
/// `target/schemathesis-venv`, or `$VANGNET_TEST_PYTHON`. Tests that need
/// it fail, naming what `needs` is for, rather than skip.
pub fn python_with(import: &str, needs: &str) -> std::path::PathBuf {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/schemathesis-venv/bin/python");
    let from_env = std::env::var_os("VANGNET_TEST_PYTHON").map(PathBuf::from);
    std::iter::once(venv)
        .chain(from_env)
        .find(|python| {
            Command::new(python)
                .args(["-c", import])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .unwrap_or_else(|| {
            panic!(
                "{needs}: run scripts/test once (it installs them from PyPI into \
                 target/schemathesis-venv) or set VANGNET_TEST_PYTHON"
            )
        })
}
