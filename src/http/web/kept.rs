//! Answers the server keeps: a public GET line marked `.kept()` in the
//! route table (the finder, the public dashboards and figures) is worked out
//! once per anonymous request target and language, and sent again to every
//! anonymous reader until the data changes or the minute turns
//! (`platform::freshness`). A national dashboard is the same for everyone
//! who is not signed in; rendering it for each of them cost tens of
//! milliseconds (bench/RESULTS.md, "Load").
//!
//! Who is served from here: a GET without an `Authorization` header and
//! without a session cookie. Anyone else goes to the handler as before, so
//! a signed-in header, non-public data or an audited read is never kept.
//!
//! What is kept: a 200 answer, its headers as the route guard left them
//! (minus `Set-Cookie`), its body, and the body gzipped once (sent to
//! clients that accept gzip, with `Vary: Accept-Encoding`). A first visit
//! gets a form cookie with its page (`pages::Page::render`); kept pages are
//! sent without it, and an answer whose body holds the token it sets (a page
//! with a form for anonymous visitors) is never kept.
//!
//! Why not a library: the HTTP caches for tower (and reverse proxies) key on
//! the request and a lifetime; the kept answer's validity is the change
//! watcher's reading, which only the application knows.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::ready;
use std::io::Write;
use std::sync::RwLock;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::{
    ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE,
    SET_COOKIE, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};

use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::request::{cookie_in, form_cookie_name, session_cookie_name};
use crate::http::web::pages::LANG_COOKIE;
use crate::platform::freshness::{self, Freshness};

/// All kept answers together stay under this many bytes (plain and gzipped);
/// when one more would not fit, every kept answer is dropped and the cache
/// fills again from what is asked for (simpler than an LRU, and the public
/// pages worth keeping are few: a few hundred KB each).
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Nor more than this many answers (many small ones: finder points).
const MAX_ENTRIES: usize = 8192;
/// A larger body is sent but not kept.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// Smaller bodies are not worth gzipping.
const MIN_GZIP: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    /// Path and query as sent.
    target: String,
    /// The language cookie's value, if any (the page's language).
    lang: Option<String>,
    /// The `Accept` header (a route may answer HTML or JSON by it), but
    /// for `*/*`.
    accept: Option<HeaderValue>,
}

impl Key {
    /// The key of what a request asks.
    fn of(request: &Request) -> Key {
        Key {
            target: request.uri().path_and_query().map_or_else(
                || request.uri().path().to_string(),
                |p| p.as_str().to_string(),
            ),
            lang: cookie_in(request.headers(), LANG_COOKIE).map(str::to_string),
            // `*/*` asks for what no `Accept` asks for: one answer for both.
            accept: request
                .headers()
                .get(ACCEPT)
                .filter(|accept| accept.as_bytes() != b"*/*")
                .cloned(),
        }
    }

    /// The path asked for, without the query.
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

struct Entry {
    freshness: Freshness,
    /// How long working it out took (the handler, its body, gzipping it).
    took: std::time::Duration,
    headers: HeaderMap,
    plain: Bytes,
    gzip: Option<Bytes>,
}

impl Entry {
    fn size(&self) -> usize {
        self.plain.len() + self.gzip.as_ref().map_or(0, Bytes::len) + 512
    }

