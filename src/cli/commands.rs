//! What each subcommand does.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{
    AuditCommand, Command, ContactsCommand, ExportCommand, ImportCommand, ReportCommand,
    ServerArgs, TokenCommand, UserCommand,
};
use crate::accounts::{self, NewUser};
use crate::domain::access::InternalScope;
use crate::domain::date::today;
use crate::domain::facility::FacilityStatus;
use crate::domain::provenance::Actor;
use crate::formats::columns::ExportScope;
use crate::formats::export_facilities;
use crate::http::app::Server;
use crate::platform::config::Config;
use crate::register::import::{import_facilities, ImportOptions};
use crate::storage::audit::{AuditEvent, AuditVerification};
use crate::storage::facilities::FacilityFilter;
use crate::storage::tokens::SERVICE_TOKEN_ROLES;
use crate::storage::{redact_url, Store};

pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { server, db } => {
            let store = Store::connect(&db.database).await?;
            tracing::info!(database = %redact_url(&db.database), engine = store.engine().name(), "database ready");
            let bound = bind(&server, store).await?;
            run_server(bound).await?;
        }
        Command::Demo { server, file } => {
            let demo = crate::cli::demo::prepare(&file).await?;
            let bound = bind(&server, demo.store.clone()).await?;
            let mail = match &server.smtp_url {
                Some(url) => format!("e-mail: sent through {}", redact_url(url)),
                None => "e-mail: not sent; every message, with its links, is written to this \
                         log (standard error, 'this message was not sent'); give --smtp-url to send it"
                    .to_string(),
            };
            println!("{}", demo.banner(&file, bound.local_addr()?, &mail));
            run_server(bound).await?;
        }
        Command::Campaign { what } => return super::campaigns::run(what).await,
        Command::Hours { rule, at } => return super::hours::run(&rule, &at),
        Command::Contacts {
            what:
                ContactsCommand::Import {
                    file,
                    dry_run,
                    by,
                    db,
                },
        } => return super::contacts::import(&file, dry_run, by, &db.database).await,
        Command::Migrate { db } => {
            let store = Store::connect(&db.database).await?;
            println!(
                "database {} is up to date ({})",
                redact_url(&db.database),
                store.engine().name()
            );
        }
        Command::Backup { file, db } => {
            crate::platform::backup::backup(&db.database, &file).await?;
            println!(
                "backup of {} written to {}",
                redact_url(&db.database),
                file.display()
            );
        }
        Command::Restore { file, db } => {
            let store = crate::platform::backup::restore(&file, &db.database).await?;
            store.close().await;
            println!(
                "{} restored into {}; run `vangnet audit verify` to check its audit log",
                file.display(),
                redact_url(&db.database)
            );
        }
        Command::Import {
            what:
                ImportCommand::Facilities {
                    file,
                    dry_run,
                    by,
                    errors,
                    db,
                },
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let store = Store::connect(&db.database).await?;
            let actor = cli_actor(by);
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
            match errors {
                Some(path) => {
                    std::fs::write(&path, report.errors_csv(crate::domain::language::Language::En)?)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    if !report.errors.is_empty() {
                        println!(
                            "{}: all {} errors are in {}",
                            report.file,
                            report.errors.len(),
                            path.display()
                        );
                    }
                }
                None if report.errors.len() > report.shown_errors().len() => println!(
                    "{}: to get all {} errors as a CSV file, run the import again with --errors FILE",
                    report.file,
                    report.errors.len()
                ),
                None => {}
            }
            return Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::Import {
            what:
                ImportCommand::Reports {
                    file,
                    mapping,
                    approve,
                    dry_run,
                    by,
                    db,
                },
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let mapping = match mapping {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    crate::monitoring::report_import::read_mapping(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
                }
                None => Vec::new(),
            };
            let store = Store::connect(&db.database).await?;
            let actor = cli_actor(by);
            let who = crate::domain::access::Principal::command_line(actor.name.clone());
            let options = crate::monitoring::report_import::ReportImportOptions {
                file_name: file.file_name().map_or_else(
                    || file.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                mapping,
                approve,
                dry_run,
                who: &who,
                actor,
                today: today(),
            };
            let report =
                crate::monitoring::report_import::import_reports(&store, &bytes, &options).await?;
            print!("{report}");
            return Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::Export {
            what:
                ExportCommand::Adx {
                    from,
                    to,
                    format,
                    public,
                    output,
                    db,
                },
        } => {
            let store = Store::connect(&db.database).await?;
            super::exchange::adx(&store, &from, &to, format, public, output.as_deref()).await?;
        }
        Command::Export {
            what:
                ExportCommand::Euda {
                    year,
                    format,
                    output,
                    db,
                },
        } => {
            let store = Store::connect(&db.database).await?;
            super::exchange::euda(&store, year.as_deref(), format, output.as_deref()).await?;
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
                    internal: if public_only {
                        InternalScope::None
                    } else {
                        InternalScope::All
                    },
                    status: public_only.then_some(FacilityStatus::Open),
                    ..FacilityFilter::default()
                })
                .await?;
            let bytes = export_facilities(&facilities, day, format, scope)?;
            if scope == ExportScope::Full {
                store
                    .audit(
                        &AuditEvent::new("export", &cli_actor(None), "facility")
                            .object("list")
                            .detail(format!(
                                "{} facilities as of {day}, with internal data",
                                facilities.len()
                            )),
                    )
                    .await?;
            }
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
            what:
                ReportCommand::Table1 {
                    round,
                    as_of,
                    format,
                    file,
                },
        } => {
            let store = Store::connect(&file.db.database).await?;
            let day = match round {
                Some(_) => None,
                None => Some(parse_day(as_of.as_deref())?),
            };
            super::rounds::report_table1(&store, round, day, format, &file.lang, file.output)
                .await?;
        }
        Command::Import {
            what:
                ImportCommand::Tallies {
                    file,
                    dry_run,
                    by,
                    db,
                },
        } => return super::tallies::import(&file, dry_run, by, &db.database).await,
        Command::Import {
            what: ImportCommand::Figures { file, db },
        } => {
            let store = Store::connect(&db.database).await?;
            return super::rounds::import_figures(&store, &file).await;
        }
        Command::Import {
            what: ImportCommand::Population { file, db },
        } => return super::reference::import_population(&file, &db.database).await,
        Command::Import {
            what: ImportCommand::Boundaries { file, source, db },
        } => {
            return super::reference::import_boundaries(&file, source.as_deref(), &db.database)
                .await
        }
        Command::Round { what } => return super::rounds::round(what).await,
        Command::Report {
            what: ReportCommand::Round { name, format, file },
        } => super::rounds::report_round(&name, format, file).await?,
        Command::Report {
            what: what @ (ReportCommand::Changes { .. } | ReportCommand::Spread { .. }),
        } => return super::stats::report(what).await,
        Command::Token { what } => return token(what).await,
        Command::User { what } => return user(what).await,
        Command::Audit {
            what: AuditCommand::Verify { db },
        } => {
            let store = Store::connect(&db.database).await?;
            return Ok(match store.verify_audit().await? {
                AuditVerification::Intact { entries } => {
                    println!("audit log intact: {entries} entries, each following the one before");
                    ExitCode::SUCCESS
                }
                AuditVerification::Broken { seq, reason } => {
                    println!("audit log BROKEN at entry {seq}: {reason}");
                    ExitCode::FAILURE
                }
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Binds the server; the public URL defaults to the address it listens on.
async fn bind(args: &ServerArgs, store: Store) -> anyhow::Result<Server> {
    if args.trust_proxy {
        anyhow::bail!(
            "--trust-proxy (VANGNET_TRUST_PROXY) is gone: it believed X-Forwarded-For from anyone. \
             Name the reverse proxies instead: --trusted-proxy 127.0.0.1 (VANGNET_TRUSTED_PROXIES), \
             addresses or networks separated by commas"
        );
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let config = Config {
        public_url: args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}")),
        trusted_proxies: args.trusted_proxies.iter().copied().collect(),
        smtp_url: args.smtp_url.clone(),
        mail_from: args.mail_from.clone(),
        metrics_allow: args.metrics_allow.clone(),
        metrics_token: args
            .metrics_token
            .clone()
            .filter(|t| !t.trim().is_empty())
            .map(crate::platform::config::MetricsToken),
        access_log: args.access_log,
    };
    if !config.trusted_proxies.is_empty() {
        tracing::info!(proxies = %config.trusted_proxies, "client addresses from X-Forwarded-For of trusted proxies");
    }
    if let Some(url) = &config.smtp_url {
        tracing::info!(smtp = %redact_url(url), "sending e-mail through SMTP");
    } else if config.secure() {
        // A real deployment must not write password links into its logs.
        anyhow::bail!(
            "--smtp-url is required when --public-url is https: password links must go by e-mail, not into the log"
        );
    } else {
        tracing::warn!("no --smtp-url: e-mail (password links) is written to the log");
    }
    Server::from_listener(listener, store, config)
}

async fn run_server(server: Server) -> anyhow::Result<()> {
    let address = server.local_addr()?;
    // Printed (not only logged) so scripts and tests can read the real port.
    println!("listening on http://{address}");
    tracing::info!(%address, "listening");
    server.run().await
}

pub(super) fn parse_day(text: Option<&str>) -> anyhow::Result<chrono::NaiveDate> {
    match text {
        None => Ok(today()),
        Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .with_context(|| format!("--as-of: '{t}' is not a date; use YYYY-MM-DD")),
    }
}

async fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create {
            role,
            user,
            name,
            db,
        } => {
            if name.trim().is_empty() {
                anyhow::bail!("--name: give the token a name");
            }
            let store = Store::connect(&db.database).await?;
            let (id, secret, what) = match (role, user) {
                (Some(role), None) => {
                    if !SERVICE_TOKEN_ROLES.contains(&role.as_str()) {
                        anyhow::bail!(
                            "--role: '{role}' is not a service token role (known: {}); for other roles make a user and use --user",
                            SERVICE_TOKEN_ROLES.join(", ")
                        );
                    }
                    let (id, secret) = store.create_token(name.trim(), &role).await?;
                    (id, secret, format!("role {role}"))
                }
                (_, Some(email)) => {
                    let user = store
                        .user_by_email(&email)
                        .await?
                        .with_context(|| format!("--user: no user has e-mail {email}"))?
                        .user;
                    let (id, secret) = store.create_user_token(user.id, name.trim()).await?;
                    (id, secret, format!("acting as {}", user.email))
                }
                (None, None) => anyhow::bail!("give --role or --user"),
            };
            let actor = cli_actor(None);
            store
                .audit(
                    &AuditEvent::new("create", &actor, "token")
                        .object(id)
                        .detail(name.trim()),
                )
                .await?;
            eprintln!(
                "token {id} '{}' ({what}) created; it is shown only once:",
                name.trim()
            );
            println!("{secret}");
        }
        TokenCommand::List { db } => {
            let store = Store::connect(&db.database).await?;
            for t in store.list_tokens(None).await? {
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
            if !store.revoke_token(id, None).await? {
                anyhow::bail!("no active token has id {id}");
            }
            store
                .audit(&AuditEvent::new("revoke", &cli_actor(None), "token").object(id))
                .await?;
            println!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The command-line user, as the history and audit log name them.
pub(super) fn cli_actor(by: Option<String>) -> Actor {
    Actor::named(by.unwrap_or_else(|| {
        format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        )
    }))
}

async fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add {
            email,
            role,
            organisation,
            facilities,
            name,
            public_url,
            db,
        } => {
            let store = Store::connect(&db.database).await?;
            let new = NewUser {
                email: email.clone(),
                name,
                role,
                organisation_id: organisation,
                facility_ids: facilities,
            };
            let (id, secret) = match accounts::create_user(&store, &new, &cli_actor(None)).await {
                Ok(created) => created,
                Err(crate::http::error::AppError::Invalid(errors)) => {
                    for e in errors {
                        eprintln!(
                            "error: --{}: {}",
                            e.field.replace('_', "-").replace("-id", ""),
                            e.message
                        );
                    }
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e.into()),
            };
            let link = Config {
                public_url,
                ..Config::default()
            }
            .link(&format!("/wachtwoord-instellen?code={secret}"));
            eprintln!(
                "user {id} ({}) added; they set their password with this link (valid 24 hours):",
                email.trim()
            );
            println!("{link}");
        }
        UserCommand::List { db } => {
            let store = Store::connect(&db.database).await?;
            for u in store.list_users().await? {
                let state = match &u.disabled_at {
                    Some(at) => format!("disabled {at}"),
                    None if u.has_password => "active".to_string(),
                    None => "invited".to_string(),
                };
                let organisation = u.organisation_id.map(|o| o.to_string()).unwrap_or_default();
                println!("{}\t{}\t{}\t{organisation}\t{state}", u.id, u.email, u.role);
            }
            store
                .audit(&AuditEvent::new("read", &cli_actor(None), "user").object("list"))
                .await?;
        }
        UserCommand::Disable { email, db } => {
            let store = Store::connect(&db.database).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user has e-mail {email}"))?
                .user;
            accounts::disable_user(&store, user.id, &cli_actor(None)).await?;
            println!(
                "user {} disabled; their sessions and tokens have ended",
                user.email
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
