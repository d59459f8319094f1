//! The fast half of the audit: a witness that a "<5" can be 1 (or 4), as
//! changes to the true values that keep every relation, found by a short
//! depth-first search (see the module comment of `suppression`).
//!
//! The search starts from the change the cell needs and balances the
//! relations it unbalances one at a time, each by changing one more
//! unpublished member as far as that member's bounds allow (a part of a sum
//! moves against another part, or with its total). It prefers a member that
//! balances other open relations as well and opens no new ones, so the
//! short cycles of a table (a rectangle of four cells, a part and its
//! total and their neighbours) come first. It may also be allowed to use
//! published values of 5 or more, which then have to be hidden: that is
//! how step 3 chooses what to hide.
//!
//! A witness is a proof only of what it shows, and it is checked against
//! the relations before it is used; the search failing proves nothing.

use super::{is_suppressed, Movable, Shown, Work, INFINITE, THRESHOLD};

/// At most how many cells one witness changes.
const CELLS: usize = 60;

/// Changes to the true values that keep every relation, with the cells they
/// change that are published now (to be hidden for it to hold).
#[derive(Debug)]
pub(super) struct Witness {
    pub change: Vec<(usize, i64)>,
    pub hides: Vec<usize>,
}

/// The state of one search; the work's `delta` and `off` hold the changes
/// per cell and how far each relation is off.
struct Search {
    /// The changed cells, in order.
    changed: Vec<usize>,
    /// The relations that are off.
    open: Vec<usize>,
    /// Candidate moves, a stack of one slice per level.
    moves: Vec<(Move, usize, i64)>,
    steps: usize,
    /// How many more published cells the witness may use.
    hides_left: usize,
}

/// How a candidate move ranks, lower first: balancing more and opening
/// fewer other relations (a cell to hide counts half an opened relation),
/// the whole amount at once, then the cell's place in the hierarchy, its
/// value and index (so the search is deterministic).
type Move = (i32, bool, u32, i64, usize);

