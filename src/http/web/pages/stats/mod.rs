//! The public statistics pages under `/cijfers/`: the trend figure of a
//! service across the inventory rounds (`trend.rs`), what opened and closed
//! between two days (`changes.rs`) and the spread over the country
//! (`spread.rs`). Each shows its numbers as tables with captions beside any
//! figure, and links to the same data as CSV, JSON or SVG.
//!
//! [`trend_figure`] and [`change_list`] build the context of the partials
//! `stats/trend_figure.html` and `stats/change_list.html`, so other pages
//! (a published round) can embed them.

pub mod changes;
pub mod spread;
pub mod trend;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::finder::service_label;
use super::Page;
use crate::domain::date::parse_date;
use crate::domain::provenance::{Source, SourceKind};
use crate::domain::service::ServiceType;

pub use changes::{change_list, change_list_view};
pub use trend::trend_figure;

/// A choice in a dropdown (`register/fields.html`'s `dropdown`).
#[derive(Debug, Serialize)]
struct Choice {
    value: &'static str,
    label: String,
}

fn service_options(page: &Page) -> Vec<Choice> {
    ServiceType::ALL
        .iter()
        .map(|s| Choice {
            value: s.code(),
            label: service_label(page, *s),
        })
        .collect()
}

/// The date in form field `name`: `None` when empty, or when it is not a
/// date, which puts an error text for the field in `errors`.
fn date_field(
    page: &Page,
    errors: &mut BTreeMap<String, String>,
    name: &str,
    value: &str,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let day = parse_date(value);
    if day.is_none() {
        errors.insert(name.to_string(), page.text("stats.error.date"));
    }
    day
}

/// A source as the public pages show it: the kind in words, then the detail.
fn source_text(page: &Page, source: &str) -> String {
    let source = Source::parse(source);
    let kind = match source.kind {
        SourceKind::Other => None,
        kind => Some(page.text(&format!("finder.source.{}", kind.code()))),
    };
    [kind, source.detail]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}
