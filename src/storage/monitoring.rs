//! Monitoring's catalogue and tallies: the metrics (the shipped ones added
//! at start when missing; retired, never deleted) and the anonymous counts
//! at the desk, stored once per device-made id.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::Arguments;
use sqlx::{AnyConnection, Row};

use super::write::WriteTx;
use super::{now_text, Engine, Store};
use crate::domain::metric::{
    default_metrics, Aggregation, Counts, Metric, MetricCode, Period, PeriodKind,
};
use crate::domain::service::ServiceSet;
use crate::domain::tally::Tally;
use crate::storage::error::{StorageError, StorageResult};

const SELECT_METRIC: &str = "SELECT code, name_nl, name_en, unit, period, aggregation, counts, \
    services, retired_at FROM metrics ";

/// Tallies one statement inserts at most.
pub const TALLY_CHUNK: usize = 500;

const COLUMNS: &str = "INSERT INTO tallies (id, facility_id, at, day, metric, amount, \
    recorded_by, recorded_at) ";
const ADD_TO_DAYS: &str = "INSERT INTO tally_days (facility_id, metric, day, total) \
    SELECT facility_id, metric, day, SUM(amount) FROM";
const GROUP_BY_DAY: &str = "GROUP BY facility_id, metric, day";
/// Adds to a day's sum that is there already.
const ADD_TO_SUM: &str = "ON CONFLICT (facility_id, metric, day) \
    DO UPDATE SET total = tally_days.total + excluded.total";

/// Up to [`TALLY_CHUNK`] tallies as one insert statement with its values
/// bound, made apart from running it so that an import makes the next
/// chunk while the database writes the last.
///
/// SQLite: the values are bound to anonymous `?` parameters, because
/// sqlx asks SQLite for every parameter's name, which for `$n` is a scan
/// over all of the statement's names: a statement with thousands of `$n`
/// spent most of a large import in that scan (bench/RESULTS.md). And each
/// tally is two values instead of six, unpacked by SQLite's own `substr`
/// and bit operations, because binding a value through sqlx costs more
/// than the insert of it: the moment (always 24 characters, UTC with
/// milliseconds), the day (10), the metric code and, after a `|` (which no
/// metric code holds), the id; and the facility shifted left by 10 bits
/// with the amount (1 to 1,000, `AMOUNT_MAX`) in them.
/// PostgreSQL (which wants `$n`, at most 65,535) takes the chunk as one
/// JSON array and unpacks it itself.
pub struct TallyChunk {
    sql: String,
    arguments: AnyArguments<'static>,
    len: usize,
    /// The chunk's amounts per facility, metric and day.
    sums: Vec<(i64, MetricCode, NaiveDate, i64)>,
}

/// Amounts per (facility, metric, day).
type DaySums = HashMap<(i64, MetricCode, NaiveDate), i64>;

/// A chunk's amounts per (facility, metric, day): a list searched from
/// its end, because a chunk of an export in time order holds few days and
/// this runs for every row.
fn add_to_day(sums: &mut Vec<(i64, MetricCode, NaiveDate, i64)>, t: &Tally, day: NaiveDate) {
    let same = |s: &&mut (i64, MetricCode, NaiveDate, i64)| {
        s.0 == t.facility_id && s.2 == day && s.1 == t.metric
    };
    match sums.iter_mut().rev().find(same) {
        Some(sum) => sum.3 += t.amount,
        None => sums.push((t.facility_id, t.metric.clone(), day, t.amount)),
    }
}

/// Stores [`TallyChunk`]s in one transaction and adds them to their
/// days' sums (`tally_days`).
///
/// SQLite, where one writer holds the database: a chunk whose every row
/// was new adds the sums made with it (in Rust, by the import's reader)
/// to those written at [`TallyWriter::finish`]; a chunk with rows stored
/// before (a retry, an import again) adds the sums of the rows it did
/// store, which are those after the largest rowid before it, at once.
/// PostgreSQL sums the rows its insert returns, in the same statement.
#[derive(Default)]
pub struct TallyWriter {
    /// The largest rowid before the next chunk (SQLite), once known.
    before: Option<i64>,
    sums: DaySums,
    inserted: u64,
}

