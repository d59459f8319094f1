//! `/metrics` for the operator's Prometheus (what it counts, who may read
//! it), and the request id and JSON log lines of a real server.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};

use crate::common::{call, Reply, TestApp, TestDb, DUTCH_CSV};
use vangnet::platform::config::{Config, MetricsToken};
use vangnet::platform::mail::Mailer;
use vangnet::platform::proxy::TrustedProxies;

const FROM: &str = "vangnet <noreply@vangnet.invalid>";

/// One sample of a scrape.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A scrape, parsed strictly as the Prometheus text format 0.0.4: every
/// line a `# HELP`, a `# TYPE` or a sample; every sample of a family that
/// a `# TYPE` line declared before it (histograms as `_bucket` with `le`,
/// `_sum` and `_count`); each family declared once.
struct Scrape {
    samples: Vec<Sample>,
}

impl Scrape {
    fn parse(text: &str) -> Scrape {
        assert!(text.ends_with('\n'), "the last line ends in a line feed");
        let mut types: HashMap<String, String> = HashMap::new();
        let mut samples = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("# TYPE name type");
                assert!(valid_name(name), "metric name {name:?}");
                assert!(
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                    "type {kind:?}"
                );
                assert!(
                    types.insert(name.to_owned(), kind.to_owned()).is_none(),
                    "{name} declared twice"
                );
            } else if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, _) = rest.split_once(' ').expect("# HELP name text");
                assert!(valid_name(name), "metric name {name:?}");
            } else {
                assert!(!line.starts_with('#'), "stray comment {line:?}");
                let sample = parse_sample(line);
                let family = match types.get(&sample.name) {
                    Some(_) => sample.name.clone(),
                    None => ["_bucket", "_sum", "_count"]
                        .iter()
                        .find_map(|suffix| sample.name.strip_suffix(suffix))
                        .filter(|f| types.get(*f).is_some_and(|t| t == "histogram"))
                        .unwrap_or_else(|| panic!("{line:?}: no # TYPE before it"))
                        .to_owned(),
                };
                if sample.name.ends_with("_bucket") && types[&family] == "histogram" {
                    assert!(sample.labels.contains_key("le"), "{line:?}: no le");
                }
                samples.push(sample);
            }
        }
        Scrape { samples }
    }

    /// The value of the one sample named `name` whose labels include `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let found: Vec<&Sample> = self
            .samples
            .iter()
            .filter(|s| s.name == name)
            .filter(|s| {
                labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).is_some_and(|x| x == v))
            })
            .collect();
        assert!(
            found.len() <= 1,
            "{name} {labels:?} is ambiguous: {found:?}"
        );
        found.first().map(|s| s.value)
    }

    fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels)
            .unwrap_or_else(|| panic!("no {name} {labels:?} in {:#?}", self.samples))
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `name{label="value",…} value`, with the escapes `\\`, `\"` and `\n`.
fn parse_sample(line: &str) -> Sample {
    let end = line
        .find(['{', ' '])
        .unwrap_or_else(|| panic!("{line:?}: no value"));
    let name = &line[..end];
    assert!(valid_name(name), "{line:?}: metric name");
    let mut labels = BTreeMap::new();
    let mut rest = &line[end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        loop {
            let (start, c) = chars.next().unwrap_or_else(|| panic!("{line:?}: open"));
            if c == '}' {
                rest = &inner[start + 1..];
                break;
            }
            let eq = inner[start..].find('=').expect("label=") + start;
            let key = &inner[start..eq];
            assert!(valid_name(key), "{line:?}: label name {key:?}");
            while chars.peek().is_some_and(|(i, _)| *i <= eq) {
                chars.next();
            }
            assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line:?}");
            let mut value = String::new();
            loop {
                match chars.next().map(|(_, c)| c) {
                    Some('"') => break,
                    Some('\\') => match chars.next().map(|(_, c)| c) {
                        Some('\\') => value.push('\\'),
                        Some('"') => value.push('"'),
                        Some('n') => value.push('\n'),
                        other => panic!("{line:?}: escape {other:?}"),
                    },
                    Some(c) => value.push(c),
                    None => panic!("{line:?}: unterminated label value"),
                }
            }
            assert!(
                labels.insert(key.to_owned(), value).is_none(),
                "{line:?}: {key} twice"
            );
            if chars.peek().is_some_and(|(_, c)| *c == ',') {
                chars.next();
            }
        }
    }
    let mut parts = rest
        .strip_prefix(' ')
        .unwrap_or_else(|| panic!("{line:?}: one space before the value"))
        .split(' ');
    let value = match parts.next().unwrap() {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        number => number
            .parse()
            .unwrap_or_else(|e| panic!("{line:?}: value {number:?}: {e}")),
    };
    if let Some(timestamp) = parts.next() {
        timestamp.parse::<i64>().expect("a timestamp in ms");
    }
    assert!(parts.next().is_none(), "{line:?}: trailing text");
    Sample {
        name: name.to_owned(),
        labels,
        value,
    }
}

