//! Crafted tables with small cells, each a pattern a reader could use to
//! work a "<5" out, and a cube of the size of the national one, timed. The
//! independent check (from the published strings alone) is in
//! `tests/it/suppression`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::*;
use Shown::{Hidden as X, Missing as M, Small as S, Value as V, Withheld as W};

/// A row of parts and their total (last): cells `0..n`, the total at `n`.
fn row(parts: &[Option<i64>]) -> (Vec<Option<i64>>, Vec<Relation>) {
    let total = parts.iter().map(|v| v.unwrap_or(0)).sum();
    let mut values = parts.to_vec();
    values.push(Some(total));
    let relation = Relation {
        total: parts.len(),
        parts: (0..parts.len()).collect(),
    };
    (values, vec![relation])
}

/// A table of `cells` with a total column (right) and a total row (below):
/// cell (r, c) is `r * (columns + 1) + c`.
fn table(cells: &[&[i64]]) -> (Vec<Option<i64>>, Vec<Relation>) {
    let columns = cells[0].len();
    let width = columns + 1;
    let rows = cells.len();
    let mut values = vec![Some(0); (rows + 1) * width];
    for (r, line) in cells.iter().enumerate() {
        for (c, &v) in line.iter().enumerate() {
            values[r * width + c] = Some(v);
            *values[r * width + columns].as_mut().unwrap() += v;
            *values[rows * width + c].as_mut().unwrap() += v;
            *values[rows * width + columns].as_mut().unwrap() += v;
        }
    }
    let mut relations = Vec::new();
    for r in 0..=rows {
        relations.push(Relation {
            total: r * width + columns,
            parts: (0..columns).map(|c| r * width + c).collect(),
        });
    }
    for c in 0..=columns {
        relations.push(Relation {
            total: rows * width + c,
            parts: (0..rows).map(|r| r * width + c).collect(),
        });
    }
    (values, relations)
}

/// Suppresses and checks, with the module's own audit, that every "<5" not
/// reported unprotected has the range 1..4, that only values ≥ 5 are
/// hidden, that exactly the parts of "<5" and "." totals are withheld, and
/// that nothing else changed.
fn suppressed(values: &[Option<i64>], relations: &[Relation]) -> Suppression {
    let result = suppress(values, relations, true).unwrap();
    let mut work = Work::new(values, relations, result.shown.clone());
    let withheld: BTreeSet<usize> = relations
        .iter()
        .filter(|r| matches!(result.shown[r.total], S | W))
        .flat_map(|r| r.parts.iter().copied())
        .filter(|&p| values[p].is_some())
        .collect();
    for (cell, (&value, &shown)) in values.iter().zip(&result.shown).enumerate() {
        assert_eq!(
            shown == W,
            withheld.contains(&cell),
            "cell {cell}: {shown:?}"
        );
        match shown {
            S => {
                assert!(matches!(value, Some(1..=4)), "cell {cell}");
                let protected = work.exactly_protected(cell);
                assert_eq!(
                    protected,
                    !result.unprotected.contains(&cell),
                    "cell {cell}: range {:?}",
                    work.range(cell)
                );
            }
            X => assert!(
                value.unwrap_or(0) >= THRESHOLD,
                "cell {cell} hides {value:?}"
            ),
            W => assert!(
                matches!(value, Some(0..=4)),
                "cell {cell} withholds {value:?}"
            ),
            V(v) => assert_eq!(Some(v), value),
            M => assert_eq!(value, None),
        }
    }
    result
}

#[test]
fn a_small_cell_in_a_row_gets_the_smallest_part_beside_it_as_partner() {
    let (values, relations) = row(&[Some(3), Some(20), Some(10), Some(40)]);
    let result = suppressed(&values, &relations);
    assert_eq!(result.shown, [S, V(20), X, V(40), V(73)]);
    assert!(result.unprotected.is_empty());
}

