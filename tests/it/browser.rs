//! A browser for the web pages, driven in process: it keeps cookies (and
//! forgets those set with `Max-Age=0`), sends our `Host`, posts forms and
//! uploads with our `Origin`, and fills in a form from its page: with the
//! page's form token, or with every field as the page shows it.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde::Serialize;

use crate::common::*;
use vangnet::accounts::{self, NewUser};
use vangnet::domain::provenance::Actor;

pub const HOST: &str = "vangnet.test";
pub const ORIGIN: &str = "http://vangnet.test";
pub const PASSWORD: &str = "een heel goed wachtwoord";

/// A browser: keeps cookies, sends our `Host` and (on posts) our `Origin`.
pub struct Browser {
    target: Target,
    pub cookies: BTreeMap<String, String>,
}

/// Where a browser's requests go.
enum Target {
    /// The application in this process.
    Router(Router),
    /// A running server (`http://ADDR`), over real HTTP; it can be pointed
    /// at another server between requests, as a load balancer without
    /// sticky sessions would.
    Server(String, reqwest::Client),
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser::on(app.router.clone())
    }

    pub fn on(router: Router) -> Browser {
        Browser {
            target: Target::Router(router),
            cookies: BTreeMap::new(),
        }
    }

    /// A browser talking to the server at `base` (`http://ADDR`).
    pub fn remote(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Browser {
            target: Target::Server(base.to_string(), client),
            cookies: BTreeMap::new(),
        }
    }

    /// Sends the next requests to the server at `base`, keeping the cookies.
    pub fn point_at(&mut self, base: &str) {
        match &mut self.target {
            Target::Server(at, _) => *at = base.to_string(),
            Target::Router(_) => panic!("an in-process browser cannot be pointed at a server"),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    pub async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Reply {
        let mut request = request.header(header::HOST, HOST);
        if !self.cookies.is_empty() {
            let cookies: Vec<String> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        let request = request.body(body).unwrap();
        let reply = match &self.target {
            Target::Router(router) => call(router, request).await,
            Target::Server(base, client) => send_over_http(client, base, request).await,
        };
        for set in reply.headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            if set.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        reply
    }

    pub async fn get(&mut self, uri: &str) -> Reply {
        let request = Request::builder().method(Method::GET).uri(uri);
        self.send(request, Body::empty()).await
    }

    /// Posts a form as our own pages do.
    pub async fn post(&mut self, uri: &str, fields: &(impl Serialize + ?Sized)) -> Reply {
        self.post_from(ORIGIN, uri, fields).await
    }

    /// Posts a form as a page from `origin` does.
    pub async fn post_from(
        &mut self,
        origin: &str,
        uri: &str,
        fields: &(impl Serialize + ?Sized),
    ) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(request, Body::from(body)).await
    }

    /// Posts a file as the import page's form does (`multipart/form-data`).
    pub async fn upload(
        &mut self,
        uri: &str,
        token: Option<&str>,
        name: &str,
        file: &[u8],
    ) -> Reply {
        self.upload_padded(uri, token, name, file, 0).await
    }

    /// An upload with a field of `padding` bytes before the file.
    pub async fn upload_padded(
        &mut self,
        uri: &str,
        token: Option<&str>,
        name: &str,
        file: &[u8],
        padding: usize,
    ) -> Reply {
        let boundary = "----vangnet-test-boundary";
        let mut body = Vec::new();
        if let Some(token) = token {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                )
                .as_bytes(),
            );
        }
        if padding > 0 {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"padding\"\r\n\r\n")
                    .as_bytes(),
            );
            body.extend(std::iter::repeat_n(b'x', padding));
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::ORIGIN, ORIGIN)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
        self.send(request, Body::from(body)).await
    }

    /// Posts an upload form with several parts: text `fields` (the form
    /// token among them, if any) and `files` as (field, file name, bytes).
    pub async fn upload_form(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let boundary = "----vangnet-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (field, name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::ORIGIN, ORIGIN)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
        self.send(request, Body::from(body)).await
    }

    /// Opens `page`, which must be there.
    async fn open(&mut self, page: &str) -> Reply {
        let reply = self.get(page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.text());
        reply
    }

    /// Opens `page`, then posts `fields` to `action` with the page's form token.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let token = csrf_token(&self.open(page).await);
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.post(action, &fields).await
    }

    /// Opens `page` and posts its form to `action` as a browser would:
    /// every field as shown, with `changes` typed over them.
    pub async fn submit_as_shown(
        &mut self,
        page: &str,
        action: &str,
        changes: &[(&str, &str)],
    ) -> Reply {
        let mut fields = form_fields(&self.open(page).await.text(), action);
        for (name, value) in changes {
            fields.retain(|(n, _)| n != name);
            fields.push((name.to_string(), value.to_string()));
        }
        self.post(action, &fields).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        self.submit(
            "/inloggen",
            "/inloggen",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

/// Sends an in-process request to a running server and reads its answer.
async fn send_over_http(client: &reqwest::Client, base: &str, request: Request<Body>) -> Reply {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let mut outgoing = client
        .request(parts.method, format!("{base}{}", parts.uri))
        .body(body.to_vec());
    for (name, value) in &parts.headers {
        outgoing = outgoing.header(name, value);
    }
    let response = outgoing.send().await.expect("the server answers");
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("the whole answer").to_vec(),
    }
}

/// The form token on the page.
pub fn csrf_token(reply: &Reply) -> String {
    let html = reply.text();
    let start = html
        .find("name=\"csrf_token\" value=\"")
        .unwrap_or_else(|| panic!("no form token on the page: {html}"))
        + "name=\"csrf_token\" value=\"".len();
    html[start..].split('"').next().unwrap().to_string()
}

pub fn location(reply: &Reply) -> &str {
    reply.headers[header::LOCATION].to_str().unwrap()
}

pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(unescape(tag[start..].split('"').next().unwrap()))
}

