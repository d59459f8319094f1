//! `vangnet report changes` and `vangnet report spread`.

use crate::domain::language::Language;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::commands::parse_day;
use super::{ReportCommand, StatsFormat};
use crate::domain::hours::date_in_words;
use crate::domain::service::ServiceType;
use crate::formats::stats;
use crate::storage::Store;

/// A required day (YYYY-MM-DD) given as `flag`.
fn day(flag: &str, text: &str) -> anyhow::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("{flag}: '{text}' is not a date; use YYYY-MM-DD"))
}

pub(super) async fn report(command: ReportCommand) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout();
    match command {
        ReportCommand::Changes {
            from,
            to,
            from_round,
            to_round,
            service,
            format,
            db,
        } => {
            let service = service
                .map(|s| {
                    ServiceType::parse(&s).with_context(|| {
                        format!("--service: unknown service '{s}' (known: consumption_room, methadone_clinic, heroin_unit, syringe_exchange, paraphernalia, naloxone)")
                    })
                })
                .transpose()?;
            let store = Store::connect(&db.database).await?;
            let mut changes = match (from_round, to_round, from) {
                (Some(earlier), Some(later), _) => {
                    let earlier = crate::rounds::table1::round(&store, &earlier).await?;
                    let later = crate::rounds::table1::round(&store, &later).await?;
                    crate::stats::changes::changes_between_rounds(&store, &earlier, &later).await?
                }
                (_, _, Some(from)) => {
                    let from = day("--from", &from)?;
                    let to = match to {
                        Some(text) => day("--to", &text)?,
                        None => parse_day(None)?,
                    };
                    crate::stats::changes::changes(&store, from, to).await?
                }
                _ => anyhow::bail!("give --from, or --from-round and --to-round"),
            };
            if let Some(service) = service {
                changes = changes.only(service);
            }
            match format {
                StatsFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&changes)?)?,
                StatsFormat::Csv => out.write_all(&stats::changes_csv(&changes)?)?,
                StatsFormat::Md => {
                    let since = changes
                        .from_round
                        .clone()
                        .unwrap_or_else(|| date_in_words(changes.from, Language::Nl));
                    write!(out, "{}", stats::changes_markdown(&changes, &since))?
                }
            }
        }
        ReportCommand::Spread { as_of, format, db } => {
            let day = parse_day(as_of.as_deref())?;
            let store = Store::connect(&db.database).await?;
            let spread = crate::stats::spread::spread(&store, day).await?;
            match format {
                StatsFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&spread)?)?,
                StatsFormat::Csv => out.write_all(&stats::spread_csv(&spread)?)?,
                StatsFormat::Md => write!(out, "{}", stats::spread_markdown(&spread))?,
            }
        }
        other => anyhow::bail!("not a statistics report: {other:?}"),
    }
    Ok(ExitCode::SUCCESS)
}
