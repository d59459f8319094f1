//! File formats, each in its own module with its reader and writer, shared
//! by the CLI, the API and the open-data downloads.

pub mod adx;
pub mod boundaries;
pub mod chart;
pub mod columns;
pub mod contacts;
pub mod csv;
pub mod dashboard;
pub mod fhir;
pub mod figures;
pub mod geojson;
pub mod hsds;
pub mod json;
pub mod labels;
pub mod markup;
pub mod population;
pub mod round_report;
pub mod sheet;
pub mod stats;
pub mod svg_choropleth;
pub mod svg_map;
pub mod svg_series;
pub mod table;
pub mod table1;
pub mod tally_csv;
pub mod xlsx;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::facility::Facility;
use columns::ExportScope;
use json::Audience;

/// A download format for the facility list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    Geojson,
    Xlsx,
}

impl ExportFormat {
    pub fn parse(text: &str) -> Option<ExportFormat> {
        match text {
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            "geojson" => Some(ExportFormat::Geojson),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Geojson => "geojson",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::Geojson => "application/geo+json",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// Writes facilities as they were on `day` in the chosen format. The public
/// scope leaves out internal notes and who recorded changes.
pub fn export_facilities(
    facilities: &[Facility],
    day: NaiveDate,
    format: ExportFormat,
    scope: ExportScope,
) -> anyhow::Result<Vec<u8>> {
    let audience = match scope {
        ExportScope::Public => Audience::Public,
        ExportScope::Full => Audience::Internal,
    };
    match format {
        ExportFormat::Csv => csv::write_facilities(facilities, scope),
        ExportFormat::Xlsx => xlsx::write_facilities(facilities, scope),
        ExportFormat::Json => json_document(facilities, day, audience),
        ExportFormat::Geojson => geojson::write_facilities(facilities, day, audience),
    }
}

fn json_document(
    facilities: &[Facility],
    day: NaiveDate,
    audience: Audience,
) -> anyhow::Result<Vec<u8>> {
    let document = serde_json::json!({
        "as_of": day,
        "licence": "CC BY 4.0",
        "facilities": facilities
            .iter()
            .map(|f| json::FacilityJson::new(f, day, audience))
            .collect::<Vec<_>>(),
    });
    Ok(serde_json::to_vec_pretty(&document)?)
}

/// One problem in the file: where, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowIssue {
    /// Row number as a spreadsheet program shows it (the header is row 1).
    pub row: usize,
    /// `C (plaats)`: the column letter and its header, when one column is at fault.
    pub column: Option<String>,
    /// Why, in English.
    pub message: String,
    /// Why, for a reader in another language.
    #[serde(skip)]
    pub reason: crate::domain::Reason,
}

impl RowIssue {
    pub fn new(row: usize, column: Option<String>, reason: crate::domain::Reason) -> RowIssue {
        RowIssue {
            row,
            column,
            message: reason.english(),
            reason,
        }
    }

    /// Why, in `language`.
    pub fn text(&self, language: crate::domain::language::Language) -> String {
        self.reason.text(language)
    }
}

impl std::fmt::Display for RowIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "row {}, column {}: {}", self.row, column, self.message),
            None => write!(f, "row {}: {}", self.row, self.message),
        }
    }
}
