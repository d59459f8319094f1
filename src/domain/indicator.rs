//! Indicators: the questions the inventory could not answer (DESIGN.md,
//! capability 5), each a formula over the register's figures and the
//! reference figures others publish, with its unit, the qualifier its
//! inputs give it and, where WHO, UNODC and UNAIDS set them, its bands.
//!
//! Bands (WHO, UNODC, UNAIDS, "Technical guide for countries to set
//! targets for universal access to HIV prevention, treatment and care for
//! injecting drug users", 2012 revision; the 2030 target of WHO's Global
//! Health Sector Strategies 2022–2030):
//! - needles and syringes distributed per person who injects per year:
//!   low below 100, medium 100 to 200, high 200 and more; target 300;
//! - people with opioid dependence in opioid agonist treatment: low below
//!   20 %, medium 20 to 40 %, high 40 % and more.
//!
//! The other indicators have no international band: the page says so
//! rather than colour them.

use serde::Serialize;
use utoipa::ToSchema;

use super::language::Language;
use super::service::ServiceType;
use super::table1::Qualifier;

/// The indicators vangnet computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorCode {
    SyringesPerPwid,
    OatCoverage,
    MhuOccupancy,
    DispensationsPerClient,
    #[serde(rename = "services_per_100k")]
    ServicesPer100k,
    #[serde(rename = "inhabitants_beyond_25km")]
    InhabitantsBeyond25km,
    #[serde(rename = "inhabitants_beyond_50km")]
    InhabitantsBeyond50km,
}

impl IndicatorCode {
    pub const ALL: [IndicatorCode; 7] = [
        IndicatorCode::SyringesPerPwid,
        IndicatorCode::OatCoverage,
        IndicatorCode::MhuOccupancy,
        IndicatorCode::DispensationsPerClient,
        IndicatorCode::ServicesPer100k,
        IndicatorCode::InhabitantsBeyond25km,
        IndicatorCode::InhabitantsBeyond50km,
    ];

    pub fn code(self) -> &'static str {
        match self {
            IndicatorCode::SyringesPerPwid => "syringes_per_pwid",
            IndicatorCode::OatCoverage => "oat_coverage",
            IndicatorCode::MhuOccupancy => "mhu_occupancy",
            IndicatorCode::DispensationsPerClient => "dispensations_per_client",
            IndicatorCode::ServicesPer100k => "services_per_100k",
            IndicatorCode::InhabitantsBeyond25km => "inhabitants_beyond_25km",
            IndicatorCode::InhabitantsBeyond50km => "inhabitants_beyond_50km",
        }
    }

    pub fn parse(text: &str) -> Option<IndicatorCode> {
        let text = text.trim();
        IndicatorCode::ALL.into_iter().find(|c| c.code() == text)
    }

    /// Whether the indicator has a row per service kind.
    pub fn per_service(self) -> bool {
        matches!(
            self,
            IndicatorCode::ServicesPer100k
                | IndicatorCode::InhabitantsBeyond25km
                | IndicatorCode::InhabitantsBeyond50km
        )
    }

    /// The distance of the "inhabitants beyond" indicators.
    pub fn beyond_km(self) -> Option<f64> {
        match self {
            IndicatorCode::InhabitantsBeyond25km => Some(25.0),
            IndicatorCode::InhabitantsBeyond50km => Some(50.0),
            _ => None,
        }
    }

    /// The international bands, where there are any.
    pub fn bands(self) -> Option<Bands> {
        match self {
            IndicatorCode::SyringesPerPwid => Some(Bands {
                medium_from: 100.0,
                high_from: 200.0,
                target: Some(300.0),
            }),
            IndicatorCode::OatCoverage => Some(Bands {
                medium_from: 20.0,
                high_from: 40.0,
                target: None,
            }),
            _ => None,
        }
    }

    /// The i18n key of its texts: `indicator.<code>.name`, `.unit`, `.formula`, `.inputs`.
    pub fn key(self, part: &str) -> String {
        format!("indicator.{}.{part}", self.code())
    }

    pub fn name(self, language: Language) -> String {
        super::text::text(language, &self.key("name"), &[])
    }
}

