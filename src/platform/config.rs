//! Settings of a running vangnet: defaults, then `VANGNET_*` environment
//! variables, then command-line flags (the CLI fills this in).

use crate::platform::proxy::{Network, TrustedProxies};

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
    /// Who may read `/metrics` by address: the client (behind a trusted
    /// proxy, the client it names) must be in one of these networks.
    /// Loopback only by default.
    pub metrics_allow: Vec<Network>,
    /// Who may read `/metrics` from anywhere: `Authorization: Bearer` this.
    pub metrics_token: Option<MetricsToken>,
    /// Log every request at level info (else at debug).
    pub access_log: bool,
}

/// The token of the operator's scraper, never shown in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(pub String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

/// `/metrics` from this host only: 127.0.0.1/32 and ::1/128.
pub fn loopback() -> Vec<Network> {
    ["127.0.0.1/32", "::1/128"]
        .iter()
        .map(|n| n.parse().expect("a loopback network"))
        .collect()
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
            metrics_allow: loopback(),
            metrics_token: None,
            access_log: false,
        }
    }
}
