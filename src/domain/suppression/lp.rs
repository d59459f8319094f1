//! The exact audit: what a reader can work out about one cell, as the
//! minimum and the maximum of a linear program over the relations that tie
//! the cells the reader does not see; and the best range a cell could get.
//! Most cells never get here: a witness (`witness`) proves them faster.
//!
//! Why a solver crate (`microlp`, the maintained fork of minilp): the audit
//! is the guarantee, and a hand-written simplex would be the least tested
//! code of the module. It is pure Rust (no C toolchain, no system library),
//! builds in about 20 s on two cores with its few dependencies (sprs,
//! ndarray), and solves a system of a hundred unknowns in about a
//! millisecond (it is built optimised in debug builds too).
//!
//! Integers: the constraint matrix of one hierarchy of sums (a tree) and of
//! a flat two-way table with margins is totally unimodular, so there the
//! bounds of the linear program are attained at integer points and equal
//! the bounds an attacker reasoning in whole numbers finds. The cube crosses
//! two hierarchies (areas and periods, each more than one level deep), and
//! that product is not totally unimodular: the random cubes of the tests
//! meet optima at fractional vertices (the optimal values were whole all
//! the same). So a fractional optimum is never trusted: the bound is solved
//! again with integer variables (branch and bound), which is exact either
//! way. The requirement is checked as the two bounds: without total
//! unimodularity a value between them could in principle be impossible,
//! which would tell a reader only what the cell is not.

use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};

/// What a reader knows of a cell that is not published as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    /// Shown "<5": a whole number from 1 to 4.
    Small,
    /// Shown "x": at least 5, with no upper bound.
    Hidden,
    /// Withheld ("."): at least 0, with no upper bound.
    Withheld,
}

/// Relations over unknown cells: each row says Σ coefficient · variable =
/// constant, where the constant already holds every published number.
#[derive(Debug, Default)]
pub(super) struct System {
    bounds: Vec<Bound>,
    rows: Vec<(Vec<(usize, f64)>, f64)>,
}

/// How far from a whole number a solver's value may be and still count as it.
const WHOLE: f64 = 1e-6;

impl System {
    /// A new unknown cell with what the reader knows of it; its variable.
    pub fn variable(&mut self, bound: Bound) -> usize {
        self.bounds.push(bound);
        self.bounds.len() - 1
    }

    /// Σ terms = constant. A row without unknowns says nothing new and is
    /// left out (the caller checked that the published numbers add up).
    pub fn row(&mut self, terms: Vec<(usize, f64)>, constant: f64) {
        if !terms.is_empty() {
            self.rows.push((terms, constant));
        }
    }

    /// The smallest and largest whole value `var` can take, or `None` when
    /// the solver could not say (which callers treat as "not protected").
    pub fn range(&self, var: usize) -> Option<(i64, i64)> {
        Some((
            self.extreme(var, Extreme::Min)?.0,
            self.extreme(var, Extreme::Max)?.0,
        ))
    }

    /// The smallest (largest) whole value `var` can take and a whole
    /// solution where it does, one value per variable.
    pub fn extreme(&self, var: usize, extreme: Extreme) -> Option<(i64, Vec<i64>)> {
        let point = self.optimum(&[(var, 1.0)], extreme)?;
        Some((point[var], point))
    }

    /// A whole solution where Σ weight · variable is smallest (largest).
    pub fn optimum(&self, objective: &[(usize, f64)], extreme: Extreme) -> Option<Vec<i64>> {
        match self.solve(objective, extreme, false)? {
            Some(point) => Some(point),
            None => self.solve(objective, extreme, true)?,
        }
    }

    /// A solution where Σ weight · variable is smallest (largest), if the
    /// linear program finds one in whole numbers (no branch and bound).
    pub fn whole_optimum(&self, objective: &[(usize, f64)], extreme: Extreme) -> Option<Vec<i64>> {
        self.solve(objective, extreme, false)?
    }

    /// The values of all variables at an optimum, or `None` inside when one
    /// of them is not whole there (`None` outside: no answer).
    fn solve(
        &self,
        objective: &[(usize, f64)],
        extreme: Extreme,
        integer: bool,
    ) -> Option<Option<Vec<i64>>> {
        let direction = match extreme {
            Extreme::Min => OptimizationDirection::Minimize,
            Extreme::Max => OptimizationDirection::Maximize,
        };
        let mut weights = vec![0.0; self.bounds.len()];
        for &(var, weight) in objective {
            weights[var] += weight;
        }
        let mut problem = Problem::new(direction);
        let vars: Vec<Variable> = self
            .bounds
            .iter()
            .zip(weights)
            .map(|(bound, objective)| {
                let (low, high) = match bound {
                    Bound::Small => (1, 4),
                    Bound::Hidden => (5, i32::MAX),
                    Bound::Withheld => (0, i32::MAX),
                };
                if integer {
                    problem.add_integer_var(objective, (low, high))
                } else {
                    let high = if high == i32::MAX {
                        f64::INFINITY
                    } else {
                        f64::from(high)
                    };
                    problem.add_var(objective, (f64::from(low), high))
                }
            })
            .collect();
        for (terms, constant) in &self.rows {
            let expr: microlp::LinearExpr = terms.iter().map(|&(v, c)| (vars[v], c)).collect();
            problem.add_constraint(expr, ComparisonOp::Eq, *constant);
        }
        let solution = problem.solve().ok()?.into_solution().ok()?;
        Some(
            vars.iter()
                .map(|&v| {
                    let value = solution.var_value(v);
                    ((value - value.round()).abs() < WHOLE).then_some(value.round() as i64)
                })
                .collect(),
        )
    }
}

/// Which end of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Extreme {
    Min,
    Max,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_cell_beside_a_hidden_one_under_a_total_of_8_is_at_most_3() {
        let mut system = System::default();
        let x = system.variable(Bound::Small);
        let y = system.variable(Bound::Hidden);
        system.row(vec![(x, 1.0), (y, 1.0)], 8.0);
        assert_eq!(system.range(x), Some((1, 3)));
        assert_eq!(system.range(y), Some((5, 7)));
    }

    #[test]
    fn an_unbounded_hidden_cell_leaves_a_small_one_its_whole_range() {
        let mut system = System::default();
        let x = system.variable(Bound::Small);
        let y = system.variable(Bound::Hidden);
        let total = system.variable(Bound::Hidden);
        system.row(vec![(total, 1.0), (x, -1.0), (y, -1.0)], 0.0);
        assert_eq!(system.range(x), Some((1, 4)));
    }
}
