//! The templates of the web pages and the texts they show, compiled into the
//! binary: HTML from `templates/`, texts from `i18n/nl/*.json` and
//! `i18n/en/*.json` (flat objects of keys, one file per area of the site), the stylesheet
//! from `static/`. Templates write every text as `t("key")`, so a page can
//! only show text that both translation files have.

use std::sync::LazyLock;

use minijinja::value::Kwargs;
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior, Value};
use sha2::{Digest, Sha256};

use crate::domain::access::Role;
use crate::domain::language::Language;
use crate::formats::markup::html_formatter;

#[cfg(test)]
use crate::domain::text::text;
use crate::domain::text::{catalogue, fill};

/// `t("key", name=value, …)` in templates, in the language of the page (`lang`).
fn t(state: &State, key: &str, kwargs: Kwargs) -> Result<String, Error> {
    let lang = state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Language::parse))
        .ok_or_else(|| Error::new(ErrorKind::UndefinedError, "the page has no `lang`"))?;
    let text = catalogue(lang).get(key).ok_or_else(|| {
        Error::new(
            ErrorKind::UndefinedError,
            format!("no text for '{key}' in i18n/{}.json", lang.code()),
        )
    })?;
    let mut args = Vec::new();
    for name in kwargs.args() {
        args.push((name, kwargs.get::<Value>(name)?.to_string()));
    }
    Ok(fill(text, &args))
}

/// An RFC 3339 time as Dutch local time, `2026-11-28 13:05` (with seconds
/// when asked); anything else unchanged.
fn datetime(value: &str, seconds: Option<bool>) -> String {
    let format = if seconds.unwrap_or(false) {
        "%Y-%m-%d %H:%M:%S"
    } else {
        "%Y-%m-%d %H:%M"
    };
    chrono::DateTime::parse_from_rfc3339(value)
        .map(|t| {
            t.with_timezone(&chrono_tz::Europe::Amsterdam)
                .format(format)
                .to_string()
        })
        .unwrap_or_else(|_| value.to_string())
}

/// The stylesheet, served at [`stylesheet_url`]: vangnet's design tokens,
/// the NL Design System components it uses (vendored in `static/nlds/`, see
/// its README) and the site's own layout, in that order.
pub const STYLESHEET: &str = concat!(
    include_str!("../../../static/vangnet-tokens.css"),
    include_str!("../../../static/nlds/utrecht-components.css"),
    include_str!("../../../static/vangnet.css"),
);

/// The stylesheet's address, with a version from its content so that it can
/// be cached for good.
pub fn stylesheet_url() -> &'static str {
    static URL: LazyLock<String> = LazyLock::new(|| {
        let hash = hex::encode(Sha256::digest(STYLESHEET.as_bytes()));
        format!("/static/vangnet.css?v={}", &hash[..12])
    });
    &URL
}

