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

fn qualifier_nl(q: Qualifier) -> &'static str {
    match q {
        Qualifier::Exact => "exact",
        Qualifier::AtLeast => "ten minste",
        Qualifier::Approximate => "ongeveer",
        Qualifier::Unknown => "onbekend",
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

/// Markdown for a report to hand on; Dutch, like the published inventory.
pub fn to_markdown(table: &Table1) -> String {
    let mut out = format!(
        "Tabel 1 — harm-reductionvoorzieningen open op {}\n\n\
         | voorziening | locaties | gemeenten | capaciteit | kwalificatie |\n\
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
            qualifier_nl(row.qualifier)
        ));
    }
    out
}
