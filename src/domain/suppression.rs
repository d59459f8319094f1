//! Small-count suppression of the public figures, worked out once per metric
//! on one cube (areas × periods, see [`Cube`]) so that every page, API
//! answer, open-data file and download shows the same protected cells.
//!
//! The core is generic: cells `0..n` with an optional value (`None`: no
//! data, shown "–", which a reader takes as 0) and relations `total = Σ
//! parts`. For a sensitive metric (one that counts people or activity) a
//! value from 1 to 4 is shown "<5" ([`Shown::Small`], primary suppression)
//! and more cells are shown "x" ([`Shown::Hidden`], secondary suppression)
//! until no "<5" can be worked out from what is published.
//!
//! # The attacker model (the checker in `tests/it/suppression` uses the same)
//!
//! A reader knows every published number and that a "–" is 0; knows that
//! every relation holds; knows that a "<5" lies in [1, 4]; and knows that an
//! "x" lies in [5, ∞), because secondary suppression only ever hides a value
//! of at least 5 (a 0 or a missing value is not sensitive and never hidden).
//! The requirement: for each "<5" the values consistent with all of that must
//! still be the whole of 1..4 (its feasible minimum 1 and maximum 4). An "x"
//! may be worked out; it is only a means to protect the "<5"s.
//!
//! # The algorithm
//!
//! 1. Every relation with exactly one suppressed member gets a second one,
//!    the best candidate of that relation (a cell with a value ≥ 5): lowest
//!    in the hierarchy first (a part before its total), then one that also
//!    closes another such relation, then the smallest value, then the lowest
//!    index, so the outcome is deterministic.
//! 2. An exact audit of each "<5": the minimum and maximum of the cell over
//!    the connected group of suppressed cells it belongs to (two linear
//!    programs, [`lp`]). Where it is narrower than 1..4, one more cell is
//!    hidden, in the nearest relation of that group, and step 1 runs again
//!    for it. Hiding a cell only ever widens ranges, so cells that passed
//!    stay passed, and every round hides a cell or settles one: it ends.
//!
//! # When the requirement cannot be met
//!
//! Some tables cannot protect a "<5" at all: a total of at most 4 with two
//! or more "<5" parts (1 + 1 = 2 tells the reader each part is at most 3;
//! four parts of 1 under a total of 4 are each exactly 1). Nothing may be
//! hidden there (every member is below 5), and no hiding elsewhere changes
//! it. Step 2 therefore compares a cell with the best it could get: its
//! range when every value ≥ 5 within [`REACH`] relations of it is hidden
//! (a larger linear program, worked out only for a cell under such a small
//! total or one that one more hidden cell did not protect). A cell that
//! reaches that best stays "<5" and is listed in
//! [`Suppression::unprotected`], so the caller can decide (publish a coarser
//! table, or leave it out); so is a cell for which nothing more within
//! [`REACH`] can be hidden, which bounds the extra hiding around it.
//! Hiding never makes such a cell worse, and the cells the reader can only
//! narrow (not pin) keep their "<5".

mod cube;
mod lp;
#[cfg(test)]
mod tests;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

pub use cube::{Area, Cube, CubeError, Over, PeriodNode, SuppressedCube};
use lp::{Bound, System};

/// How a cell is shown to the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The number itself.
    Value(i64),
    /// 1 to 4 of a sensitive metric: shown "<5".
    Small,
    /// Hidden so that a "<5" cannot be worked out (the value is ≥ 5): "x".
    Hidden,
    /// No data: "–", which a reader takes as 0.
    Missing,
}

/// `total = Σ parts`, over cell indices, as a reader can see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub total: usize,
    pub parts: Vec<usize>,
}

impl Relation {
    fn members(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.total).chain(self.parts.iter().copied())
    }
}

/// The cells as shown, and the "<5"s that could not be fully protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub shown: Vec<Shown>,
    /// Cells shown "<5" whose range a reader can still narrow (see the
    /// module comment), in index order.
    pub unprotected: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuppressionError {
    /// The data breaks a relation, so a reader's reasoning (and the audit's)
    /// would start from a falsehood.
    #[error("relation {relation}: cell {total} is {value} but its parts add up to {sum}")]
    Unbalanced {
        relation: usize,
        total: usize,
        value: i64,
        sum: i64,
    },
    #[error("relation {relation} names cell {cell}, beyond the {cells} cells")]
    NoSuchCell {
        relation: usize,
        cell: usize,
        cells: usize,
    },
}

