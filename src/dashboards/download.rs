//! A dashboard as a file (`?formaat=csv|xlsx|json` on the dashboard
//! pages): the same figures the page shows, in the same states. CSV and
//! XLSX list every figure as a row (`formats::dashboard`): for each metric
//! the area's months and years, then each compared area's (or facility's)
//! year; JSON is the [`Dashboard`] itself.

use crate::domain::error::{AppError, AppResult};
use crate::domain::language::Language;
use crate::domain::text::text;
use crate::formats::dashboard::{self, FigureFile, FigureRow};

use super::dashboard::Dashboard;
use super::public::{Figure, FigureState};

/// The formats a dashboard downloads in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
    Json,
}

impl FileFormat {
    pub fn parse(text: &str) -> Option<FileFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(FileFormat::Csv),
            "xlsx" => Some(FileFormat::Xlsx),
            "json" => Some(FileFormat::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
            FileFormat::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Json => "application/json",
        }
    }
}

/// A file's name: `dashboard-NL-UT-2025.csv`.
pub fn file_name(dashboard: &Dashboard, format: FileFormat) -> String {
    let code: String = dashboard
        .code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let level = match dashboard.level.as_str() {
        "organisation" | "facility" => format!("{}-", dashboard.level),
        _ => String::new(),
    };
    format!(
        "dashboard-{level}{code}-{}.{}",
        dashboard.year,
        format.extension()
    )
}

/// The mark of a figure that is not shown as a number.
fn mark(figure: &Figure) -> Option<String> {
    match figure.state {
        FigureState::Small | FigureState::Hidden | FigureState::Withheld => {
            Some(figure.shown(|v| v.to_string()))
        }
        FigureState::Value | FigureState::Missing => None,
    }
}

fn row(
    area: (&str, &str),
    metric: (&str, &str),
    period: impl Into<String>,
    figure: &Figure,
) -> FigureRow {
    FigureRow {
        area: area.0.to_string(),
        area_name: area.1.to_string(),
        metric: metric.0.to_string(),
        metric_name: metric.1.to_string(),
        period: period.into(),
        value: match figure.state {
            FigureState::Value => figure.value,
            _ => None,
        },
        mark: mark(figure),
    }
}

/// Every figure of the dashboard, in the order the page shows them.
pub fn rows(dashboard: &Dashboard) -> Vec<FigureRow> {
    let area = (dashboard.code.as_str(), dashboard.name.as_str());
    let mut rows = Vec::new();
    for panel in &dashboard.metrics {
        let metric = (panel.code.as_str(), panel.name.as_str());
        for (period, figure) in dashboard.months.iter().zip(&panel.months) {
            rows.push(row(area, metric, period.as_str(), figure));
        }
        rows.push(row(
            area,
            metric,
            (dashboard.year - 1).to_string(),
            &panel.previous_year,
        ));
        rows.push(row(area, metric, dashboard.year.to_string(), &panel.year));
    }
    for child in &dashboard.comparison {
        for (panel, figure) in dashboard.metrics.iter().zip(&child.values) {
            rows.push(row(
                (&child.code, &child.name),
                (&panel.code, &panel.name),
                dashboard.year.to_string(),
                figure,
            ));
        }
    }
    rows
}

/// The marks a file or page may hold and what each means.
pub fn legend(language: Language) -> Vec<(String, String)> {
    vec![
        (
            "<5".to_string(),
            text(language, "dashboards.legend.small", &[]),
        ),
        (
            "x".to_string(),
            text(language, "dashboards.legend.hidden", &[]),
        ),
        (
            ".".to_string(),
            text(language, "dashboards.legend.withheld", &[]),
        ),
    ]
}

/// The dashboard written in `format`, in the reader's language.
pub fn write(dashboard: &Dashboard, format: FileFormat, language: Language) -> AppResult<Vec<u8>> {
    let rows = rows(dashboard);
    let mut legend = legend(language);
    legend.push((
        text(language, "dashboards.file.empty", &[]),
        text(language, "dashboards.legend.missing", &[]),
    ));
    let file = FigureFile {
        headers: [
            text(language, "dashboards.file.area", &[]),
            text(language, "dashboards.file.area_name", &[]),
            text(language, "dashboards.file.metric", &[]),
            text(language, "dashboards.file.metric_name", &[]),
            text(language, "dashboards.file.period", &[]),
            text(language, "dashboards.file.value", &[]),
            text(language, "dashboards.file.note", &[]),
        ],
        rows: &rows,
        legend: &legend,
        sheets: [
            text(language, "dashboards.file.figures_sheet", &[]),
            text(language, "dashboards.file.legend_sheet", &[]),
        ],
        legend_headers: [
            text(language, "dashboards.file.mark", &[]),
            text(language, "dashboards.file.meaning", &[]),
        ],
    };
    let bytes = match format {
        FileFormat::Csv => dashboard::csv(&file),
        FileFormat::Xlsx => dashboard::xlsx(&file),
        FileFormat::Json => serde_json::to_vec_pretty(dashboard).map_err(anyhow::Error::from),
    };
    bytes.map_err(AppError::Internal)
}
