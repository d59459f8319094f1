//! A published round's statistics, shown on `/cijfers/{name}` below Table
//! 1: the trend figure (consumption rooms, or the round's first service),
//! the change list since the previous published round, and a link to the
//! spread on the round's reference date.
//!
//! [`round_statistics`] builds the context that `rounds/statistics.html`
//! renders as `statistics`; `public::show` calls it for published rounds
//! only, so it uses the public trend and published rounds only.

use minijinja::{context, Value};

use crate::domain::round::Round;
use crate::domain::service::ServiceType;
use crate::http::app::AppState;
use crate::http::web::pages::stats::{change_list_view, trend_figure};
use crate::http::web::pages::{Page, PageError};

/// The statistics of a published round for `rounds/statistics.html`.
pub async fn round_statistics(
    page: &Page,
    state: &AppState,
    round: &Round,
) -> Result<Value, PageError> {
    let service = if round.scope.contains(ServiceType::ConsumptionRoom) {
        ServiceType::ConsumptionRoom
    } else {
        round
            .scope
            .iter()
            .next()
            .unwrap_or(ServiceType::ConsumptionRoom)
    };
    let trend = trend_figure(page, &state.store, service, "trend-ronde").await?;
    // The latest published round before this one (the list is newest first).
    let rounds = crate::rounds::published_rounds(&state.store).await?;
    let previous = rounds
        .iter()
        .find(|r| r.reference_date < round.reference_date);
    let changes = match previous {
        Some(p) => {
            let changes =
                crate::stats::changes::changes_between_rounds(&state.store, p, round).await?;
            Some(change_list_view(page, &changes, Some(&p.name)))
        }
        None => None,
    };
    Ok(context! {
        trend,
        changes,
        previous => previous.map(|p| p.name.clone()),
        trend_url => format!("/cijfers/trend?dienst={}", service.code()),
        spread_url => format!("/cijfers/spreiding?peildatum={}", round.reference_date),
        changes_url => previous.map(|p| format!(
            "/cijfers/veranderingen?van={}&tot={}",
            p.reference_date, round.reference_date
        )),
    })
}
