//! Rollups: the monitoring figures per facility, metric and period
//! (`metric_cells`) and their sums per area (`area_totals`, for the
//! country, each province and each municipality), kept current in the
//! same transaction as every write that changes them (migration 0010).
//!
//! Why rollups rather than computing from the events at each read: a
//! national dashboard over ten years of a thousand facilities covers ten
//! million tallies and a million report values; summed per area as they
//! arrive, it reads a few thousand rows. Why in the writing transaction
//! rather than a batch job: the dashboards then show a tally or an approval
//! as soon as it is committed, on every app server reading the database,
//! and a rollup can never be behind or ahead of what it sums.
//!
//! How: a write marks the cells it touches in its [`WriteTx`] (a tally's
//! facility, metric and month; a report's facility and period; a facility
//! that may have moved), and [`WriteTx::commit`] brings them up to date
//! before committing: it locks the cells (in key order, so that two
//! writers cannot deadlock on them), computes each from the stored tallies
//! and report values, and adds the difference of each cell's contribution
//! to its areas (again in key order). Computing from what is stored, under
//! the cell's lock, keeps concurrent writers of the same cell right on
//! PostgreSQL: the second waits for the first to commit and then sees its
//! rows.
//!
//! What a cell contributes: on the `approved` basis its approved report
//! value; on the `live` basis the value of its submitted or approved
//! report, or else the month's tallies (a draft report, prefilled from the
//! tallies, does not replace them until it is submitted).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, Row};

use super::write::WriteTx;
use super::{Engine, Store, END};
use crate::domain::geo::geo;
use crate::domain::metric::Period;
use crate::storage::error::{StorageError, StorageResult};

/// Which figures an area total adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basis {
    /// Approved report values: what the public sees.
    Approved,
    /// Submitted or approved report values, else the month's tallies.
    Live,
}

impl Basis {
    pub const ALL: [Basis; 2] = [Basis::Approved, Basis::Live];

    pub fn code(self) -> &'static str {
        match self {
            Basis::Approved => "approved",
            Basis::Live => "live",
        }
    }
}

/// A facility's figure of one metric for one period (`2025-03`, `2025-Q1`, `2025`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub facility_id: i64,
    pub metric: String,
    pub period: String,
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cell {
    tallied: i64,
    reported: Option<i64>,
    approved: Option<i64>,
}

impl Cell {
    fn contribution(self, basis: Basis) -> Option<i64> {
        match basis {
            Basis::Approved => self.approved,
            Basis::Live => self
                .reported
                .or((self.tallied != 0).then_some(self.tallied)),
        }
    }

    fn is_empty(self) -> bool {
        self == Cell::default()
    }
}

/// What a write transaction touched, brought up to date at its commit.
#[derive(Debug, Default)]
pub(super) struct Pending {
    cells: BTreeSet<CellKey>,
    reports: BTreeSet<i64>,
    facilities: BTreeSet<i64>,
}

impl Pending {
    pub(super) fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.reports.is_empty() && self.facilities.is_empty()
    }
}

impl WriteTx {
    /// Marks a cell whose tallies or report value changed.
    pub(super) fn touch_cell(&mut self, facility_id: i64, metric: &str, period: &str) {
        self.pending.cells.insert(CellKey {
            facility_id,
            metric: metric.to_string(),
            period: period.to_string(),
        });
    }

    /// Marks a report whose values or status changed.
    pub(super) fn touch_report(&mut self, report_id: i64) {
        self.pending.reports.insert(report_id);
    }

    /// Marks a facility that has a new current version (it may have moved).
    pub(super) fn touch_facility(&mut self, facility_id: i64) {
        self.pending.facilities.insert(facility_id);
    }

