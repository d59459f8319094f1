//! `vangnet round …`, `vangnet import figures`, `vangnet report table1` and
//! `vangnet report round`: inventory rounds from the command line. Whoever
//! holds the database may do everything (`Principal::command_line`); every
//! change is audited as `cli:$USER`.

use crate::domain::language::Language;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::commands::cli_actor;
use super::{ReportFile, RoundCommand};
use crate::domain::access::Principal;
use crate::domain::date::today;
use crate::domain::round::{OverrideInput, RoundInput};
use crate::formats::round_report::{self, ReportFormat};
use crate::formats::table1::{self, Table1Format};
use crate::http::error::AppError;
use crate::rounds;
use crate::rounds::report::Reader;
use crate::storage::Store;

/// Field errors as `--flag: message` lines; other errors as they are.
fn explain(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(errors) => anyhow::anyhow!(errors
            .iter()
            .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
            .collect::<Vec<_>>()
            .join("\n")),
        other => anyhow::Error::new(other),
    }
}

pub async fn round(command: RoundCommand) -> anyhow::Result<ExitCode> {
    let actor = cli_actor(None);
    let who = Principal::command_line(actor.name.clone());
    match command {
        RoundCommand::Create {
            name,
            date,
            services,
            db,
        } => {
            let store = Store::connect(&db.database).await?;
            let input = RoundInput {
                name: Some(name),
                reference_date: Some(date),
                services,
            };
            let round = rounds::create_round(&store, &input, &who, &actor)
                .await
                .map_err(|e| match e {
                    AppError::Invalid(mut errors) => {
                        for e in &mut errors {
                            if e.field == "reference_date" {
                                e.field = "date".into();
                            }
                        }
                        explain(AppError::Invalid(errors))
                    }
                    other => explain(other),
                })?;
            println!(
                "round {} created: counts {} on {}; open",
                round.name,
                round.scope.codes().join(", "),
                round.reference_date
            );
        }
        RoundCommand::List { db } => {
            let store = Store::connect(&db.database).await?;
            for r in store.list_rounds(false).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    r.name,
                    r.reference_date,
                    r.status.code(),
                    r.scope.codes().join(",")
                );
            }
        }
        RoundCommand::Close { name, db } => {
            let store = Store::connect(&db.database).await?;
            let round = rounds::close_round(&store, &name, &who, &actor, today())
                .await
                .map_err(explain)?;
            let table = crate::rounds::table1::round_table(&store, &round).await?;
            print!("{}", table1::to_markdown(&table, Language::Nl));
            eprintln!("round {name} closed: its counts are frozen");
        }
        RoundCommand::Reopen { name, reason, db } => {
            let store = Store::connect(&db.database).await?;
            rounds::reopen_round(&store, &name, Some(&reason), &who, &actor)
                .await
                .map_err(explain)?;
            println!("round {name} reopened: its counts are live again");
        }
        RoundCommand::Publish { name, db } => {
            let store = Store::connect(&db.database).await?;
            rounds::publish_round(&store, &name, &who, &actor)
                .await
                .map_err(explain)?;
            println!("round {name} published");
        }
        RoundCommand::SetCount {
            name,
            service,
            qualifier,
            value,
            note,
            source,
            db,
        } => {
            let store = Store::connect(&db.database).await?;
            let input = OverrideInput {
                service: Some(service),
                qualifier: Some(qualifier),
                value,
                note,
                source,
            };
            rounds::set_count(&store, &name, &input, &who, &actor)
                .await
                .map_err(explain)?;
            let table = crate::rounds::table1::table1_for_round(&store, &name).await?;
            print!("{}", table1::to_markdown(&table, Language::Nl));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn import_figures(store: &Store, file: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let report = rounds::import_figures(store, &bytes, &name, &cli_actor(None)).await?;
    print!("{report}");
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Table 1 of a round, or of the register on `day`.
pub async fn report_table1(
    store: &Store,
    round: Option<String>,
    day: Option<chrono::NaiveDate>,
    format: Table1Format,
    lang: &str,
    output: Option<PathBuf>,
) -> anyhow::Result<()> {
    let lang = Language::parse(lang).context("--lang: use nl or en")?;
    let table = match (round, day) {
        (Some(name), _) => crate::rounds::table1::table1_for_round(store, &name).await?,
        (None, Some(day)) => crate::rounds::table1::table1(store, day).await?,
        (None, None) => crate::rounds::table1::table1(store, today()).await?,
    };
    let bytes = table1::write(&table, format, lang)?;
    write_output(&bytes, output, "Table 1")
}

/// Writes a file to `output`, or to standard output without one.
fn write_output(bytes: &[u8], output: Option<PathBuf>, what: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("{what} written to {}", path.display());
        }
        None => std::io::stdout().write_all(bytes)?,
    }
    Ok(())
}

/// A round's report as HTML or XLSX. Reading a round that is not
/// published is audited, as on the pages. A workbook is not written to a
/// terminal: give `-o FILE` or redirect standard output.
pub async fn report_round(
    name: &str,
    format: ReportFormat,
    file: ReportFile,
) -> anyhow::Result<()> {
    let lang = Language::parse(&file.lang).context("--lang: use nl or en")?;
    if format == ReportFormat::Xlsx && file.output.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!(
            "--output: an XLSX workbook is not for a terminal; give -o FILE (such as -o {}) or redirect standard output",
            round_report::file_name(name, format)
        );
    }
    let store = Store::connect(&file.db.database).await?;
    let actor = cli_actor(None);
    let report = crate::rounds::report::read(&store, name, Reader::Staff(&actor)).await?;
    let bytes = round_report::write(&report, format, lang)?;
    write_output(&bytes, file.output, &format!("the report of round {name}"))
}
