//! `vangnet import population FILE` and `vangnet import boundaries FILE`:
//! the reference data of the dashboards, through `dashboards::reference`.
//! Whoever holds the database may load them; the import is audited as
//! `cli:$USER`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use super::commands::cli_actor;
use crate::dashboards::reference;
use crate::storage::Store;

/// The file's bytes and its name as reports give it.
fn read(file: &Path) -> anyhow::Result<(Vec<u8>, String)> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((bytes, name))
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub(super) async fn import_population(file: &Path, database: &str) -> anyhow::Result<ExitCode> {
    let (bytes, name) = read(file)?;
    let store = Store::connect(database).await?;
    let report = reference::import_population(&store, &bytes, &name, &cli_actor(None)).await?;
    print!("{report}");
    Ok(exit(report.is_ok()))
}

pub(super) async fn import_boundaries(
    file: &Path,
    source: Option<&str>,
    database: &str,
) -> anyhow::Result<ExitCode> {
    let (bytes, name) = read(file)?;
    let store = Store::connect(database).await?;
    let report =
        reference::import_boundaries(&store, &bytes, &name, source, &cli_actor(None)).await?;
    print!("{report}");
    Ok(exit(report.is_ok()))
}
