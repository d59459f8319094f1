//! `/beheer/uitzoeken`: what is left to find out about the register —
//! facilities whose operator nobody has named and facilities no source has
//! confirmed for over a year — each with why, linked to its form, where the
//! organisation can be named and the facts confirmed with their source.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::services_text;
use crate::domain::date::today;
use crate::domain::geo::geo;
use crate::http::app::AppState;
use crate::http::web::pages::Page;
use crate::register::find_out::{to_find_out, Reason, STALE_AFTER_DAYS};

pub async fn list(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        let day = today();
        let list = to_find_out(&state.store, who, &page.caller.actor(), day).await?;
        let count = |reason: Reason| list.iter().filter(|t| t.reasons.contains(&reason)).count();
        let totals = context! {
            operator_unknown => count(Reason::OperatorUnknown),
            never_verified => count(Reason::NeverVerified),
            not_verified_for_a_year => count(Reason::NotVerifiedForAYear),
            no_contact => count(Reason::NoContact),
        };
        let rows: Vec<_> = list
            .iter()
            .map(|t| {
                let f = &t.facility;
                context! {
                    id => f.id,
                    name => f.fields.name,
                    organisation => f.organisation_name,
                    services => services_text(&page, &f.fields.services),
                    municipality => geo().municipality(&f.fields.municipality_code).map(|m| m.name.clone()),
                    verified_on => f.recorded.verified_on.map(|d| d.to_string()),
                    reasons => t.reasons.iter().map(|r| page.text(&format!("find_out.reason.{}", r.code()))).collect::<Vec<_>>(),
                }
            })
            .collect();
        Ok(page.render(
            "register/find_out.html",
            StatusCode::OK,
            context! { rows, totals, day => day.to_string(), days => STALE_AFTER_DAYS },
        ))
    })
    .await
}