/// The smallest value that secondary suppression may hide, and one more
/// than the largest a "<5" can be.
const THRESHOLD: i64 = 5;

/// How many relations away from a "<5" step 2 looks for cells to hide, and
/// for the best range the cell could get. Far enough for the usual patterns
/// (a rectangle of four cells in the area × period table, a partner whose
/// own partner is pinned), near enough to keep the search and the extra
/// hiding local.
const REACH: usize = 3;

/// How `values` may be shown, given the relations a reader knows; nothing is
/// suppressed when the metric is not `sensitive`.
pub fn suppress(
    values: &[Option<i64>],
    relations: &[Relation],
    sensitive: bool,
) -> Result<Suppression, SuppressionError> {
    check(values, relations)?;
    let shown: Vec<Shown> = values
        .iter()
        .map(|value| match *value {
            None => Shown::Missing,
            Some(v) if sensitive && (1..THRESHOLD).contains(&v) => Shown::Small,
            Some(v) => Shown::Value(v),
        })
        .collect();
    let mut work = Work::new(values, relations, shown);
    let unprotected = work.secondary();
    Ok(Suppression {
        shown: work.shown,
        unprotected,
    })
}

fn check(values: &[Option<i64>], relations: &[Relation]) -> Result<(), SuppressionError> {
    for (r, relation) in relations.iter().enumerate() {
        if let Some(cell) = relation.members().find(|&c| c >= values.len()) {
            return Err(SuppressionError::NoSuchCell {
                relation: r,
                cell,
                cells: values.len(),
            });
        }
        let value = values[relation.total].unwrap_or(0);
        let sum: i64 = relation.parts.iter().map(|&p| values[p].unwrap_or(0)).sum();
        if value != sum {
            return Err(SuppressionError::Unbalanced {
                relation: r,
                total: relation.total,
                value,
                sum,
            });
        }
    }
    Ok(())
}

/// The state of secondary suppression.
struct Work<'a> {
    values: &'a [Option<i64>],
    relations: &'a [Relation],
    /// The relations each cell is a member of.
    of_cell: Vec<Vec<usize>>,
    /// How high a cell is in the hierarchy: 0 for a cell that is no total,
    /// else one more than its highest part.
    rank: Vec<u32>,
    shown: Vec<Shown>,
    /// How many members of each relation are suppressed.
    suppressed_in: Vec<usize>,
}

impl<'a> Work<'a> {
    fn new(values: &'a [Option<i64>], relations: &'a [Relation], shown: Vec<Shown>) -> Self {
        let mut of_cell = vec![Vec::new(); values.len()];
        for (r, relation) in relations.iter().enumerate() {
            for cell in relation.members() {
                if of_cell[cell].last() != Some(&r) {
                    of_cell[cell].push(r);
                }
            }
        }
        let suppressed_in = relations
            .iter()
            .map(|relation| {
                relation
                    .members()
                    .filter(|&c| is_suppressed(shown[c]))
                    .count()
            })
            .collect();
        Work {
            values,
            relations,
            of_cell,
            rank: ranks(values.len(), relations),
            shown,
            suppressed_in,
        }
    }

    /// Steps 1 and 2 of the module comment; the cells left unprotected.
    fn secondary(&mut self) -> Vec<usize> {
        let smalls: Vec<usize> = (0..self.shown.len())
            .filter(|&c| self.shown[c] == Shown::Small)
            .collect();
        if smalls.is_empty() {
            return Vec::new();
        }
        let mut queue: VecDeque<usize> = (0..self.relations.len()).collect();
        self.close_singletons(&mut queue);
        let mut narrowed = Vec::new();
        for &small in &smalls {
            self.protect(small, &mut queue, &mut narrowed);
        }
        // Cells hidden for a later "<5" may have widened an earlier one.
        narrowed
            .into_iter()
            .filter(|&cell| self.range(cell) != Some((1, THRESHOLD - 1)))
            .collect()
    }

    /// Step 1: a second suppressed member for every relation with one.
    fn close_singletons(&mut self, queue: &mut VecDeque<usize>) {
        while let Some(r) = queue.pop_front() {
            if self.suppressed_in[r] != 1 {
                continue;
            }
            let best = self.relations[r]
                .members()
                .filter(|&c| self.hideable(c))
                .min_by_key(|&c| self.preference(c));
            if let Some(cell) = best {
                self.hide(cell, queue);
            }
        }
    }