    /// Brings the rollups of everything touched up to date (see the module comment).
    pub(super) async fn bring_rollups_up_to_date(&mut self) -> StorageResult<()> {
        let pending = std::mem::take(&mut self.pending);
        let mut cells = pending.cells;
        // A report's cells: its period for each metric it has a value of,
        // and each metric a cell of that period holds a report value of
        // (a value taken out of the report).
        for chunk in pending.reports.iter().collect::<Vec<_>>().chunks(500) {
            let list = number_list(chunk.iter().map(|id| **id));
            let sql = format!(
                "SELECT r.facility_id, rv.metric, r.period FROM period_reports r \
                 JOIN report_values rv ON rv.report_id = r.id WHERE r.id IN ({list}) \
                 UNION SELECT c.facility_id, c.metric, c.period FROM metric_cells c \
                 JOIN period_reports r ON r.facility_id = c.facility_id AND r.period = c.period \
                 WHERE r.id IN ({list}) AND c.reported IS NOT NULL"
            );
            for row in sqlx::query(&sql).fetch_all(&mut **self).await? {
                cells.insert(CellKey {
                    facility_id: row.try_get("facility_id")?,
                    metric: row.try_get("metric")?,
                    period: row.try_get("period")?,
                });
            }
        }
        let mut deltas = AreaDeltas::default();
        if !cells.is_empty() {
            refresh_cells(self, &cells, &mut deltas).await?;
        }
        for facility_id in pending.facilities {
            move_facility(self, facility_id, &mut deltas).await?;
        }
        deltas.write(self).await
    }
}

/// `1,2,3`: ids as literals (they are numbers).
fn number_list(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|id| id.to_string()).collect::<Vec<_>>().join(",")
}

/// Cells one statement handles at most (three parameters each).
const CELL_CHUNK: usize = 300;

