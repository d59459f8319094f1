//! Organisations and their version history.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::history::{
    record_change, record_creation, recorded_from_row, validity_from_row, VersionRow, Versioned,
};
use super::read::{BrokenRow, Columns};
use super::write::WriteTx;
use super::{date_text, now_text, SqlBuilder, Store, END};
use crate::domain::date::Day;
use crate::domain::geo::normalize_name;
use crate::domain::organisation::{Organisation, OrganisationFields, OrganisationKind};
use crate::domain::provenance::{Actor, Change};
use crate::storage::error::{StorageError, StorageResult};

const ORGANISATION_VERSIONS: Versioned = Versioned {
    table: "organisation_versions",
    owner_column: "organisation_id",
    noun: "organisation",
};

pub(super) const SELECT: &str =
    "SELECT organisation_id, version, valid_from, valid_to, recorded_at, \
    recorded_by, source_kind, source_detail, verified_on, change_note, name, kind, website, \
    contact_name, contact_email, contact_phone, notes FROM organisation_versions ";

pub(super) fn organisation_from_row(row: &AnyRow) -> Result<Organisation, BrokenRow> {
    let c = Columns::new(row, "organisation", "organisation_id", Some("version"));
    Ok(Organisation {
        id: c.id(),
        fields: OrganisationFields {
            name: c.required_text("name")?,
            kind: c
                .parsed("kind", |k| {
                    OrganisationKind::parse(k).ok_or("is not an organisation kind")
                })?
                .ok_or_else(|| c.broken("kind", "NULL", "is empty"))?,
            website: c.text("website")?,
            contact_name: c.text("contact_name")?,
            contact_email: c.text("contact_email")?,
            contact_phone: c.text("contact_phone")?,
            notes: c.text("notes")?,
        },
        recorded: recorded_from_row(&c)?,
        validity: validity_from_row(&c)?,
    })
}

/// Organisations from rows: the broken ones logged and left out.
fn readable(rows: &[AnyRow]) -> Vec<Organisation> {
    rows.iter()
        .filter_map(|row| {
            organisation_from_row(row)
                .map_err(|broken| broken.log())
                .ok()
        })
        .collect()
}

fn push_scope(sql: &mut SqlBuilder, as_of: Option<NaiveDate>) {
    match as_of {
        Some(day) => {
            let day = date_text(day);
            sql.push("WHERE valid_from <= ")
                .text(day.clone())
                .push(" AND valid_to > ")
                .text(day);
        }
        None => {
            sql.push("WHERE valid_to = ").text(END);
        }
    }
}

