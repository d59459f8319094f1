//! An attacker, from the outside: given only what is published (tables of
//! shown strings and the sums a reader can see between their cells), how
//! far can each "<5" be narrowed? It shares no code with
//! `vangnet::domain::suppression`, so it can catch that module's mistakes.
//!
//! The reader's knowledge, as in that module's comment: a number is known
//! ("1.234" is 1234), "–" or an empty cell is 0, "<5" is a whole number in
//! [1, 4], "x" a whole number of at least 5, "." (withheld) a whole number
//! of at least 0, and every declared sum holds.
//! Each "<5" is minimised and maximised by a linear program, and again
//! with integer variables (branch and bound) wherever the optimum is not a
//! whole number, so the answer does not lean on the tables' matrices being
//! totally unimodular.

use std::collections::BTreeMap;

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Variable};

/// A cell of a published table: table, row and column indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    table: usize,
    row: usize,
    column: usize,
}

struct Table {
    name: String,
    rows: Vec<String>,
    columns: Vec<String>,
    cells: Vec<Vec<String>>,
}

/// `total = Σ parts`, as a reader can see it.
struct Sum {
    total: Cell,
    parts: Vec<Cell>,
}

/// What is published: tables and the sums between their cells.
#[derive(Default)]
pub struct Published {
    tables: Vec<Table>,
    sums: Vec<Sum>,
}

/// What a reader knows of one shown string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    Number(i64),
    Small,
    Hidden,
    /// "." : not published at all; a reader knows only that it is ≥ 0.
    Withheld,
}

fn read(text: &str) -> Option<Known> {
    match text.trim() {
        "" | "–" | "-" => Some(Known::Number(0)),
        "<5" => Some(Known::Small),
        "x" => Some(Known::Hidden),
        "." => Some(Known::Withheld),
        digits => {
            let plain = digits.replace('.', "");
            let well_formed = !plain.is_empty()
                && plain.chars().all(|c| c.is_ascii_digit())
                && digits.split('.').skip(1).all(|group| group.len() == 3);
            well_formed.then(|| plain.parse().ok().map(Known::Number))?
        }
    }
}

impl Published {
    pub fn new() -> Published {
        Published::default()
    }

    /// Adds a table of shown strings, one line per row.
    pub fn table<L: AsRef<[S]>, S: AsRef<str>>(
        &mut self,
        name: &str,
        rows: &[&str],
        columns: &[&str],
        cells: &[L],
    ) {
        assert_eq!(cells.len(), rows.len(), "table {name}: one line per row");
        let cells: Vec<Vec<String>> = cells
            .iter()
            .map(|line| {
                let line: Vec<String> = line.as_ref().iter().map(|s| s.as_ref().into()).collect();
                assert_eq!(line.len(), columns.len(), "table {name}: a cell per column");
                line
            })
            .collect();
        self.tables.push(Table {
            name: name.into(),
            rows: rows.iter().map(|r| r.to_string()).collect(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            cells,
        });
    }

    fn table_index(&self, table: &str) -> usize {
        self.tables
            .iter()
            .position(|t| t.name == table)
            .unwrap_or_else(|| panic!("no table {table}"))
    }

    /// The cell of `table` in `row` and `column`, by name.
    pub fn cell(&self, table: &str, row: &str, column: &str) -> Cell {
        let index = self.table_index(table);
        let t = &self.tables[index];
        let find = |names: &[String], name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .unwrap_or_else(|| panic!("table {table} has no {name}"))
        };
        Cell {
            table: index,
            row: find(&t.rows, row),
            column: find(&t.columns, column),
        }
    }

    /// In every column of `table`, the row `total_row` is the sum of the
    /// other rows.
    pub fn row_total(&mut self, table: &str, total_row: &str) {
        let t = self.table_index(table);
        let total = self
            .cell(table, total_row, &self.tables[t].columns[0].clone())
            .row;
        let (rows, columns) = (self.tables[t].rows.len(), self.tables[t].columns.len());
        for column in 0..columns {
            let at = |row| Cell {
                table: t,
                row,
                column,
            };
            let parts = (0..rows).filter(|&r| r != total).map(at).collect();
            self.sums.push(Sum {
                total: at(total),
                parts,
            });
        }
    }

    /// In every row of `table`, the column `total_column` is the sum of
    /// the other columns.
    pub fn column_total(&mut self, table: &str, total_column: &str) {
        let t = self.table_index(table);
        let total = self
            .cell(table, &self.tables[t].rows[0].clone(), total_column)
            .column;
        let (rows, columns) = (self.tables[t].rows.len(), self.tables[t].columns.len());
        for row in 0..rows {
            let at = |column| Cell {
                table: t,
                row,
                column,
            };
            let parts = (0..columns).filter(|&c| c != total).map(at).collect();
            self.sums.push(Sum {
                total: at(total),
                parts,
            });
        }
    }

