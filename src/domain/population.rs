//! Municipal populations (inhabitants per municipality on a reference
//! date, as CBS publishes them), the reference populations of the
//! indicators "per 100,000 inhabitants". A population is kept as a
//! published figure like the national and province ones in
//! `data/published_figures.csv`: key [`INHABITANTS`], the CBS code as its
//! scope and the reference date's year as its period, so that one reader
//! (`Store::published_figures(Some("inhabitants"))`) serves every level.
//!
//! Each cell of a population file is parsed here into its type or a
//! reason; the file format itself is `formats::population`.

use chrono::{Datelike, NaiveDate};

use super::date::Day;
use super::figure::{FigureQualifier, FigureValue, PublishedFigure};
use super::geo::{geo, Municipality};
use super::Reason;

/// The key of every inhabitants figure: national, province and municipal.
pub const INHABITANTS: &str = "inhabitants";
/// The unit of an inhabitants figure.
pub const PERSONS: &str = "persons";

/// The inhabitants of one municipality on a day, with where that comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalPopulation {
    pub municipality: &'static Municipality,
    pub inhabitants: u64,
    pub reference_date: NaiveDate,
    pub source: String,
}

impl MunicipalPopulation {
    /// As the published figure it is stored as: `inhabitants`, `GM0363`,
    /// `2024`, exact, in persons, with the reference date in the note.
    pub fn figure(&self) -> PublishedFigure {
        PublishedFigure {
            key: INHABITANTS.to_string(),
            scope: self.municipality.code.clone(),
            period: self.reference_date.year().to_string(),
            value: FigureValue::One {
                value: self.inhabitants as f64,
            },
            qualifier: FigureQualifier::Exact,
            unit: Some(PERSONS.to_string()),
            source: self.source.clone(),
            source_nl: None,
            note: Some(format!("reference date {}", self.reference_date)),
        }
    }
}

/// The latest inhabitants figure of `scope` (`NL`, `NL-UT`, `GM0344`) for
/// `year` or the nearest year before it, from `figures` (as
/// `Store::published_figures(Some(INHABITANTS))` gives them).
pub fn latest_inhabitants<'a>(
    figures: &'a [PublishedFigure],
    scope: &str,
    year: i32,
) -> Option<&'a PublishedFigure> {
    figures
        .iter()
        .filter(|f| f.key == INHABITANTS && f.scope == scope)
        .filter_map(|f| Some((f.period.trim().parse::<i32>().ok()?, f)))
        .filter(|(period, _)| *period <= year)
        .max_by_key(|(period, _)| *period)
        .map(|(_, f)| f)
}

/// A current CBS municipality code (`GM0363`, `0363`, `363`).
pub fn parse_code(text: &str) -> Result<&'static Municipality, Reason> {
    geo().municipality(text).ok_or_else(|| {
        Reason::of(
            "error.municipality_code_unknown",
            &[("value", text.trim().to_string())],
        )
    })
}

/// A whole number of inhabitants, 0 or more.
pub fn parse_inhabitants(text: &str) -> Result<u64, Reason> {
    let text = text.trim();
    match text.parse::<i64>() {
        Ok(n) if n < 0 => Err(Reason::of("error.cell.negative", &[("value", text.into())])),
        Ok(n) => Ok(n as u64),
        Err(_) => Err(Reason::of(
            "error.cell.whole_number",
            &[("value", text.into())],
        )),
    }
}

/// The day the count holds for (`2024-01-01` or `01-01-2024`), a day the
/// register can hold.
pub fn parse_reference_date(text: &str) -> Result<NaiveDate, Reason> {
    Day::parse(text).map(Day::date).map_err(|e| e.reason())
}

/// Where the count comes from: required, as for every published figure.
pub fn parse_source(text: &str) -> Result<String, Reason> {
    let text = text.trim();
    if text.is_empty() {
        Err(Reason::of("error.required", &[]))
    } else {
        Ok(text.to_string())
    }
}

/// The municipality's name in the reference list when `given` names it
/// otherwise (`'s-Gravenhage` for Den Haag): informative only, the code
/// decides. CBS's province suffixes (`Hengelo (O.)`, `Laren (NH.)`), which
/// the reference list mostly leaves out, are no other name.
pub fn other_name<'a>(municipality: &'a Municipality, given: &str) -> Option<&'a str> {
    fn bare(name: &str) -> String {
        let name = name.split_once(" (").map_or(name, |(bare, _)| bare);
        super::geo::normalize_name(name)
    }
    let given = given.trim();
    let differs = !given.is_empty() && bare(given) != bare(&municipality.name);
    differs.then_some(municipality.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_population_is_a_figure_of_its_year_keyed_by_the_cbs_code() {
        let population = MunicipalPopulation {
            municipality: parse_code("0363").unwrap(),
            inhabitants: parse_inhabitants(" 931298 ").unwrap(),
            reference_date: parse_reference_date("01-01-2024").unwrap(),
            source: parse_source("CBS").unwrap(),
        };
        let figure = population.figure();
        assert_eq!(
            (
                figure.key.as_str(),
                figure.scope.as_str(),
                figure.period.as_str()
            ),
            ("inhabitants", "GM0363", "2024")
        );
        assert_eq!(figure.value.whole(), Some(931_298));
        assert_eq!(figure.note.as_deref(), Some("reference date 2024-01-01"));
        assert!(figure.check().is_ok());
    }

    #[test]
    fn the_latest_count_at_or_before_the_year_is_the_one() {
        let at = |year: &str, n: u64| MunicipalPopulation {
            municipality: parse_code("GM0344").unwrap(),
            inhabitants: n,
            reference_date: parse_reference_date(&format!("{year}-01-01")).unwrap(),
            source: "CBS".into(),
        };
        let figures = [at("2022", 1), at("2024", 2)].map(|p| p.figure());
        let pick =
            |year| latest_inhabitants(&figures, "GM0344", year).and_then(|f| f.value.whole());
        assert_eq!(pick(2025), Some(2));
        assert_eq!(pick(2023), Some(1));
        assert_eq!(pick(2021), None);
        assert_eq!(latest_inhabitants(&figures, "GM0363", 2025), None);
    }

    #[test]
    fn bad_cells_say_why() {
        assert!(matches!(
            parse_code("GM9999"),
            Err(Reason::Text {
                key: "error.municipality_code_unknown",
                ..
            })
        ));
        assert!(matches!(
            parse_inhabitants("-5"),
            Err(Reason::Text {
                key: "error.cell.negative",
                ..
            })
        ));
        assert!(parse_inhabitants("12.5").is_err());
        assert!(parse_inhabitants("veel").is_err());
        assert!(parse_reference_date("2024-02-30").is_err());
        assert!(parse_source("  ").is_err());
    }

    #[test]
    fn another_spelling_of_the_name_is_noticed_not_refused() {
        let hague = parse_code("GM0518").unwrap();
        assert_eq!(other_name(hague, "'s-Gravenhage"), Some("Den Haag"));
        assert_eq!(other_name(hague, "den haag"), None);
        assert_eq!(other_name(hague, ""), None);
        let hengelo = parse_code("GM0164").unwrap();
        assert_eq!(other_name(hengelo, "Hengelo (O.)"), None);
    }
}
