//! The spread of the register's public facilities over the country on a
//! day (the computation and its types are in `domain::spread`).

use chrono::NaiveDate;

use crate::domain::access::InternalScope;
use crate::domain::error::AppResult;
use crate::domain::facility::FacilityStatus;
pub use crate::domain::spread::*;
use crate::storage::facilities::FacilityFilter;
use crate::storage::Store;

/// The spread of the public facilities open on `day`.
pub async fn spread(store: &Store, day: NaiveDate) -> AppResult<Spread> {
    let facilities = store
        .list_facilities(&FacilityFilter {
            as_of: Some(day),
            status: Some(FacilityStatus::Open),
            internal: InternalScope::None,
            ..FacilityFilter::default()
        })
        .await?;
    Ok(compute(day, &facilities))
}
