//! Table 1 of the national inventory: per service type, the number of public
//! locations and of distinct municipalities open on a day. A location counts
//! once however many rooms it has; residents-only and closed facilities do
//! not count. Inventory rounds (a later issue) add qualifiers and notes.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::service::ServiceType;

/// How a count should be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Exact,
    /// A known undercount, printed "≥29".
    AtLeast,
    /// Printed "±24".
    Approximate,
    /// Printed "onbekend" / "unknown".
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Table1Row {
    pub service: ServiceType,
    pub locations: i64,
    pub municipalities: i64,
    /// Sum of the known capacities: places in consumption rooms, treatment
    /// places in heroin units; null for other services and when none is known.
    pub capacity: Option<i64>,
    pub qualifier: Qualifier,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Table1 {
    pub as_of: NaiveDate,
    pub rows: Vec<Table1Row>,
}

/// Counts for one service as storage returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceCount {
    pub service: ServiceType,
    pub locations: i64,
    pub municipalities: i64,
    pub capacity: Option<i64>,
}

impl Table1 {
    /// One row per service type in the fixed order, zero where nothing counted.
    pub fn from_counts(as_of: NaiveDate, counts: &[ServiceCount]) -> Table1 {
        let rows = ServiceType::ALL
            .iter()
            .map(|&service| {
                let count = counts.iter().find(|c| c.service == service);
                Table1Row {
                    service,
                    locations: count.map_or(0, |c| c.locations),
                    municipalities: count.map_or(0, |c| c.municipalities),
                    capacity: count
                        .and_then(|c| c.capacity)
                        .filter(|_| service.has_capacity()),
                    qualifier: Qualifier::Exact,
                }
            })
            .collect();
        Table1 { as_of, rows }
    }

    pub fn row(&self, service: ServiceType) -> &Table1Row {
        self.rows
            .iter()
            .find(|r| r.service == service)
            .expect("every service has a row")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_without_facilities_still_get_a_zero_row() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let table = Table1::from_counts(
            day,
            &[
                ServiceCount {
                    service: ServiceType::HeroinUnit,
                    locations: 2,
                    municipalities: 1,
                    capacity: Some(50),
                },
                ServiceCount {
                    service: ServiceType::SyringeExchange,
                    locations: 1,
                    municipalities: 1,
                    capacity: Some(8),
                },
            ],
        );
        assert_eq!(table.rows.len(), 6);
        assert_eq!(table.row(ServiceType::HeroinUnit).locations, 2);
        assert_eq!(table.row(ServiceType::HeroinUnit).capacity, Some(50));
        assert_eq!(
            table.row(ServiceType::SyringeExchange).capacity,
            None,
            "not a capacity service"
        );
        assert_eq!(table.row(ServiceType::Naloxone).locations, 0);
        assert_eq!(table.row(ServiceType::Naloxone).capacity, None);
    }
}
