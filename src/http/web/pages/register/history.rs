//! `/beheer/voorzieningen/{id}/geschiedenis`: every version of a facility,
//! newest first, with what it changed (field, before → after), who recorded
//! it and why, its source, when the source verified it, and the days it
//! held. Reading it is audited, as the API's history is.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::facility_error;
use super::{display_value, field_label, field_rank, HIDDEN_FIELDS};
use crate::domain::date::today;
use crate::formats::json::{history, Audience, FacilityJson};
use crate::http::app::AppState;
use crate::http::web::pages::{parse_id, Page, PageError};
use crate::register::reads;
use crate::register::scope;

pub async fn show(page: Page, State(state): State<AppState>, Path(id): Path<String>) -> Response {
    page.run(async {
        let id = parse_id(&id, "register.not_found")?;
        let who = page.caller.principal()?;
        let versions = reads::facility_history(&state.store, who, &page.caller.actor(), id)
            .await
            .map_err(facility_error)?;
        let current = versions
            .last()
            .ok_or(PageError::not_found("register.not_found"))?;
        let name = current.fields.name.clone();
        let may_edit = who.may_edit_facility(scope(current));
        let day = today();
        let records: Vec<FacilityJson> = versions
            .iter()
            .map(|f| FacilityJson::new(f, day, Audience::Internal))
            .collect();
        let mut entries: Vec<_> = history(records)
            .into_iter()
            .map(|(changes, record)| {
                let mut changes: Vec<_> = changes
                    .iter()
                    .filter(|c| !HIDDEN_FIELDS.contains(&c.field.as_str()))
                    .collect();
                changes.sort_by_key(|c| field_rank(&c.field));
                let changes: Vec<_> = changes
                    .iter()
                    .map(|c| {
                        context! {
                            field => field_label(&page, &c.field),
                            before => display_value(&page, &c.field, &c.before),
                            after => display_value(&page, &c.field, &c.after),
                        }
                    })
                    .collect();
                let p = &record.provenance;
                context! {
                    version => p.version,
                    first => p.version == 1,
                    changes,
                    recorded_by => p.recorded_by,
                    recorded_at => p.recorded_at,
                    source => p.source,
                    verified_on => p.verified_on.map(|d| d.to_string()),
                    change_note => p.change_note,
                    valid_from => p.valid_from.map(|d| d.to_string()),
                    valid_to => p.valid_to.map(|d| d.to_string()),
                }
            })
            .collect();
        entries.reverse();
        Ok(page.render(
            "register/history.html",
            StatusCode::OK,
            context! { id, name, may_edit, entries },
        ))
    })
    .await
}