/// Writes cells as they are now (new or replacing the stored ones).
async fn write_cells(conn: &mut AnyConnection, cells: &[(&CellKey, Cell)]) -> StorageResult<()> {
    for chunk in cells.chunks(CELL_CHUNK / 2) {
        let rows = rows(chunk.len(), 6, 1);
        let sql = format!(
            "INSERT INTO metric_cells (facility_id, metric, period, tallied, reported, approved) \
             VALUES {} ON CONFLICT (facility_id, metric, period) DO UPDATE SET \
             tallied = excluded.tallied, reported = excluded.reported, approved = excluded.approved",
            rows
        );
        let mut query = sqlx::query(&sql);
        for (key, cell) in chunk {
            query = query
                .bind(key.facility_id)
                .bind(key.metric.as_str())
                .bind(key.period.as_str())
                .bind(cell.tallied)
                .bind(cell.reported)
                .bind(cell.approved);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `VALUES ($1, $2, $3), …` for `n` keys, parameters from `$first`.
fn key_values(n: usize, first: usize) -> String {
    format!("VALUES {}", rows(n, 3, first))
}

/// `($first, …), (…), …`: `n` rows of `width` parameters, numbered from `$first`.
fn rows(n: usize, width: usize, first: usize) -> String {
    (0..n)
        .map(|i| {
            let start = first + width * i;
            let row: Vec<String> = (start..start + width).map(|p| format!("${p}")).collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn bind_keys(keys: &[&CellKey]) -> StorageResult<AnyArguments<'static>> {
    let mut arguments = AnyArguments::default();
    for key in keys {
        arguments
            .add(key.facility_id)
            .and_then(|()| arguments.add(key.metric.clone()))
            .and_then(|()| arguments.add(key.period.clone()))
            .map_err(|e| StorageError::Database(anyhow::anyhow!(e)))?;
    }
    Ok(arguments)
}

/// Locks the cells (creating empty ones), computes them from what is
/// stored, writes those that changed and notes the change of their
/// contributions in `deltas`.
async fn refresh_cells(
    tx: &mut WriteTx,
    keys: &BTreeSet<CellKey>,
    deltas: &mut AreaDeltas,
) -> StorageResult<()> {
    let keys: Vec<&CellKey> = keys.iter().collect();
    let engine = tx.engine();
    let mut old: HashMap<CellKey, Cell> = HashMap::new();
    for chunk in keys.chunks(CELL_CHUNK) {
        // Empty cells first, so that every key has a row to lock.
        sqlx::query_with(
            &format!(
                "INSERT INTO metric_cells (facility_id, metric, period) {} \
                 ON CONFLICT (facility_id, metric, period) DO NOTHING",
                key_values(chunk.len(), 1)
            ),
            bind_keys(chunk)?,
        )
        .execute(&mut **tx)
        .await?;
        let lock = match engine {
            Engine::Postgres => " ORDER BY facility_id, metric, period FOR UPDATE",
            Engine::Sqlite => "",
        };
        let rows = sqlx::query_with(
            &format!(
                "SELECT facility_id, metric, period, tallied, reported, approved FROM metric_cells \
                 WHERE (facility_id, metric, period) IN ({}){lock}",
                key_values(chunk.len(), 1)
            ),
            bind_keys(chunk)?,
        )
        .fetch_all(&mut **tx)
        .await?;
        for row in rows {
            old.insert(
                CellKey {
                    facility_id: row.try_get("facility_id")?,
                    metric: row.try_get("metric")?,
                    period: row.try_get("period")?,
                },
                Cell {
                    tallied: row.try_get("tallied")?,
                    reported: row.try_get("reported")?,
                    approved: row.try_get("approved")?,
                },
            );
        }
    }

    // What the cells are now, from the tallies' day sums and the reports.
    let mut new: HashMap<CellKey, Cell> = keys
        .iter()
        .map(|k| ((*k).clone(), Cell::default()))
        .collect();
    let months: Vec<(&CellKey, Period)> = keys
        .iter()
        .filter_map(|k| match Period::parse(&k.period) {
            Ok(p @ Period::Month { .. }) => Some((*k, p)),
            _ => None,
        })
        .collect();
    if let (Some(first), Some(last)) = (
        months.iter().map(|(_, p)| p.start()).min(),
        months.iter().map(|(_, p)| p.end()).max(),
    ) {
        let pairs: BTreeSet<(i64, &str)> = months
            .iter()
            .map(|(k, _)| (k.facility_id, k.metric.as_str()))
            .collect();
        let pairs: Vec<_> = pairs.into_iter().collect();
        for chunk in pairs.chunks(CELL_CHUNK) {
            let rows = rows(chunk.len(), 2, 3);
            let sql = format!(
                "SELECT facility_id, metric, SUBSTR(day, 1, 7) AS month, \
                 CAST(SUM(total) AS BIGINT) AS total FROM tally_days \
                 WHERE day >= $1 AND day < $2 AND (facility_id, metric) IN (VALUES {}) \
                 GROUP BY facility_id, metric, SUBSTR(day, 1, 7)",
                rows
            );
            let mut query = sqlx::query(&sql)
                .bind(first.to_string())
                .bind(last.to_string());
            for (facility, metric) in chunk {
                query = query.bind(*facility).bind(metric.to_string());
            }
            for row in query.fetch_all(&mut **tx).await? {
                let key = CellKey {
                    facility_id: row.try_get("facility_id")?,
                    metric: row.try_get("metric")?,
                    period: row.try_get("month")?,
                };
                if let Some(cell) = new.get_mut(&key) {
                    cell.tallied = row.try_get("total")?;
                }
            }
        }
    }
    let reports: BTreeSet<(i64, &str)> = keys
        .iter()
        .map(|k| (k.facility_id, k.period.as_str()))
        .collect();
    let reports: Vec<_> = reports.into_iter().collect();
    for chunk in reports.chunks(CELL_CHUNK) {
        let rows = rows(chunk.len(), 2, 1);
        let sql = format!(
            "SELECT r.facility_id, rv.metric, r.period, r.status, rv.value FROM period_reports r \
             JOIN report_values rv ON rv.report_id = r.id \
             WHERE (r.facility_id, r.period) IN (VALUES {}) \
             AND r.status IN ('submitted', 'approved')",
            rows
        );
        let mut query = sqlx::query(&sql);
        for (facility, period) in chunk {
            query = query.bind(*facility).bind(period.to_string());
        }
        for row in query.fetch_all(&mut **tx).await? {
            let key = CellKey {
                facility_id: row.try_get("facility_id")?,
                metric: row.try_get("metric")?,
                period: row.try_get("period")?,
            };
            if let Some(cell) = new.get_mut(&key) {
                let value: i64 = row.try_get("value")?;
                let status: String = row.try_get("status")?;
                cell.reported = Some(value);
                cell.approved = (status == "approved").then_some(value);
            }
        }
    }

    // Write what changed; an empty cell is removed.
    let mut changed: Vec<(&CellKey, Cell)> = Vec::new();
    let mut emptied: Vec<&CellKey> = Vec::new();
    for key in &keys {
        let before = old.get(*key).copied().unwrap_or_default();
        let after = new[*key];
        if after.is_empty() {
            emptied.push(key);
        } else if after != before {
            changed.push((key, after));
        }
        if after != before {
            let municipality = municipality_of(tx, key.facility_id).await?;
            deltas.change(&municipality, key, before, after);
        }
    }
    write_cells(tx, &changed).await?;
    for chunk in emptied.chunks(CELL_CHUNK) {
        sqlx::query_with(
            &format!(
                "DELETE FROM metric_cells WHERE (facility_id, metric, period) IN ({})",
                key_values(chunk.len(), 1)
            ),
            bind_keys(chunk)?,
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The municipality a facility's cells are added to: the one noted for it,
/// else (its first cell) its current one, noted from now on.
async fn municipality_of(tx: &mut WriteTx, facility_id: i64) -> StorageResult<String> {
    if let Some(code) = tx.rollup_places.get(&facility_id) {
        return Ok(code.clone());
    }
    let noted: Option<String> = sqlx::query_scalar(
        "SELECT municipality_code FROM rollup_facilities WHERE facility_id = $1",
    )
    .bind(facility_id)
    .fetch_optional(&mut **tx)
    .await?;
    let code = match noted {
        Some(code) => code,
        None => {
            let code = current_municipality(tx, facility_id)
                .await?
                .ok_or_else(|| {
                    StorageError::Database(anyhow::anyhow!(
                        "facility {facility_id} has figures but no current version"
                    ))
                })?;
            sqlx::query(
                "INSERT INTO rollup_facilities (facility_id, municipality_code) VALUES ($1, $2)",
            )
            .bind(facility_id)
            .bind(code.as_str())
            .execute(&mut **tx)
            .await?;
            code
        }
    };
    tx.rollup_places.insert(facility_id, code.clone());
    Ok(code)
}

async fn current_municipality(
    conn: &mut AnyConnection,
    facility_id: i64,
) -> StorageResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT municipality_code FROM facility_versions WHERE facility_id = $1 \
         AND valid_to = $2 AND superseded_at IS NULL",
    )
    .bind(facility_id)
    .bind(END)
    .fetch_optional(conn)
    .await?)
}

/// When a facility's current municipality is not the one its cells are
/// added to, moves them: off the old areas, onto the new.
async fn move_facility(
    tx: &mut WriteTx,
    facility_id: i64,
    deltas: &mut AreaDeltas,
) -> StorageResult<()> {
    let noted: Option<String> = sqlx::query_scalar(
        "SELECT municipality_code FROM rollup_facilities WHERE facility_id = $1",
    )
    .bind(facility_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(noted) = noted else {
        return Ok(()); // No cells yet.
    };
    let Some(now) = current_municipality(tx, facility_id).await? else {
        return Ok(());
    };
    if now == noted {
        return Ok(());
    }
    let lock = match tx.engine() {
        Engine::Postgres => " ORDER BY metric, period FOR UPDATE",
        Engine::Sqlite => "",
    };
    let rows = sqlx::query(&format!(
        "SELECT metric, period, tallied, reported, approved FROM metric_cells \
         WHERE facility_id = $1{lock}"
    ))
    .bind(facility_id)
    .fetch_all(&mut **tx)
    .await?;
    for row in rows {
        let key = CellKey {
            facility_id,
            metric: row.try_get("metric")?,
            period: row.try_get("period")?,
        };
        let cell = Cell {
            tallied: row.try_get("tallied")?,
            reported: row.try_get("reported")?,
            approved: row.try_get("approved")?,
        };
        deltas.change(&noted, &key, cell, Cell::default());
        deltas.change(&now, &key, Cell::default(), cell);
    }
    sqlx::query("UPDATE rollup_facilities SET municipality_code = $1 WHERE facility_id = $2")
        .bind(now.as_str())
        .bind(facility_id)
        .execute(&mut **tx)
        .await?;
    tx.rollup_places.insert(facility_id, now);
    Ok(())
}

/// The areas a municipality's figures add up in: itself, its province and the country.
pub fn areas_of(municipality: &str) -> Vec<String> {
    let mut areas = vec![crate::domain::figure::NATIONAL.to_string()];
    if let Some(m) = geo().municipality(municipality) {
        areas.push(m.province_code.clone());
    }
    areas.push(municipality.to_string());
    areas
}

/// Changes of area totals, by (basis, area, metric, period): the total and
/// the number of cells with a figure.
#[derive(Debug, Default)]
struct AreaDeltas {
    changes: BTreeMap<(Basis, String, String, String), (i64, i64)>,
}

impl AreaDeltas {
    fn change(&mut self, municipality: &str, key: &CellKey, before: Cell, after: Cell) {
        for basis in Basis::ALL {
            let (b, a) = (before.contribution(basis), after.contribution(basis));
            if b == a {
                continue;
            }
            let total = a.unwrap_or(0) - b.unwrap_or(0);
            let cells = i64::from(a.is_some()) - i64::from(b.is_some());
            for area in areas_of(municipality) {
                let entry = self
                    .changes
                    .entry((basis, area, key.metric.clone(), key.period.clone()))
                    .or_default();
                entry.0 += total;
                entry.1 += cells;
            }
        }
    }

    /// Adds the changes to the stored totals, in key order, and moves the
    /// approved generation when an approved total changed.
    async fn write(self, conn: &mut AnyConnection) -> StorageResult<()> {
        let changes: Vec<_> = self
            .changes
            .into_iter()
            .filter(|(_, (total, cells))| *total != 0 || *cells != 0)
            .collect();
        let approved: BTreeSet<&str> = changes
            .iter()
            .filter(|((basis, ..), _)| *basis == Basis::Approved)
            .map(|((_, _, metric, _), _)| metric.as_str())
            .collect();
        if !approved.is_empty() {
            for metric in approved {
                sqlx::query(
                    "INSERT INTO approved_generations (metric, generation) VALUES ($1, 1) \
                     ON CONFLICT (metric) DO UPDATE \
                     SET generation = approved_generations.generation + 1",
                )
                .bind(metric)
                .execute(&mut *conn)
                .await?;
            }
            sqlx::query(
                "UPDATE rollup_state SET approved_generation = approved_generation + 1 WHERE id = 1",
            )
            .execute(&mut *conn)
            .await?;
        }
        for chunk in changes.chunks(200) {
            let rows = rows(chunk.len(), 6, 1);
            let sql = format!(
                "INSERT INTO area_totals (basis, area, metric, period, total, cells) VALUES {} \
                 ON CONFLICT (basis, area, metric, period) DO UPDATE SET \
                 total = area_totals.total + excluded.total, \
                 cells = area_totals.cells + excluded.cells",
                rows
            );
            let mut query = sqlx::query(&sql);
            for ((basis, area, metric, period), (total, cells)) in chunk {
                query = query
                    .bind(basis.code())
                    .bind(area.as_str())
                    .bind(metric.as_str())
                    .bind(period.as_str())
                    .bind(*total)
                    .bind(*cells);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// One area's total of a metric for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaTotal {
    pub area: String,
    pub metric: String,
    pub period: String,
    pub total: i64,
    /// Facilities with a figure.
    pub cells: i64,
}

fn area_total(row: &sqlx::any::AnyRow) -> StorageResult<AreaTotal> {
    Ok(AreaTotal {
        area: row.try_get("area")?,
        metric: row.try_get("metric")?,
        period: row.try_get("period")?,
        total: row.try_get("total")?,
        cells: row.try_get("cells")?,
    })
}

/// One facility's figure of a metric for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacilityFigure {
    pub facility_id: i64,
    pub metric: String,
    pub period: String,
    pub value: i64,
}

/// Something worked out from the approved figures, with the generation it
/// was worked out at (see [`Store::approved_generation`]).
pub type Derived = Option<(i64, std::sync::Arc<dyn std::any::Any + Send + Sync>)>;

impl Store {
    /// The generation of the approved figures: it moves with every write
    /// that changes an approved total, on any app server.
    pub async fn approved_generation(&self) -> StorageResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT approved_generation FROM rollup_state WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The approved generation of each metric that has had approved figures.
    pub async fn approved_generations(&self) -> StorageResult<HashMap<String, i64>> {
        let rows = sqlx::query("SELECT metric, generation FROM approved_generations")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("metric")?, r.try_get("generation")?)))
            .collect()
    }

    /// How many approved generations the public figures this process worked
    /// out are behind the database; `None` before they were first worked
    /// out, or while they are being worked out.
    pub async fn public_figures_lag(&self) -> StorageResult<Option<i64>> {
        let Some(seen) = self
            .derived
            .try_lock()
            .ok()
            .and_then(|derived| derived.as_ref().map(|(generation, _)| *generation))
        else {
            return Ok(None);
        };
        Ok(Some((self.approved_generation().await? - seen).max(0)))
    }

    /// What this process worked out from the approved figures (the public,
    /// suppressed figures), shared by the store's clones.
    pub fn derived(&self) -> &tokio::sync::Mutex<Derived> {
        &self.derived
    }

    /// Every approved area total of `metric`.
    pub async fn approved_totals(&self, metric: &str) -> StorageResult<Vec<AreaTotal>> {
        let rows = sqlx::query(
            "SELECT area, metric, period, total, cells FROM area_totals \
             WHERE basis = 'approved' AND metric = $1 AND cells > 0",
        )
        .bind(metric)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(area_total).collect()
    }

    /// Area totals on `basis` for the areas given, periods whose text lies
    /// from `from` (inclusive) to `until` (exclusive), all metrics or one.
    pub async fn area_totals(
        &self,
        basis: Basis,
        areas: &[String],
        metric: Option<&str>,
        from: &str,
        until: &str,
    ) -> StorageResult<Vec<AreaTotal>> {
        let mut found = Vec::new();
        for chunk in areas.chunks(500) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 5)).collect();
            let sql = format!(
                "SELECT area, metric, period, total, cells FROM area_totals \
                 WHERE basis = $1 AND ($2 = '' OR metric = $2) AND period >= $3 AND period < $4 \
                 AND cells > 0 AND area IN ({}) ORDER BY area, metric, period",
                list.join(", ")
            );
            let mut query = sqlx::query(&sql)
                .bind(basis.code())
                .bind(metric.unwrap_or(""))
                .bind(from)
                .bind(until);
            for area in chunk {
                query = query.bind(area.as_str());
            }
            for row in query.fetch_all(self.pool()).await? {
                found.push(area_total(&row)?);
            }
        }
        Ok(found)
    }

    /// Facilities' figures on `basis` (all facilities when `facilities` is
    /// `None`), periods from `from` to `until` (exclusive), all metrics or one.
    pub async fn facility_figures(
        &self,
        basis: Basis,
        facilities: Option<&[i64]>,
        metric: Option<&str>,
        from: &str,
        until: &str,
    ) -> StorageResult<Vec<FacilityFigure>> {
        let value = match basis {
            Basis::Approved => "approved",
            Basis::Live => "COALESCE(reported, CASE WHEN tallied <> 0 THEN tallied END)",
        };
        let among = match facilities {
            Some([]) => return Ok(Vec::new()),
            Some(ids) => format!(" AND facility_id IN ({})", number_list(ids.iter().copied())),
            None => String::new(),
        };
        let sql = format!(
            "SELECT facility_id, metric, period, {value} AS value FROM metric_cells \
             WHERE ($1 = '' OR metric = $1) AND period >= $2 AND period < $3 \
             AND {value} IS NOT NULL{among} ORDER BY facility_id, metric, period"
        );
        let rows = sqlx::query(&sql)
            .bind(metric.unwrap_or(""))
            .bind(from)
            .bind(until)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(FacilityFigure {
                    facility_id: row.try_get("facility_id")?,
                    metric: row.try_get("metric")?,
                    period: row.try_get("period")?,
                    value: row.try_get("value")?,
                })
            })
            .collect()
    }

    /// Builds the rollups from the stored tallies and reports when they
    /// were never built (the first start after migration 0010).
    pub(super) async fn build_rollups_once(&self) -> StorageResult<()> {
        let built: i64 = sqlx::query_scalar("SELECT built FROM rollup_state WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        if built == 1 {
            return Ok(());
        }
        let mut tx = self.begin_write(super::write::Writes::Audit).await?;
        let built: i64 = sqlx::query_scalar("SELECT built FROM rollup_state WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        if built == 0 {
            rebuild(&mut tx).await?;
            sqlx::query("UPDATE rollup_state SET built = 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Where the stored rollups differ from what the stored tallies and
    /// reports add up to (empty when they agree): for tests and checks.
    pub async fn rollup_differences(&self) -> StorageResult<Vec<String>> {
        let mut conn = self.pool().acquire().await?;
        let (cells, areas) = computed(&mut conn).await?;
        let mut differences = Vec::new();
        let stored_cells = stored_cells(&mut conn).await?;
        for (key, cell) in &cells {
            if stored_cells.get(key) != Some(cell) {
                differences.push(format!(
                    "cell {key:?}: stored {:?}, computed {cell:?}",
                    stored_cells.get(key)
                ));
            }
        }
        for (key, cell) in &stored_cells {
            if !cells.contains_key(key) {
                differences.push(format!("cell {key:?}: stored {cell:?}, computed nothing"));
            }
        }
        let rows = sqlx::query("SELECT basis, area, metric, period, total, cells FROM area_totals")
            .fetch_all(&mut *conn)
            .await?;
        let mut stored: BTreeMap<(String, String, String, String), (i64, i64)> = BTreeMap::new();
        for row in rows {
            let cells: i64 = row.try_get("cells")?;
            let total: i64 = row.try_get("total")?;
            if cells == 0 && total == 0 {
                continue;
            }
            stored.insert(
                (
                    row.try_get("basis")?,
                    row.try_get("area")?,
                    row.try_get("metric")?,
                    row.try_get("period")?,
                ),
                (total, cells),
            );
        }
        let computed: BTreeMap<(String, String, String, String), (i64, i64)> = areas
            .into_iter()
            .map(|((b, a, m, p), v)| ((b.code().to_string(), a, m, p), v))
            .collect();
        for (key, value) in &computed {
            if stored.get(key) != Some(value) {
                differences.push(format!(
                    "area total {key:?}: stored {:?}, computed {value:?}",
                    stored.get(key)
                ));
            }
        }
        for (key, value) in &stored {
            if !computed.contains_key(key) {
                differences.push(format!(
                    "area total {key:?}: stored {value:?}, computed nothing"
                ));
            }
        }
        Ok(differences)
    }
}

type Areas = BTreeMap<(Basis, String, String, String), (i64, i64)>;

/// The cells and area totals as the stored tallies and reports make them,
/// each facility in its current municipality.
async fn computed(conn: &mut AnyConnection) -> StorageResult<(BTreeMap<CellKey, Cell>, Areas)> {
    let mut cells: BTreeMap<CellKey, Cell> = BTreeMap::new();
    let rows = sqlx::query(
        "SELECT facility_id, metric, SUBSTR(day, 1, 7) AS month, \
         CAST(SUM(total) AS BIGINT) AS total FROM tally_days \
         GROUP BY facility_id, metric, SUBSTR(day, 1, 7)",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let total: i64 = row.try_get("total")?;
        if total != 0 {
            cells
                .entry(CellKey {
                    facility_id: row.try_get("facility_id")?,
                    metric: row.try_get("metric")?,
                    period: row.try_get("month")?,
                })
                .or_default()
                .tallied = total;
        }
    }
    let rows = sqlx::query(
        "SELECT r.facility_id, rv.metric, r.period, r.status, rv.value FROM period_reports r \
         JOIN report_values rv ON rv.report_id = r.id WHERE r.status IN ('submitted', 'approved')",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let value: i64 = row.try_get("value")?;
        let status: String = row.try_get("status")?;
        let cell = cells
            .entry(CellKey {
                facility_id: row.try_get("facility_id")?,
                metric: row.try_get("metric")?,
                period: row.try_get("period")?,
            })
            .or_default();
        cell.reported = Some(value);
        cell.approved = (status == "approved").then_some(value);
    }
    let places: HashMap<i64, String> = sqlx::query(
        "SELECT facility_id, municipality_code FROM facility_versions \
         WHERE valid_to = $1 AND superseded_at IS NULL",
    )
    .bind(END)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("facility_id")?, r.try_get("municipality_code")?)))
    .collect::<StorageResult<_>>()?;
    let mut deltas = AreaDeltas::default();
    for (key, cell) in &cells {
        if let Some(municipality) = places.get(&key.facility_id) {
            deltas.change(municipality, key, Cell::default(), *cell);
        }
    }
    let areas = deltas
        .changes
        .into_iter()
        .filter(|(_, (total, cells))| *total != 0 || *cells != 0)
        .collect();
    Ok((cells, areas))
}

