//! What each subcommand does.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{Command, ExportCommand, ImportCommand, ReportCommand, ReportFormat, TokenCommand};
use crate::app::Server;
use crate::domain::date::today;
use crate::domain::facility::FacilityStatus;
use crate::domain::provenance::Actor;
use crate::formats::columns::ExportScope;
use crate::formats::{export_facilities, table1};
use crate::import::{import_facilities, ImportOptions};
use crate::storage::facilities::FacilityFilter;
use crate::storage::tokens::TOKEN_ROLES;
use crate::storage::{redact_url, Store};

pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { listen, db } => {
            let store = Store::connect(&db.database).await?;
            tracing::info!(database = %redact_url(&db.database), engine = store.engine().name(), "database ready");
            serve(&listen, store).await?;
        }
        Command::Demo { listen, file } => {
            let demo = crate::demo::prepare(&file).await?;
            let server = Server::bind(&listen, demo.store.clone()).await?;
            println!("{}", demo.banner(&file, server.local_addr()?));
            run_server(server).await?;
        }
        Command::Migrate { db } => {
            let store = Store::connect(&db.database).await?;
            println!(
                "database {} is up to date ({})",
                redact_url(&db.database),
                store.engine().name()
            );
        }
        Command::Import {
            what:
                ImportCommand::Facilities {
                    file,
                    dry_run,
                    by,
                    db,
                },
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let store = Store::connect(&db.database).await?;
            let actor = Actor(by.unwrap_or_else(|| {
                format!(
                    "cli:{}",
                    std::env::var("USER").unwrap_or_else(|_| "unknown".into())
                )
            }));
            let options = ImportOptions {
                dry_run,
                actor,
                file_name: file.file_name().map_or_else(
                    || file.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                today: today(),
            };
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message("writing");
            let progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let report = import_facilities(&store, &bytes, &options, &progress).await?;
            bar.finish_and_clear();
            print!("{report}");
            return Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::Export {
            what:
                ExportCommand::Facilities {
                    format,
                    as_of,
                    output,
                    public_only,
                    db,
                },
        } => {
            let day = parse_day(as_of.as_deref())?;
            let store = Store::connect(&db.database).await?;
            let scope = if public_only {
                ExportScope::Public
            } else {
                ExportScope::Full
            };
            let facilities = store
                .list_facilities(&FacilityFilter {
                    as_of: Some(day),
                    include_non_public: !public_only,
                    status: public_only.then_some(FacilityStatus::Open),
                    ..FacilityFilter::default()
                })
                .await?;
            let bytes = export_facilities(&facilities, day, format, scope)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "{} facilities as of {day} written to {}",
                        facilities.len(),
                        path.display()
                    );
                }
                None => std::io::stdout().write_all(&bytes)?,
            }
        }
        Command::Report {
            what: ReportCommand::Table1 { as_of, format, db },
        } => {
            let day = parse_day(as_of.as_deref())?;
            let store = Store::connect(&db.database).await?;
            let table = crate::reports::table1(&store, day).await?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&table)?),
                ReportFormat::Csv => std::io::stdout().write_all(&table1::to_csv(&table)?)?,
                ReportFormat::Md => print!("{}", table1::to_markdown(&table)),
            }
        }
        Command::Token { what } => return token(what).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(listen: &str, store: Store) -> anyhow::Result<()> {
    run_server(Server::bind(listen, store).await?).await
}

async fn run_server(server: Server) -> anyhow::Result<()> {
    let address = server.local_addr()?;
    // Printed (not only logged) so scripts and tests can read the real port.
    println!("listening on http://{address}");
    tracing::info!(%address, "listening");
    server.run().await
}

fn parse_day(text: Option<&str>) -> anyhow::Result<chrono::NaiveDate> {
    match text {
        None => Ok(today()),
        Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .with_context(|| format!("--as-of: '{t}' is not a date; use YYYY-MM-DD")),
    }
}

async fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create { role, name, db } => {
            if !TOKEN_ROLES.contains(&role.as_str()) {
                anyhow::bail!(
                    "--role: '{role}' is not a token role (known: {})",
                    TOKEN_ROLES.join(", ")
                );
            }
            if name.trim().is_empty() {
                anyhow::bail!("--name: give the token a name");
            }
            let store = Store::connect(&db.database).await?;
            let (id, secret) = store.create_token(name.trim(), &role).await?;
            eprintln!(
                "token {id} '{}' (role {role}) created; it is shown only once:",
                name.trim()
            );
            println!("{secret}");
        }
        TokenCommand::List { db } => {
            let store = Store::connect(&db.database).await?;
            for t in store.list_tokens().await? {
                let state = t
                    .revoked_at
                    .map_or("active".to_string(), |at| format!("revoked {at}"));
                println!(
                    "{}\t{}\t{}\tcreated {}\t{state}",
                    t.id, t.name, t.role, t.created_at
                );
            }
        }
        TokenCommand::Revoke { id, db } => {
            let store = Store::connect(&db.database).await?;
            if !store.revoke_token(id).await? {
                anyhow::bail!("no active token has id {id}");
            }
            println!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}
