//! `vangnet import tallies FILE [--dry-run]`: the file streamed through
//! `monitoring::import`, with a progress bar over the file's bytes on a
//! terminal (indicatif draws nothing when stderr is not one, as for
//! `import facilities`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};

use super::commands::cli_actor;
use crate::domain::access::Principal;
use crate::monitoring::import::import_tallies;
use crate::storage::Store;

pub(super) async fn import(
    file: &Path,
    dry_run: bool,
    by: Option<String>,
    database: &str,
) -> anyhow::Result<ExitCode> {
    let input =
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let store = Store::connect(database).await?;
    let actor = cli_actor(by);
    let who = Principal::command_line(actor.name.clone());
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(if dry_run { "checking" } else { "importing" });
    let progress = |bytes: u64| bar.set_position(bytes);
    let report = import_tallies(
        &store,
        input,
        &name,
        dry_run,
        &who,
        &actor,
        Utc::now(),
        &progress,
    )
    .await?;
    bar.finish_and_clear();
    print!("{report}");
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
