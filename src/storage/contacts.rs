//! Contacts (migration 0013): one row per person at an organisation whom a
//! campaign may mail. Changes overwrite the row: a contact's past name or
//! address is personal data nobody needs, and the audit log says who
//! changed which field when (without the values, see `domain::contact`).
//! Erasing empties the personal fields and keeps the row.
//!
//! Writes take a transaction of the caller's (`Writes::Audit`: contacts are
//! not register versions), so that the change and its audit entry are one.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::write::WriteTx;
use super::{date_text, now_text, parse_stored_date, SqlBuilder, Store};
use crate::domain::contact::{Contact, ContactDraft, EmailAddress, Person};
use crate::domain::phone::PhoneNumber;
use crate::storage::error::{StorageError, StorageResult};

const SELECT: &str = "SELECT id, organisation_id, name, role, email, phone, opted_out_on, \
    created_at, updated_at, erased_at FROM contacts ";

/// Which contacts a list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactFilter {
    /// Only this organisation's.
    pub organisation_id: Option<i64>,
    /// Erased contacts too (they have no personal fields left).
    pub erased: bool,
}

fn broken(id: i64, column: &str, why: impl std::fmt::Display) -> StorageError {
    StorageError::Database(anyhow::anyhow!(
        "stored contact {id}: {column} cannot be read: {why}"
    ))
}

fn contact_from_row(row: &AnyRow) -> StorageResult<Contact> {
    let id: i64 = row.try_get("id")?;
    let erased_at: Option<String> = row.try_get("erased_at")?;
    let person = match erased_at {
        Some(_) => None,
        None => {
            let email: String = row.try_get("email")?;
            let phone: Option<String> = row.try_get("phone")?;
            Some(Person {
                name: row.try_get("name")?,
                role: row.try_get("role")?,
                email: EmailAddress::parse(&email).map_err(|e| broken(id, "email", e))?,
                phone: phone
                    .map(|p| PhoneNumber::parse(&p).map_err(|e| broken(id, "phone", e)))
                    .transpose()?,
            })
        }
    };
    Ok(Contact {
        id,
        organisation_id: row.try_get("organisation_id")?,
        person,
        opted_out_on: parse_stored_date(row.try_get("opted_out_on")?, "opted_out_on")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        erased_at,
    })
}

/// A refused write on the unique address: someone else has it.
fn address_taken(error: sqlx::Error) -> StorageError {
    match StorageError::from(error) {
        StorageError::Conflict { constraint, .. } => StorageError::Conflict {
            constraint,
            reason: crate::domain::Reason::of("contacts.error.email_taken", &[]),
        },
        other => other,
    }
}

impl Store {
    /// The organisations a campaign can reach: with a contact that is not
    /// erased and has not opted out.
    pub async fn organisations_with_contacts(
        &self,
    ) -> StorageResult<std::collections::HashSet<i64>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT organisation_id FROM contacts \
             WHERE erased_at IS NULL AND opted_out_on IS NULL",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().collect())
    }

    /// Contacts by organisation, then name (erased ones last in their organisation).
    pub async fn list_contacts(&self, filter: ContactFilter) -> StorageResult<Vec<Contact>> {
        let mut conn = self.pool().acquire().await?;
        Store::contacts_in(&mut conn, filter).await
    }

    /// Contacts on a connection (a write transaction's, for an import).
    pub async fn contacts_in(
        conn: &mut AnyConnection,
        filter: ContactFilter,
    ) -> StorageResult<Vec<Contact>> {
        let mut sql = SqlBuilder::new(SELECT);
        sql.push("WHERE 1 = 1");
        if let Some(id) = filter.organisation_id {
            sql.push(" AND organisation_id = ").int(id);
        }
        if !filter.erased {
            sql.push(" AND erased_at IS NULL");
        }
        sql.push(" ORDER BY organisation_id, erased_at IS NOT NULL, lower(name), id");
        let rows = sql.query().fetch_all(&mut *conn).await?;
        rows.iter().map(contact_from_row).collect()
    }

    /// One contact, erased or not.
    pub async fn contact(&self, id: i64) -> StorageResult<Option<Contact>> {
        let mut conn = self.pool().acquire().await?;
        Store::contact_on(&mut conn, id).await
    }

    /// One contact inside a write transaction.
    pub async fn contact_in(tx: &mut WriteTx, id: i64) -> StorageResult<Option<Contact>> {
        Store::contact_on(tx, id).await
    }

    async fn contact_on(conn: &mut AnyConnection, id: i64) -> StorageResult<Option<Contact>> {
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(contact_from_row).transpose()
    }

    /// Adds a contact; its opt-out day is `opted_out_on`.
    pub async fn insert_contact(
        tx: &mut WriteTx,
        draft: &ContactDraft,
        opted_out_on: Option<chrono::NaiveDate>,
    ) -> StorageResult<i64> {
        let now = now_text();
        let p = &draft.person;
        sqlx::query_scalar(
            "INSERT INTO contacts (organisation_id, name, role, email, email_key, phone, \
             opted_out_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             RETURNING id",
        )
        .bind(draft.organisation_id)
        .bind(p.name.as_str())
        .bind(p.role.as_deref())
        .bind(p.email.as_str())
        .bind(p.email.key())
        .bind(p.phone.as_ref().map(PhoneNumber::as_str))
        .bind(opted_out_on.map(date_text))
        .bind(now.as_str())
        .fetch_one(&mut **tx)
        .await
        .map_err(address_taken)
    }

    /// Overwrites a contact that is not erased.
    pub async fn update_contact(
        tx: &mut WriteTx,
        id: i64,
        draft: &ContactDraft,
        opted_out_on: Option<chrono::NaiveDate>,
    ) -> StorageResult<()> {
        let p = &draft.person;
        let done = sqlx::query(
            "UPDATE contacts SET organisation_id = $1, name = $2, role = $3, email = $4, \
             email_key = $5, phone = $6, opted_out_on = $7, updated_at = $8 \
             WHERE id = $9 AND erased_at IS NULL",
        )
        .bind(draft.organisation_id)
        .bind(p.name.as_str())
        .bind(p.role.as_deref())
        .bind(p.email.as_str())
        .bind(p.email.key())
        .bind(p.phone.as_ref().map(PhoneNumber::as_str))
        .bind(opted_out_on.map(date_text))
        .bind(now_text())
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(address_taken)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound(format!(
                "contact {id} does not exist"
            )));
        }
        Ok(())
    }

    /// Empties a contact's personal fields and marks it erased; the row,
    /// its organisation and its opt-out stay.
    pub async fn erase_contact(tx: &mut WriteTx, id: i64) -> StorageResult<()> {
        let now = now_text();
        let done = sqlx::query(
            "UPDATE contacts SET name = NULL, role = NULL, email = NULL, email_key = NULL, \
             phone = NULL, erased_at = $1, updated_at = $1 WHERE id = $2 AND erased_at IS NULL",
        )
        .bind(now.as_str())
        .bind(id)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound(format!(
                "contact {id} does not exist"
            )));
        }
        Ok(())
    }
}
