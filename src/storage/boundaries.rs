//! Municipal boundaries (`municipality_boundaries`, migration 0011): one
//! row per CBS code with its geometry as compact JSON, polygons → rings →
//! `[lon, lat]`. An import replaces the whole set inside the caller's
//! transaction, so readers see the old set or the new one, never a mix.

use sqlx::{AnyConnection, Row};

use super::{now_text, Store};
use crate::domain::boundary::{Boundary, BoundarySet, Polygon};
use crate::storage::error::{StorageError, StorageResult};

/// The geometry as stored: `[[[[4.8,52.3],[5.0,52.3],…]]]`.
fn geometry_json(geometry: &[Polygon]) -> StorageResult<String> {
    serde_json::to_string(geometry).map_err(|e| StorageError::Database(e.into()))
}

fn geometry_from(code: &str, text: &str) -> StorageResult<Vec<Polygon>> {
    serde_json::from_str(text).map_err(|e| {
        StorageError::Database(anyhow::anyhow!(
            "the stored boundary of {code} is not a geometry: {e}"
        ))
    })
}

impl Store {
    /// Every stored boundary, by code.
    pub async fn boundaries(&self) -> StorageResult<Vec<Boundary>> {
        let rows =
            sqlx::query("SELECT code, name, geometry FROM municipality_boundaries ORDER BY code")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("code")?;
                let geometry: String = row.try_get("geometry")?;
                Ok(Boundary {
                    geometry: geometry_from(&code, &geometry)?,
                    name: row.try_get("name")?,
                    code,
                })
            })
            .collect()
    }

    /// How many boundaries are stored, from which source, since when;
    /// `None` when none are.
    pub async fn boundary_set(&self) -> StorageResult<Option<BoundarySet>> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(source) AS source, MAX(imported_at) AS imported_at \
             FROM municipality_boundaries",
        )
        .fetch_one(self.pool())
        .await?;
        let count: i64 = row.try_get("n")?;
        if count == 0 {
            return Ok(None);
        }
        Ok(Some(BoundarySet {
            count: usize::try_from(count).unwrap_or_default(),
            source: row.try_get("source")?,
            imported_at: row.try_get("imported_at")?,
        }))
    }

    /// Replaces every stored boundary with `boundaries` (in the caller's
    /// transaction); returns how many there were before.
    pub async fn replace_boundaries(
        conn: &mut AnyConnection,
        boundaries: &[Boundary],
        source: &str,
    ) -> StorageResult<usize> {
        let before = sqlx::query("DELETE FROM municipality_boundaries")
            .execute(&mut *conn)
            .await?
            .rows_affected();
        let imported_at = now_text();
        for boundary in boundaries {
            sqlx::query(
                "INSERT INTO municipality_boundaries (code, name, geometry, source, imported_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(boundary.code.as_str())
            .bind(boundary.name.as_str())
            .bind(geometry_json(&boundary.geometry)?)
            .bind(source)
            .bind(imported_at.as_str())
            .execute(&mut *conn)
            .await?;
        }
        Ok(usize::try_from(before).unwrap_or_default())
    }
}