impl Store {
    /// Every organisation version that cannot be read.
    pub(super) async fn broken_organisations(&self) -> StorageResult<Vec<BrokenRow>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY organisation_id, version"))
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .filter_map(|row| organisation_from_row(row).err())
            .collect())
    }

    /// All organisations as of a day (or their current versions), by name.
    pub async fn list_organisations(
        &self,
        as_of: Option<NaiveDate>,
    ) -> StorageResult<Vec<Organisation>> {
        let mut sql = SqlBuilder::new(SELECT);
        push_scope(&mut sql, as_of);
        sql.push(" ORDER BY name_key, organisation_id");
        let rows = sql.query().fetch_all(self.pool()).await?;
        Ok(readable(&rows))
    }

    pub async fn organisation(
        &self,
        id: i64,
        as_of: Option<NaiveDate>,
    ) -> StorageResult<Option<Organisation>> {
        select_one(self.pool(), id, as_of).await
    }

    pub async fn organisation_history(&self, id: i64) -> StorageResult<Vec<Organisation>> {
        let mut sql = SqlBuilder::new(SELECT);
        sql.push("WHERE organisation_id = ")
            .int(id)
            .push(" ORDER BY version");
        let rows = sql.query().fetch_all(self.pool()).await?;
        Ok(readable(&rows))
    }

    /// Current organisations by normalised name, for matching spreadsheet rows.
    pub async fn organisation_ids_by_name(
        conn: &mut AnyConnection,
    ) -> StorageResult<HashMap<String, i64>> {
        let rows = sqlx::query(
            "SELECT name_key, organisation_id FROM organisation_versions WHERE valid_to = $1",
        )
        .bind(END)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("name_key")?, row.try_get("organisation_id")?)))
            .collect()
    }

    /// Current organisations by normalised name, on a connection of the pool.
    pub async fn organisations_by_name(&self) -> StorageResult<HashMap<String, i64>> {
        let mut conn = self.pool().acquire().await?;
        Store::organisation_ids_by_name(&mut conn).await
    }

    /// Whether an organisation exists (has a current version).
    pub async fn organisation_exists(conn: &mut AnyConnection, id: i64) -> StorageResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT organisation_id FROM organisation_versions WHERE organisation_id = $1 AND valid_to = $2",
        )
        .bind(id)
        .bind(END)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(found.is_some())
    }

    pub async fn create_organisation(
        tx: &mut WriteTx,
        fields: &OrganisationFields,
        change: &Change,
        actor: &Actor,
    ) -> StorageResult<i64> {
        let now = now_text();
        let id: i64 =
            sqlx::query_scalar("INSERT INTO organisations (created_at) VALUES ($1) RETURNING id")
                .bind(now.as_str())
                .fetch_one(&mut **tx)
                .await?;
        record_creation(tx, id, fields, change, actor, &now).await?;
        Ok(id)
    }

    /// The current version of an organisation, inside a write transaction.
    pub async fn organisation_in(tx: &mut WriteTx, id: i64) -> StorageResult<Option<Organisation>> {
        select_one(&mut **tx, id, None).await
    }

    /// Records a change to an organisation whose current version is `current`.
    pub async fn update_organisation(
        tx: &mut WriteTx,
        current: &Organisation,
        fields: &OrganisationFields,
        change: &Change,
        actor: &Actor,
        today: NaiveDate,
    ) -> StorageResult<()> {
        let effective = change
            .effective_from
            .map_or_else(|| date_text(today), Day::iso);
        let before = current.fields.audit_json(&Change {
            source: current.recorded.source.clone(),
            verified_on: current.recorded.verified_on,
            note: current.recorded.note.clone(),
            effective_from: None,
        });
        record_change(
            tx,
            current.id,
            &current.validity,
            before,
            fields,
            change,
            actor,
            &effective,
            &now_text(),
        )
        .await?;
        Ok(())
    }
}

/// One organisation as of a day (or its current version), on a pool or in a transaction.
async fn select_one<'e, E>(
    executor: E,
    id: i64,
    as_of: Option<NaiveDate>,
) -> StorageResult<Option<Organisation>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mut sql = SqlBuilder::new(SELECT);
    push_scope(&mut sql, as_of);
    sql.push(" AND organisation_id = ").int(id);
    let row = sql.query().fetch_optional(executor).await?;
    row.as_ref()
        .map(|r| organisation_from_row(r).map_err(StorageError::Broken))
        .transpose()
}

impl VersionRow for OrganisationFields {
    const TABLE: Versioned = ORGANISATION_VERSIONS;

    async fn insert(
        &self,
        tx: &mut WriteTx,
        organisation_id: i64,
        version: i64,
        valid_from: &str,
        valid_to: &str,
        change: &Change,
        actor: &Actor,
        now: &str,
    ) -> StorageResult<()> {
        sqlx::query(
            "INSERT INTO organisation_versions (organisation_id, version, valid_from, valid_to, \
         recorded_at, recorded_by, source_kind, source_detail, verified_on, change_note, name, \
         name_key, kind, website, contact_name, contact_email, contact_phone, notes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(organisation_id)
        .bind(version)
        .bind(valid_from)
        .bind(valid_to)
        .bind(now)
        .bind(actor.name.as_str())
        .bind(change.source.kind.code())
        .bind(change.source.detail.as_deref())
        .bind(change.verified_on.map(Day::iso))
        .bind(change.note.as_deref())
        .bind(self.name.as_str())
        .bind(normalize_name(&self.name))
        .bind(self.kind.code())
        .bind(self.website.as_deref())
        .bind(self.contact_name.as_deref())
        .bind(self.contact_email.as_deref())
        .bind(self.contact_phone.as_deref())
        .bind(self.notes.as_deref())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    fn audit_json(&self, change: &Change) -> serde_json::Value {
        let mut input = self.to_input();
        input.source = Some(change.source.to_string());
        input.verified_on = change.verified_on.map(Day::date);
        input.change_note = change.note.clone();
        input.effective_from = change.effective_from.map(Day::date);
        serde_json::to_value(input).unwrap_or(serde_json::Value::Null)
    }
}
