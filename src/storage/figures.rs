//! Published figures (counts others published, with their sources), keyed
//! by key + scope + period so that loading a file again changes nothing.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{now_text, Store};
use crate::domain::figure::{FigureQualifier, FigureValue, PublishedFigure};
use crate::storage::error::{StorageError, StorageResult};

/// What storing a figure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Created,
    Updated,
    Unchanged,
}

const SELECT: &str =
    "SELECT key, scope, period, value_text, qualifier, unit, source, source_nl, note \
    FROM published_figures ";

fn figure_from_row(row: &AnyRow) -> StorageResult<PublishedFigure> {
    let value: String = row.try_get("value_text")?;
    let qualifier: String = row.try_get("qualifier")?;
    let corrupt = |what: &str, v: &str| {
        StorageError::Database(anyhow::anyhow!("stored figure {what} '{v}' is not valid"))
    };
    Ok(PublishedFigure {
        key: row.try_get("key")?,
        scope: row.try_get("scope")?,
        period: row.try_get("period")?,
        value: FigureValue::parse(&value).map_err(|_| corrupt("value", &value))?,
        qualifier: FigureQualifier::parse(&qualifier)
            .ok_or_else(|| corrupt("qualifier", &qualifier))?,
        unit: row.try_get("unit")?,
        source: row.try_get("source")?,
        source_nl: row.try_get("source_nl")?,
        note: row.try_get("note")?,
    })
}

impl Store {
    /// Stores a figure by its key, scope and period: new, changed or the same.
    pub async fn store_figure(
        conn: &mut AnyConnection,
        figure: &PublishedFigure,
    ) -> StorageResult<Stored> {
        let existing = sqlx::query(&format!(
            "{SELECT} WHERE key = $1 AND scope = $2 AND period = $3"
        ))
        .bind(figure.key.as_str())
        .bind(figure.scope.as_str())
        .bind(figure.period.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        let stored = match existing.as_ref().map(figure_from_row).transpose()? {
            Some(old) if old == *figure => return Ok(Stored::Unchanged),
            Some(_) => Stored::Updated,
            None => Stored::Created,
        };
        let (low, high) = figure.value.bounds();
        sqlx::query(
            "INSERT INTO published_figures (key, scope, period, value_text, value_low, value_high, \
             qualifier, unit, source, note, imported_at, source_nl) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (key, scope, period) DO UPDATE SET value_text = excluded.value_text, \
             value_low = excluded.value_low, value_high = excluded.value_high, \
             qualifier = excluded.qualifier, unit = excluded.unit, source = excluded.source, \
             note = excluded.note, imported_at = excluded.imported_at, \
             source_nl = excluded.source_nl",
        )
        .bind(figure.key.as_str())
        .bind(figure.scope.as_str())
        .bind(figure.period.as_str())
        .bind(figure.value.text())
        .bind(low)
        .bind(high)
        .bind(figure.qualifier.code())
        .bind(figure.unit.as_deref())
        .bind(figure.source.as_str())
        .bind(figure.note.as_deref())
        .bind(now_text())
        .bind(figure.source_nl.as_deref())
        .execute(&mut *conn)
        .await?;
        Ok(stored)
    }

    /// The figures with this key (all when `None`), by key, scope and period.
    pub async fn published_figures(
        &self,
        key: Option<&str>,
    ) -> StorageResult<Vec<PublishedFigure>> {
        let rows = match key {
            Some(key) => {
                sqlx::query(&format!(
                    "{SELECT} WHERE key = $1 ORDER BY key, scope, period"
                ))
                .bind(key)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!("{SELECT} ORDER BY key, scope, period"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(figure_from_row).collect()
    }
}