    fn response(&self, gzip: bool) -> Response {
        let (body, encoded) = match (&self.gzip, gzip) {
            (Some(gzipped), true) => (gzipped.clone(), true),
            _ => (self.plain.clone(), false),
        };
        let mut response = Response::new(Body::from(body));
        *response.headers_mut() = self.headers.clone();
        if encoded {
            response
                .headers_mut()
                .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    }
}

/// The kept answers of one server.
#[derive(Default)]
pub struct Kept {
    entries: RwLock<Entries>,
    /// One gate per answer being worked out: readers who ask for the same
    /// meanwhile get the answer before it (or wait for it, when there is
    /// none), instead of working it out too (when the minute turns, 16 readers
    /// of a dashboard would otherwise render it 16 times at once).
    gates: std::sync::Mutex<HashMap<Key, std::sync::Arc<Gate>>>,
}

/// One answer being worked out, since when.
struct Gate {
    lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    since: std::time::Instant,
}

/// An answer that took at least this long to work out (a dashboard over
/// 100,000 facilities takes seconds) is worked out again in the
/// background: the reader who finds it out of date gets the one before it
/// too. A quicker one is worked out while that reader waits, so that
/// whoever reads right after a change sees it.
const STALE_FOR: std::time::Duration = std::time::Duration::from_millis(500);

/// While an answer is worked out, every other reader gets the one before
/// it, for up to this long (a working out that hangs then makes readers
/// wait): waiting would not show them a change any sooner, only later
/// than the answer before it. Under a mixed load on 100,000 facilities,
/// readers who waited after half a second waited up to 2 s for Table 1
/// (bench/RESULTS.md, "Load").
const STALE_WHILE_WORKED_OUT: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Default)]
struct Entries {
    map: HashMap<Key, std::sync::Arc<Entry>>,
    bytes: usize,
}

impl Kept {
    fn get(&self, key: &Key) -> Option<std::sync::Arc<Entry>> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.map.get(key).cloned()
    }

    fn put(&self, key: Key, entry: Entry) {
        let size = entry.size();
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes -= old.size();
        }
        if entries.bytes + size > MAX_BYTES || entries.map.len() >= MAX_ENTRIES {
            // Full: first drop the answers of this path (finder searches
            // from many points fill the cache; they must not push out the
            // dashboards), then everything if that was not enough.
            let path = key.path();
            let mut freed = 0;
            entries.map.retain(|k, e| {
                let keep = k.path() != path;
                if !keep {
                    freed += e.size();
                }
                keep
            });
            entries.bytes -= freed;
            if entries.bytes + size > MAX_BYTES || entries.map.len() >= MAX_ENTRIES {
                entries.map.clear();
                entries.bytes = 0;
            }
        }
        entries.bytes += size;
        entries.map.insert(key, std::sync::Arc::new(entry));
    }

    fn gate(&self, key: &Key) -> std::sync::Arc<Gate> {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        gates
            .entry(key.clone())
            .or_insert_with(|| {
                std::sync::Arc::new(Gate {
                    lock: std::sync::Arc::default(),
                    since: std::time::Instant::now(),
                })
            })
            .clone()
    }

    /// Drops the gate of `key` when nobody else holds it.
    fn open(&self, key: &Key, gate: std::sync::Arc<Gate>) {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        // Ours and the map's: nobody waits.
        if std::sync::Arc::strong_count(&gate) <= 2 {
            gates.remove(key);
        }
    }

    fn fresh(&self, key: &Key, freshness: Freshness, gzip: bool) -> Option<Response> {
        self.get(key)
            .filter(|entry| entry.freshness == freshness)
            .map(|entry| entry.response(gzip))
    }

    /// How many answers are kept (for tests).
    pub fn len(&self) -> usize {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether the answer kept at `before` is sent while the one for `now` is
/// worked out in the background, rather than worked out while the reader
/// waits.
fn in_background(before: &Entry, now: &Freshness, working_since: std::time::Duration) -> bool {
    (before.took >= STALE_FOR || before.freshness.same_data(now))
        && working_since < STALE_WHILE_WORKED_OUT
}

/// The layer of a `.kept()` line (outside its route guard).
///
/// A tower layer rather than an axum `from_fn`: a kept answer is sent
/// without a task, a box or a clone of what is behind it (the route guard
/// and the handler), which `from_fn` makes at every request; a kept finder
/// answer cost half again as much through it (bench/RESULTS.md, "Load").
#[derive(Clone)]
pub struct KeptLayer(pub AppState);

impl<S> Layer<S> for KeptLayer {
    type Service = KeptService<S>;

    fn layer(&self, inner: S) -> KeptService<S> {
        KeptService {
            inner,
            state: self.0.clone(),
        }
    }
}

/// The service of [`KeptLayer`].
#[derive(Clone)]
pub struct KeptService<S> {
    inner: S,
    state: AppState,
}

/// An answer on its way (a kept one is ready at once).
type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// What is behind the layer, boxed once a request needs it.
type Behind = BoxCloneSyncService<Request, Response, Infallible>;

impl<S> Service<Request> for KeptService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Readied when called (below), as axum's own middleware does.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // What an anonymous request asks, read once for both paths below.
        let asked = is_anonymous(&request, self.state.config.secure())
            .then(|| (Key::of(&request), accepts_gzip(request.headers())));
        if let Some((key, gzip)) = &asked {
            let kept = freshness::now_at_hand(&self.state.store)
                .and_then(|freshness| self.state.kept.fresh(key, freshness, *gzip));
            if let Some(kept) = kept {
                return Box::pin(ready(Ok(kept)));
            }
        }
        // The clone waits for the next call; the readied one serves this.
        let clone = self.inner.clone();
        let behind = Behind::new(std::mem::replace(&mut self.inner, clone));
        let state = self.state.clone();
        Box::pin(async move {
            Ok(match asked {
                Some((key, gzip)) => keep(state, key, gzip, request, behind).await,
                None => ask(behind, request).await,
            })
        })
    }
}