/// `may_open(user, "/beheer/import")` in templates: whether the route table
/// lets this visitor (`user`, or none) open the page, so that menus show
/// only links a person may follow, and only to pages that exist.
fn may_open(user: Option<Value>, path: &str) -> bool {
    let role = user
        .and_then(|u| u.get_attr("role").ok())
        .and_then(|r| r.as_str().and_then(Role::parse));
    crate::http::routes::may_open(path, role)
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "layout.html",
        include_str!("../../../templates/layout.html"),
    ),
    ("forms.html", include_str!("../../../templates/forms.html")),
    (
        "province_table.html",
        include_str!("../../../templates/province_table.html"),
    ),
    ("error.html", include_str!("../../../templates/error.html")),
    (
        "metrics.html",
        include_str!("../../../templates/metrics.html"),
    ),
    (
        "sign_in.html",
        include_str!("../../../templates/sign_in.html"),
    ),
    (
        "forgot_password.html",
        include_str!("../../../templates/forgot_password.html"),
    ),
    (
        "set_password.html",
        include_str!("../../../templates/set_password.html"),
    ),
    (
        "account.html",
        include_str!("../../../templates/account.html"),
    ),
    ("users.html", include_str!("../../../templates/users.html")),
    (
        "locked.html",
        include_str!("../../../templates/locked.html"),
    ),
    ("audit.html", include_str!("../../../templates/audit.html")),
    ("desk.html", include_str!("../../../templates/desk.html")),
    (
        "finder.html",
        include_str!("../../../templates/finder.html"),
    ),
    (
        "facility.html",
        include_str!("../../../templates/facility.html"),
    ),
    (
        "overview.html",
        include_str!("../../../templates/overview.html"),
    ),
    (
        "opendata.html",
        include_str!("../../../templates/opendata.html"),
    ),
    (
        "stats/trend.html",
        include_str!("../../../templates/stats/trend.html"),
    ),
    (
        "stats/trend_figure.html",
        include_str!("../../../templates/stats/trend_figure.html"),
    ),
    (
        "stats/changes.html",
        include_str!("../../../templates/stats/changes.html"),
    ),
    (
        "stats/change_list.html",
        include_str!("../../../templates/stats/change_list.html"),
    ),
    (
        "stats/spread.html",
        include_str!("../../../templates/stats/spread.html"),
    ),
    (
        "stats/links.html",
        include_str!("../../../templates/stats/links.html"),
    ),
    (
        "dashboards/dashboard.html",
        include_str!("../../../templates/dashboards/dashboard.html"),
    ),
    (
        "dashboards/indicators.html",
        include_str!("../../../templates/dashboards/indicators.html"),
    ),
    (
        "dashboards/indicator.html",
        include_str!("../../../templates/dashboards/indicator.html"),
    ),
    (
        "rounds/table1.html",
        include_str!("../../../templates/rounds/table1.html"),
    ),
    (
        "periods/overview.html",
        include_str!("../../../templates/periods/overview.html"),
    ),
    (
        "periods/report.html",
        include_str!("../../../templates/periods/report.html"),
    ),
    (
        "periods/import.html",
        include_str!("../../../templates/periods/import.html"),
    ),
    (
        "rounds/list.html",
        include_str!("../../../templates/rounds/list.html"),
    ),
    (
        "rounds/round.html",
        include_str!("../../../templates/rounds/round.html"),
    ),
    (
        "rounds/confirm.html",
        include_str!("../../../templates/rounds/confirm.html"),
    ),
    (
        "rounds/public_list.html",
        include_str!("../../../templates/rounds/public_list.html"),
    ),
    (
        "rounds/public_round.html",
        include_str!("../../../templates/rounds/public_round.html"),
    ),
    (
        "rounds/statistics.html",
        include_str!("../../../templates/rounds/statistics.html"),
    ),
    (
        "answer/form.html",
        include_str!("../../../templates/answer/form.html"),
    ),
    (
        "answer/closed.html",
        include_str!("../../../templates/answer/closed.html"),
    ),
    (
        "campaigns/review.html",
        include_str!("../../../templates/campaigns/review.html"),
    ),
    (
        "campaigns/dashboard.html",
        include_str!("../../../templates/campaigns/dashboard.html"),
    ),
    (
        "campaigns/list.html",
        include_str!("../../../templates/campaigns/list.html"),
    ),
    (
        "campaigns/show.html",
        include_str!("../../../templates/campaigns/show.html"),
    ),
    (
        "questionnaires/list.html",
        include_str!("../../../templates/questionnaires/list.html"),
    ),
    (
        "questionnaires/show.html",
        include_str!("../../../templates/questionnaires/show.html"),
    ),
    (
        "questionnaires/edit.html",
        include_str!("../../../templates/questionnaires/edit.html"),
    ),
    (
        "register/fields.html",
        include_str!("../../../templates/register/fields.html"),
    ),
    (
        "register/list.html",
        include_str!("../../../templates/register/list.html"),
    ),
    (
        "register/find_out.html",
        include_str!("../../../templates/register/find_out.html"),
    ),
    (
        "register/form.html",
        include_str!("../../../templates/register/form.html"),
    ),
    (
        "register/hours.html",
        include_str!("../../../templates/register/hours.html"),
    ),
    (
        "register/view.html",
        include_str!("../../../templates/register/view.html"),
    ),
    (
        "register/history.html",
        include_str!("../../../templates/register/history.html"),
    ),
    (
        "register/import.html",
        include_str!("../../../templates/register/import.html"),
    ),
    (
        "register/organisations.html",
        include_str!("../../../templates/register/organisations.html"),
    ),
    (
        "register/organisation.html",
        include_str!("../../../templates/register/organisation.html"),
    ),
    (
        "contacts/list.html",
        include_str!("../../../templates/contacts/list.html"),
    ),
    (
        "contacts/form.html",
        include_str!("../../../templates/contacts/form.html"),
    ),
    (
        "contacts/erase.html",
        include_str!("../../../templates/contacts/erase.html"),
    ),
    (
        "contacts/import.html",
        include_str!("../../../templates/contacts/import.html"),
    ),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Printing a value that is not there is a bug, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_formatter(html_formatter);
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            panic!("template {name} does not compile: {e:#}");
        }
    }
    env.add_function("t", t);
    env.add_function("may_open", may_open);
    env.add_filter("datetime", datetime);
    env.add_global("stylesheet", stylesheet_url());
    env
});