    /// The same figure shown in two places (a province's year in the
    /// national table and in the province's own).
    pub fn same(&mut self, a: Cell, b: Cell) {
        self.sum(a, &[b]);
    }

    /// `total = Σ parts` (a year and its months, an area and its parts).
    pub fn sum(&mut self, total: Cell, parts: &[Cell]) {
        self.sums.push(Sum {
            total,
            parts: parts.to_vec(),
        });
    }

    /// Whether a table of this name was added.
    pub fn has_table(&self, table: &str) -> bool {
        self.tables.iter().any(|t| t.name == table)
    }

    /// A cell as it was published.
    pub fn shown_text(&self, cell: Cell) -> &str {
        self.shown(cell)
    }

    /// "table T, row R, column C".
    pub fn name(&self, cell: Cell) -> String {
        let t = &self.tables[cell.table];
        format!(
            "table {}, row {}, column {}",
            t.name, t.rows[cell.row], t.columns[cell.column]
        )
    }

    fn shown(&self, cell: Cell) -> &str {
        &self.tables[cell.table].cells[cell.row][cell.column]
    }

    fn cells(&self) -> impl Iterator<Item = Cell> + '_ {
        self.tables.iter().enumerate().flat_map(|(table, t)| {
            (0..t.rows.len()).flat_map(move |row| {
                (0..t.columns.len()).map(move |column| Cell { table, row, column })
            })
        })
    }
}

/// Fails naming every "<5" a reader can narrow below 1..4, and every place
/// where the published figures disagree.
pub fn check(published: &Published) -> Result<(), Vec<String>> {
    let ranges = ranges(published)?;
    let narrowed: Vec<String> = ranges
        .iter()
        .filter(|(_, &range)| range != (1, 4))
        .map(|(&cell, &(low, high))| {
            if low == high {
                format!(
                    "{}: shown <5, but a reader can tell it is {low}",
                    published.name(cell)
                )
            } else {
                format!(
                    "{}: shown <5, but a reader can tell it is {low}–{high}",
                    published.name(cell)
                )
            }
        })
        .collect();
    if narrowed.is_empty() {
        Ok(())
    } else {
        Err(narrowed)
    }
}

/// The range a reader can work out for each "<5", or why the published
/// figures cannot all be true.
pub fn ranges(published: &Published) -> Result<BTreeMap<Cell, (i64, i64)>, Vec<String>> {
    ranges_of(published, |_| true)
}

