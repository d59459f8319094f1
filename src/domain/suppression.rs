//! Small-count suppression of the public figures, worked out once per metric
//! on one cube (areas × periods, see [`Cube`]) so that every page, API
//! answer, open-data file and download shows the same protected cells.
//!
//! The core is generic: cells `0..n` with an optional value (`None`: no
//! data, shown "–", which a reader takes as 0) and relations `total = Σ
//! parts`. For a sensitive metric (one that counts people or activity) a
//! value from 1 to 4 is shown "<5" ([`Shown::Small`], primary suppression),
//! the parts of a total below 5 are not published at all
//! ([`Shown::Withheld`], "."), and more cells are shown "x"
//! ([`Shown::Hidden`], secondary suppression) until no "<5" can be worked
//! out from what is published.
//!
//! # The attacker model (the checker in `tests/it/suppression` uses the same)
//!
//! A reader knows every published number and that a "–" is 0; knows that
//! every relation holds; knows that a "<5" lies in [1, 4]; knows that an
//! "x" lies in [5, ∞), because secondary suppression only ever hides a value
//! of at least 5 (a 0 or a missing value is not sensitive and never hidden);
//! and knows that a "." lies in [0, ∞): whether a cell is withheld depends on
//! what is shown above it, never on its own value (a 0 is withheld like a 3).
//! The requirement: for each "<5" the values consistent with all of that must
//! still be the whole of 1..4 (its feasible minimum 1 and maximum 4). An "x"
//! may be worked out; it is only a means to protect the "<5"s. A "." claims
//! nothing and is not audited; step 2 only gives it a partner wherever one
//! can be hidden, so that no "." is had by one subtraction.
//!
//! # The parts of a total below 5 are not published at all
//!
//! No hiding can protect the "<5" parts of a total of at most 4 with two or
//! more nonzero parts (1 + 1 = 2 tells a reader each part is at most 3;
//! four parts of 1 under a total of 4 are each exactly 1): nothing may be
//! hidden there (every member is below 5), and no hiding elsewhere changes
//! it. So every part with a value (a 0 too; a missing one stays "–") of a
//! total shown "<5" is withheld, and, to a fixed point, every part of a
//! withheld total (which is at most its own total, so below 5 as well): in
//! the cube, everything with a value below a cell of 1 to 4. Such a sum's
//! parts then tell nothing about it, and it nothing about them but their
//! sum; a "<5" is left only where everything above it is 5 or more.
//!
//! Every part, not only the nonzero parts of a total with two or more of
//! them (the cases that need it): a reader who knows that rule would read a
//! "." as "not 0" and its very use as "two or more parts are", and 1 + 1
//! under a "<5" would be narrowed again (each part 1..3, the total 2..4).
//! Decided on what is shown only, withholding tells nothing.
//!
//! # The algorithm
//!
//! 1. Withholding, as above.
//! 2. Every relation with exactly one unpublished member ("<5", "x" or ".")
//!    gets a second one, the best candidate of that relation (a cell with a
//!    value ≥ 5): lowest in the hierarchy first (a part before its total),
//!    then one that also closes another such relation, then the smallest
//!    value, then the lowest index, so the outcome is deterministic.
//! 3. Each "<5", in index order, for each end of 1..4 it is not yet known
//!    to reach: a witness (below) that it does, looked for among the
//!    unpublished cells first, then allowing it up to 2 published values
//!    of 5 or more, then any number ([`SEARCHES`]). The published cells the
//!    witness uses are hidden (and step 2 runs again for them): what is
//!    hidden is what a short cycle of relations around the cell needs.
//!    Hiding only ever widens ranges, so a witness stays one, and cells
//!    that passed stay passed. Where the search finds none, see below.
//!
//! # The audit: witnesses, and linear programs where they run out
//!
//! A "<5" passes when a reader cannot rule out 1 nor 4: when there is a
//! whole solution of everything published with the cell at 1, and one with
//! it at 4. A witness shows one: changes to the true values (themselves a
//! solution) that keep every relation and keep every changed cell within
//! what a reader knows of it. The search for one ([`witness`]) is short,
//! needs no solver, and what it finds is checked again before it counts;
//! a true value of 1 or 4 is its own witness, and every "<5" that a
//! witness puts at 1 or 4 is proven with it. A search that fails proves
//! nothing, so a "<5" that may end short of 1..4 is audited exactly at the
//! end: bounds propagation around the cell (a relaxation: a range it
//! narrows is narrowed) and, where that says nothing, the minimum and
//! maximum over the cell's whole group of unpublished cells, linear
//! programs ([`lp`]). That is the exact audit of before, now run for a few
//! cells instead of every one, every round; it is what makes a metric of a
//! few people a matter of milliseconds instead of seconds.
//!
//! # Where the search runs out, and when the requirement cannot be met
//!
//! The search is bounded, and a "<5" may need more than it finds. For an
//! end without a witness, step 3 goes on, each time looking for witnesses
//! again: bounds propagation on the best range the cell could get (its
//! range were every value ≥ 5 hidden) narrows the aim where it can, and a
//! witnessed end of that is the best end there is; a linear program near
//! the cell (within [`REACH`] relations; the values ≥ 5 there may move,
//! changing as little as they can, and those that do are hidden) gives a
//! witness the search missed; the exact audit settles a cell a long
//! witness already protects; a linear program for the best range (within
//! [`REACH`]) narrows the aim again; and last, one more cell is hidden at a
//! time, in the nearest relation of the cell's group of unpublished cells,
//! until there are witnesses or nothing within [`REACH`] is left to hide.
//!
//! After withholding, a "<5" that no hiding protects is rare, but it
//! happens: the reader's "x ≥ 5" can be what narrows it (a hidden quarter
//! of at most 8 by its two "<5" months, with a hidden municipality of at
//! least 5 under it, leaves the other municipality at most 3). Such a cell
//! ends at the best range it can get; it stays "<5" and is listed in
//! [`Suppression::unprotected`], so the caller can decide (publish a
//! coarser table, or leave it out).