impl Work<'_> {
    /// A witness that `cell` can be `target`, using at most `may_hide`
    /// published cells, found within `steps` steps of the search.
    pub(super) fn witness(
        &mut self,
        cell: usize,
        target: i64,
        may_hide: usize,
        steps: usize,
    ) -> Option<Witness> {
        let need = target - self.values[cell].unwrap_or(0);
        if need == 0 {
            return Some(Witness {
                change: Vec::new(),
                hides: Vec::new(),
            });
        }
        let mut search = Search {
            changed: Vec::new(),
            open: Vec::new(),
            moves: Vec::new(),
            steps,
            hides_left: may_hide,
        };
        self.apply(&mut search, cell, need);
        let found = self.search(&mut search);
        let witness = (found && self.holds(&search.changed)).then(|| Witness {
            change: search.changed.iter().map(|&c| (c, self.delta[c])).collect(),
            hides: search
                .changed
                .iter()
                .copied()
                .filter(|&c| self.movable[c] == Movable::Hideable)
                .collect(),
        });
        // Back to rest: no change, no relation off.
        while let Some(&c) = search.changed.last() {
            self.undo(&mut search, c);
        }
        witness
    }

    /// Notes every "<5" that a witness puts at 1 or 4 (it must hold: its
    /// cells hidden).
    pub(super) fn harvest(&mut self, witness: &Witness) {
        for &(c, d) in &witness.change {
            if self.shown[c] == Shown::Small {
                let now = self.values[c].unwrap_or(0) + d;
                self.low[c] |= now == 1;
                self.high[c] |= now == THRESHOLD - 1;
            }
        }
    }

    /// Whether a witness found elsewhere holds: [`Work::holds`].
    pub(super) fn holds_whole(&mut self, witness: &Witness) -> bool {
        for &(c, d) in &witness.change {
            self.delta[c] = d;
        }
        let changed: Vec<usize> = witness.change.iter().map(|&(c, _)| c).collect();
        let holds = self.holds(&changed);
        for &c in &changed {
            self.delta[c] = 0;
        }
        holds
    }

    /// Whether a witness holds, checked again from the changes per cell
    /// alone: every relation of a changed cell still adds up, and every
    /// changed cell stays within what a reader knows of it (a published
    /// one, 5 or more, once hidden). It always should: a failure is a bug in
    /// the search (caught by the tests), and the witness is not used.
    fn holds(&self, changed: &[usize]) -> bool {
        let holds = changed.iter().all(|&c| {
            let (lo, hi) = if is_suppressed(self.shown[c]) {
                self.bounds(c)
            } else if self.hideable(c) {
                (THRESHOLD, INFINITE)
            } else {
                return false;
            };
            let now = self.values[c].unwrap_or(0) + self.delta[c];
            let adds_up = |r: usize| {
                let relation = &self.relations[r];
                let mut parts = 0;
                for &p in &relation.parts {
                    parts += self.delta[p];
                }
                self.delta[relation.total] == parts
            };
            lo <= now && now <= hi && self.of_cell[c].iter().all(|&r| adds_up(r))
        });
        debug_assert!(holds, "a witness that does not hold: {changed:?}");
        holds
    }

    /// Balances the open relations, depth first; true when none is left.
    fn search(&mut self, search: &mut Search) -> bool {
        if search.open.is_empty() {
            return true;
        }
        if search.steps == 0 || search.changed.len() >= CELLS {
            return false;
        }
        search.steps -= 1;
        // The open relation with the fewest ways to balance it.
        let mut r = search.open[0];
        let mut fewest = usize::MAX;
        for &o in &search.open {
            let off = self.off[o];
            let mut ways = 0;
            for &(m, sign) in &self.rows[o] {
                if self.room(search, m, -off * sign) != 0 {
                    ways += 1;
                    if ways >= fewest {
                        break;
                    }
                }
            }
            if ways == 0 {
                return false;
            }
            if ways < fewest {
                fewest = ways;
                r = o;
            }
        }
        let off = self.off[r];
        let base = search.moves.len();
        for &(m, sign) in &self.rows[r] {
            let want = -off * sign;
            let d = self.room(search, m, want);
            if d == 0 {
                continue;
            }
            let mut score = 0;
            for &(q, sign) in &self.cell_rows[m] {
                if q == r {
                    continue;
                }
                let before = self.off[q];
                if before + sign * d == 0 {
                    score -= 1;
                } else if before == 0 {
                    score += 1;
                }
            }
            let hides = self.movable[m] == Movable::Hideable;
            let value = self.values[m].unwrap_or(0);
            let key = (
                2 * score + i32::from(hides),
                d != want,
                self.rank[m],
                value,
                m,
            );
            search.moves.push((key, m, d));
        }
        search.moves[base..].sort_unstable();
        for i in base..search.moves.len() {
            let (_, m, d) = search.moves[i];
            self.apply(search, m, d);
            if self.search(search) {
                search.moves.truncate(base);
                return true;
            }
            self.undo(search, m);
        }
        search.moves.truncate(base);
        false
    }

    /// How much of `want` cell `m` can take: within its bounds, once per
    /// witness, and a published cell only as one to hide.
    fn room(&self, search: &Search, m: usize, want: i64) -> i64 {
        if self.delta[m] != 0 || want == 0 {
            return 0;
        }
        let (lo, hi) = match self.movable[m] {
            Movable::Within(lo, hi) => (lo, hi),
            Movable::Hideable if search.hides_left > 0 => (THRESHOLD, INFINITE),
            _ => return 0,
        };
        let value = self.values[m].unwrap_or(0);
        want.clamp(lo - value, hi - value)
    }

    fn apply(&mut self, search: &mut Search, m: usize, d: i64) {
        self.delta[m] = d;
        search.changed.push(m);
        if self.movable[m] == Movable::Hideable {
            search.hides_left -= 1;
        }
        for &(q, sign) in &self.cell_rows[m] {
            let before = self.off[q];
            self.off[q] += sign * d;
            if before == 0 {
                search.open.push(q);
            } else if self.off[q] == 0 {
                let at = search.open.iter().position(|&o| o == q).expect("open");
                search.open.swap_remove(at);
            }
        }
    }

    fn undo(&mut self, search: &mut Search, m: usize) {
        let d = self.delta[m];
        for &(q, sign) in &self.cell_rows[m] {
            let before = self.off[q];
            self.off[q] -= sign * d;
            if before == 0 {
                search.open.push(q);
            } else if self.off[q] == 0 {
                let at = search.open.iter().position(|&o| o == q).expect("open");
                search.open.swap_remove(at);
            }
        }
        if self.movable[m] == Movable::Hideable {
            search.hides_left += 1;
        }
        self.delta[m] = 0;
        let last = search.changed.pop();
        debug_assert_eq!(last, Some(m));
    }
}