    /// Step 2 for one "<5": hide until its range is 1..4 or the best it can
    /// get; records it in `narrowed` when it ends short of 1..4. The best
    /// range costs a larger linear program, so it is worked out only when
    /// the cell is part of a small total (the usual cell that cannot be
    /// helped) or one more hidden cell did not do.
    fn protect(&mut self, small: usize, queue: &mut VecDeque<usize>, narrowed: &mut Vec<usize>) {
        let mut best: Option<Option<(i64, i64)>> = None;
        let mut hidden = 0;
        loop {
            let range = self.range(small);
            if range == Some((1, THRESHOLD - 1)) {
                return;
            }
            if best.is_none() && (hidden > 0 || self.under_small_total(small)) {
                best = Some(self.best_range(small));
            }
            let reached = matches!((range, best), (Some((lo, hi)), Some(Some((best_lo, best_hi))))
                if lo <= best_lo && hi >= best_hi);
            let partner = if reached { None } else { self.partner(small) };
            match partner {
                Some(cell) => {
                    self.hide(cell, queue);
                    self.close_singletons(queue);
                    hidden += 1;
                }
                None => {
                    narrowed.push(small);
                    return;
                }
            }
        }
    }

    /// Whether `small` is in a relation whose total is "<5" with two or
    /// more "<5" parts, which no hiding can protect.
    fn under_small_total(&self, small: usize) -> bool {
        self.of_cell[small].iter().any(|&r| {
            let relation = &self.relations[r];
            let small_parts = relation
                .parts
                .iter()
                .filter(|&&p| self.shown[p] == Shown::Small)
                .count();
            self.shown[relation.total] == Shown::Small && small_parts >= 2
        })
    }

    fn hide(&mut self, cell: usize, queue: &mut VecDeque<usize>) {
        self.shown[cell] = Shown::Hidden;
        for &r in &self.of_cell[cell] {
            self.suppressed_in[r] += 1;
            queue.push_back(r);
        }
    }

    /// A cell secondary suppression may hide: one shown with a value ≥ 5.
    fn hideable(&self, cell: usize) -> bool {
        matches!(self.shown[cell], Shown::Value(v) if v >= THRESHOLD)
    }

    /// Lower is better: low in the hierarchy, closing other lone suppressed
    /// cells too, a small value, then the index.
    fn preference(&self, cell: usize) -> (u32, Reverse<usize>, i64, usize) {
        let closes = self.of_cell[cell]
            .iter()
            .filter(|&&r| self.suppressed_in[r] == 1)
            .count();
        let value = self.values[cell].unwrap_or(0);
        (self.rank[cell], Reverse(closes), value, cell)
    }

    /// The suppressed cells tied to `cell` through relations, each with how
    /// many relations away it is, nearest first.
    fn group(&self, cell: usize) -> Vec<(usize, usize)> {
        let mut seen = BTreeMap::from([(cell, 0)]);
        let mut order = vec![(cell, 0)];
        let mut next = 0;
        while let Some(&(at, distance)) = order.get(next) {
            next += 1;
            for &r in &self.of_cell[at] {
                for member in self.relations[r].members() {
                    if is_suppressed(self.shown[member]) && !seen.contains_key(&member) {
                        seen.insert(member, distance + 1);
                        order.push((member, distance + 1));
                    }
                }
            }
        }
        order
    }

    /// The range a reader can work out for a suppressed `cell` from what is
    /// published now: exact, over the group of suppressed cells it is in.
    fn range(&self, cell: usize) -> Option<(i64, i64)> {
        let group: Vec<usize> = self.group(cell).into_iter().map(|(c, _)| c).collect();
        let relations: BTreeSet<usize> = group
            .iter()
            .flat_map(|&c| self.of_cell[c].iter().copied())
            .collect();
        let bound = |c: usize| match self.shown[c] {
            Shown::Small => Some(Bound::Small),
            Shown::Hidden => Some(Bound::Hidden),
            _ => None,
        };
        let (system, vars) = self.system(&group, bound, &relations);
        system.range(vars[&cell])
    }