#[test]
fn a_small_cell_in_a_column_of_a_table_is_protected_by_a_rectangle_of_four() {
    let (values, relations) = table(&[&[30, 2, 40], &[25, 35, 45], &[50, 60, 70]]);
    let result = suppressed(&values, &relations);
    let hidden: Vec<usize> = (0..values.len())
        .filter(|&c| result.shown[c] == X)
        .collect();
    // (0,1) small; partners (0,0) in its row, (1,1) in its column and
    // (1,0) closing both; no total hidden.
    assert_eq!(result.shown[1], S);
    assert_eq!(hidden, [0, 4, 5]);
}

#[test]
fn a_small_row_total_is_protected_in_the_column_of_totals() {
    let (values, relations) = table(&[&[2, 0, 0], &[10, 20, 30], &[15, 25, 35]]);
    let result = suppressed(&values, &relations);
    // The row's total of 2 is "<5"; its parts (2, 0, 0) are withheld, the
    // zeros too, so that a "." does not say "not 0".
    assert_eq!(result.shown[..4], [W, W, W, S]);
    assert!(result.unprotected.is_empty());
    assert!(result.shown.contains(&X));
}

#[test]
fn two_small_cells_with_a_known_rest_of_2_get_a_third_cell_hidden() {
    let (values, relations) = row(&[Some(1), Some(1), Some(20), Some(30)]);
    let result = suppressed(&values, &relations);
    assert_eq!(result.shown, [S, S, X, V(30), V(52)]);
}

#[test]
fn a_partner_of_5_under_a_total_of_8_does_not_protect_and_the_total_is_hidden() {
    // x + y = 8 with y ≥ 5 would give x ≤ 3.
    let (values, relations) = row(&[Some(3), Some(5)]);
    let result = suppressed(&values, &relations);
    assert_eq!(result.shown, [S, X, X]);
}

#[test]
fn a_partner_of_5_beside_a_larger_part_gets_the_larger_part_hidden_not_the_total() {
    let (values, relations) = row(&[Some(3), Some(5), Some(30)]);
    let result = suppressed(&values, &relations);
    assert_eq!(result.shown, [S, X, X, V(38)]);
}

#[test]
fn the_parts_of_a_small_total_are_withheld_and_it_is_protected() {
    // 1 + 1 + 0 = 2: shown "<5", its parts would say each is at most 3;
    // withheld, the 0 too, they say nothing.
    let (values, relations) = row(&[Some(1), Some(1), Some(0), None]);
    let result = suppressed(&values, &relations);
    assert_eq!(result.shown, [W, W, W, M, S]);
    assert!(result.unprotected.is_empty());
}

#[test]
fn the_parts_of_a_withheld_total_are_withheld_too() {
    // 2 = (1 + 1) + 0 over two levels: the province of 2 under a national
    // "<5" is at most 4 as well, so its two municipalities are withheld.
    let values = [Some(2), Some(2), Some(0), Some(1), Some(1), Some(0)];
    let relations = [
        Relation {
            total: 0,
            parts: vec![1, 2],
        },
        Relation {
            total: 1,
            parts: vec![3, 4],
        },
        Relation {
            total: 2,
            parts: vec![5],
        },
    ];
    let result = suppressed(&values, &relations);
    assert_eq!(result.shown, [S, W, W, W, W, W]);
    assert!(result.unprotected.is_empty());
}

#[test]
fn a_withheld_cell_is_not_left_alone_in_a_relation() {
    // Cell 0 is withheld under the "<5" total 2 (cells 0 + 1); in the
    // relation 16 = cell 0 + cell 4 + cell 5 it gets a hidden partner (the
    // smaller part), so no subtraction gives it.
    let values = [Some(1), Some(1), Some(2), Some(16), Some(9), Some(6)];
    let relations = [
        Relation {
            total: 2,
            parts: vec![0, 1],
        },
        Relation {
            total: 3,
            parts: vec![0, 4, 5],
        },
    ];
    let result = suppressed(&values, &relations);
    assert_eq!(result.shown, [W, W, S, V(16), V(9), X]);
    assert!(result.unprotected.is_empty());
}