async fn stored_cells(conn: &mut AnyConnection) -> StorageResult<BTreeMap<CellKey, Cell>> {
    let rows = sqlx::query(
        "SELECT facility_id, metric, period, tallied, reported, approved FROM metric_cells",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                CellKey {
                    facility_id: row.try_get("facility_id")?,
                    metric: row.try_get("metric")?,
                    period: row.try_get("period")?,
                },
                Cell {
                    tallied: row.try_get("tallied")?,
                    reported: row.try_get("reported")?,
                    approved: row.try_get("approved")?,
                },
            ))
        })
        .collect()
}

/// Replaces the rollups with what the stored tallies and reports make.
async fn rebuild(tx: &mut WriteTx) -> StorageResult<()> {
    for table in ["metric_cells", "area_totals", "rollup_facilities"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut **tx)
            .await?;
    }
    let (cells, areas) = computed(tx).await?;
    let facilities: BTreeSet<i64> = cells.keys().map(|k| k.facility_id).collect();
    for facility_id in facilities {
        municipality_of(tx, facility_id).await?;
    }
    let cells: Vec<(&CellKey, Cell)> = cells.iter().map(|(k, c)| (k, *c)).collect();
    write_cells(tx, &cells).await?;
    AreaDeltas { changes: areas }.write(tx).await
}
