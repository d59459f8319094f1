//! The pages of inventory rounds: for national roles `/beheer/rondes`
//! (list, create) and `/beheer/rondes/{name}` (Table 1, overrides, close,
//! reopen, publish; `staff.rs`); for everyone `/cijfers` and
//! `/cijfers/{name}` with the published rounds (`public.rs`); the round's
//! report as HTML or XLSX on both sides (`report.rs`).
//!
//! The rules are in `crate::rounds` and `domain::round`; these handlers
//! turn forms into calls and tables into template context.

pub mod public;
pub mod report;
pub mod staff;
pub mod statistics;

use minijinja::{context, Value};

use super::Page;
use crate::domain::language::Language;
use crate::domain::round::{Round, RoundStatus};
use crate::domain::table1::Table1;

fn language(page: &Page) -> Language {
    page.lang
}

fn status_label(page: &Page, status: RoundStatus) -> String {
    page.text(&format!("rounds.status.{}", status.code()))
}

fn service_label(page: &Page, code: &str) -> String {
    page.text(&format!("register.service.{code}"))
}

/// A round as the templates show it.
fn round_context(page: &Page, round: &Round) -> Value {
    context! {
        name => round.name,
        reference_date => round.reference_date.to_string(),
        status => round.status.code(),
        status_label => status_label(page, round.status),
        services => round.scope.iter().map(|s| service_label(page, s.code())).collect::<Vec<_>>(),
        created_at => round.created_at,
        created_by => round.created_by,
        closed_at => round.closed_at,
        published_at => round.published_at,
    }
}

/// Table 1 as `rounds/table1.html` shows it: printed counts with their
/// qualifiers, notes and source in the page's language; for staff also
/// the register's own count and the facilities counted.
fn table_context(page: &Page, table: &Table1, staff: bool) -> Value {
    let lang = language(page);
    let rows: Vec<Value> = table
        .rows
        .iter()
        .map(|r| {
            context! {
                service => r.service.code(),
                label => service_label(page, r.service.code()),
                locations => r.show_locations(lang),
                municipalities => r.show_municipalities(lang),
                cities => r.show_cities(lang),
                capacity => r.show_capacity(lang),
                qualifier => r.qualifier.code(),
                qualifier_label => page.text(&format!("rounds.qualifier_short.{}", r.qualifier.code())),
                notes => r.notes_in(lang),
                source => r.source_in(table.as_of, lang),
                register_locations => r.register_locations,
                differs => r.locations != Some(r.register_locations),
                facilities => r.facility_ids.len(),
                facility_ids => if staff { r.facility_ids.clone() } else { Vec::new() },
            }
        })
        .collect();
    context! {
        as_of => table.as_of.to_string(),
        round => table.round,
        provisional => table.status == Some(RoundStatus::Open),
        staff,
        rows,
    }
}

/// Links to Table 1 as files, in the page's language.
pub(crate) fn downloads(page: &Page, query: &str) -> Vec<Value> {
    ["csv", "xlsx", "md", "html", "json"]
        .iter()
        .map(|format| {
            context! {
                format => format.to_uppercase(),
                href => format!("/api/v1/reports/table1?{query}&format={format}&lang={}", page.lang.code()),
            }
        })
        .collect()
}