/// Whether a request is one kept answers may serve: a GET without an
/// `Authorization` header and without a session cookie.
fn is_anonymous(request: &Request, secure: bool) -> bool {
    let headers = request.headers();
    request.method() == Method::GET
        && !headers.contains_key(AUTHORIZATION)
        && cookie_in(headers, session_cookie_name(secure)).is_none()
}

/// The answer of what is behind the layer.
async fn ask(behind: Behind, request: Request) -> Response {
    match behind.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// An anonymous request no kept answer served at once: the answer kept,
/// the one before it while the new one is worked out, or the new one.
async fn keep(state: AppState, key: Key, gzip: bool, request: Request, behind: Behind) -> Response {
    let secure = state.config.secure();
    let freshness = match freshness::now(&state.store).await {
        Ok(freshness) => freshness,
        // The handler will meet the same trouble and say so.
        Err(_) => return ask(behind, request).await,
    };
    if let Some(kept) = state.kept.fresh(&key, freshness, gzip) {
        return kept;
    }
    let gate = state.kept.gate(&key);
    if let Some(before) = state.kept.get(&key) {
        if in_background(&before, &freshness, gate.since.elapsed()) {
            // Slow, or only the minute turned: the answer before it now, and
            // the new one worked out once, in the background.
            if let Ok(held) = gate.lock.clone().try_lock_owned() {
                let state = state.clone();
                let work = async move {
                    work_out(
                        &state,
                        key.clone(),
                        freshness,
                        false,
                        secure,
                        request,
                        behind,
                    )
                    .await;
                    drop(held);
                    state.kept.open(&key, gate);
                };
                tokio::spawn(tracing::Instrument::in_current_span(work));
            } else {
                state.kept.open(&key, gate);
            }
            return before.response(gzip);
        }
        if gate.lock.try_lock().is_err() && gate.since.elapsed() < STALE_WHILE_WORKED_OUT {
            // Someone is working it out now: meanwhile the answer before it.
            state.kept.open(&key, gate);
            return before.response(gzip);
        }
    }
    let held = gate.lock.lock().await;
    // Kept by whoever held the gate before.
    if let Some(kept) = state.kept.fresh(&key, freshness, gzip) {
        drop(held);
        state.kept.open(&key, gate);
        return kept;
    }
    let answer = work_out(
        &state,
        key.clone(),
        freshness,
        gzip,
        secure,
        request,
        behind,
    )
    .await;
    drop(held);
    state.kept.open(&key, gate);
    answer
}

/// Asks the handler, and keeps its answer where it may.
async fn work_out(
    state: &AppState,
    key: Key,
    freshness: Freshness,
    gzip: bool,
    secure: bool,
    request: Request,
    behind: Behind,
) -> Response {
    let started = std::time::Instant::now();
    let response = ask(behind, request).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(CONTENT_ENCODING) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let plain = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return AppError::Internal(anyhow::anyhow!("cannot read an answer to keep: {e}"))
                .into_response()
        }
    };
    let sent = Response::from_parts(parts.clone(), Body::from(plain.clone()));
    if !cookies_allow_keeping(&parts.headers, form_cookie_name(secure), &plain) {
        return sent;
    }
    let mut kept_headers = parts.headers;
    kept_headers.remove(SET_COOKIE);
    kept_headers.remove(CONTENT_LENGTH);
    let gzipped = gzippable(&kept_headers, &plain)
        .then(|| gzip_bytes(&plain))
        .flatten();
    if gzipped.is_some() {
        kept_headers.append(VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    let entry = Entry {
        freshness,
        // Reading the body and gzipping it included.
        took: started.elapsed(),
        headers: kept_headers,
        plain,
        gzip: gzipped,
    };
    let answer = entry.response(gzip);
    state.kept.put(key, entry);
    // This reader gets the cookie the page set (their first visit).
    let (mut answer_parts, answer_body) = answer.into_parts();
    for value in sent.headers().get_all(SET_COOKIE) {
        answer_parts.headers.append(SET_COOKIE, value.clone());
    }
    Response::from_parts(answer_parts, answer_body)
}

/// Whether the cookies an answer sets let it be kept: only the form cookie
/// of a first visit, and only when the body does not show its token (a
/// page with a form for anonymous visitors is one reader's). Any other
/// cookie says the answer is someone's.
fn cookies_allow_keeping(headers: &HeaderMap, form_cookie: &str, body: &[u8]) -> bool {
    headers.get_all(SET_COOKIE).iter().all(|value| {
        let pair = value.to_str().unwrap_or("").split(';').next().unwrap_or("");
        match pair.split_once('=') {
            Some((name, token)) if name.trim() == form_cookie && !token.trim().is_empty() => {
                let token = token.trim().as_bytes();
                !body.windows(token.len()).any(|window| window == token)
            }
            _ => false,
        }
    })
}

/// Whether the client takes gzip (`Accept-Encoding` lists it without `q=0`).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// Text worth compressing: HTML, JSON, CSV, SVG, plain text.
fn gzippable(headers: &HeaderMap, body: &[u8]) -> bool {
    let kind = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    body.len() >= MIN_GZIP
        && (kind.starts_with("text/") || kind.contains("json") || kind.contains("svg"))
}

/// Gzipped: quickly for small answers (finder points, each asked by few),
/// as small as gzip gets for large ones (pages read by many).
fn gzip_bytes(body: &[u8]) -> Option<Bytes> {
    let level = if body.len() < 64 * 1024 {
        flate2::Compression::fast()
    } else {
        flate2::Compression::best()
    };
    gzip(body, level).ok().map(Bytes::from)
}

/// A gzip member (RFC 1952) of `data`.
pub fn gzip(data: &[u8], level: flate2::Compression) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(data)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_answers_and_turned_minutes_are_worked_out_in_the_background() {
        let quick = entry();
        let slow = Entry {
            took: std::time::Duration::from_secs(8),
            ..entry()
        };
        let minute_later = quick.freshness.minutes_later(1);
        let changed = quick.freshness.with_approved_generation(1);
        let now = std::time::Duration::ZERO;
        // A quick answer after a change: the reader waits for the new one,
        // so the change is in the next answer.
        assert!(!in_background(&quick, &changed, now));
        // Only the minute turned, or the answer is slow: the one before.
        assert!(in_background(&quick, &minute_later, now));
        assert!(in_background(&slow, &changed, now));
        // Not for ever: a working out that hangs makes readers wait.
        assert!(!in_background(&slow, &changed, STALE_WHILE_WORKED_OUT));
    }

    fn headers(pairs: &[(axum::http::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_static(value));
        }
        map
    }

    fn key(target: &str) -> Key {
        Key {
            target: target.into(),
            lang: None,
            accept: None,
        }
    }

    fn entry() -> Entry {
        Entry {
            freshness: Freshness::of_nothing(),
            took: std::time::Duration::from_millis(20),
            headers: HeaderMap::new(),
            plain: Bytes::from_static(b"{}"),
            gzip: None,
        }
    }

    #[test]
    fn accepting_anything_is_asking_without_accept() {
        let ask = |accept: Option<&'static str>| {
            let mut request = Request::new(Body::empty());
            *request.uri_mut() = "/cijfers/dashboard?formaat=json".parse().unwrap();
            if let Some(accept) = accept {
                request
                    .headers_mut()
                    .insert(ACCEPT, HeaderValue::from_static(accept));
            }
            Key::of(&request)
        };
        assert_eq!(ask(Some("*/*")), ask(None));
        assert_ne!(ask(Some("text/html")), ask(None));
        assert_eq!(ask(None).target, "/cijfers/dashboard?formaat=json");
    }

    #[test]
    fn searches_from_many_points_do_not_push_out_the_dashboard() {
        let kept = Kept::default();
        kept.put(key("/cijfers/dashboard"), entry());
        for i in 0..MAX_ENTRIES * 2 {
            kept.put(key(&format!("/api/v1/finder?lat=52.{i}&lon=5.1")), entry());
        }
        assert!(kept.get(&key("/cijfers/dashboard")).is_some());
        assert!(kept.len() <= MAX_ENTRIES);
        assert!(kept
            .get(&key(&format!(
                "/api/v1/finder?lat=52.{}&lon=5.1",
                MAX_ENTRIES * 2 - 1
            )))
            .is_some());
    }

    #[test]
    fn gzip_is_sent_only_to_who_takes_it() {
        assert!(accepts_gzip(&headers(&[(
            ACCEPT_ENCODING,
            "gzip, deflate, br"
        )])));
        assert!(accepts_gzip(&headers(&[(
            ACCEPT_ENCODING,
            "br;q=1.0, GZIP;q=0.5"
        )])));
        assert!(accepts_gzip(&headers(&[(ACCEPT_ENCODING, "*")])));
        assert!(!accepts_gzip(&headers(&[(
            ACCEPT_ENCODING,
            "gzip;q=0, br"
        )])));
        assert!(!accepts_gzip(&headers(&[(ACCEPT_ENCODING, "br")])));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn an_answer_showing_the_token_its_cookie_sets_is_one_readers() {
        let form = headers(&[(SET_COOKIE, "vangnet-form=abc123; Path=/; SameSite=Strict")]);
        let allows = |h: &HeaderMap, body: &[u8]| cookies_allow_keeping(h, "vangnet-form", body);
        assert!(!allows(&form, b"<input value=\"abc123\">"));
        assert!(allows(&form, b"<p>no form here</p>"));
        assert!(allows(&HeaderMap::new(), b"abc123"));
        let other = headers(&[(SET_COOKIE, "lang=en; Path=/")]);
        assert!(!allows(&other, b"<p>no form here</p>"));
    }

    #[test]
    fn the_cache_stays_within_its_bounds() {
        let kept = Kept::default();
        let freshness_entry = |size: usize| Entry {
            freshness: Freshness::of_nothing(),
            took: std::time::Duration::ZERO,
            headers: HeaderMap::new(),
            plain: Bytes::from(vec![b'x'; size]),
            gzip: None,
        };
        let key = |n: usize| Key {
            target: format!("/?n={n}"),
            lang: None,
            accept: None,
        };
        for n in 0..MAX_ENTRIES + 10 {
            kept.put(key(n), freshness_entry(10));
        }
        assert!(kept.len() <= MAX_ENTRIES);
        assert!(
            kept.get(&key(MAX_ENTRIES + 9)).is_some(),
            "the newest stays"
        );
        kept.put(key(0), freshness_entry(MAX_BYTES / 2));
        kept.put(key(1), freshness_entry(MAX_BYTES / 2));
        let entries = kept.entries.read().unwrap();
        assert!(entries.bytes <= MAX_BYTES);
        assert_eq!(
            entries.bytes,
            entries.map.values().map(|e| e.size()).sum::<usize>()
        );
    }
}
