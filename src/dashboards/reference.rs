//! The reference data indicators and maps stand on, loaded by an
//! administrator from the official files (they are not bundled):
//!
//! - municipal populations (`vangnet import population`), stored as
//!   published figures with key `inhabitants` and the CBS code as scope,
//!   next to the bundled national and province ones, so one reader serves
//!   all three levels: `Store::published_figures(Some("inhabitants"))`;
//! - municipal boundaries (`vangnet import boundaries`), replaced as a
//!   whole set.
//!
//! Both are all or nothing, idempotent, and leave one audit entry.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::domain::boundary::{without_boundary, Boundary, BoundarySet};
use crate::domain::error::AppResult;
use crate::domain::figure::PublishedFigure;
use crate::domain::population::INHABITANTS;
use crate::domain::provenance::Actor;
use crate::formats::boundaries::{read_boundaries, BoundaryFormat, FeatureIssue};
use crate::formats::population::read_population;
use crate::formats::RowIssue;
use crate::storage::audit::AuditEvent;
use crate::storage::figures::Stored;
use crate::storage::write::Writes;
use crate::storage::Store;

/// Where no `--source` is given and the file names none.
pub const UNKNOWN_SOURCE: &str = "unknown";

/// A row whose name differs from the reference list's (informative).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherName {
    pub row: usize,
    pub code: String,
    /// As the file writes it.
    pub given: String,
    /// As the reference list writes it.
    pub reference: String,
}

/// What loading a population file did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PopulationReport {
    pub file: String,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The years (periods) the figures are for.
    pub years: BTreeSet<String>,
    pub other_names: Vec<OtherName>,
    pub errors: Vec<RowIssue>,
}

impl PopulationReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for PopulationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for error in &self.errors {
            writeln!(f, "{}: {error}", self.file)?;
        }
        if !self.errors.is_empty() {
            let rows: BTreeSet<usize> = self.errors.iter().map(|e| e.row).collect();
            return writeln!(
                f,
                "{}: {} rows have errors; nothing was written",
                self.file,
                rows.len()
            );
        }
        for other in &self.other_names {
            writeln!(
                f,
                "{}: note: row {}: {} is {} in the reference list; the file calls it {} (the code decides)",
                self.file, other.row, other.code, other.reference, other.given
            )?;
        }
        let years: Vec<&str> = self.years.iter().map(String::as_str).collect();
        writeln!(
            f,
            "{}: inhabitants of {} municipalities ({}): {} created, {} updated, {} unchanged",
            self.file,
            self.rows,
            years.join(", "),
            self.created,
            self.updated,
            self.unchanged
        )
    }
}

