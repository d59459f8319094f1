//! `vangnet campaign create|send|remind|status`: campaigns through
//! `campaigns::campaigns`, acting as an admin at the command line. `send`
//! and `remind` queue mail in the database for the worker of `vangnet
//! serve`; with `--now` the command delivers what is due itself before it
//! exits, through `--smtp-url` (without one, the mail is only logged).

use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;

use super::commands::cli_actor;
use super::{CampaignCommand, MailArgs};
use crate::campaigns::campaigns::{self, outbox, CampaignReport};
use crate::domain::access::Principal;
use crate::domain::campaign::CampaignInput;
use crate::domain::error::AppError;
use crate::formats::csv::CsvWriter;
use crate::platform::config::Config;
use crate::platform::mail::Mailer;
use crate::storage::Store;

pub(super) async fn run(command: CampaignCommand) -> anyhow::Result<ExitCode> {
    let actor = cli_actor(None);
    let who = Principal::command_line(actor.name.clone());
    match command {
        CampaignCommand::Create {
            name,
            round,
            closes,
            remind_after_days,
            organisations,
            db,
        } => {
            let store = Store::connect(&db.database).await?;
            let input = CampaignInput {
                name,
                round,
                closes_on: closes,
                remind_after_days,
                organisations: (!organisations.is_empty()).then_some(organisations),
                texts: None,
            };
            match campaigns::create(&store, &who, &actor, &input, Utc::now()).await {
                Ok(created) => println!(
                    "campaign {} created: {} organisations to invite, questionnaire version {}",
                    created.name, created.recipients, created.questionnaire_version
                ),
                Err(AppError::Invalid(errors)) => {
                    for e in errors {
                        // The name is the command's argument, not a flag.
                        let flag = match e.field.as_str() {
                            "name" => "NAME".to_string(),
                            "closes_on" => "--closes".to_string(),
                            field => format!("--{}", field.replace('_', "-")),
                        };
                        eprintln!("error: {flag}: {}", e.message);
                    }
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e.into()),
            }
        }
        CampaignCommand::Send { name, mail, db } => {
            let store = Store::connect(&db.database).await?;
            let queued = campaigns::send(&store, &who, &actor, &name, Utc::now()).await?;
            println!("{} invitations queued", queued.queued);
            deliver_now(&store, &mail).await?;
        }
        CampaignCommand::Remind {
            name,
            all,
            mail,
            db,
        } => {
            let store = Store::connect(&db.database).await?;
            let queued = if all {
                campaigns::remind_everyone(&store, &who, &actor, &name, Utc::now()).await?
            } else {
                campaigns::remind(&store, &who, &actor, &name, Utc::now()).await?
            };
            println!("{} reminders queued", queued.queued);
            deliver_now(&store, &mail).await?;
        }
        CampaignCommand::Status { name, format, db } => {
            let store = Store::connect(&db.database).await?;
            let report =
                campaigns::status(&store, &who, &actor, &name, crate::domain::date::today())
                    .await?;
            let mut out = std::io::stdout().lock();
            match format {
                StatusFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &report)?;
                    std::io::Write::write_all(&mut out, b"\n")?;
                }
                StatusFormat::Csv => write_csv(&report, &mut out)?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Delivers the due mail at once when `--now` asks for it.
async fn deliver_now(store: &Store, mail: &MailArgs) -> anyhow::Result<()> {
    if !mail.now {
        println!("the mail goes out from the server (vangnet serve); --now sends it from here");
        return Ok(());
    }
    let config = Config {
        public_url: mail.public_url.clone(),
        smtp_url: mail.smtp_url.clone(),
        mail_from: mail.mail_from.clone(),
        ..Config::default()
    };
    let mailer = Mailer::from_url(config.smtp_url.as_deref(), &config.mail_from)?;
    if mailer.is_development() {
        eprintln!("no --smtp-url: the mail is written to the log, not sent");
    }
    let done = outbox::deliver_due(store, &mailer, &config, Utc::now())
        .await
        .context("cannot deliver the campaign mail")?;
    println!("{done}");
    Ok(())
}

/// The status as CSV: one row per recipient, through the one CSV writer
/// (a cell that would run as a formula is made inert).
pub fn write_csv(report: &CampaignReport, mut out: impl std::io::Write) -> anyhow::Result<()> {
    let mut writer = CsvWriter::new();
    writer.row([
        "campaign",
        "organisation_id",
        "organisation",
        "email",
        "status",
        "invited_at",
        "reminded_at",
        "answered_at",
        "last_error",
        "called_at",
        "checked_website_at",
    ])?;
    for r in &report.recipients {
        writer.row([
            report.campaign.as_str(),
            &r.organisation_id.to_string(),
            &r.organisation,
            r.email.as_deref().unwrap_or(""),
            &r.status,
            r.invited_at.as_deref().unwrap_or(""),
            r.reminded_at.as_deref().unwrap_or(""),
            r.answered_at.as_deref().unwrap_or(""),
            r.last_error.as_deref().unwrap_or(""),
            r.called_at.as_deref().unwrap_or(""),
            r.checked_website_at.as_deref().unwrap_or(""),
        ])?;
    }
    out.write_all(&writer.finish()?)?;
    Ok(())
}

/// The formats of `campaign status`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusFormat {
    Json,
    Csv,
}