impl TallyWriter {
    /// Stores a chunk; returns how many of its tallies were new.
    pub async fn insert(&mut self, tx: &mut WriteTx, chunk: TallyChunk) -> StorageResult<u64> {
        if chunk.len == 0 {
            return Ok(0);
        }
        // The months' figures (rollups), brought up to date at the commit.
        for (facility, metric, day, _) in &chunk.sums {
            tx.touch_cell(
                *facility,
                metric.as_str(),
                &Period::month_of(*day).to_string(),
            );
        }
        let new = match tx.engine() {
            Engine::Sqlite => {
                let before = match self.before {
                    Some(before) => before,
                    None => {
                        sqlx::query_scalar(
                            "SELECT CAST(COALESCE(MAX(rowid), 0) AS BIGINT) FROM tallies",
                        )
                        .fetch_one(&mut **tx)
                        .await?
                    }
                };
                let done = sqlx::query_with(&chunk.sql, chunk.arguments)
                    .execute(&mut **tx)
                    .await?;
                let new = done.rows_affected();
                if new == chunk.len as u64 {
                    for (facility, metric, day, amount) in chunk.sums {
                        *self.sums.entry((facility, metric, day)).or_default() += amount;
                    }
                } else if new > 0 {
                    sqlx::query(&format!(
                        "{ADD_TO_DAYS} tallies WHERE rowid > $1 AND true {GROUP_BY_DAY} {ADD_TO_SUM}"
                    ))
                    .bind(before)
                    .execute(&mut **tx)
                    .await?;
                }
                // New rowids follow the largest: the last one inserted is
                // the largest now.
                self.before = match done.last_insert_id() {
                    Some(last) if new > 0 => Some(last),
                    _ => Some(before),
                };
                new
            }
            Engine::Postgres => {
                let new: i64 = sqlx::query_scalar_with(&chunk.sql, chunk.arguments)
                    .fetch_one(&mut **tx)
                    .await?;
                new as u64
            }
        };
        self.inserted += new;
        Ok(new)
    }