/// Where a value stands against the international bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Low,
    Medium,
    High,
}

impl Band {
    pub fn code(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
        }
    }
}

/// Low below `medium_from`, medium below `high_from`, high from there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Bands {
    pub medium_from: f64,
    pub high_from: f64,
    /// An international target beyond the bands (WHO's 300 syringes).
    pub target: Option<f64>,
}

impl Bands {
    pub fn band(&self, value: f64) -> Band {
        if value >= self.high_from {
            Band::High
        } else if value >= self.medium_from {
            Band::Medium
        } else {
            Band::Low
        }
    }
}

/// The qualifier of `numerator / denominator`: exact only from exact
/// inputs; a lower bound divided by an exact number is a lower bound; an
/// approximate input (or a lower bound over anything but an exact number)
/// makes it approximate; an unknown input makes it unknown.
pub fn ratio_qualifier(numerator: Qualifier, denominator: Qualifier) -> Qualifier {
    use Qualifier::*;
    match (numerator, denominator) {
        (Unknown, _) | (_, Unknown) => Unknown,
        (Exact, Exact) => Exact,
        (AtLeast, Exact) => AtLeast,
        _ => Approximate,
    }
}

/// Rounds to one decimal, as indicators are shown.
pub fn one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// A figure an indicator row was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndicatorInput {
    /// What it is: a metric code (`syringes_out`), a published figure's
    /// key (`people_who_inject.persons`) or `facilities`.
    pub key: String,
    /// `NL`, `NL-UT` or `GM0344`.
    pub area: String,
    /// The period it covers: the year asked for, or the published
    /// figure's own period (the latest at or before the year).
    pub period: String,
    /// Null when it is not known (or suppressed in public).
    pub value: Option<f64>,
    pub qualifier: Qualifier,
    /// The register (`vangnet register`) or the publication.
    pub source: String,
    /// What else the reader needs: how many facilities reported, a
    /// reference date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One indicator for one area (and service kind).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndicatorRow {
    /// `NL`, a province (`NL-UT`) or a municipality (`GM0344`).
    pub area: String,
    pub area_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceType>,
    /// Null when an input is missing or, in public, too small to show.
    pub value: Option<f64>,
    /// A share of the area's inhabitants, for the "beyond" indicators (%).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Against the international bands; null where there are none.
    pub band: Option<Band>,
    pub qualifier: Qualifier,
    /// True when the value was left out because a count of people or
    /// activity it reveals is below 5.
    pub suppressed: bool,
    pub inputs: Vec<IndicatorInput>,
    /// Why there is no value, or what to keep in mind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_the_international_ones() {
        let syringes = IndicatorCode::SyringesPerPwid.bands().unwrap();
        assert_eq!(syringes.band(99.9), Band::Low);
        assert_eq!(syringes.band(100.0), Band::Medium);
        assert_eq!(syringes.band(199.9), Band::Medium);
        assert_eq!(syringes.band(209.2), Band::High);
        assert_eq!(syringes.target, Some(300.0));
        let oat = IndicatorCode::OatCoverage.bands().unwrap();
        assert_eq!(oat.band(19.9), Band::Low);
        assert_eq!(oat.band(40.0), Band::High);
        assert!(IndicatorCode::MhuOccupancy.bands().is_none());
    }

    #[test]
    fn an_approximate_input_makes_an_approximate_indicator() {
        use Qualifier::*;
        assert_eq!(ratio_qualifier(Exact, Approximate), Approximate);
        assert_eq!(ratio_qualifier(AtLeast, Exact), AtLeast);
        assert_eq!(ratio_qualifier(AtLeast, Approximate), Approximate);
        assert_eq!(ratio_qualifier(Exact, Unknown), Unknown);
        assert_eq!(ratio_qualifier(Exact, Exact), Exact);
    }

    #[test]
    fn codes_read_back() {
        for code in IndicatorCode::ALL {
            assert_eq!(IndicatorCode::parse(code.code()), Some(code));
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                code.code(),
                "the JSON says the code as the API takes it"
            );
        }
        assert_eq!(IndicatorCode::parse("nonsense"), None);
    }
}
