//! Backups that restore: `vangnet backup` and `vangnet restore`.
//!
//! SQLite: `VACUUM INTO` writes a consistent snapshot while the server keeps
//! writing; a restore copies such a file into place where no database is
//! yet and runs the migrations, so an older backup is brought up to date.
//! PostgreSQL: its own tools do this best (`pg_dump --format=custom` reads
//! one snapshot while writers continue), so both commands print that
//! recipe instead.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};

use crate::storage::{normalize_url, redact_url, Store};

/// What every SQLite database file starts with.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How to back up and restore a PostgreSQL database.
pub fn postgres_recipe(url: &str) -> String {
    let url = redact_url(url);
    format!(
        "PostgreSQL databases are backed up with PostgreSQL's own tools \
         (one consistent snapshot, while vangnet keeps writing):\n\
         \n  backup:   pg_dump --format=custom --file=vangnet.dump '{url}'\n\
         \n  restore into a new, empty database:\n\
         \x20           createdb NEWDB\n\
         \x20           pg_restore --exit-on-error --no-owner --dbname='postgres://…/NEWDB' vangnet.dump\n\
         \x20           vangnet migrate --database 'postgres://…/NEWDB'\n"
    )
}

/// The SQLite file a database URL names, or `None` for PostgreSQL.
fn sqlite_path(database: &str) -> Option<String> {
    let url = normalize_url(database);
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    Some(rest.split('?').next().unwrap_or(rest).to_string())
}

/// Writes a consistent copy of the database to `file`, which must not exist.
pub async fn backup(database: &str, file: &Path) -> anyhow::Result<()> {
    let Some(source) = sqlite_path(database) else {
        bail!("{}", postgres_recipe(database));
    };
    if !Path::new(&source).exists() {
        bail!("there is no database {source} to back up");
    }
    if file.exists() {
        bail!(
            "{} already exists; a backup is written to a new file only",
            file.display()
        );
    }
    let target = file
        .to_str()
        .with_context(|| format!("{} is not a UTF-8 path", file.display()))?;
    let store = Store::connect(database).await?;
    let result = store.vacuum_into(target).await;
    store.close().await;
    result.with_context(|| format!("cannot write the backup {}", file.display()))?;
    Ok(())
}

/// Restores `file` (made by `backup`) as the database, which must be empty:
/// its file missing or of length 0. Returns the restored, migrated store.
pub async fn restore(file: &Path, database: &str) -> anyhow::Result<Store> {
    let Some(target) = sqlite_path(database) else {
        bail!("{}", postgres_recipe(database));
    };
    let mut header = [0u8; 16];
    std::fs::File::open(file)
        .and_then(|mut f| f.read_exact(&mut header))
        .with_context(|| format!("cannot read the backup {}", file.display()))?;
    if &header != SQLITE_HEADER {
        bail!(
            "{} is not an SQLite backup made by vangnet backup",
            file.display()
        );
    }
    let target = Path::new(&target);
    let has_data = |path: &Path| {
        std::fs::metadata(path)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
    };
    if has_data(target) {
        bail!(
            "{} already holds a database; restore writes only into an empty one \
             (a missing or empty file), so nothing was changed",
            target.display()
        );
    }
    for side in ["-wal", "-journal"] {
        let mut name = target.as_os_str().to_owned();
        name.push(side);
        if has_data(Path::new(&name)) {
            bail!(
                "{} has a {side} file with data left beside it; restore writes only \
                 into an empty database, so nothing was changed",
                target.display()
            );
        }
    }
    // Copy beside the target, then move it into place in one step, so a
    // restore that stops halfway leaves no half-written database.
    let mut partial = target.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = Path::new(&partial);
    std::fs::copy(file, partial)
        .with_context(|| format!("cannot copy {} to {}", file.display(), partial.display()))?;
    std::fs::rename(partial, target)
        .with_context(|| format!("cannot move the restored database to {}", target.display()))?;
    let store = Store::connect(database).await?;
    if !store.integrity_ok().await? {
        bail!(
            "the restored database {} fails PRAGMA integrity_check",
            target.display()
        );
    }
    Ok(store)
}
