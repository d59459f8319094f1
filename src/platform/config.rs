//! Settings of a running vangnet: defaults, then `VANGNET_*` environment
//! variables, then command-line flags (the CLI fills this in).

use crate::platform::proxy::TrustedProxies;

/// Where vangnet is reached and how it sits behind a proxy.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address people use, e.g. `https://vangnet.example`: links in
    /// e-mail point here, and `https` turns on secure cookies and HSTS.
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client; none by
    /// default (the connection's peer is the client).
    pub trusted_proxies: TrustedProxies,
    /// An `smtp://`, `smtps://` or `smtp+starttls://` URL; none: mail is logged.
    pub smtp_url: Option<String>,
    /// The sender of vangnet's e-mail.
    pub mail_from: String,
}

impl Config {
    /// Whether vangnet is served over TLS (by itself or a proxy).
    pub fn secure(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// A link to a path on this site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxies: TrustedProxies::default(),
            smtp_url: None,
            mail_from: "vangnet <noreply@vangnet.invalid>".into(),
        }
    }
}
