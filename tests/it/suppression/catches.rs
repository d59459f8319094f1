//! The checker itself, tested on tables that give a small cell away (it
//! must fail, naming the cell) and on tables that protect it (it must
//! pass), so that it cannot pass silently.

use super::checker::{check, Published};

/// One table "T" with one row "A" and columns a, b, … and "Totaal".
fn row(cells: &[&str]) -> Published {
    let mut columns: Vec<String> = (0..cells.len() - 1)
        .map(|i| char::from(b'a' + i as u8).to_string())
        .collect();
    columns.push("Totaal".into());
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut published = Published::new();
    published.table("T", &["A"], &columns, &[cells]);
    published.column_total("T", "Totaal");
    published
}

fn failures(published: &Published) -> Vec<String> {
    check(published).expect_err("the check should fail")
}

#[test]
fn a_lone_small_cell_beside_its_total_is_caught_by_name() {
    let found = failures(&row(&["<5", "12", "15"]));
    assert_eq!(
        found,
        ["table T, row A, column a: shown <5, but a reader can tell it is 3"]
    );
}

#[test]
fn two_small_cells_with_a_rest_of_2_are_both_caught() {
    let found = failures(&row(&["<5", "<5", "20", "22"]));
    assert_eq!(
        found,
        [
            "table T, row A, column a: shown <5, but a reader can tell it is 1",
            "table T, row A, column b: shown <5, but a reader can tell it is 1",
        ]
    );
}

#[test]
fn a_hidden_5_beside_a_small_cell_under_a_total_of_8_is_caught() {
    let found = failures(&row(&["<5", "x", "8"]));
    assert_eq!(
        found,
        ["table T, row A, column a: shown <5, but a reader can tell it is 1–3"]
    );
}

#[test]
fn properly_protected_rows_and_tables_pass() {
    assert_eq!(check(&row(&["<5", "x", "x", "40"])), Ok(()));
    assert_eq!(check(&row(&["<5", "x", "x"])), Ok(()));
    assert_eq!(check(&row(&["<5", "–", "<5"])), Ok(()));
    // A rectangle of four in a table with margins.
    let mut published = Published::new();
    published.table(
        "T",
        &["A", "B", "C", "Totaal"],
        &["a", "b", "c", "Totaal"],
        &[
            ["x", "<5", "40", "72"],
            ["x", "x", "45", "105"],
            ["50", "60", "70", "180"],
            ["105", "97", "155", "357"],
        ],
    );
    published.row_total("T", "Totaal");
    published.column_total("T", "Totaal");
    assert_eq!(check(&published), Ok(()));
}

#[test]
fn a_small_cell_protected_in_one_table_but_given_away_by_another_is_caught() {
    let mut published = Published::new();
    published.table(
        "Nederland",
        &["Totaal", "PV20", "PV21", "PV22"],
        &["2025"],
        &[["40"], ["<5"], ["x"], ["x"]],
    );
    published.row_total("Nederland", "Totaal");
    assert_eq!(check(&published), Ok(()));
    for (province, total, parts) in [("PV21", "17", ["9", "8"]), ("PV22", "20", ["12", "8"])] {
        published.table(
            province,
            &["Totaal", "GM1", "GM2"],
            &["2025"],
            &[[total], [parts[0]], [parts[1]]],
        );
        published.row_total(province, "Totaal");
        let national = published.cell("Nederland", province, "2025");
        let own = published.cell(province, "Totaal", "2025");
        published.same(national, own);
    }
    let found = failures(&published);
    assert_eq!(
        found,
        ["table Nederland, row PV20, column 2025: shown <5, but a reader can tell it is 3"]
    );
}

#[test]
fn tables_that_disagree_fail_whether_or_not_a_cell_is_suppressed() {
    let found = failures(&row(&["3", "4", "8"]));
    assert_eq!(
        found,
        ["table T, row A, column Totaal is 8, but the cells it totals add up to 7"]
    );
    let found = failures(&row(&["<5", "x", "–", "4"]));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("the figures cannot all be true around"),
        "{found:?}"
    );
}
