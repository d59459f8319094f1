//! Table 1 for a day or a round, computed from the register and the
//! round's overrides (the trend across rounds is in `stats::trend`).

use chrono::NaiveDate;

use crate::domain::error::{AppError, AppResult};
use crate::domain::round::Round;
use crate::domain::service::ServiceType;
use crate::domain::table1::Table1;
use crate::storage::Store;

/// Table 1 for the facilities open on `day`, every service, from the register.
pub async fn table1(store: &Store, day: NaiveDate) -> AppResult<Table1> {
    let tallies = store.tally_services(day, false).await?;
    Ok(Table1::from_tallies(day, ServiceType::ALL, &tallies))
}

/// The round with this name, or 404.
pub async fn round(store: &Store, name: &str) -> AppResult<Round> {
    store
        .round_by_name(name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no round named '{name}'")))
}

/// Table 1 of a round: its frozen counts once closed (or published); while
/// open, the register's live counts on its reference date with its
/// overrides applied.
pub async fn table1_for_round(store: &Store, name: &str) -> AppResult<Table1> {
    round_table(store, &round(store, name).await?).await
}

/// [`table1_for_round`] for a round at hand.
pub async fn round_table(store: &Store, round: &Round) -> AppResult<Table1> {
    if round.status.is_frozen() {
        return Ok(store.frozen_table(round).await?);
    }
    let tallies = store.tally_services(round.reference_date, false).await?;
    let overrides = store.round_overrides(round.id).await?;
    Ok(Table1::for_round(round, &tallies, &overrides))
}
