//! The period and date parsers, each on the same text: reporting periods
//! (`2025-03`, `2025-Q1`, `2025`) with what is computed from them (first
//! and last day, the next period, the quarter or year it lies in, the ADX
//! and DHIS2 names); the register's days (`2024-03-01`, `01-03-2024`,
//! `1/3/2024`, strict ISO for JSON); the moments of tallies; a published
//! figure's period, value (`20-35`) and qualifier (`at least`, `unknown`,
//! `≥`); Table 1's qualifiers; the numbers typed into report cells.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vangnet::domain::date::{parse_date, Day};
use vangnet::domain::figure::{period_date, FigureQualifier, FigureValue};
use vangnet::domain::language::Language;
use vangnet::domain::metric::{Period, PeriodKind};
use vangnet::domain::period_report::parse_value;
use vangnet::domain::population::{parse_inhabitants, parse_reference_date};
use vangnet::domain::table1::Qualifier;
use vangnet::domain::tally::parse_moment;
use vangnet::formats::adx::{adx_period, dhis2_period};
use vangnet_fuzz::now;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(period) = Period::parse(text) {
        assert_eq!(Period::parse(&period.to_string()), Ok(period), "{text:?}");
        assert!(period.start() < period.end());
        assert!(period.contains(period.start()));
        assert!(!period.contains(period.end()));
        assert_eq!(period.next().start(), period.end());
        for kind in [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year] {
            assert!(period.within(kind).contains(period.start()));
        }
        let _ = (adx_period(period), dhis2_period(period));
    }
    let _ = PeriodKind::parse(text);

    if let Ok(day) = Day::parse(text) {
        assert_eq!(Day::parse_iso(&day.iso()).ok(), Some(day));
        let _ = day.plus_days(u64::from(data.len() as u32) * 1000);
        assert_eq!(parse_date(text), Some(day.date()));
    }
    if let Ok(day) = Day::parse_iso(text) {
        assert_eq!(
            Day::parse(text).ok(),
            Some(day),
            "strict ISO is one of the forms"
        );
    }
    let _ = parse_reference_date(text);
    let _ = period_date(text);
    let _ = parse_moment(text, now());

    if let Ok(value) = FigureValue::parse(text) {
        let _ = (value.whole(), value.text(), value.bounds());
    }
    if let Some(qualifier) = FigureQualifier::parse(text) {
        let _ = qualifier.qualifier();
    }
    if let Some(qualifier) = Qualifier::parse(text) {
        for language in [Language::Nl, Language::En] {
            let _ = qualifier.show(Some(7), language);
            let _ = qualifier.label(language);
        }
    }
    if let Ok(Some(n)) = parse_value(text) {
        assert!(n.unsigned_abs() < 10u64.pow(15));
    }
    let _ = parse_inhabitants(text);
});
