//! `vangnet contacts import FILE [--dry-run]`: the file through
//! `campaigns::contacts::import`, its report printed; the exit code fails
//! when any row is refused (and then nothing was written).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use super::commands::cli_actor;
use crate::campaigns::contacts::import::{import_contacts, ContactImportOptions};
use crate::domain::date::today;
use crate::storage::Store;

pub(super) async fn import(
    file: &Path,
    dry_run: bool,
    by: Option<String>,
    database: &str,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = Store::connect(database).await?;
    let options = ContactImportOptions {
        dry_run,
        actor: cli_actor(by),
        file_name: file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        today: today(),
    };
    let report = import_contacts(&store, &bytes, &options).await?;
    print!("{report}");
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
