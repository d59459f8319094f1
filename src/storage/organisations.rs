//! Organisations and their version history.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::audit::AuditEvent;
use super::history::{recorded_from_row, validity_from_row, Versioned};
use super::{date_text, now_text, SqlBuilder, Store, BEGINNING, END};
use crate::domain::organisation::{Organisation, OrganisationFields, OrganisationKind};
use crate::domain::provenance::{Actor, Change};
use crate::error::{AppError, AppResult};
use crate::geo::normalize_name;

const ORGANISATION_VERSIONS: Versioned = Versioned {
    table: "organisation_versions",
    owner_column: "organisation_id",
    noun: "organisation",
};

const SELECT: &str = "SELECT organisation_id, version, valid_from, valid_to, recorded_at, \
    recorded_by, source_kind, source_detail, verified_on, change_note, name, kind, website, \
    contact_name, contact_email, contact_phone, notes FROM organisation_versions ";

fn organisation_from_row(row: &AnyRow) -> AppResult<Organisation> {
    let text = |column: &str| row.try_get::<Option<String>, _>(column);
    let kind: String = row.try_get("kind")?;
    Ok(Organisation {
        id: row.try_get("organisation_id")?,
        fields: OrganisationFields {
            name: row.try_get("name")?,
            kind: OrganisationKind::parse(&kind).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("stored kind '{kind}' is not valid"))
            })?,
            website: text("website")?,
            contact_name: text("contact_name")?,
            contact_email: text("contact_email")?,
            contact_phone: text("contact_phone")?,
            notes: text("notes")?,
        },
        recorded: recorded_from_row(row)?,
        validity: validity_from_row(row)?,
    })
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
    /// All organisations as of a day (or their current versions), by name.
    pub async fn list_organisations(
        &self,
        as_of: Option<NaiveDate>,
    ) -> AppResult<Vec<Organisation>> {
        let mut sql = SqlBuilder::new(SELECT);
        push_scope(&mut sql, as_of);
        sql.push(" ORDER BY name_key, organisation_id");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(organisation_from_row).collect()
    }

    pub async fn organisation(
        &self,
        id: i64,
        as_of: Option<NaiveDate>,
    ) -> AppResult<Option<Organisation>> {
        select_one(self.pool(), id, as_of).await
    }

    pub async fn organisation_history(&self, id: i64) -> AppResult<Vec<Organisation>> {
        let mut sql = SqlBuilder::new(SELECT);
        sql.push("WHERE organisation_id = ")
            .int(id)
            .push(" ORDER BY version");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(organisation_from_row).collect()
    }

    /// Current organisations by normalised name, for matching spreadsheet rows.
    pub async fn organisation_ids_by_name(
        conn: &mut AnyConnection,
    ) -> AppResult<HashMap<String, i64>> {
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

    /// Whether an organisation exists (has a current version).
    pub async fn organisation_exists(conn: &mut AnyConnection, id: i64) -> AppResult<bool> {
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
        conn: &mut AnyConnection,
        fields: &OrganisationFields,
        change: &Change,
        actor: &Actor,
    ) -> AppResult<i64> {
        let now = now_text();
        let id: i64 =
            sqlx::query_scalar("INSERT INTO organisations (created_at) VALUES ($1) RETURNING id")
                .bind(now.as_str())
                .fetch_one(&mut *conn)
                .await?;
        insert_version(conn, id, 1, BEGINNING, fields, change, actor, &now).await?;
        let after = audit_json(fields, change);
        Store::append_audit(
            conn,
            &AuditEvent::new("create", actor, "organisation")
                .object(id)
                .after(Some(after)),
        )
        .await?;
        Ok(id)
    }

    pub async fn update_organisation(
        conn: &mut AnyConnection,
        id: i64,
        fields: &OrganisationFields,
        change: &Change,
        actor: &Actor,
        today: NaiveDate,
    ) -> AppResult<()> {
        let effective = date_text(change.effective_from.unwrap_or(today));
        let version = ORGANISATION_VERSIONS
            .end_current(conn, id, &effective)
            .await?;
        insert_version(
            conn,
            id,
            version,
            &effective,
            fields,
            change,
            actor,
            &now_text(),
        )
        .await
    }
}

/// One organisation as of a day (or its current version), on a pool or in a transaction.
async fn select_one<'e, E>(
    executor: E,
    id: i64,
    as_of: Option<NaiveDate>,
) -> AppResult<Option<Organisation>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mut sql = SqlBuilder::new(SELECT);
    push_scope(&mut sql, as_of);
    sql.push(" AND organisation_id = ").int(id);
    let row = sql.query().fetch_optional(executor).await?;
    row.as_ref().map(organisation_from_row).transpose()
}

/// An organisation version as the audit log shows it.
fn audit_json(fields: &OrganisationFields, change: &Change) -> serde_json::Value {
    let mut input = fields.to_input();
    input.source = Some(change.source.to_string());
    input.verified_on = change.verified_on;
    input.change_note = change.note.clone();
    input.effective_from = change.effective_from;
    serde_json::to_value(input).unwrap_or(serde_json::Value::Null)
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    conn: &mut AnyConnection,
    organisation_id: i64,
    version: i64,
    valid_from: &str,
    f: &OrganisationFields,
    change: &Change,
    actor: &Actor,
    now: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO organisation_versions (organisation_id, version, valid_from, valid_to, \
         recorded_at, recorded_by, source_kind, source_detail, verified_on, change_note, name, \
         name_key, kind, website, contact_name, contact_email, contact_phone, notes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(organisation_id)
    .bind(version)
    .bind(valid_from)
    .bind(END)
    .bind(now)
    .bind(actor.name.as_str())
    .bind(change.source.kind.code())
    .bind(change.source.detail.as_deref())
    .bind(change.verified_on.map(date_text))
    .bind(change.note.as_deref())
    .bind(f.name.as_str())
    .bind(normalize_name(&f.name))
    .bind(f.kind.code())
    .bind(f.website.as_deref())
    .bind(f.contact_name.as_deref())
    .bind(f.contact_email.as_deref())
    .bind(f.contact_phone.as_deref())
    .bind(f.notes.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
