//! The `vangnet` command line. Each subcommand parses its arguments here and
//! calls the library; settings come from defaults, then `VANGNET_*`
//! environment variables, then flags.

mod campaigns;
mod commands;
mod contacts;
pub mod demo;
mod demo_reports;
mod exchange;
mod hours;
mod reference;
mod rounds;
mod stats;
mod tallies;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::formats::round_report::ReportFormat;
use crate::formats::table1::Table1Format;
use crate::formats::ExportFormat;
use crate::platform::proxy::Network;

const DEFAULT_DATABASE: &str = "vangnet.db";
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Parser)]
#[command(
    name = "vangnet",
    version,
    about = "The national register of harm-reduction services in the Netherlands"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How log lines are written on stderr: text for people, or json (one
    /// object per line, with the request id of the request it is about).
    #[arg(
        long,
        env = "VANGNET_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    log_format: LogFormat,
}

/// How log lines are written (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The database every data command uses.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// An SQLite file (created if missing) or a postgres:// URL.
    #[arg(long, env = "VANGNET_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,
}

/// How the server is reached and sends mail.
#[derive(Debug, Args)]
pub struct ServerArgs {
    #[arg(long, env = "VANGNET_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: String,
    /// The address people use (e.g. https://vangnet.example); https turns on
    /// secure cookies and HSTS. Default: http:// plus the listen address.
    #[arg(long, env = "VANGNET_PUBLIC_URL")]
    public_url: Option<String>,
    /// Reverse proxies (addresses or networks, e.g. 10.0.0.0/8,127.0.0.1)
    /// whose X-Forwarded-For names the client; without it, the connection's
    /// peer is the client.
    #[arg(
        long = "trusted-proxy",
        env = "VANGNET_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "ADDRESS[/PREFIX]"
    )]
    trusted_proxies: Vec<Network>,
    /// Gone (it believed X-Forwarded-For from anyone); refused with a
    /// pointer to --trusted-proxy, so no deployment silently changes.
    #[arg(long, env = "VANGNET_TRUST_PROXY", hide = true)]
    trust_proxy: bool,
    /// smtp://host:port, smtps://user:pass@host or smtp+starttls://user:pass@host;
    /// without it, e-mail is written to the log.
    #[arg(long, env = "VANGNET_SMTP_URL")]
    smtp_url: Option<String>,
    #[arg(
        long,
        env = "VANGNET_MAIL_FROM",
        default_value = "vangnet <noreply@vangnet.invalid>"
    )]
    mail_from: String,
    /// Who may read /metrics by address: networks (e.g. 10.0.0.0/8,::1) the
    /// client must be in (behind a trusted proxy, the client it names).
    #[arg(
        long = "metrics-allow",
        env = "VANGNET_METRICS_ALLOW",
        value_delimiter = ',',
        value_name = "ADDRESS[/PREFIX]",
        default_values = ["127.0.0.1/32", "::1/128"]
    )]
    metrics_allow: Vec<Network>,
    /// A secret with which a scraper reads /metrics from anywhere, sent as
    /// 'Authorization: Bearer <token>'.
    #[arg(long, env = "VANGNET_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// One log line per request (route, status, latency, request id) at
    /// level info; without it that line is at debug level. Off by default:
    /// it costs a write per request, and a reverse proxy usually keeps the
    /// access log.
    #[arg(long, env = "VANGNET_ACCESS_LOG")]
    access_log: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the register over HTTP.
    Serve {
        #[command(flatten)]
        server: ServerArgs,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Serve a freshly made demo register (demo data, its own SQLite file).
    Demo {
        #[command(flatten)]
        server: ServerArgs,
        /// The demo's database file; deleted and recreated at every start.
        #[arg(long, default_value = "vangnet-demo.db")]
        file: PathBuf,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Write a consistent copy of the database to a new file while the
    /// server keeps running (SQLite; for PostgreSQL it prints the pg_dump
    /// recipe).
    Backup {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Restore a backup into an empty database (a missing or empty SQLite
    /// file) and bring it up to date; refuses a database with data.
    Restore {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Import records from a spreadsheet.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Survey campaigns: create one for an inventory round, queue its
    /// invitations and reminders, show who was mailed and answered.
    Campaign {
        #[command(subcommand)]
        what: CampaignCommand,
    },
    /// Manage the contacts campaigns mail (people at organisations).
    Contacts {
        #[command(subcommand)]
        what: ContactsCommand,
    },
    /// Export records to a file.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Print a report.
    Report {
        #[command(subcommand)]
        what: ReportCommand,
    },
    /// Manage inventory rounds: create, override counts, close, reopen, publish.
    Round {
        #[command(subcommand)]
        what: RoundCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        what: TokenCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        what: UserCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        what: AuditCommand,
    },
    /// Read opening hours as vangnet does (Dutch accepted: "ma-vr 9-17"):
    /// the text it stores, the words, and open/closed/unknown with the next
    /// change at each --at (default: now), as JSON.
    Hours {
        /// OpenStreetMap opening_hours text.
        rule: String,
        /// An instant in RFC 3339, e.g. 2026-12-24T10:00:00+01:00; repeatable.
        #[arg(long = "at", value_name = "INSTANT")]
        at: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; prints a link (valid 24 hours) with which they set their password.
    Add {
        email: String,
        /// admin, researcher, org_manager, reporter or auditor.
        #[arg(long)]
        role: String,
        /// The organisation (id) of an org_manager or reporter.
        #[arg(long)]
        organisation: Option<i64>,
        /// Limit a reporter to these facilities (ids); repeatable.
        #[arg(long = "facility")]
        facilities: Vec<i64>,
        #[arg(long)]
        name: Option<String>,
        /// Where the link points (default http://127.0.0.1:8080).
        #[arg(
            long,
            env = "VANGNET_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Disable a user: their sessions and tokens end at once.
    Disable {
        email: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum CampaignCommand {
    /// Create a campaign for an inventory round: one invitation per
    /// organisation with a contact that may be mailed (or per organisation
    /// of --organisations), sending the newest inventory questionnaire.
    Create {
        /// Letters, digits, '-', '_' or '.', such as 2026-inventarisatie.
        name: String,
        /// The inventory round's name, such as 2026.
        #[arg(long)]
        round: String,
        /// The closing day (YYYY-MM-DD); the personal links work until it.
        /// Default: six weeks from today.
        #[arg(long, value_name = "DATE")]
        closes: Option<String>,
        /// Days after the invitation until a reminder is due (default 14).
        #[arg(long)]
        remind_after_days: Option<i64>,
        /// Only these organisations (ids, comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "ID,ID…")]
        organisations: Vec<i64>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Queue the invitation of every recipient not yet invited.
    Send {
        name: String,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Queue a reminder for every invitation due one (sent at least the
    /// campaign's reminder interval ago, not answered, not reminded since).
    Remind {
        name: String,
        /// Remind every invitation that went out and is not answered, now,
        /// whatever the reminder interval (a last call).
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Who was mailed, reminded and answered, with totals.
    Status {
        name: String,
        #[arg(long, value_enum, default_value = "json")]
        format: campaigns::StatusFormat,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// Delivering queued campaign mail from the command line.
#[derive(Debug, Args)]
pub struct MailArgs {
    /// Deliver the queued mail from this command before it exits, instead
    /// of leaving it to the server.
    #[arg(long)]
    now: bool,
    /// smtp://host:port, smtps://user:pass@host or smtp+starttls://user:pass@host;
    /// without it, --now writes the mail to the log.
    #[arg(long, env = "VANGNET_SMTP_URL")]
    smtp_url: Option<String>,
    #[arg(
        long,
        env = "VANGNET_MAIL_FROM",
        default_value = "vangnet <noreply@vangnet.invalid>"
    )]
    mail_from: String,
    /// Where the personal links point.
    #[arg(
        long,
        env = "VANGNET_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    public_url: String,
}

#[derive(Debug, Subcommand)]
enum ContactsCommand {
    /// Import contacts from a CSV or XLSX file with the columns
    /// organisation,name,role,email,phone (or organisatie,naam,functie,
    /// e-mail,telefoon). A known e-mail address updates that contact;
    /// organisations must exist. All rows or none.
    Import {
        file: PathBuf,
        /// Check every row and report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who is importing, as recorded in the audit log (default: cli:$USER).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check that no entry of the audit log was altered or deleted.
    Verify {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import facilities from a CSV or XLSX file (English or Dutch column names).
    Facilities {
        file: PathBuf,
        /// Check every row and report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who is importing, as recorded in the history (default: cli:$USER).
        #[arg(long)]
        by: Option<String>,
        /// Write every error to this CSV file (row, column, message); the
        /// report prints the first 100.
        #[arg(long, value_name = "FILE")]
        errors: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Import tallies (one counted event a row) from a CSV file: columns
    /// facility_id,at,metric,amount (or voorziening,tijdstip,meting,aantal)
    /// and optionally id; all or none. A row without an id gets one made
    /// from its cells, so importing the same file again changes nothing.
    Tallies {
        file: PathBuf,
        /// Check every row and report what would be stored; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who is importing, as recorded in the audit log (default: cli:$USER).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Import period reports (one row per facility per period) from a CSV
    /// or XLSX file: `facility_id` (or `naam` and `gemeentecode`),
    /// `period`, one column per metric code, optional `note`/`toelichting`.
    /// All or nothing; submitted, or approved with --approve.
    Reports {
        file: PathBuf,
        /// A CSV file of lines `their_column,metric_code`.
        #[arg(long, value_name = "MAP")]
        mapping: Option<PathBuf>,
        /// Approve the reports at once (researcher or admin; the command line acts as admin).
        #[arg(long)]
        approve: bool,
        /// Check every row and report what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who is importing, as recorded with the reports (default: cli:$USER).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Load published figures (data/published_figures.csv) as they are;
    /// loading the same file again changes nothing.
    Figures {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Load municipal populations (CSV or XLSX, one municipality a row:
    /// cbs_code,name,population,reference_date,source or
    /// gemeentecode,naam,inwoners,peildatum,bron) as published figures
    /// `inhabitants`; all or none, and again without changes.
    Population {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Load municipal boundaries (GeoJSON FeatureCollection or TopoJSON,
    /// WGS84, keyed on the CBS code in `statcode`, `code`, `gemeentecode`
    /// or the feature id), replacing the loaded set; all or none.
    Boundaries {
        file: PathBuf,
        /// The attribution the file's licence asks for, e.g. "Gemeentegrenzen:
        /// CBS / PDOK, CBS Gebiedsindelingen 2025" (default: the file's own
        /// `source`, `attribution` or `name` member, else "unknown").
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum RoundCommand {
    /// Create an open round counting the register on a day.
    Create {
        /// Letters, digits, '-', '_' or '.', such as 2026.
        name: String,
        /// The reference date (YYYY-MM-DD).
        #[arg(long)]
        date: String,
        /// The service types it counts (default all); comma-separated or repeated.
        #[arg(long, value_delimiter = ',')]
        services: Vec<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List the rounds.
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Close a round: freeze its counts and the facilities counted.
    Close {
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Reopen a closed round (its counts become live again).
    Reopen {
        name: String,
        /// Why; kept in the audit log.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Publish a closed round: it becomes public and final.
    Publish {
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Set how a service's count in an open round reads (exact with
    /// nothing else returns it to the register's count).
    SetCount {
        name: String,
        /// consumption_room, methadone_clinic, heroin_unit, syringe_exchange, …
        service: String,
        /// exact, at_least, approximate or unknown.
        #[arg(long)]
        qualifier: String,
        /// The count of locations, replacing the register's.
        #[arg(long)]
        value: Option<i64>,
        #[arg(long)]
        note: Option<String>,
        /// An external source, such as "LADIS Kerncijfers verslavingszorg 2015-2024".
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Export facilities as they were on a day.
    Facilities {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The day to export (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<String>,
        /// Write here instead of to standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Only publicly accessible facilities open on the day, without internal notes.
        #[arg(long)]
        public_only: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Approved period values as an ADX message or a DHIS2 data value set:
    /// exact values per facility (the command line holds the database, so
    /// it is national staff), or with --public the public figures per
    /// municipality.
    Adx {
        /// The first period: 2025-01, 2025-Q1 or 2025.
        #[arg(long)]
        from: String,
        /// The last period (inclusive).
        #[arg(long)]
        to: String,
        #[arg(long, value_enum, default_value = "adx")]
        format: AdxFormat,
        /// The public figures (small counts suppressed) instead of exact ones.
        #[arg(long)]
        public: bool,
        /// Write here instead of to standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// EUDA-shaped national tables for a year, each row with its source.
    Euda {
        /// The year (default: last year).
        #[arg(long)]
        year: Option<String>,
        /// Default: csv when the output file ends in .csv, else xlsx.
        #[arg(long, value_enum)]
        format: Option<EudaFormat>,
        /// Write here instead of to standard output (a workbook needs it on a terminal).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// The formats of `export adx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AdxFormat {
    /// ADX XML (IHE QRPH).
    Adx,
    /// DHIS2 data value set JSON.
    Dhis2,
}

/// The formats of `export euda`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EudaFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Table 1 of a round, or of the register on a day: public locations,
    /// municipalities and places per service type, with qualifiers and notes.
    Table1 {
        /// A round's Table 1 (frozen once closed).
        #[arg(long, conflicts_with = "as_of")]
        round: Option<String>,
        /// The day to count (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "md")]
        format: Table1Format,
        #[command(flatten)]
        file: ReportFile,
    },
    /// Which public facilities opened, closed or changed service between two days.
    Changes {
        /// The first day (YYYY-MM-DD), e.g. the previous round's reference date.
        #[arg(long, required_unless_present = "from_round")]
        from: Option<String>,
        /// The second day (YYYY-MM-DD); default today.
        #[arg(long)]
        to: Option<String>,
        /// Compare two rounds instead (closed rounds: the facilities each counted).
        #[arg(long, requires = "to_round", conflicts_with_all = ["from", "to"])]
        from_round: Option<String>,
        #[arg(long, requires = "from_round")]
        to_round: Option<String>,
        /// Only changes that affect this service (e.g. consumption_room).
        #[arg(long)]
        service: Option<String>,
        #[arg(long, value_enum, default_value = "md")]
        format: StatsFormat,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// A round's report to hand on: Table 1, the trend of each service, the
    /// changes since the previous round, the spread and the sources, as one
    /// self-contained HTML file or an XLSX workbook (one sheet per table).
    Round {
        /// The round, such as 2026.
        name: String,
        #[arg(long, value_enum, default_value = "html")]
        format: ReportFormat,
        #[command(flatten)]
        file: ReportFile,
    },
    /// Public facilities per province and municipality, and the municipalities
    /// farthest from each service (csv: one row per municipality).
    Spread {
        /// The day to count (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "md")]
        format: StatsFormat,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// Where a report file goes, in which language, from which database.
#[derive(Debug, Args)]
pub struct ReportFile {
    /// nl or en.
    #[arg(long, default_value = "nl")]
    lang: String,
    /// Write here instead of to standard output (a workbook needs it on a terminal).
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
}

/// The formats of the change list and the spread.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StatsFormat {
    Json,
    Csv,
    Md,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token; its secret is printed once. With --user it acts
    /// as that user; otherwise it is a service token with --role.
    Create {
        #[arg(long, required_unless_present = "user", conflicts_with = "user")]
        role: Option<String>,
        /// The e-mail address of the user the token acts as.
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List tokens (without secrets).
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Revoke a token at once.
    Revoke {
        id: i64,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = !matches!(cli.command, Command::Serve { .. } | Command::Demo { .. });
    init_tracing(quiet, cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr at the levels `RUST_LOG` sets per target
/// (`info,sqlx=warn`). A plain per-target filter rather than `EnvFilter`:
/// its span directives (`[span]=level`) made every request's span look up
/// and update shared filter state on both cores (bench/RESULTS.md, "Load"),
/// and nobody filters vangnet's logs by span.
fn init_tracing(quiet: bool, format: LogFormat) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let default = if quiet {
        Targets::new().with_default(LevelFilter::WARN)
    } else {
        Targets::new()
            .with_default(LevelFilter::INFO)
            .with_target("sqlx", LevelFilter::WARN)
    };
    let filter = match std::env::var("RUST_LOG") {
        Ok(levels) if !levels.trim().is_empty() => levels.parse().unwrap_or_else(|e| {
            eprintln!(
                "warning: RUST_LOG={levels:?} is not a list of target=level ({e}); using {default}"
            );
            default
        }),
        _ => default,
    };
    let registry = tracing_subscriber::registry().with(filter);
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match format {
        LogFormat::Text => registry.with(stderr).init(),
        LogFormat::Json => registry.with(stderr.json()).init(),
    }
}