#[test]
fn figures_that_do_not_add_up_are_refused() {
    let relations = [Relation {
        total: 2,
        parts: vec![0, 1],
    }];
    let error = suppress(&[Some(3), Some(4), Some(8)], &relations, true).unwrap_err();
    assert_eq!(
        error,
        SuppressionError::Unbalanced {
            relation: 0,
            total: 2,
            value: 8,
            sum: 7
        }
    );
}

fn area(code: &str, parent: Option<usize>) -> Area {
    Area {
        code: code.into(),
        parent,
    }
}

fn period(label: &str, parent: Option<usize>) -> PeriodNode {
    PeriodNode {
        label: label.into(),
        parent,
    }
}

/// The year 2025 (index 0) and its twelve months (1..=12).
fn year_of_months() -> Vec<PeriodNode> {
    let mut periods = vec![period("2025", None)];
    periods.extend((1..=12).map(|m| period(&format!("2025-{m:02}"), Some(0))));
    periods
}

#[test]
fn a_small_province_month_is_hidden_from_the_national_month_and_the_province_year() {
    let areas = [
        area("NL", None),
        area("PV20", Some(0)),
        area("PV21", Some(0)),
    ];
    let periods = year_of_months();
    let mut cube = Cube::new(&areas, &periods, true);
    let month = |m: usize| m;
    for m in 1..=12 {
        let (a, b) = (if m == 3 { 2 } else { 10 + m as i64 }, 20 + m as i64);
        cube.set(1, month(m), Some(a));
        cube.set(2, month(m), Some(b));
        cube.set(0, month(m), Some(a + b));
    }
    for a in 0..3 {
        let year = (1..=12).map(|m| cube.values[a * 13 + m].unwrap()).sum();
        cube.set(a, 0, Some(year));
    }
    let result = cube.suppress(true).unwrap();
    assert_eq!(result.get(1, 3), S);
    // Partners: the other province in March, the province's smallest other
    // month (January), and the other province in January, closing both.
    let hidden: Vec<(usize, usize)> = (0..3)
        .flat_map(|a| (0..13).map(move |p| (a, p)))
        .filter(|&(a, p)| result.get(a, p) == X)
        .collect();
    assert_eq!(hidden, [(1, 1), (2, 1), (2, 3)]);
    assert_eq!(result.get(0, 0), V(cube.values[0].unwrap()));
    assert!(result.unprotected().is_empty());
    let relations: Vec<Relation> = cube.relations.iter().map(|(r, _)| r.clone()).collect();
    suppressed(&cube.values, &relations);
}

#[test]
fn a_metric_that_counts_no_people_is_shown_whole() {
    let areas = [area("NL", None), area("PV20", Some(0))];
    let periods = year_of_months();
    let mut cube = Cube::new(&areas, &periods, true);
    for a in 0..2 {
        cube.set(a, 0, Some(12));
        for m in 1..=12 {
            cube.set(a, m, Some(1));
        }
    }
    let result = cube.suppress(false).unwrap();
    assert_eq!(result.get(1, 5), V(1));
    assert_eq!(result.get(0, 0), V(12));
}

#[test]
fn a_cube_whose_year_is_not_the_sum_of_its_months_is_refused_by_name() {
    let areas = [area("NL", None)];
    let mut cube = Cube::new(&areas, &year_of_months(), true);
    cube.set(0, 0, Some(100));
    cube.set(0, 1, Some(90));
    let error = cube.suppress(true).unwrap_err();
    assert_eq!(
        error,
        CubeError::Unbalanced {
            area: "NL".into(),
            period: "2025".into(),
            over: Over::Periods,
            value: 100,
            sum: 90
        }
    );
    // An average over time is no sum: the same figures are fine then.
    let mut averages = Cube::new(&areas, &year_of_months(), false);
    averages.set(0, 0, Some(100));
    averages.set(0, 1, Some(90));
    assert!(averages.suppress(true).is_ok());
}

/// A small deterministic generator, so the test needs no seed of a crate.
struct Numbers(u64);

