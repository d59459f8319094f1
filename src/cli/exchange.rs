//! `vangnet export adx` and `vangnet export euda` (issue 15): the figures
//! as ADX or DHIS2 JSON, and the EUDA-shaped tables, written to a file or
//! standard output. What goes in them is decided in `exchange`.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use super::commands::cli_actor;
use super::{AdxFormat, EudaFormat};
use crate::domain::access::Principal;
use crate::exchange;
use crate::formats::adx::{adx_xml, dhis2_json};
use crate::storage::Store;

fn write_out(bytes: &[u8], output: Option<&Path>, what: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("{what} written to {}", path.display());
        }
        None => std::io::stdout().write_all(bytes)?,
    }
    Ok(())
}

pub async fn adx(
    store: &Store,
    from: &str,
    to: &str,
    format: AdxFormat,
    public: bool,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let actor = cli_actor(None);
    let who = Principal::command_line(actor.name.clone());
    let set = exchange::adx::data_values(
        store,
        Some(from),
        Some(to),
        (!public).then_some(&who),
        &actor,
    )
    .await?;
    let bytes = match format {
        AdxFormat::Adx => adx_xml(&set).into_bytes(),
        AdxFormat::Dhis2 => serde_json::to_vec_pretty(&dhis2_json(&set))?,
    };
    let values: usize = set.groups.iter().map(|g| g.values.len()).sum();
    write_out(
        &bytes,
        output,
        &format!("{values} {} values from {from} to {to}", set.figures.code()),
    )
}

pub async fn euda(
    store: &Store,
    year: Option<&str>,
    format: Option<EudaFormat>,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let actor = cli_actor(None);
    let who = Principal::command_line(actor.name.clone());
    let format = format.unwrap_or(match output {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
        {
            EudaFormat::Csv
        }
        _ => EudaFormat::Xlsx,
    });
    if format == EudaFormat::Xlsx && output.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!("a workbook is not for the terminal: give -o FILE, or --format csv");
    }
    let (year, rows) = exchange::euda::tables(store, year, &who, &actor).await?;
    let bytes = match format {
        EudaFormat::Xlsx => exchange::euda::xlsx(&rows, year)?,
        EudaFormat::Csv => exchange::euda::csv(&rows)?,
    };
    write_out(
        &bytes,
        output,
        &format!("the EUDA tables of {year} ({} rows)", rows.len()),
    )
}
