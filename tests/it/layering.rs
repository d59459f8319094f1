//! The architecture, checked: the tree shows the parts of the product and
//! this test keeps it so. It reads every `crate::` path in `src/` and
//! fails on a forbidden import or a circle between folders:
//!
//! - `src/` holds only `lib.rs`, `main.rs` and folders;
//! - only `http/` and `cli/` use axum or `crate::http`;
//! - `domain/` uses nothing of the crate outside itself;
//! - `formats/` and `storage/` use only `domain/`;
//! - no two folders use each other, directly or through others;
//! - the HTTP folder calls the parts' operations: it neither calls the
//!   store's methods nor writes the audit log itself;
//! - inside it, the API does not use the pages (`http/api/` never names
//!   `crate::http::web`), so the two never go round in a circle.
//!
//! The rules are tested on made-up trees too (the last tests), so a rule
//! that stopped catching anything would fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `.rs` file under `src/`, as (path relative to `src/`, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                out.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

/// The folder a file belongs to (`None` for `lib.rs` and `main.rs`).
fn folder(path: &str) -> Option<&str> {
    path.split_once('/').map(|(folder, _)| folder)
}

/// Which folders each folder uses, with one place (file:line) for each use.
fn uses(files: &[(String, String)]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (path, text) in files {
        let Some(from) = folder(path) else { continue };
        let entry = graph.entry(from.to_string()).or_default();
        for (number, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                let after = &rest[at + "crate::".len()..];
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != from {
                    entry
                        .entry(name.clone())
                        .or_insert_with(|| format!("{path}:{}", number + 1));
                }
                rest = after;
            }
            if line.contains("axum::") || line.contains("use axum") {
                entry
                    .entry("axum".to_string())
                    .or_insert_with(|| format!("{path}:{}", number + 1));
            }
        }
    }
    graph
}

/// Every broken rule, in words.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, _) in files {
        if folder(path).is_none() && !["lib.rs", "main.rs"].contains(&path.as_str()) {
            found.push(format!(
                "src/{path}: src/ holds only lib.rs, main.rs and folders"
            ));
        }
    }
    for (path, text) in files {
        if folder(path) != Some("http") {
            continue;
        }
        // `state.store.x(…)`, also when rustfmt splits it over lines.
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let lines_at = |at: usize| {
            // The line of the `at`-th non-blank character.
            let mut seen = 0;
            let mut line = 1;
            for c in text.chars() {
                if c == '\n' {
                    line += 1;
                } else if !c.is_whitespace() {
                    if seen == at {
                        break;
                    }
                    seen += 1;
                }
            }
            line
        };
        for (at, _) in squeezed.match_indices("state.store.") {
            found.push(format!(
                "{path}:{}: http/ calls an operation of its part, not the store or the audit log",
                lines_at(at)
            ));
        }
        for (number, line) in text.lines().enumerate() {
            if line.contains("AuditEvent") {
                found.push(format!(
                    "{path}:{}: http/ calls an operation of its part, not the store or the audit log",
                    number + 1
                ));
            }
            if path.starts_with("http/api/") && line.contains("crate::http::web") {
                found.push(format!(
                    "{path}:{}: the API does not use the pages",
                    number + 1
                ));
            }
        }
    }
    let graph = uses(files);
    for (from, targets) in &graph {
        for (to, place) in targets {
            let allowed = match (from.as_str(), to.as_str()) {
                ("http" | "cli", _) => true,
                (_, "http" | "axum") => false,
                ("domain", _) => false,
                ("formats" | "storage", to) => to == "domain",
                _ => true,
            };
            if !allowed {
                found.push(format!("{place}: {from}/ may not use {to}"));
            }
        }
    }
    // Circles: a folder that reaches itself through the folders it uses.
    let folders: BTreeSet<&String> = graph.keys().collect();
    for start in &folders {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start.as_str(), vec![start.as_str()])];
        while let Some((at, trail)) = stack.pop() {
            for next in graph.get(at).into_iter().flat_map(|t| t.keys()) {
                if next == *start {
                    let mut circle = trail.clone();
                    circle.push(next);
                    found.push(format!("circle between folders: {}", circle.join(" → ")));
                } else if folders.contains(next) && seen.insert(next.as_str()) {
                    let mut longer = trail.clone();
                    longer.push(next);
                    stack.push((next.as_str(), longer));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_tree_keeps_its_layers_and_has_no_circles() {
    let files = sources();
    assert!(files.len() > 50, "read the sources");
    let found = violations(&files);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

fn tree(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

#[test]
fn a_forbidden_import_is_caught() {
    let files = tree(&[
        ("lib.rs", ""),
        ("domain/facility.rs", "use crate::storage::Store;"),
        ("formats/csv.rs", "use crate::register::import::RowIssue;"),
        (
            "register/mod.rs",
            "use crate::http::error::AppError;\nuse axum::Json;",
        ),
        ("storage/mod.rs", "use crate::domain::facility::Facility;"),
        (
            "http/api/x.rs",
            "let users = state.store.list_users().await?;\nlet t = crate::http::web::pages::texts();",
        ),
        (
            "http/web/y.rs",
            "let x = 1;\nlet user = state\n    .store\n    .user(id)\n    .await?;",
        ),
    ]);
    let found = violations(&files);
    for expected in [
        "domain/facility.rs:1: domain/ may not use storage",
        "formats/csv.rs:1: formats/ may not use register",
        "register/mod.rs:1: register/ may not use http",
        "register/mod.rs:2: register/ may not use axum",
        "http/api/x.rs:1: http/ calls an operation of its part, not the store or the audit log",
        "http/api/x.rs:2: the API does not use the pages",
        "http/web/y.rs:2: http/ calls an operation of its part, not the store or the audit log",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected} not in {found:?}"
        );
    }
    assert!(
        !found.iter().any(|f| f.starts_with("storage/")),
        "{found:?}"
    );
}

#[test]
fn a_circle_and_a_loose_file_are_caught() {
    let files = tree(&[
        ("lib.rs", ""),
        ("geo.rs", ""),
        ("rounds/mod.rs", "use crate::stats::changes;"),
        ("stats/mod.rs", "use crate::register::import;"),
        ("register/mod.rs", "use crate::rounds::table1;"),
    ]);
    let found = violations(&files);
    assert!(found.iter().any(|f| f.contains("src/geo.rs")), "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("circle between folders: register → rounds → stats → register")),
        "{found:?}"
    );
}