impl Numbers {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn a_national_cube_of_60_areas_and_170_periods_is_suppressed_quickly_and_correctly() {
    // NL, 12 provinces, 47 municipalities; 10 years of 4 quarters of 3
    // months: 60 × 170 cells.
    let mut areas = vec![area("NL", None)];
    areas.extend((0..12).map(|p| area(&format!("PV{p}"), Some(0))));
    areas.extend((0..47).map(|m| area(&format!("GM{m}"), Some(1 + m % 12))));
    let mut periods = Vec::new();
    for y in 0..10 {
        let year = periods.len();
        periods.push(period(&format!("{}", 2016 + y), None));
        for q in 0..4 {
            let quarter = periods.len();
            periods.push(period(&format!("{}-Q{}", 2016 + y, q + 1), Some(year)));
            for m in 0..3 {
                periods.push(period(
                    &format!("{}-{:02}", 2016 + y, 3 * q + m + 1),
                    Some(quarter),
                ));
            }
        }
    }
    assert_eq!((areas.len(), periods.len()), (60, 170));
    let months: Vec<usize> = (0..periods.len())
        .filter(|&p| periods[p].label.len() == 7 && !periods[p].label.contains('Q'))
        .collect();
    let mut values = vec![vec![0i64; periods.len()]; areas.len()];
    let mut numbers = Numbers(0x5eed_2026);
    for line in &mut values[13..] {
        for &m in &months {
            line[m] = match numbers.below(100) {
                0..=3 => 1 + numbers.below(4) as i64,
                4..=5 => 0,
                _ => 5 + numbers.below(200) as i64,
            };
        }
    }
    // Sums upwards: periods first (months are leaves), then areas.
    for a in (13..60).rev() {
        for p in (0..periods.len()).rev() {
            if let Some(parent) = periods[p].parent {
                values[a][parent] += values[a][p];
            }
        }
    }
    for a in (1..60).rev() {
        let parent = areas[a].parent.unwrap();
        let line = values[a].clone();
        for (total, v) in values[parent].iter_mut().zip(line) {
            *total += v;
        }
    }
    let mut cube = Cube::new(&areas, &periods, true);
    for (a, line) in values.iter().enumerate() {
        for (p, &v) in line.iter().enumerate() {
            cube.set(a, p, Some(v));
        }
    }
    let started = Instant::now();
    let result = cube.suppress(true).unwrap();
    let took = started.elapsed();
    let count = |shown: Shown| {
        (0..60)
            .flat_map(|a| (0..170).map(move |p| (a, p)))
            .filter(|&(a, p)| result.get(a, p) == shown)
            .count()
    };
    println!(
        "60 × 170 cube: {} small, {} hidden, {} unprotected, in {took:?}",
        count(S),
        count(X),
        result.unprotected().len()
    );
    let relations: Vec<Relation> = cube.relations.iter().map(|(r, _)| r.clone()).collect();
    suppressed(&cube.values, &relations);
}

/// A cube shaped like the demo's for a metric that counts few people
/// (admissions and discharges at heroin units, naloxone administered):
/// the country, its 12 provinces and 22 municipalities with a facility
/// (none in four provinces), × 3 years of quarters and months, with two
/// years of monthly reports (from July of the first year to June of the
/// last, the last month missing at some municipalities). A municipality's
/// month is the sum of its 1–3 facilities' figures: each facility reports
/// `per_facility` of them, or (when `None`) a number from 0 to 3.
fn demo_like_cube(seed: u64, per_facility: Option<i64>) -> (Cube, Vec<Area>, Vec<PeriodNode>) {
    let mut numbers = Numbers(seed);
    let mut areas = vec![area("NL", None)];
    areas.extend((0..12).map(|p| area(&format!("PV{p}"), Some(0))));
    for (province, count) in [5, 4, 3, 3, 2, 2, 2, 1].into_iter().enumerate() {
        areas.extend((0..count).map(|m| area(&format!("GM{province}{m}"), Some(1 + province))));
    }
    let mut periods = Vec::new();
    for y in 0..3 {
        let year = periods.len();
        periods.push(period(&format!("{}", 2024 + y), None));
        for q in 0..4 {
            let quarter = periods.len();
            periods.push(period(&format!("{}-Q{}", 2024 + y, q + 1), Some(year)));
            for m in 0..3 {
                periods.push(period(
                    &format!("{}-{:02}", 2024 + y, 3 * q + m + 1),
                    Some(quarter),
                ));
            }
        }
    }
    assert_eq!((areas.len(), periods.len()), (35, 51));
    // The months with reports, in order: July of the first year on.
    let months: Vec<usize> = (0..periods.len())
        .filter(|&p| !periods[p].label.contains('Q') && periods[p].label.len() == 7)
        .skip(6)
        .take(24)
        .collect();
    let mut values: Vec<Vec<Option<i64>>> = vec![vec![None; periods.len()]; areas.len()];
    for line in &mut values[13..] {
        let facilities = 1 + numbers.below(3) as usize;
        let late = numbers.below(3) == 0;
        for (age, &m) in months.iter().rev().enumerate() {
            if late && age == 0 {
                continue;
            }
            let value = (0..facilities)
                .map(|_| per_facility.unwrap_or_else(|| [0, 1, 1, 2, 3][numbers.below(5) as usize]))
                .sum();
            line[m] = Some(value);
        }
    }
    let add = |into: &mut Option<i64>, v: Option<i64>| {
        if let Some(v) = v {
            *into = Some(into.unwrap_or(0) + v);
        }
    };
    for line in &mut values[13..] {
        for p in (0..periods.len()).rev() {
            if let Some(parent) = periods[p].parent {
                let v = line[p];
                add(&mut line[parent], v);
            }
        }
    }
    for a in (1..areas.len()).rev() {
        let parent = areas[a].parent.unwrap();
        let line = values[a].clone();
        for (total, v) in values[parent].iter_mut().zip(line) {
            add(total, v);
        }
    }
    let mut cube = Cube::new(&areas, &periods, true);
    for (a, line) in values.iter().enumerate() {
        for (p, &v) in line.iter().enumerate() {
            cube.set(a, p, v);
        }
    }
    (cube, areas, periods)
}

#[test]
fn a_demo_like_cube_of_few_people_is_protected_within_two_seconds() {
    for (name, seed, per_facility) in [
        ("one a month per facility", 0xad_0001, Some(1)),
        ("two a month per facility", 0xad_0002, Some(2)),
        ("0 to 3 a month per facility", 0xad_0003, None),
        ("0 to 3 a month per facility", 0xad_0004, None),
        // The slowest of 40 seeds: long witnesses, some only by a program.
        ("one a month per facility", 0x5eed_0025, Some(1)),
    ] {
        let (cube, areas, periods) = demo_like_cube(seed, per_facility);
        let started = Instant::now();
        let result = cube.suppress(true).unwrap();
        let took = started.elapsed();
        let count = |shown: Shown| {
            (0..areas.len())
                .flat_map(|a| (0..periods.len()).map(move |p| (a, p)))
                .filter(|&(a, p)| result.get(a, p) == shown)
                .count()
        };
        println!(
            "demo-like cube, {name}: {} small, {} hidden, {} withheld, {} unprotected, in {took:?}",
            count(S),
            count(X),
            count(W),
            result.unprotected().len()
        );
        // A generous bound against regressions (a debug build takes tens of
        // milliseconds).
        assert!(took < Duration::from_secs(2), "{name}: {took:?}");
        // Every "<5" not reported has 1..4 by the module's own audit, and
        // every reported one is narrowed ...
        let relations: Vec<Relation> = cube.relations.iter().map(|(r, _)| r.clone()).collect();
        let suppression = suppressed(&cube.values, &relations);
        assert_eq!(suppression.shown, result.shown);
        // ... as much as when every value of 5 or more is hidden: no hiding
        // could help it.
        let all_hidden = result
            .shown
            .iter()
            .map(|&s| match s {
                V(v) if v >= THRESHOLD => X,
                s => s,
            })
            .collect();
        let now = Work::new(&cube.values, &relations, result.shown.clone());
        let best = Work::new(&cube.values, &relations, all_hidden);
        for &cell in &suppression.unprotected {
            assert_eq!(now.range(cell), best.range(cell), "{name}: cell {cell}");
        }
    }
}