/// [`ranges`] for the "<5"s that are `wanted` only (the figures are
/// checked all the same).
pub fn ranges_of(
    published: &Published,
    wanted: impl Fn(Cell) -> bool,
) -> Result<BTreeMap<Cell, (i64, i64)>, Vec<String>> {
    let mut known = BTreeMap::new();
    let mut errors = Vec::new();
    for cell in published.cells() {
        match read(published.shown(cell)) {
            Some(k) => {
                known.insert(cell, k);
            }
            None => errors.push(format!(
                "{}: {:?} is no figure",
                published.name(cell),
                published.shown(cell)
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let unknown = |cell: &Cell| !matches!(known[cell], Known::Number(_));
    // Groups of unknown cells tied by sums, each solved on its own.
    let mut group: BTreeMap<Cell, Cell> = known
        .keys()
        .filter(|c| unknown(c))
        .map(|&c| (c, c))
        .collect();
    fn root(group: &mut BTreeMap<Cell, Cell>, cell: Cell) -> Cell {
        let parent = group[&cell];
        if parent == cell {
            return cell;
        }
        let top = root(group, parent);
        group.insert(cell, top);
        top
    }
    for sum in &published.sums {
        let members: Vec<Cell> = std::iter::once(sum.total)
            .chain(sum.parts.iter().copied())
            .filter(|c| unknown(c))
            .collect();
        if members.is_empty() {
            let value = |c: &Cell| match known[c] {
                Known::Number(n) => n,
                _ => unreachable!(),
            };
            let parts: i64 = sum.parts.iter().map(value).sum();
            if value(&sum.total) != parts {
                errors.push(format!(
                    "{} is {}, but the cells it totals add up to {parts}",
                    published.name(sum.total),
                    value(&sum.total)
                ));
            }
        }
        for pair in members.windows(2) {
            let (a, b) = (root(&mut group, pair[0]), root(&mut group, pair[1]));
            group.insert(a, b);
        }
    }
    let cells: Vec<Cell> = group.keys().copied().collect();
    let mut groups: BTreeMap<Cell, Vec<Cell>> = BTreeMap::new();
    for cell in cells {
        let top = root(&mut group, cell);
        groups.entry(top).or_default().push(cell);
    }
    let mut ranges = BTreeMap::new();
    for members in groups.values() {
        if members.iter().all(|c| known[c] != Known::Small) {
            continue;
        }
        let system = Group::new(published, &known, members);
        if system
            .solve(None, OptimizationDirection::Minimize)
            .is_none()
        {
            let names: Vec<String> = members.iter().map(|&c| published.name(c)).collect();
            errors.push(format!(
                "the figures cannot all be true around {}",
                names.join("; ")
            ));
            continue;
        }
        for &cell in members
            .iter()
            .filter(|&&c| known[&c] == Known::Small && wanted(c))
        {
            let low = system.solve(Some(cell), OptimizationDirection::Minimize);
            let high = system.solve(Some(cell), OptimizationDirection::Maximize);
            match (low, high) {
                (Some(low), Some(high)) => {
                    ranges.insert(cell, (low, high));
                }
                _ => errors.push(format!(
                    "{}: the solver gave no answer",
                    published.name(cell)
                )),
            }
        }
    }
    if errors.is_empty() {
        Ok(ranges)
    } else {
        Err(errors)
    }
}

/// The sums over one group of unknown cells, with the known ones as numbers.
struct Group<'a> {
    cells: &'a [Cell],
    known: &'a BTreeMap<Cell, Known>,
    rows: Vec<(Vec<(Cell, f64)>, f64)>,
}

impl<'a> Group<'a> {
    fn new(published: &Published, known: &'a BTreeMap<Cell, Known>, cells: &'a [Cell]) -> Self {
        let mut rows = Vec::new();
        for sum in &published.sums {
            let signed =
                std::iter::once((sum.total, 1.0)).chain(sum.parts.iter().map(|&p| (p, -1.0)));
            let mut terms = Vec::new();
            let mut constant = 0.0;
            for (cell, sign) in signed {
                match known[&cell] {
                    Known::Number(n) => constant -= sign * n as f64,
                    _ => terms.push((cell, sign)),
                }
            }
            if terms.iter().any(|(c, _)| cells.binary_search(c).is_ok()) {
                rows.push((terms, constant));
            }
        }
        Group { cells, known, rows }
    }

    /// The whole-number minimum or maximum of `cell` (or any feasible point
    /// when `None`), or `None` when there is none: a linear program first,
    /// and, where its optimum is not whole, again with integer variables.
    fn solve(&self, cell: Option<Cell>, direction: OptimizationDirection) -> Option<i64> {
        match self.optimum(cell, direction, false)? {
            (value, true) => Some(value),
            (_, false) => self.optimum(cell, direction, true).map(|(value, _)| value),
        }
    }

    /// The optimum and whether every variable is whole there.
    fn optimum(
        &self,
        cell: Option<Cell>,
        direction: OptimizationDirection,
        integer: bool,
    ) -> Option<(i64, bool)> {
        let mut problem = Problem::new(direction);
        let vars: BTreeMap<Cell, Variable> = self
            .cells
            .iter()
            .map(|&c| {
                let objective = if Some(c) == cell { 1.0 } else { 0.0 };
                let (low, high) = match self.known[&c] {
                    Known::Small => (1, 4),
                    Known::Withheld => (0, i32::MAX),
                    _ => (5, i32::MAX),
                };
                let var = if integer {
                    problem.add_integer_var(objective, (low, high))
                } else {
                    let high = if high == i32::MAX {
                        f64::INFINITY
                    } else {
                        f64::from(high)
                    };
                    problem.add_var(objective, (f64::from(low), high))
                };
                (c, var)
            })
            .collect();
        for (terms, constant) in &self.rows {
            let expr: LinearExpr = terms.iter().map(|(c, s)| (vars[c], *s)).collect();
            problem.add_constraint(expr, ComparisonOp::Eq, *constant);
        }
        let solution = problem.solve().ok()?.into_solution().ok()?;
        let whole = vars.values().all(|&v| {
            let value = solution.var_value(v);
            (value - value.round()).abs() < 1e-6
        });
        let value = cell.map_or(0.0, |c| solution.var_value(vars[&c]));
        Some((value.round() as i64, whole))
    }
}

#[test]
fn figures_are_read_with_dutch_thousands_and_dashes() {
    assert_eq!(read("1.234"), Some(Known::Number(1234)));
    assert_eq!(read("–"), Some(Known::Number(0)));
    assert_eq!(read(""), Some(Known::Number(0)));
    assert_eq!(read("1.23"), None);
    assert_eq!(read("<5"), Some(Known::Small));
    assert_eq!(read("x"), Some(Known::Hidden));
}