/// The fields the form posting to `action` sends as the page shows it:
/// inputs (checked boxes and radio buttons only), selected options and text areas.
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posts to {action}: {html}"));
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let mut fields = Vec::new();
    for piece in form.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap();
        let name = attribute(tag, "name");
        if tag.starts_with("input ") {
            let kind = attribute(tag, "type").unwrap_or_default();
            if (kind == "checkbox" || kind == "radio") && !tag.contains(" checked") {
                continue;
            }
            if let Some(name) = name {
                fields.push((name, attribute(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("textarea ") {
            let text = piece.split_once('>').unwrap().1;
            fields.push((name.unwrap(), unescape(text)));
        } else if tag.starts_with("select ") {
            let name = name.unwrap();
            let rest = &form[form.find(piece).unwrap()..];
            let options = &rest[..rest.find("</select>").unwrap()];
            let chosen = options
                .split("<option ")
                .skip(1)
                .find(|o| o.split('>').next().unwrap().contains(" selected"))
                .or_else(|| options.split("<option ").nth(1))
                .map(|o| attribute(&format!(" {o}"), "value").unwrap_or_default())
                .unwrap_or_default();
            fields.push((name, chosen));
        }
    }
    fields
}

/// Adds a user with a role (and organisation) and a password, as if they
/// had followed their invitation.
pub async fn user(app: &TestApp, email: &str, role: &str, organisation: Option<i64>) -> i64 {
    user_in(&app.store, email, role, organisation).await
}

/// [`user`], in any store.
pub async fn user_in(
    store: &vangnet::storage::Store,
    email: &str,
    role: &str,
    organisation: Option<i64>,
) -> i64 {
    let actor = Actor::named("test");
    let new = NewUser {
        email: email.into(),
        role: role.into(),
        organisation_id: organisation,
        ..Default::default()
    };
    let (id, link) = accounts::create_user(store, &new, &actor).await.unwrap();
    accounts::set_password(store, &link, PASSWORD, &actor)
        .await
        .unwrap();
    id
}

/// Someone with a role (and organisation) who has set a password and signed in.
pub async fn signed_in(
    app: &TestApp,
    email: &str,
    role: &str,
    organisation: Option<i64>,
) -> Browser {
    user(app, email, role, organisation).await;
    let mut browser = Browser::new(app);
    let reply = browser.sign_in(email, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    browser
}
