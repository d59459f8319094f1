//! Reports computed from the register.

use chrono::NaiveDate;

use crate::domain::table1::Table1;
use crate::error::AppResult;
use crate::storage::Store;

/// Table 1 for the facilities open on `day`.
pub async fn table1(store: &Store, day: NaiveDate) -> AppResult<Table1> {
    Ok(Table1::from_counts(day, &store.count_services(day).await?))
}
