//! The cube every public table of one metric is read from: areas (the
//! Netherlands, its provinces, their municipalities) × periods (years,
//! quarters, months), suppressed once, so the national table, a province's
//! table, a year's and a month's all show the same cells the same way.
//!
//! Areas and periods are plain codes and labels with a parent index; the
//! caller maps them to and from vangnet's own types. The relations are what a
//! reader of those tables sees: in every period an area is the sum of its
//! sub-areas in the cube, and, for a metric summed over time (not for an
//! average or a last value), in every area a period is the sum of its
//! sub-periods in the cube.

use super::{suppress, Relation, Shown, SuppressionError};

/// An area of the cube; `parent` indexes the same list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub code: String,
    pub parent: Option<usize>,
}

/// A period of the cube (a year, quarter or month); `parent` indexes the
/// same list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodNode {
    pub label: String,
    pub parent: Option<usize>,
}

/// Which sum a broken relation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// An area that is not the sum of its sub-areas.
    Areas,
    /// A period that is not the sum of its sub-periods.
    Periods,
}

impl std::fmt::Display for Over {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Over::Areas => "sub-areas",
            Over::Periods => "sub-periods",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CubeError {
    /// The figures do not add up, so they cannot be published as sums (a
    /// year with a yearly report and no monthly ones, a metric that is no
    /// sum over time built with `time_adds_up`).
    #[error("{area} {period} is {value}, but its {over} add up to {sum}")]
    Unbalanced {
        area: String,
        period: String,
        over: Over,
        value: i64,
        sum: i64,
    },
}

/// One metric's values per area and period, before suppression.
#[derive(Debug, Clone)]
pub struct Cube {
    areas: Vec<Area>,
    periods: Vec<PeriodNode>,
    pub(super) relations: Vec<(Relation, Over)>,
    pub(super) values: Vec<Option<i64>>,
}

impl Cube {
    /// An empty cube (every value missing). Panics on a parent index that
    /// is out of range or not earlier in its list: the lists are the
    /// caller's own, so that is a programming error.
    pub fn new(areas: &[Area], periods: &[PeriodNode], time_adds_up: bool) -> Cube {
        let width = periods.len();
        let cell = move |area: usize, period: usize| area * width + period;
        let area_children = children(areas.iter().map(|a| a.parent), "area");
        let period_children = children(periods.iter().map(|p| p.parent), "period");
        let mut relations = Vec::new();
        for period in 0..width {
            for (area, parts) in area_children.iter().enumerate() {
                if !parts.is_empty() {
                    let relation = Relation {
                        total: cell(area, period),
                        parts: parts.iter().map(|&a| cell(a, period)).collect(),
                    };
                    relations.push((relation, Over::Areas));
                }
            }
        }
        if time_adds_up {
            for area in 0..areas.len() {
                for (period, parts) in period_children.iter().enumerate() {
                    if !parts.is_empty() {
                        let relation = Relation {
                            total: cell(area, period),
                            parts: parts.iter().map(|&p| cell(area, p)).collect(),
                        };
                        relations.push((relation, Over::Periods));
                    }
                }
            }
        }
        Cube {
            areas: areas.to_vec(),
            periods: periods.to_vec(),
            relations,
            values: vec![None; areas.len() * width],
        }
    }

    /// Sets the value of `area` in `period` (indices of the lists given to
    /// [`Cube::new`]).
    pub fn set(&mut self, area: usize, period: usize, value: Option<i64>) {
        assert!(period < self.periods.len(), "no period {period}");
        self.values[area * self.periods.len() + period] = value;
    }

    /// Every cell as it may be shown; nothing is suppressed unless the
    /// metric is `sensitive`.
    pub fn suppress(&self, sensitive: bool) -> Result<SuppressedCube, CubeError> {
        let relations: Vec<Relation> = self.relations.iter().map(|(r, _)| r.clone()).collect();
        let width = self.periods.len();
        match suppress(&self.values, &relations, sensitive) {
            Ok(suppression) => Ok(SuppressedCube {
                width,
                shown: suppression.shown,
                unprotected: suppression
                    .unprotected
                    .into_iter()
                    .map(|c| (c / width, c % width))
                    .collect(),
            }),
            Err(SuppressionError::Unbalanced {
                relation,
                total,
                value,
                sum,
            }) => Err(CubeError::Unbalanced {
                area: self.areas[total / width].code.clone(),
                period: self.periods[total % width].label.clone(),
                over: self.relations[relation].1,
                value,
                sum,
            }),
            Err(e @ SuppressionError::NoSuchCell { .. }) => {
                unreachable!("the cube names only its own cells: {e}")
            }
        }
    }
}

/// The children of each node, checking that parents come first.
fn children(parents: impl Iterator<Item = Option<usize>>, what: &str) -> Vec<Vec<usize>> {
    let mut children: Vec<Vec<usize>> = Vec::new();
    for (index, parent) in parents.enumerate() {
        children.push(Vec::new());
        if let Some(parent) = parent {
            assert!(
                parent < index,
                "{what} {index}: its parent {parent} must come before it"
            );
            children[parent].push(index);
        }
    }
    children
}

/// A cube as it may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedCube {
    width: usize,
    pub(super) shown: Vec<Shown>,
    unprotected: Vec<(usize, usize)>,
}

impl SuppressedCube {
    /// How `area` in `period` is shown: [`Shown::Withheld`] for one of the
    /// parts of a total below 5 (everything with a value below a cell of 1
    /// to 4 in the cube's sums), which is not to be published at all.
    pub fn get(&self, area: usize, period: usize) -> Shown {
        assert!(period < self.width, "no period {period}");
        self.shown[area * self.width + period]
    }

    /// The (area, period) cells shown "<5" whose range a reader can still
    /// narrow, because no hiding could protect them (see the module comment
    /// of `suppression`); the parts of totals below 5 are withheld already
    /// and never listed here.
    pub fn unprotected(&self) -> &[(usize, usize)] {
        &self.unprotected
    }
}