/// Renders a template (HTML-escaped) with its context.
pub fn render(name: &str, context: Value) -> Result<String, Error> {
    ENVIRONMENT.get_template(name)?.render(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every literal `t("…")` in the templates names a text that exists.
    #[test]
    fn every_text_a_template_asks_for_exists() {
        for (name, source) in TEMPLATES {
            for quote in ['"', '\''] {
                let opening = format!("t({quote}");
                // `t(` itself, not the end of another name (`select("kind"`).
                let calls = source.match_indices(&opening).filter(|(at, _)| {
                    !source[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
                });
                for (at, _) in calls {
                    let piece = &source[at + opening.len()..];
                    let Some((key, rest)) = piece.split_once(quote) else {
                        continue;
                    };
                    // `t("role." ~ role)` builds its key: checked below.
                    if rest.starts_with([')', ',']) {
                        assert!(
                            catalogue(Language::Nl).contains_key(key),
                            "{name} asks for '{key}', which i18n/nl/*.json lacks"
                        );
                    }
                }
            }
        }
        for role in crate::domain::access::Role::ALL {
            assert!(
                catalogue(Language::Nl).contains_key(&format!("role.{}", role.code())),
                "no text for role {role}"
            );
        }
    }

    /// Every NL Design System component a template names (`utrecht-…`,
    /// without its `__element` or `--modifier`) is in the stylesheet, so a
    /// misspelt or unvendored component (`utrecht-badge-status` is
    /// `utrecht-status-badge` since Utrecht 9) does not go unstyled unseen.
    #[test]
    fn every_component_a_template_uses_is_in_the_stylesheet() {
        let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        for (name, source) in TEMPLATES {
            for word in source.split(|c: char| !name_char(c)) {
                let Some(rest) = word.strip_prefix("utrecht-") else {
                    continue;
                };
                let block = rest.split("__").next().unwrap_or_default();
                let block = block.split("--").next().unwrap_or_default();
                let selector = format!(".utrecht-{block}");
                let styled = STYLESHEET
                    .match_indices(&selector)
                    .any(|(at, _)| !STYLESHEET[at + selector.len()..].starts_with(name_char));
                assert!(
                    styled,
                    "{name} uses {selector}, which static/nlds does not have (see static/nlds/README.md)"
                );
            }
        }
    }

    #[test]
    fn every_template_compiles_and_placeholders_are_filled() {
        for (name, _) in TEMPLATES {
            assert!(ENVIRONMENT.get_template(name).is_ok(), "{name}");
        }
        assert_eq!(
            fill("nog {seconds} seconden", &[("seconds", "8".into())]),
            "nog 8 seconden"
        );
        assert_eq!(text(Language::En, "nav.other_language", &[]), "Nederlands");
        assert_eq!(text(Language::Nl, "nav.other_language", &[]), "English");
    }

    #[test]
    fn printed_values_are_escaped_but_links_stay_readable() {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_template(
            "t.html",
            "<a href=\"{{ url }}\" title=\"{{ text }}\">{{ text }}</a>",
        )
        .unwrap();
        let html = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { url => "/taal?lang=en&terug=%2F", text => "<b>'x' & \"y\"</b>" })
            .unwrap();
        assert_eq!(
            html,
            "<a href=\"/taal?lang=en&amp;terug=%2F\" title=\"&lt;b&gt;&#39;x&#39; &amp; &quot;y&quot;&lt;/b&gt;\">&lt;b&gt;&#39;x&#39; &amp; &quot;y&quot;&lt;/b&gt;</a>"
        );
    }

    #[test]
    fn times_are_shown_in_dutch_local_time() {
        assert_eq!(
            datetime("2026-07-01T10:00:00.000Z", None),
            "2026-07-01 12:00"
        );
        assert_eq!(
            datetime("2026-01-01T10:00:05Z", Some(true)),
            "2026-01-01 11:00:05"
        );
        assert_eq!(datetime("not a time", None), "not a time");
    }
}