    /// Writes the sums kept for the end; returns how many tallies were new.
    pub async fn finish(self, tx: &mut WriteTx) -> StorageResult<u64> {
        let sums: Vec<_> = self.sums.into_iter().collect();
        for part in sums.chunks(500) {
            let mut sql =
                String::from("INSERT INTO tally_days (facility_id, metric, day, total) VALUES ");
            for i in 0..part.len() {
                if i > 0 {
                    sql.push(',');
                }
                // SQLite: anonymous `?` (see `TallyChunk`): sqlx looks `$n`
                // names up one by one, which on 2,000 of them took most of
                // a ten-million-tally import (bench/RESULTS.md, Dashboards).
                match tx.engine() {
                    Engine::Sqlite => sql.push_str("(?, ?, ?, ?)"),
                    Engine::Postgres => {
                        let n = 4 * i;
                        sql.push_str(&format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4));
                    }
                }
            }
            sql.push(' ');
            sql.push_str(ADD_TO_SUM);
            let mut query = sqlx::query(&sql);
            for ((facility, metric, day), amount) in part {
                query = query
                    .bind(*facility)
                    .bind(metric.as_str())
                    .bind(day.to_string())
                    .bind(*amount);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(self.inserted)
    }
}

/// Binds one more value.
fn add<T>(arguments: &mut AnyArguments<'static>, value: T) -> StorageResult<()>
where
    T: 'static + Send + sqlx::Encode<'static, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    arguments
        .add(value)
        .map_err(|e| StorageError::Database(anyhow::anyhow!(e)))
}

/// A tally's moment as stored: UTC, milliseconds, `Z`.
fn moment_text(t: &Tally) -> String {
    t.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `[["id",facility,"at","day","metric",amount],…]`, written by hand
/// because this is the import's inner loop: metric codes are lowercase
/// letters and `_` (checked by their type), the moment and day digits and
/// punctuation, and a checked id letters, digits, `-` and `_`; any other
/// id is escaped by serde_json.
fn tallies_json(tallies: &[Tally], out: &mut String) {
    use std::fmt::Write;
    out.push('[');
    for (i, t) in tallies.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let plain =
            t.id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        out.push('[');
        if plain {
            out.push('"');
            out.push_str(&t.id);
            out.push('"');
        } else {
            out.push_str(&serde_json::Value::from(t.id.as_str()).to_string());
        }
        let _ = write!(
            out,
            ",{},\"{}\",\"{}\",\"{}\",{}]",
            t.facility_id,
            moment_text(t),
            t.day(),
            t.metric.as_str(),
            t.amount
        );
    }
    out.push(']');
}

impl TallyChunk {
    pub fn new(engine: Engine, tallies: &[Tally], recorded_by: &str) -> StorageResult<TallyChunk> {
        let now = now_text();
        let mut arguments = AnyArguments::default();
        let mut sums = Vec::new();
        let sql = match engine {
            Engine::Sqlite => {
                // Who and when once, then two values a tally (see the type's
                // comment): `at day metric|id` and `facility << 10 | amount`.
                let mut sql = String::with_capacity(6 * tallies.len() + 500);
                sql.push_str("WITH p (recorded_by, recorded_at) AS (SELECT ?, ?) ");
                sql.push_str(COLUMNS);
                sql.push_str(
                    "SELECT substr(column1, instr(column1, '|') + 1), column2 >> 10, \
                     substr(column1, 1, 24), substr(column1, 25, 10), \
                     substr(column1, 35, instr(column1, '|') - 35), column2 & 1023, \
                     p.recorded_by, p.recorded_at FROM p, (VALUES ",
                );
                for i in 0..tallies.len() {
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str("(?,?)");
                }
                // `WHERE true`: SQLite's upsert after a SELECT needs it.
                sql.push_str(") WHERE true ON CONFLICT (id) DO NOTHING");
                arguments.reserve(2 + 2 * tallies.len(), 80 * tallies.len());
                add(&mut arguments, recorded_by.to_string())?;
                add(&mut arguments, now.clone())?;
                for t in tallies {
                    let moment = moment_text(t);
                    let packs = (0..1 << 52).contains(&t.facility_id)
                        && (1..1024).contains(&t.amount)
                        && moment.len() == 24;
                    if !packs {
                        return Err(StorageError::Database(anyhow::anyhow!(
                            "tally {} cannot be stored: facility {}, amount {}, moment {moment}",
                            t.id,
                            t.facility_id,
                            t.amount
                        )));
                    }
                    let day = t.day();
                    add(
                        &mut arguments,
                        format!("{moment}{day}{}|{}", t.metric.as_str(), t.id),
                    )?;
                    add_to_day(&mut sums, t, day);
                    add(&mut arguments, t.facility_id << 10 | t.amount)?;
                }
                sql
            }
            Engine::Postgres => {
                let mut json = String::with_capacity(100 * tallies.len());
                tallies_json(tallies, &mut json);
                add(&mut arguments, recorded_by.to_string())?;
                add(&mut arguments, now.clone())?;
                add(&mut arguments, json)?;
                for t in tallies {
                    add_to_day(&mut sums, t, t.day());
                }
                format!(
                    "WITH new AS ({COLUMNS} \
                     SELECT e ->> 0, CAST(e ->> 1 AS BIGINT), e ->> 2, e ->> 3, \
                     e ->> 4, CAST(e ->> 5 AS BIGINT), $1, $2 \
                     FROM json_array_elements(CAST($3 AS JSON)) AS e \
                     ON CONFLICT (id) DO NOTHING \
                     RETURNING facility_id, metric, day, amount), \
                     days AS ({ADD_TO_DAYS} new {GROUP_BY_DAY} {ADD_TO_SUM}) \
                     SELECT COUNT(*) FROM new"
                )
            }
        };
        Ok(TallyChunk {
            sql,
            arguments,
            len: tallies.len(),
            sums,
        })
    }
}

fn metric_from_row(row: &AnyRow) -> StorageResult<Metric> {
    let corrupt = |what: &str, v: &str| {
        StorageError::Database(anyhow::anyhow!("stored metric {what} '{v}' is not valid"))
    };
    let text = |column: &str| -> StorageResult<String> { Ok(row.try_get(column)?) };
    let code = text("code")?;
    let (period, aggregation, counts) = (text("period")?, text("aggregation")?, text("counts")?);
    Ok(Metric {
        code: MetricCode::parse(&code).map_err(|_| corrupt("code", &code))?,
        name_nl: text("name_nl")?,
        name_en: text("name_en")?,
        unit: text("unit")?,
        period: PeriodKind::parse(&period).ok_or_else(|| corrupt("period", &period))?,
        aggregation: Aggregation::parse(&aggregation)
            .ok_or_else(|| corrupt("aggregation", &aggregation))?,
        counts: Counts::parse(&counts).ok_or_else(|| corrupt("counts", &counts))?,
        services: ServiceSet::from_bits(row.try_get("services")?),
        retired_at: row.try_get("retired_at")?,
    })
}

impl Store {
    /// Adds the shipped metrics that are missing (a retired one stays retired).
    pub async fn ensure_default_metrics(&self) -> StorageResult<()> {
        let mut conn = self.pool().acquire().await?;
        for metric in default_metrics() {
            Store::insert_metric(&mut conn, &metric, true).await?;
        }
        Ok(())
    }