mod cube;
mod lp;
#[cfg(test)]
mod tests;
mod witness;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

pub use cube::{Area, Cube, CubeError, Over, PeriodNode, SuppressedCube};
use lp::{Bound, Extreme, System};

/// How a cell is shown to the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The number itself.
    Value(i64),
    /// 1 to 4 of a sensitive metric: shown "<5".
    Small,
    /// Hidden so that a "<5" cannot be worked out (the value is ≥ 5): "x".
    Hidden,
    /// Not published at all, as a part of a total below 5 (see the module
    /// comment): ".". A reader knows only that it is ≥ 0.
    Withheld,
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

/// How many relations away from a "<5" step 3 looks for the best range the
/// cell could get, and for cells to hide one at a time when no witness is
/// found. Far enough for the usual patterns (a rectangle of four cells in
/// the area × period table, a partner whose own partner is pinned), near
/// enough to keep the extra hiding local.
const REACH: usize = 3;

/// How many relations around a "<5" bounds propagation looks, for the quick
/// verdict of the final audit.
const RADIUS: usize = 2;

/// The witness searches step 3 tries for one end of a "<5", in turn: how
/// many published cells each may use (and so hide), and how many steps it
/// may take. Fewest hidden first; the last may hide any number.
const SEARCHES: [(usize, usize); 3] = [(0, 60), (2, 60), (usize::MAX, 1000)];

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
    work.withhold();
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

/// The state of suppression.
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
    /// Per "<5": whether a whole solution with it at 1 (`low`) or at 4
    /// (`high`) is known. Hiding keeps every solution one, so a proof holds.
    low: Vec<bool>,
    high: Vec<bool>,
    /// For the witness search ([`witness`]): each relation's members with
    /// their signs (+1 for the total, -1 for a part), each cell's relations
    /// with its sign, how far each cell may move, and the search's scratch:
    /// a change per cell, how far off each relation is (all 0 between
    /// searches).
    rows: Vec<Vec<(usize, i64)>>,
    cell_rows: Vec<Vec<(usize, i64)>>,
    movable: Vec<Movable>,
    delta: Vec<i64>,
    off: Vec<i64>,
}