/// A request as if it came over a connection from `peer`.
fn from(peer: &str, method: Method, uri: &str) -> axum::http::request::Builder {
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    Request::builder()
        .method(method)
        .uri(uri)
        .extension(ConnectInfo(peer))
}

async fn scrape(router: &Router) -> Scrape {
    let reply = call(
        router,
        from("127.0.0.1", Method::GET, "/metrics")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{:?}",
        reply.headers
    );
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store");
    Scrape::parse(&reply.text())
}

/// Adds a user through the API, which mails them an invitation.
async fn invite(router: &Router, token: &str, email: &str) -> Reply {
    let request = from("127.0.0.1", Method::POST, "/api/v1/users")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"email": email, "role": "researcher"}).to_string(),
        ))
        .unwrap();
    call(router, request).await
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_read_the_pool_mail_jobs_and_index() {
    let app = TestApp::new().await;
    let jobs = std::sync::Arc::new(vangnet::platform::jobs::Jobs::default());
    jobs.add(
        app.store
            .watch_changes_until(Some(jobs.stopping()))
            .unwrap(),
    );
    let router = vangnet::http::app::build_with_jobs(
        app.store.clone(),
        Config::default(),
        Mailer::from_url(None, FROM).unwrap(),
        jobs.clone(),
    );
    for uri in [
        "/healthz/live",
        "/healthz/live",
        "/api/v1/facilities/999999",
        "/geen-pagina",
    ] {
        call(
            &router,
            from("127.0.0.1", Method::GET, uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    }
    let created = invite(&router, &app.token, "nieuw@ggd.example").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["invitation_sent"], true);
    // Table 1 counted once, then a facility written since.
    app.store
        .tally_services(vangnet::domain::date::today(), false)
        .await
        .unwrap();
    app.import("voorzieningen.csv", DUTCH_CSV).await;
    // The change watcher's first reading done.
    for attempt in 0.. {
        if app.store.watcher_beat().is_some() {
            break;
        }
        assert!(attempt < 300, "the change watcher never beat");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let metrics = scrape(&router).await;
    let requests = "vangnet_http_requests_total";
    let get = |route| [("route", route), ("method", "GET")];
    assert_eq!(
        metrics.get(
            requests,
            &[&get("/healthz/live")[..], &[("status", "200")]].concat()
        ),
        2.0
    );
    assert_eq!(
        metrics.get(
            requests,
            &[&get("/api/v1/facilities/{id}")[..], &[("status", "404")]].concat()
        ),
        1.0,
        "counted by the route template"
    );
    assert_eq!(
        metrics.get(
            requests,
            &[&get("unmatched")[..], &[("status", "404")]].concat()
        ),
        1.0,
        "what no route answers"
    );
    assert_eq!(
        metrics.get(
            requests,
            &[
                ("route", "/api/v1/users"),
                ("method", "POST"),
                ("status", "201")
            ]
        ),
        1.0
    );
    assert!(
        !metrics.samples.iter().any(|s| s
            .labels
            .values()
            .any(|v| v.contains("999999") || v.contains("geen"))),
        "no raw paths as labels"
    );

    // The latency histogram: cumulative buckets up to +Inf, which is the count.
    let histogram = "vangnet_http_request_duration_seconds";
    let live = [("route", "/healthz/live")];
    let count = metrics.get(&format!("{histogram}_count"), &live);
    assert_eq!(count, 2.0);
    assert_eq!(
        metrics.get(&format!("{histogram}_bucket"), &[live[0], ("le", "+Inf")]),
        count
    );
    let buckets: Vec<(f64, f64)> = metrics
        .samples
        .iter()
        .filter(|s| s.name == format!("{histogram}_bucket") && s.labels["route"] == "/healthz/live")
        .map(|s| (s.labels["le"].parse().unwrap(), s.value))
        .collect();
    assert!(buckets.len() > 10, "{buckets:?}");
    assert!(buckets.first().unwrap().0 <= 0.001 && buckets[buckets.len() - 2].0 >= 10.0);
    assert!(
        buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
        "{buckets:?}"
    );
    assert!(metrics.get(&format!("{histogram}_sum"), &live) > 0.0);

    // The pool, at the moment of the scrape (which holds a connection or not).
    let max = metrics.get("vangnet_db_connections_max", &[]);
    let in_use = metrics.get("vangnet_db_connections_in_use", &[]);
    let idle = metrics.get("vangnet_db_connections_idle", &[]);
    assert!(max >= 4.0, "{max}");
    assert!(
        (1.0..=max).contains(&(in_use + idle)),
        "{in_use} in use, {idle} idle of {max}"
    );

    // Mail: the invitation went (to the log: no SMTP server here).
    assert_eq!(metrics.get("vangnet_mail_sent_total", &[]), 1.0);
    assert_eq!(metrics.get("vangnet_mail_failed_total", &[]), 0.0);
    assert_eq!(metrics.get("vangnet_mail_outbox_waiting", &[]), 0.0);

    // The change watcher beats; the mail worker was not started.
    let beat = "vangnet_job_heartbeat_age_seconds";
    let age = metrics.get(beat, &[("job", "change_watcher")]);
    assert!((0.0..60.0).contains(&age), "{age}");
    assert_eq!(metrics.value(beat, &[("job", "mail_worker")]), None);

    // Table 1's index is behind by the import, until it is counted again.
    assert!(metrics.get("vangnet_counting_index_generations_behind", &[]) >= 1.0);
    assert!(metrics.get("vangnet_counting_index_age_seconds", &[]) < 60.0);
    app.store
        .tally_services(vangnet::domain::date::today(), false)
        .await
        .unwrap();
    let again = scrape(&router).await;
    assert_eq!(
        again.get("vangnet_counting_index_generations_behind", &[]),
        0.0
    );
    assert_eq!(
        again.get(
            requests,
            &[&get("/metrics")[..], &[("status", "200")]].concat()
        ),
        1.0,
        "the first scrape, counted"
    );

    assert!(metrics.get("vangnet_process_resident_memory_bytes", &[]) > 1e6);
    assert!(metrics.get("vangnet_uptime_seconds", &[]) >= 0.0);
    jobs.stop(std::time::Duration::from_secs(5)).await;
}

#[tokio::test]
async fn mail_the_server_could_not_send_is_counted_as_failed() {
    let app = TestApp::new().await;
    // Nothing listens on port 1: the connection is refused.
    let config = Config {
        smtp_url: Some("smtp://127.0.0.1:1".into()),
        ..Config::default()
    };
    let mailer = Mailer::from_url(config.smtp_url.as_deref(), FROM).unwrap();
    let router = vangnet::http::app::build(app.store.clone(), config, mailer);
    let created = invite(&router, &app.token, "nieuw@ggd.example").await;
    assert_eq!(
        created.json()["invitation_sent"],
        false,
        "{}",
        created.text()
    );
    let metrics = scrape(&router).await;
    assert_eq!(metrics.get("vangnet_mail_failed_total", &[]), 1.0);
    assert_eq!(metrics.get("vangnet_mail_sent_total", &[]), 0.0);
}

#[tokio::test]
async fn metrics_are_for_allowed_addresses_and_the_token_only() {
    let app = TestApp::new().await;
    let router = |config: Config| {
        vangnet::http::app::build(
            app.store.clone(),
            config,
            Mailer::from_url(None, FROM).unwrap(),
        )
    };
    let token = "a-long-random-scrape-token";
    let with_token = router(Config {
        metrics_token: Some(MetricsToken(token.into())),
        ..Config::default()
    });
    let get = |router: &Router, peer: &str, headers: &[(&str, &str)]| {
        let mut request = from(peer, Method::GET, "/metrics");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::empty()).unwrap();
        let router = router.clone();
        async move { call(&router, request).await }
    };
    let bearer = format!("Bearer {token}");

    let outside = get(&with_token, "203.0.113.9", &[]).await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
    assert!(
        outside.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        outside.headers
    );
    assert!(
        outside.text().contains("--metrics-token"),
        "{}",
        outside.text()
    );
    let scraped = get(&with_token, "203.0.113.9", &[("authorization", &bearer)]).await;
    assert_eq!(scraped.status, StatusCode::OK, "{}", scraped.text());
    assert!(scraped.text().contains("vangnet_db_connections_max"));
    for wrong in ["Bearer a-long-random-scrape-toke", "Bearer ", "Basic YTpi"] {
        let refused = get(&with_token, "203.0.113.9", &[("authorization", wrong)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{wrong}");
    }
    // An API token is no metrics token, not even an admin's.
    let admin = format!("Bearer {}", app.token);
    let refused = get(&with_token, "203.0.113.9", &[("authorization", &admin)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Loopback by default, IPv4 and IPv6.
    assert_eq!(
        get(&with_token, "127.0.0.1", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(get(&with_token, "[::1]", &[]).await.status, StatusCode::OK);
    // Without a token configured, a bearer gets nowhere.
    let no_token = router(Config::default());
    let refused = get(&no_token, "203.0.113.9", &[("authorization", &bearer)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A request from no known address (in process) is refused too.
    let unknown = call(
        &no_token,
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);

    // Behind a trusted proxy on this host the client it names counts:
    // a public client is refused, an allowed network is let in.
    let proxied = router(Config {
        trusted_proxies: TrustedProxies::parse(&["127.0.0.1"]).unwrap(),
        ..Config::default()
    });
    let forwarded = [("x-forwarded-for", "203.0.113.9")];
    assert_eq!(
        get(&proxied, "127.0.0.1", &forwarded).await.status,
        StatusCode::FORBIDDEN
    );
    let allowed = router(Config {
        trusted_proxies: TrustedProxies::parse(&["127.0.0.1"]).unwrap(),
        metrics_allow: vec!["203.0.113.0/24".parse().unwrap()],
        ..Config::default()
    });
    assert_eq!(
        get(&allowed, "127.0.0.1", &forwarded).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&allowed, "127.0.0.1", &[]).await.status,
        StatusCode::FORBIDDEN,
        "loopback is no longer allowed"
    );
}

#[tokio::test]
async fn every_answer_carries_a_request_id_taken_from_the_request_when_it_is_plain() {
    let app = TestApp::new().await;
    let id = |reply: &Reply| reply.headers["x-request-id"].to_str().unwrap().to_owned();
    let with = |uri: &str, request_id: &str| {
        Request::get(uri)
            .header("x-request-id", request_id)
            .body(Body::empty())
            .unwrap()
    };
    let kept = app.raw(with("/healthz/live", "test-123")).await;
    assert_eq!(id(&kept), "test-123");
    for uri in ["/geen-pagina", "/api/v1/geen", "/api/v1/facilities", "/"] {
        let reply = app.raw(with(uri, "trace.Abc_9")).await;
        assert_eq!(id(&reply), "trace.Abc_9", "{uri}: {}", reply.status);
    }
    // Made when missing or unfit: 16 hex digits, new every time.
    let made = app.get("/healthz/live").await;
    let replaced = app.raw(with("/healthz/live", "bad id\"}")).await;
    let long = app.raw(with("/healthz/live", &"x".repeat(65))).await;
    for reply in [&made, &replaced, &long] {
        let id = id(reply);
        assert!(
            id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
    }
    assert_ne!(id(&made), id(&replaced));
    // A kept answer (`web::kept`) gets the id of the request, not the one kept.
    let first = app
        .raw(with("/api/v1/finder?lat=52.09&lon=5.12", "first"))
        .await;
    let second = app
        .raw(with("/api/v1/finder?lat=52.09&lon=5.12", "second"))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(
        (id(&first).as_str(), id(&second).as_str()),
        ("first", "second")
    );
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_and_name_the_request_id() {
    use crate::cli::commands::{http, Server};
    let db = TestDb::new().await;
    let mut server = Server::start(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &db.url,
            "--log-format",
            "json",
            "--access-log",
        ],
        None,
    );
    let client = http();
    // Ready: the mail worker and the change watcher have beaten.
    for attempt in 0.. {
        let ready = client
            .get(server.url("/healthz/ready"))
            .send()
            .await
            .unwrap();
        if ready.status() == 200 {
            break;
        }
        assert!(attempt < 300, "not ready: {}", ready.text().await.unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let answer = client
        .get(server.url("/healthz/live"))
        .header("x-request-id", "test-123")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["x-request-id"], "test-123");
    let answer = client
        .get(server.url("/healthz/live"))
        .send()
        .await
        .unwrap();
    let made = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        made.len() == 16 && made.chars().all(|c| c.is_ascii_hexdigit()),
        "{made}"
    );
    // Over a real connection from this host: loopback may scrape.
    let metrics = client.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    let scrape = Scrape::parse(&text);
    assert_eq!(
        scrape.get(
            "vangnet_http_requests_total",
            &[("route", "/healthz/live"), ("status", "200")]
        ),
        2.0
    );
    // Both jobs run in a real server.
    for job in ["mail_worker", "change_watcher"] {
        assert!(
            scrape
                .value("vangnet_job_heartbeat_age_seconds", &[("job", job)])
                .is_some(),
            "{job}: {text}"
        );
    }

    let stderr = server.stop();
    let lines: Vec<Value> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.iter().all(Value::is_object), "{stderr}");
    assert!(
        lines.iter().any(|l| l["fields"]["message"] == "listening"),
        "{stderr}"
    );
    let of_request = |id: &str| {
        lines
            .iter()
            .filter(|l| l["span"]["request_id"] == id)
            .cloned()
            .collect::<Vec<Value>>()
    };
    let tested = of_request("test-123");
    assert!(!tested.is_empty(), "no line of request test-123:\n{stderr}");
    assert!(
        tested
            .iter()
            .any(|l| l["span"]["route"] == "/healthz/live" && l["fields"]["status"] == 200),
        "the access line: {tested:?}"
    );
    assert!(
        !of_request(&made).is_empty(),
        "no line of request {made}:\n{stderr}"
    );
}
