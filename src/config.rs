//! Settings of a running vangnet: defaults, then `VANGNET_*` environment
//! variables, then command-line flags (the CLI fills this in).

/// Where vangnet is reached and how it sits behind a proxy.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address people use, e.g. `https://vangnet.example`: links in
    /// e-mail point here, and `https` turns on secure cookies and HSTS.
    pub public_url: String,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_proxy: bool,
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
            trust_proxy: false,
            smtp_url: None,
            mail_from: "vangnet <noreply@vangnet.invalid>".into(),
        }
    }
}