/// How far the witness search may move a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Movable {
    /// Published, and not to be hidden (below 5, or missing).
    Fixed,
    /// Unpublished: within these bounds (what a reader knows of it).
    Within(i64, i64),
    /// Published, 5 or more: to 5 or more, once hidden.
    Hideable,
}

/// What the audit can say of a "<5" without solving its whole group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Protected,
    Narrowed,
    Unsure,
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
        let rows: Vec<Vec<(usize, i64)>> = relations
            .iter()
            .map(|relation| {
                std::iter::once((relation.total, 1))
                    .chain(relation.parts.iter().map(|&p| (p, -1)))
                    .collect()
            })
            .collect();
        let mut cell_rows = vec![Vec::new(); values.len()];
        for (r, row) in rows.iter().enumerate() {
            for &(cell, sign) in row {
                cell_rows[cell].push((r, sign));
            }
        }
        let mut work = Work {
            values,
            relations,
            of_cell,
            rank: ranks(values.len(), relations),
            shown,
            suppressed_in,
            // The true values are a solution: a 1 reaches 1, a 4 reaches 4.
            low: values.iter().map(|&v| v == Some(1)).collect(),
            high: values.iter().map(|&v| v == Some(THRESHOLD - 1)).collect(),
            rows,
            cell_rows,
            movable: Vec::new(),
            delta: vec![0; values.len()],
            off: vec![0; relations.len()],
        };
        work.movable = (0..values.len()).map(|c| work.movable_now(c)).collect();
        work
    }

    /// How far the witness search may move `cell`, as it is shown now.
    fn movable_now(&self, cell: usize) -> Movable {
        if is_suppressed(self.shown[cell]) {
            let (lo, hi) = self.bounds(cell);
            Movable::Within(lo, hi)
        } else if self.hideable(cell) {
            Movable::Hideable
        } else {
            Movable::Fixed
        }
    }

    /// Shows `cell` as `shown` (suppressed), keeping the counts and what the
    /// search knows in step.
    fn show(&mut self, cell: usize, shown: Shown) {
        if !is_suppressed(self.shown[cell]) {
            for &r in &self.of_cell[cell] {
                self.suppressed_in[r] += 1;
            }
        }
        self.shown[cell] = shown;
        self.movable[cell] = self.movable_now(cell);
    }

    /// Step 1: every part with a value of a "<5" or "." total is withheld,
    /// to a fixed point.
    fn withhold(&mut self) {
        let mut totals: Vec<usize> = (0..self.shown.len())
            .filter(|&c| self.shown[c] == Shown::Small)
            .collect();
        while let Some(total) = totals.pop() {
            for i in 0..self.of_cell[total].len() {
                let relation = &self.relations[self.of_cell[total][i]];
                if relation.total != total {
                    continue;
                }
                for &part in &relation.parts {
                    if self.values[part].is_some() && self.shown[part] != Shown::Withheld {
                        self.show(part, Shown::Withheld);
                        totals.push(part);
                    }
                }
            }
        }
    }

    /// Steps 2 and 3 of the module comment; the cells left unprotected.
    fn secondary(&mut self) -> Vec<usize> {
        if !self.shown.iter().any(|&s| is_suppressed(s)) {
            return Vec::new();
        }
        let mut queue: VecDeque<usize> = (0..self.relations.len()).collect();
        self.close_singletons(&mut queue);
        let smalls: Vec<usize> = (0..self.shown.len())
            .filter(|&c| self.shown[c] == Shown::Small)
            .collect();
        let mut narrowed = Vec::new();
        for &small in &smalls {
            self.protect(small, &mut queue, &mut narrowed);
        }
        // Cells hidden for a later "<5" may have widened an earlier one.
        narrowed
            .into_iter()
            .filter(|&cell| !self.exactly_protected(cell))
            .collect()
    }

    /// Step 2: a second suppressed member for every relation with one.
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

    /// Step 3 for one "<5" (see the module comment): witnesses for the ends
    /// of 1..4, or of the best range it can get, hiding what they use;
    /// records it in `narrowed` when it may end short of 1..4.
    fn protect(&mut self, small: usize, queue: &mut VecDeque<usize>, narrowed: &mut Vec<usize>) {
        let whole = (1, THRESHOLD - 1);
        let mut aim = whole;
        let narrower = |aim: (i64, i64), bounds: Option<(i64, i64)>| {
            bounds
                .map(|(lo, hi)| (aim.0.max(lo), aim.1.min(hi)))
                .filter(|&next| next != aim && next.0 <= next.1)
        };
        let done = 'done: {
            if self.witnessed(small, aim, queue) {
                break 'done true;
            }
            // Where the search finds none: bounds on the best range, by
            // propagation (a witnessed end of them is the best end there
            // is); witnesses from linear programs near the cell, hiding
            // what they change; the exact audit (the search may have missed
            // a long witness); the best range by a linear program.
            if let Some(next) = narrower(aim, Some(self.best_bounds(small))) {
                aim = next;
                if self.witnessed(small, aim, queue) {
                    break 'done true;
                }
            }
            if self.witnessed_by_programs(small, aim, queue) {
                break 'done true;
            }
            if aim == whole {
                self.prove(small);
                if self.low[small] && self.high[small] {
                    break 'done true;
                }
            }
            if let Some(next) = narrower(aim, self.best_range(small)) {
                aim = next;
                if self.witnessed(small, aim, queue)
                    || self.witnessed_by_programs(small, aim, queue)
                {
                    break 'done true;
                }
            }
            // Then one more hidden cell at a time.
            while let Some(cell) = self.partner(small) {
                self.hide(cell, queue);
                self.close_singletons(queue);
                if self.witnessed(small, aim, queue) {
                    break 'done true;
                }
            }
            false
        };
        if !done || aim != whole {
            narrowed.push(small);
        }
    }

    /// [`Work::witnessed`] with witnesses from linear programs
    /// ([`Work::program_witness`]).
    fn witnessed_by_programs(
        &mut self,
        small: usize,
        aim: (i64, i64),
        queue: &mut VecDeque<usize>,
    ) -> bool {
        for target in [aim.0, aim.1] {
            let known = match target {
                1 => self.low[small],
                t if t == THRESHOLD - 1 => self.high[small],
                _ => false,
            };
            if known {
                continue;
            }
            let Some(witness) = self.program_witness(small, target) else {
                return false;
            };
            self.follow(&witness, queue);
        }
        true
    }

    /// Hides what a witness needs hidden, closes the relations that left
    /// with one suppressed member, and keeps what the witness shows.
    fn follow(&mut self, witness: &witness::Witness, queue: &mut VecDeque<usize>) {
        for &cell in &witness.hides {
            self.hide(cell, queue);
        }
        self.close_singletons(queue);
        self.harvest(witness);
    }

    /// A witness that `small` can be `target`, from a linear program: the
    /// unpublished cells and the values ≥ 5 within [`REACH`] relations of
    /// it may move (a value ≥ 5 that does is then hidden), the cells
    /// farther away keep their true values; the published values change as
    /// little as they can (in sum), so that few are hidden. `None` when the
    /// program finds none, or none in whole numbers.
    fn program_witness(&mut self, small: usize, target: i64) -> Option<witness::Witness> {
        let near = self.neighbourhood(small, REACH);
        let mut system = System::default();
        let mut vars = HashMap::new();
        let mut cells = Vec::new();
        for &c in near.keys() {
            let bound = match self.shown[c] {
                Shown::Small => Bound::Small,
                Shown::Hidden => Bound::Hidden,
                Shown::Withheld => Bound::Withheld,
                _ if self.hideable(c) => Bound::Hidden,
                _ => continue,
            };
            vars.insert(c, system.variable(bound));
            cells.push(c);
        }
        // Each published value that moves, as what it goes up and down by.
        let mut objective = Vec::new();
        for &c in &cells {
            if self.hideable(c) {
                let up = system.variable(Bound::Withheld);
                let down = system.variable(Bound::Withheld);
                let value = self.values[c].unwrap_or(0) as f64;
                system.row(vec![(vars[&c], 1.0), (up, -1.0), (down, 1.0)], value);
                objective.extend([(up, 1.0), (down, 1.0)]);
            }
        }
        system.row(vec![(vars[&small], 1.0)], target as f64);
        let mut relations: Vec<usize> = cells
            .iter()
            .flat_map(|&c| self.of_cell[c].iter().copied())
            .collect();
        relations.sort_unstable();
        relations.dedup();
        for r in relations {
            self.row(&mut system, r, |c| vars.get(&c).copied());
        }
        let point = system.whole_optimum(&objective, Extreme::Min)?;
        let change: Vec<(usize, i64)> = cells
            .iter()
            .map(|&c| (c, point[vars[&c]] - self.values[c].unwrap_or(0)))
            .filter(|&(_, d)| d != 0)
            .collect();
        let witness = witness::Witness {
            hides: change
                .iter()
                .map(|&(c, _)| c)
                .filter(|&c| self.hideable(c))
                .collect(),
            change,
        };
        self.holds_whole(&witness).then_some(witness)
    }

    /// Whether `small` is known to reach both ends of `aim`, once the cells
    /// that the witnesses found for it use are hidden (they are then).
    fn witnessed(&mut self, small: usize, aim: (i64, i64), queue: &mut VecDeque<usize>) -> bool {
        for target in [aim.0, aim.1] {
            let known = match target {
                1 => self.low[small],
                t if t == THRESHOLD - 1 => self.high[small],
                _ => false,
            };
            if known {
                continue;
            }
            let Some(witness) = SEARCHES
                .into_iter()
                .find_map(|(may_hide, steps)| self.witness(small, target, may_hide, steps))
            else {
                return false;
            };
            self.follow(&witness, queue);
        }
        true
    }

    /// What the audit can say of a "<5" quickly: protected (there are
    /// witnesses among the unpublished cells), narrowed (bounds propagation
    /// around it shows it), or not sure.
    fn verdict(&mut self, cell: usize) -> Verdict {
        for target in [1, THRESHOLD - 1] {
            let known = if target == 1 {
                self.low[cell]
            } else {
                self.high[cell]
            };
            if !known {
                if let Some(witness) = self.witness(cell, target, 0, SEARCHES[0].1) {
                    self.harvest(&witness);
                }
            }
        }
        if self.low[cell] && self.high[cell] {
            return Verdict::Protected;
        }
        let (unknown, _) = self.around(cell, Some(RADIUS));
        let (lo, hi) = self.propagated(cell, &unknown, |c| self.bounds(c));
        if lo > 1 || hi < THRESHOLD - 1 {
            return Verdict::Narrowed;
        }
        Verdict::Unsure
    }

    /// Whether a reader cannot narrow the "<5" `cell`: [`Work::verdict`],
    /// and where that is not sure, linear programs over its whole group.
    fn exactly_protected(&mut self, cell: usize) -> bool {
        match self.verdict(cell) {
            Verdict::Protected => true,
            Verdict::Narrowed => false,
            Verdict::Unsure => {
                self.prove(cell);
                self.low[cell] && self.high[cell]
            }
        }
    }

    /// The exact audit of `cell`: its smallest and largest value over its
    /// whole group of unpublished cells (linear programs), noting every
    /// "<5" that a solution puts at 1 or 4 (a proof for it); each program
    /// also pushes the other "<5"s of the group not yet known to reach that
    /// end towards it, so that one solution proves many.
    fn prove(&mut self, cell: usize) {
        let (unknown, _) = self.around(cell, None);
        let (system, vars) = self.system(&unknown);
        for extreme in [Extreme::Min, Extreme::Max] {
            let known = |work: &Self, c: usize| match extreme {
                Extreme::Min => work.low[c],
                Extreme::Max => work.high[c],
            };
            if known(self, cell) {
                continue;
            }
            let others: Vec<usize> = unknown
                .iter()
                .filter(|&&c| c != cell && self.shown[c] == Shown::Small && !known(self, c))
                .map(|c| vars[c])
                .collect();
            // The cell first: no change of the others (each at most 3)
            // outweighs one of the cell.
            let first = (THRESHOLD - 1) as f64 * (others.len() + 1) as f64;
            let objective: Vec<(usize, f64)> = std::iter::once((vars[&cell], first))
                .chain(others.iter().map(|&v| (v, 1.0)))
                .collect();
            let Some(point) = system.optimum(&objective, extreme) else {
                continue;
            };
            for (&c, &value) in unknown.iter().zip(&point) {
                if self.shown[c] == Shown::Small {
                    self.low[c] |= value == 1;
                    self.high[c] |= value == THRESHOLD - 1;
                }
            }
        }
    }

    /// What a reader knows of a suppressed cell before working anything
    /// out; a published cell's bounds are its value.
    fn bounds(&self, cell: usize) -> (i64, i64) {
        match self.shown[cell] {
            Shown::Small => (1, THRESHOLD - 1),
            Shown::Hidden => (THRESHOLD, INFINITE),
            Shown::Withheld => (0, INFINITE),
            Shown::Value(_) | Shown::Missing => {
                let v = self.values[cell].unwrap_or(0);
                (v, v)
            }
        }
    }

    /// Bounds on the best range `small` could get (when every value ≥ 5 is
    /// hidden) from bounds propagation within [`RADIUS`] relations of it:
    /// the best range lies within them.
    fn best_bounds(&self, small: usize) -> (i64, i64) {
        let open = |c: usize| is_suppressed(self.shown[c]) || self.hideable(c);
        let (near, _) = self.group_where(small, Some(RADIUS), open);
        let near: Vec<usize> = near.into_iter().map(|(c, _)| c).collect();
        self.propagated(small, &near, |c| {
            if self.hideable(c) {
                (THRESHOLD, INFINITE)
            } else {
                self.bounds(c)
            }
        })
    }

    /// The range of `cell` that tightening bounds one relation at a time
    /// gives, over the relations of the cells `unknown` (within `bounds`,
    /// the other cells only within what a reader knows of them): a
    /// relaxation, so a range narrower than 1..4 here is narrower for the
    /// reader.
    fn propagated(
        &self,
        cell: usize,
        unknown: &[usize],
        bounds: impl Fn(usize) -> (i64, i64),
    ) -> (i64, i64) {
        // The bounds so far of the cells of `unknown`, by cell.
        let mut range: Vec<Option<(i64, i64)>> = vec![None; self.shown.len()];
        for &c in unknown {
            range[c] = Some(bounds(c));
        }
        let mut relations: Vec<usize> = unknown
            .iter()
            .flat_map(|&c| self.of_cell[c].iter().copied())
            .collect();
        relations.sort_unstable();
        relations.dedup();
        let mut queue: VecDeque<usize> = relations.iter().copied().collect();
        let mut queued = vec![false; self.relations.len()];
        for &r in &relations {
            queued[r] = true;
        }
        let mut steps = PROPAGATION_STEPS;
        while let Some(r) = queue.pop_front() {
            queued[r] = false;
            if steps == 0 {
                break;
            }
            steps -= 1;
            // Each member's bounds times its sign, and their sum: finite
            // parts and how many ends are infinite.
            let signed: Vec<(usize, i64, i64, i64)> = self.rows[r]
                .iter()
                .map(|&(c, sign)| {
                    let (lo, hi) = range[c].unwrap_or_else(|| bounds(c));
                    if sign > 0 {
                        (c, sign, lo, hi)
                    } else {
                        (c, sign, negate(hi), negate(lo))
                    }
                })
                .collect();
            let (mut low, mut low_infinite, mut high, mut high_infinite) = (0, 0, 0, 0);
            for &(_, _, lo, hi) in &signed {
                if lo <= -INFINITE {
                    low_infinite += 1;
                } else {
                    low += lo;
                }
                if hi >= INFINITE {
                    high_infinite += 1;
                } else {
                    high += hi;
                }
            }
            for &(m, sign, lo, hi) in &signed {
                let Some((was_lo, was_hi)) = range[m] else {
                    continue;
                };
                // The signed member is minus the sum of the others.
                let others_lo = match (lo <= -INFINITE, low_infinite) {
                    (true, 1) => low,
                    (false, 0) => low - lo,
                    _ => -INFINITE,
                };
                let others_hi = match (hi >= INFINITE, high_infinite) {
                    (true, 1) => high,
                    (false, 0) => high - hi,
                    _ => INFINITE,
                };
                let (new_lo, new_hi) = if sign > 0 {
                    (negate(others_hi), negate(others_lo))
                } else {
                    (others_lo, others_hi)
                };
                let tightened = (was_lo.max(new_lo), was_hi.min(new_hi));
                if tightened != (was_lo, was_hi) {
                    range[m] = Some(tightened);
                    for &q in &self.of_cell[m] {
                        if q != r && !queued[q] && relations.binary_search(&q).is_ok() {
                            queued[q] = true;
                            queue.push_back(q);
                        }
                    }
                }
            }
        }
        range[cell].expect("the cell is among the unknown")
    }

    fn hide(&mut self, cell: usize, queue: &mut VecDeque<usize>) {
        self.show(cell, Shown::Hidden);
        queue.extend(self.of_cell[cell].iter().copied());
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

    /// The suppressed cells tied to `cell` through relations, within
    /// `radius` relations of it (all of them for `None`), nearest first,
    /// each with its distance; and whether that is its whole group.
    fn group(&self, cell: usize, radius: Option<usize>) -> (Vec<(usize, usize)>, bool) {
        self.group_where(cell, radius, |c| is_suppressed(self.shown[c]))
    }

    /// [`Work::group`] over the cells `open` says, suppressed or not.
    fn group_where(
        &self,
        cell: usize,
        radius: Option<usize>,
        open: impl Fn(usize) -> bool,
    ) -> (Vec<(usize, usize)>, bool) {
        let mut seen = vec![false; self.shown.len()];
        seen[cell] = true;
        let mut order = vec![(cell, 0)];
        let mut next = 0;
        let mut whole = true;
        while let Some(&(at, distance)) = order.get(next) {
            next += 1;
            for &(r, _) in &self.cell_rows[at] {
                for &(member, _) in &self.rows[r] {
                    if seen[member] || !open(member) {
                        continue;
                    }
                    if radius == Some(distance) {
                        whole = false;
                        continue;
                    }
                    seen[member] = true;
                    order.push((member, distance + 1));
                }
            }
        }
        (order, whole)
    }

    /// The suppressed cells within `radius` relations of `cell` (its whole
    /// group for `None`), and whether that is its whole group.
    fn around(&self, cell: usize, radius: Option<usize>) -> (Vec<usize>, bool) {
        let (group, whole) = self.group(cell, radius);
        (group.into_iter().map(|(c, _)| c).collect(), whole)
    }

    /// The range a reader can work out for a suppressed `cell` from what is
    /// published now: exact, over the group of suppressed cells it is in.
    #[cfg(test)]
    fn range(&self, cell: usize) -> Option<(i64, i64)> {
        let (group, _) = self.around(cell, None);
        let (system, vars) = self.system(&group);
        system.range(vars[&cell])
    }

    /// The range `small` would have if every value ≥ 5 within [`REACH`]
    /// relations of it were hidden, with the relations beyond left out: at
    /// least as wide as anything hiding could give it.
    fn best_range(&self, small: usize) -> Option<(i64, i64)> {
        let near = self.neighbourhood(small, REACH);
        let relations: BTreeSet<usize> = near
            .iter()
            .filter(|&(_, &d)| d < REACH)
            .flat_map(|(&c, _)| self.of_cell[c].iter().copied())
            .collect();
        let mut system = System::default();
        let mut vars = HashMap::new();
        for &c in near.keys() {
            let bound = match (self.shown[c], self.values[c]) {
                (Shown::Small, _) => Some(Bound::Small),
                (Shown::Withheld, _) => Some(Bound::Withheld),
                (_, Some(v)) if v >= THRESHOLD => Some(Bound::Hidden),
                _ => None,
            };
            if let Some(b) = bound {
                vars.insert(c, system.variable(b));
            }
        }
        for &r in &relations {
            self.row(&mut system, r, |c| vars.get(&c).copied());
        }
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

    /// The linear system with the suppressed cells `unknown` as unknowns
    /// (variable `i` is `unknown[i]`) and every other cell at its true
    /// value, over every relation of an unknown: a restriction of what a
    /// reader knows, exactly that when `unknown` is a whole group.
    fn system(&self, unknown: &[usize]) -> (System, HashMap<usize, usize>) {
        let mut system = System::default();
        let mut vars = HashMap::with_capacity(unknown.len());
        for &c in unknown {
            let bound = match self.shown[c] {
                Shown::Small => Bound::Small,
                Shown::Hidden => Bound::Hidden,
                Shown::Withheld => Bound::Withheld,
                shown => unreachable!("cell {c} is shown {shown:?}, not suppressed"),
            };
            vars.insert(c, system.variable(bound));
        }
        let mut relations: Vec<usize> = unknown
            .iter()
            .flat_map(|&c| self.of_cell[c].iter().copied())
            .collect();
        relations.sort_unstable();
        relations.dedup();
        for r in relations {
            self.row(&mut system, r, |c| vars.get(&c).copied());
        }
        (system, vars)
    }

    /// Relation `r` as a row of `system`: the cells `var` gives a variable
    /// as unknowns, the others at their true values.
    fn row(&self, system: &mut System, r: usize, var: impl Fn(usize) -> Option<usize>) {
        let relation = &self.relations[r];
        let mut terms = Vec::new();
        let mut constant = 0;
        let signed =
            std::iter::once((relation.total, 1)).chain(relation.parts.iter().map(|&p| (p, -1)));
        for (c, sign) in signed {
            match var(c) {
                Some(v) => terms.push((v, sign as f64)),
                None => constant -= sign * self.values[c].unwrap_or(0),
            }
        }
        system.row(terms, constant as f64);
    }

    /// The cell to hide next for `small`: in the nearest relation of its
    /// group (within [`REACH`]) that has a candidate within [`REACH`], the
    /// preferred one.
    fn partner(&self, small: usize) -> Option<usize> {
        let near = self.neighbourhood(small, REACH);
        let (group, _) = self.group(small, Some(REACH));
        group
            .into_iter()
            .flat_map(|(c, distance)| self.of_cell[c].iter().map(move |&r| (r, distance)))
            .flat_map(|(r, distance)| self.relations[r].members().map(move |c| (c, distance)))
            .filter(|&(c, _)| self.hideable(c) && near.contains_key(&c))
            .min_by_key(|&(c, distance)| (distance, self.preference(c)))
            .map(|(c, _)| c)
    }
}

/// A bound no count reaches, for "no upper bound".
const INFINITE: i64 = i64::MAX / 4;

/// At most how many relations bounds propagation looks at, per cell.
const PROPAGATION_STEPS: usize = 2000;

/// `-a`, where ±[`INFINITE`] stays infinite.
fn negate(a: i64) -> i64 {
    if a >= INFINITE {
        -INFINITE
    } else if a <= -INFINITE {
        INFINITE
    } else {
        -a
    }
}

/// Whether a reader does not see the number: "<5", "x" or ".".
fn is_suppressed(shown: Shown) -> bool {
    matches!(shown, Shown::Small | Shown::Hidden | Shown::Withheld)
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