/// Loads municipal populations (CSV or XLSX): every row or none. Each is
/// stored as the published figure `inhabitants`/`GM…`/year, so loading
/// the same file again changes nothing and a corrected count updates it.
pub async fn import_population(
    store: &Store,
    bytes: &[u8],
    file_name: &str,
    actor: &Actor,
) -> AppResult<PopulationReport> {
    let mut report = PopulationReport {
        file: file_name.to_string(),
        ..PopulationReport::default()
    };
    let rows = match read_population(bytes) {
        Ok(rows) => rows,
        Err(errors) => {
            report.errors = errors;
            return Ok(report);
        }
    };
    report.rows = rows.len();
    let mut tx = store.begin_write(Writes::Audit).await?;
    for row in &rows {
        let figure = row.population.figure();
        report.years.insert(figure.period.clone());
        match Store::store_figure(&mut tx, &figure).await? {
            Stored::Created => report.created += 1,
            Stored::Updated => report.updated += 1,
            Stored::Unchanged => report.unchanged += 1,
        }
        if let Some((given, reference)) = &row.other_name {
            report.other_names.push(OtherName {
                row: row.row,
                code: figure.scope.clone(),
                given: given.clone(),
                reference: reference.clone(),
            });
        }
    }
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("import", actor, "published_figures")
            .object(file_name)
            .detail(format!(
                "inhabitants of {} municipalities: {} created, {} updated, {} unchanged",
                report.rows, report.created, report.updated, report.unchanged
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Every inhabitants figure: national (`NL`), per province (`NL-UT`) and
/// per municipality (`GM0344`), each year that was loaded.
pub async fn inhabitants(store: &Store) -> AppResult<Vec<PublishedFigure>> {
    Ok(store.published_figures(Some(INHABITANTS)).await?)
}

/// What loading a boundary file did.
#[derive(Debug, Clone)]
pub struct BoundariesReport {
    pub file: String,
    pub format: Option<BoundaryFormat>,
    pub features: usize,
    /// Municipalities stored.
    pub municipalities: usize,
    /// Boundaries there were before (all replaced).
    pub replaced: usize,
    pub source: String,
    /// Municipalities of the reference list the file has no boundary for:
    /// `GM0363 Amsterdam`.
    pub without_boundary: Vec<String>,
    pub errors: Vec<FeatureIssue>,
}

impl BoundariesReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The most problems or missing municipalities listed one by one.
const LISTED: usize = 50;

impl fmt::Display for BoundariesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.errors.is_empty() {
            for error in self.errors.iter().take(LISTED) {
                writeln!(f, "{}: {error}", self.file)?;
            }
            if self.errors.len() > LISTED {
                writeln!(
                    f,
                    "{}: … and {} more",
                    self.file,
                    self.errors.len() - LISTED
                )?;
            }
            let features: BTreeSet<Option<usize>> = self.errors.iter().map(|e| e.feature).collect();
            return match features.iter().flatten().count() {
                0 => writeln!(f, "{}: nothing was written", self.file),
                n => writeln!(
                    f,
                    "{}: {n} features have errors; nothing was written",
                    self.file
                ),
            };
        }
        let format = match self.format {
            Some(BoundaryFormat::TopoJson) => "TopoJSON",
            Some(BoundaryFormat::GeoJson) | None => "GeoJSON",
        };
        writeln!(
            f,
            "{}: boundaries of {} municipalities ({format}, {} features) stored, replacing {} earlier; source: {}",
            self.file, self.municipalities, self.features, self.replaced, self.source
        )?;
        if self.source == UNKNOWN_SOURCE {
            writeln!(
                f,
                "{}: the file names no source; give --source with the attribution its licence asks for",
                self.file
            )?;
        }
        match self.without_boundary.len() {
            0 => writeln!(
                f,
                "{}: every municipality of the reference list has a boundary",
                self.file
            ),
            n => {
                let listed: Vec<&str> = self
                    .without_boundary
                    .iter()
                    .take(LISTED)
                    .map(String::as_str)
                    .collect();
                let more = if n > LISTED { ", …" } else { "" };
                writeln!(
                    f,
                    "{}: {n} municipalities of the reference list have no boundary (maps draw them as circles): {}{more}",
                    self.file,
                    listed.join(", ")
                )
            }
        }
    }
}

/// Loads municipal boundaries (GeoJSON or TopoJSON) and replaces the stored
/// set with them in one transaction: all features or none. The source is
/// `source` (the attribution the file's licence asks for), else the one
/// the file names, else "unknown".
pub async fn import_boundaries(
    store: &Store,
    bytes: &[u8],
    file_name: &str,
    source: Option<&str>,
    actor: &Actor,
) -> AppResult<BoundariesReport> {
    let mut report = BoundariesReport {
        file: file_name.to_string(),
        format: None,
        features: 0,
        municipalities: 0,
        replaced: 0,
        source: String::new(),
        without_boundary: Vec::new(),
        errors: Vec::new(),
    };
    let file = match read_boundaries(bytes) {
        Ok(file) => file,
        Err(errors) => {
            report.errors = errors;
            return Ok(report);
        }
    };
    report.format = Some(file.format);
    report.features = file.features;
    report.municipalities = file.boundaries.len();
    report.source = source
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or(file.source)
        .unwrap_or_else(|| UNKNOWN_SOURCE.to_string());
    report.without_boundary = without_boundary(&file.boundaries)
        .iter()
        .map(|m| format!("{} {}", m.code, m.name))
        .collect();
    let mut tx = store.begin_write(Writes::Audit).await?;
    report.replaced = Store::replace_boundaries(&mut tx, &file.boundaries, &report.source).await?;
    Store::append_audit(
        &mut tx,
        &AuditEvent::new("import", actor, "boundaries")
            .object(file_name)
            .detail(format!(
                "{} municipalities from {} replacing {}; {} of the reference list without a boundary",
                report.municipalities,
                report.source,
                report.replaced,
                report.without_boundary.len()
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// The stored municipal boundaries (none until an import), by code.
pub async fn boundaries(store: &Store) -> AppResult<Vec<Boundary>> {
    Ok(store.boundaries().await?)
}

/// How many boundaries are loaded, from which source and when.
pub async fn boundary_set(store: &Store) -> AppResult<Option<BoundarySet>> {
    Ok(store.boundary_set().await?)
}