    /// Every metric, retired ones included, by code.
    pub async fn metrics(&self) -> StorageResult<Vec<Metric>> {
        let rows = sqlx::query(&format!("{SELECT_METRIC} ORDER BY code"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(metric_from_row).collect()
    }

    /// Adds a metric; with `if_missing`, an existing code is left as it is,
    /// otherwise it is a conflict on `metrics_pkey`.
    pub async fn insert_metric(
        conn: &mut AnyConnection,
        metric: &Metric,
        if_missing: bool,
    ) -> StorageResult<bool> {
        let sql = format!(
            "INSERT INTO metrics (code, name_nl, name_en, unit, period, aggregation, counts, \
             services, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9){}",
            if if_missing {
                " ON CONFLICT (code) DO NOTHING"
            } else {
                ""
            }
        );
        let done = sqlx::query(&sql)
            .bind(metric.code.as_str())
            .bind(metric.name_nl.as_str())
            .bind(metric.name_en.as_str())
            .bind(metric.unit.as_str())
            .bind(metric.period.code())
            .bind(metric.aggregation.code())
            .bind(metric.counts.code())
            .bind(metric.services.bits())
            .bind(now_text())
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Retires a metric: it takes no new values; its data stays. False
    /// when there is no such metric or it was retired already.
    pub async fn retire_metric(conn: &mut AnyConnection, code: &MetricCode) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE metrics SET retired_at = $1 WHERE code = $2 AND retired_at IS NULL",
        )
        .bind(now_text())
        .bind(code.as_str())
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores tallies whose ids are new (a retry of a stored id counts
    /// nothing), adds them to their days' sums (`tally_days`) and says how
    /// many were new, a statement per [`TALLY_CHUNK`] tallies.
    pub async fn insert_tallies(
        tx: &mut WriteTx,
        tallies: &[Tally],
        recorded_by: &str,
    ) -> StorageResult<u64> {
        let mut writer = TallyWriter::default();
        for chunk in tallies.chunks(TALLY_CHUNK) {
            let chunk = TallyChunk::new(tx.engine(), chunk, recorded_by)?;
            writer.insert(tx, chunk).await?;
        }
        writer.finish(tx).await
    }

    /// Readies a transaction for a large insert: on SQLite a page cache
    /// of up to 64 MB for this connection (instead of 2 MB), so that pages
    /// of the id index are not written to the WAL and read back again while
    /// the transaction runs when ids come in no order (a file with its own
    /// ids: 8.2 s for a million rows with 2 MB, 5.1 s with 64 MB); memory
    /// is taken only as pages are used. [`Store::end_bulk_write`] sets it
    /// back before the commit.
    pub async fn bulk_write(tx: &mut WriteTx) -> StorageResult<()> {
        Store::cache_size(tx, -65_536).await
    }

    /// Sets the page cache that [`Store::bulk_write`] widened back to
    /// SQLite's default of 2 MB.
    pub async fn end_bulk_write(tx: &mut WriteTx) -> StorageResult<()> {
        Store::cache_size(tx, -2_000).await
    }

    async fn cache_size(tx: &mut WriteTx, kib: i64) -> StorageResult<()> {
        if tx.engine() == Engine::Sqlite {
            // A number: PRAGMA takes no parameters.
            sqlx::query(&format!("PRAGMA cache_size = {kib}"))
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// A facility's tallies per metric over the Dutch days `from` (inclusive)
    /// to `until` (exclusive): what a period's report is prefilled with.
    pub async fn tally_sums(
        &self,
        facility_id: i64,
        from: NaiveDate,
        until: NaiveDate,
    ) -> StorageResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT metric, CAST(SUM(total) AS BIGINT) AS total FROM tally_days \
             WHERE facility_id = $1 AND day >= $2 AND day < $3 GROUP BY metric ORDER BY metric",
        )
        .bind(facility_id)
        .bind(from.to_string())
        .bind(until.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("metric")?, r.try_get("total")?)))
            .collect()
    }
}