    /// The range `small` would have if every value ≥ 5 within [`REACH`]
    /// relations of it were hidden, with the relations beyond left out: at
    /// least as wide as anything hiding could give it.
    fn best_range(&self, small: usize) -> Option<(i64, i64)> {
        let near = self.neighbourhood(small, REACH);
        let cells: Vec<usize> = near.keys().copied().collect();
        let relations: BTreeSet<usize> = near
            .iter()
            .filter(|&(_, &d)| d < REACH)
            .flat_map(|(&c, _)| self.of_cell[c].iter().copied())
            .collect();
        let bound = |c: usize| match (self.shown[c], self.values[c]) {
            (Shown::Small, _) => Some(Bound::Small),
            (_, Some(v)) if v >= THRESHOLD => Some(Bound::Hidden),
            _ => None,
        };
        let (system, vars) = self.system(&cells, bound, &relations);
        system.range(vars[&small])
    }

    /// The cells within `reach` relations of `cell` (suppressed or not),
    /// with their distance.
    fn neighbourhood(&self, cell: usize, reach: usize) -> BTreeMap<usize, usize> {
        let mut seen = BTreeMap::from([(cell, 0)]);
        let mut frontier = vec![cell];
        for distance in 1..=reach {
            let mut next = Vec::new();
            for at in frontier {
                for &r in &self.of_cell[at] {
                    for member in self.relations[r].members() {
                        if let std::collections::btree_map::Entry::Vacant(e) = seen.entry(member) {
                            e.insert(distance);
                            next.push(member);
                        }
                    }
                }
            }
            frontier = next;
        }
        seen
    }

    /// The linear system over `cells` (those `bound` gives a bound become
    /// unknowns; the others count with their value) for `relations`.
    fn system(
        &self,
        cells: &[usize],
        bound: impl Fn(usize) -> Option<Bound>,
        relations: &BTreeSet<usize>,
    ) -> (System, HashMap<usize, usize>) {
        let mut system = System::default();
        let mut vars = HashMap::new();
        for &c in cells {
            if let Some(b) = bound(c) {
                vars.insert(c, system.variable(b));
            }
        }
        for &r in relations {
            let relation = &self.relations[r];
            let mut terms = Vec::new();
            let mut constant = 0;
            let signed =
                std::iter::once((relation.total, 1)).chain(relation.parts.iter().map(|&p| (p, -1)));
            for (c, sign) in signed {
                match vars.get(&c) {
                    Some(&v) => terms.push((v, sign as f64)),
                    None => constant -= sign * self.values[c].unwrap_or(0),
                }
            }
            system.row(terms, constant as f64);
        }
        (system, vars)
    }

    /// The cell to hide next for `small`: in the nearest relation of its
    /// group that has a candidate within [`REACH`], the preferred one.
    fn partner(&self, small: usize) -> Option<usize> {
        let near = self.neighbourhood(small, REACH);
        self.group(small)
            .into_iter()
            .flat_map(|(c, distance)| self.of_cell[c].iter().map(move |&r| (r, distance)))
            .flat_map(|(r, distance)| self.relations[r].members().map(move |c| (c, distance)))
            .filter(|&(c, _)| self.hideable(c) && near.contains_key(&c))
            .min_by_key(|&(c, distance)| (distance, self.preference(c)))
            .map(|(c, _)| c)
    }
}

fn is_suppressed(shown: Shown) -> bool {
    matches!(shown, Shown::Small | Shown::Hidden)
}

/// Each cell's height in the hierarchy the relations draw (0 for a cell
/// that is no total). A relation that loops back on itself (bad input the
/// caller's data would have to be built for) counts as no step up.
fn ranks(cells: usize, relations: &[Relation]) -> Vec<u32> {
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); cells];
    for relation in relations {
        below[relation.total].extend(relation.parts.iter().copied());
    }
    let mut rank: Vec<Option<u32>> = vec![None; cells];
    let mut on_path = vec![false; cells];
    for start in 0..cells {
        if rank[start].is_some() {
            continue;
        }
        // Depth first without recursion: (cell, next part to look at).
        let mut stack = vec![(start, 0)];
        on_path[start] = true;
        while let Some(&mut (cell, ref mut next)) = stack.last_mut() {
            if let Some(&part) = below[cell].get(*next) {
                *next += 1;
                if rank[part].is_none() && !on_path[part] {
                    on_path[part] = true;
                    stack.push((part, 0));
                }
                continue;
            }
            let height = below[cell]
                .iter()
                .filter_map(|&p| rank[p])
                .map(|r| r + 1)
                .max()
                .unwrap_or(0);
            rank[cell] = Some(height);
            on_path[cell] = false;
            stack.pop();
        }
    }
    rank.into_iter().map(|r| r.unwrap_or(0)).collect()
}
