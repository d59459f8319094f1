//! Table 1 as CSV and Markdown (JSON is its serde form).

use crate::domain::table1::{Qualifier, Table1};

fn capacity(c: Option<i64>) -> String {
    c.map_or_else(String::new, |c| c.to_string())
}

fn qualifier(q: Qualifier) -> &'static str {
    match q {
        Qualifier::Exact => "exact",
        Qualifier::AtLeast => "at_least",
        Qualifier::Approximate => "approximate",
        Qualifier::Unknown => "unknown",
    }
}

pub fn to_csv(table: &Table1) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "as_of",
        "service",
        "locations",
        "municipalities",
        "capacity",
        "qualifier",
    ])?;
    for row in &table.rows {
        writer.write_record([
            table.as_of.to_string(),
            row.service.code().to_string(),
            row.locations.to_string(),
            row.municipalities.to_string(),
            capacity(row.capacity),
            qualifier(row.qualifier).to_string(),
        ])?;
    }
    Ok(writer.into_inner()?)
}

pub fn to_markdown(table: &Table1) -> String {
    let mut out = format!(
        "Table 1 — harm-reduction services open on {}\n\n\
         | service | locations | municipalities | capacity | qualifier |\n\
         | --- | ---: | ---: | ---: | --- |\n",
        table.as_of
    );
    for row in &table.rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            row.service.label_nl(),
            row.locations,
            row.municipalities,
            capacity(row.capacity),
            qualifier(row.qualifier)
        ));
    }
    out
}
