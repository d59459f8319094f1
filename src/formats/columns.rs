//! The facility spreadsheet: its columns with their English names and Dutch
//! aliases, reading one row into a [`FacilityInput`] and writing one
//! facility as a row. CSV and XLSX import and export all go through here.

use chrono::NaiveDate;
use serde::Serialize;

use super::table::{cell_text, Cell};
use crate::domain::date::{parse_date, Day};
use crate::domain::facility::{Facility, FacilityInput, LocationPrecision};
use crate::domain::geo::{geo, normalize_name};
use crate::domain::language::Language;
use crate::domain::Reason;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Id,
    Name,
    Organisation,
    Services,
    Street,
    Postcode,
    City,
    Phone,
    MunicipalityCode,
    Municipality,
    Province,
    Latitude,
    Longitude,
    OpenedOn,
    ClosedOn,
    PublicAccess,
    Mobile,
    Rooms,
    Capacity,
    OpeningHours,
    ReferralRequired,
    IntakeRequired,
    TargetGroups,
    MaxMinutesPerVisit,
    MaxVisitsPerDay,
    Source,
    VerifiedOn,
    Features,
    Notes,
}

/// Every column in export order: the English name, then the Dutch aliases.
pub const COLUMNS: &[(Column, &str, &[&str])] = &[
    (Column::Id, "id", &[]),
    (Column::Name, "name", &["naam"]),
    (
        Column::Organisation,
        "organisation",
        &["organisatie", "organization", "instelling"],
    ),
    (Column::Services, "services", &["voorzieningen", "diensten"]),
    (Column::Street, "street", &["adres", "straat"]),
    (Column::Postcode, "postcode", &["postal_code"]),
    (Column::City, "city", &["plaats", "woonplaats"]),
    (Column::Phone, "phone", &["telefoon", "telefoonnummer"]),
    (
        Column::MunicipalityCode,
        "municipality_code",
        &["gemeentecode"],
    ),
    (Column::Municipality, "municipality", &["gemeente"]),
    (Column::Province, "province", &["provincie"]),
    (Column::Latitude, "latitude", &["breedtegraad", "lat"]),
    (
        Column::Longitude,
        "longitude",
        &["lengtegraad", "lon", "lng"],
    ),
    (Column::OpenedOn, "opened_on", &["geopend", "geopend_op"]),
    (Column::ClosedOn, "closed_on", &["gesloten", "gesloten_op"]),
    (Column::PublicAccess, "public_access", &["openbaar"]),
    (Column::Mobile, "mobile", &["mobiel"]),
    (Column::Rooms, "rooms", &["ruimtes"]),
    (Column::Capacity, "capacity", &["capaciteit"]),
    (Column::OpeningHours, "opening_hours", &["openingstijden"]),
    (
        Column::ReferralRequired,
        "referral_required",
        &["verwijzing_nodig", "verwijzing"],
    ),
    (
        Column::IntakeRequired,
        "intake_required",
        &["intake_nodig", "intake"],
    ),
    (
        Column::TargetGroups,
        "target_groups",
        &["doelgroepen", "doelgroep"],
    ),
    (
        Column::MaxMinutesPerVisit,
        "max_minutes_per_visit",
        &["max_minuten_per_bezoek"],
    ),
    (
        Column::MaxVisitsPerDay,
        "max_visits_per_day",
        &["max_bezoeken_per_dag"],
    ),
    (Column::Source, "source", &["bron"]),
    (
        Column::VerifiedOn,
        "verified_on",
        &["geverifieerd", "geverifieerd_op"],
    ),
    (Column::Features, "features", &["kenmerken"]),
    (Column::Notes, "notes", &["opmerkingen"]),
];

impl Column {
    /// The English column name, which is also the field name in the API.
    pub fn name(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map(|(_, name, _)| *name)
            .expect("every column is listed")
    }

    /// Recognises a header written in English or Dutch, in any case, with
    /// spaces or hyphens for underscores ("Geopend op", "opening-hours").
    pub fn from_header(header: &str) -> Option<Column> {
        let key = normalize_name(header).replace(' ', "_");
        COLUMNS
            .iter()
            .find(|(_, name, aliases)| *name == key || aliases.contains(&key.as_str()))
            .map(|(c, _, _)| *c)
    }

    /// The column an input field's errors belong to.
    pub fn for_field(field: &str) -> Option<Column> {
        match field {
            "organisation_id" => Some(Column::Organisation),
            other => Column::from_header(other),
        }
    }
}

/// Whether a row must fill a column in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Required,
    /// One of `city`, `municipality` and `municipality_code` is required.
    OnePlace,
    Optional,
}

impl Column {
    /// The header in Dutch: an alias [`Column::from_header`] recognises
    /// (a test holds it to that), for the Dutch import template.
    pub fn dutch_header(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Name => "naam",
            Column::Organisation => "organisatie",
            Column::Services => "voorzieningen",
            Column::Street => "adres",
            Column::Postcode => "postcode",
            Column::City => "plaats",
            Column::Phone => "telefoon",
            Column::MunicipalityCode => "gemeentecode",
            Column::Municipality => "gemeente",
            Column::Province => "provincie",
            Column::Latitude => "breedtegraad",
            Column::Longitude => "lengtegraad",
            Column::OpenedOn => "geopend_op",
            Column::ClosedOn => "gesloten_op",
            Column::PublicAccess => "openbaar",
            Column::Mobile => "mobiel",
            Column::Rooms => "ruimtes",
            Column::Capacity => "capaciteit",
            Column::OpeningHours => "openingstijden",
            Column::ReferralRequired => "verwijzing_nodig",
            Column::IntakeRequired => "intake_nodig",
            Column::TargetGroups => "doelgroepen",
            Column::MaxMinutesPerVisit => "max_minuten_per_bezoek",
            Column::MaxVisitsPerDay => "max_bezoeken_per_dag",
            Column::Source => "bron",
            Column::VerifiedOn => "geverifieerd_op",
            Column::Features => "kenmerken",
            Column::Notes => "opmerkingen",
        }
    }

    /// The header in `language`: the importer reads both.
    pub fn header(self, language: Language) -> &'static str {
        match language {
            Language::Nl => self.dutch_header(),
            Language::En => self.name(),
        }
    }

    /// Whether a row must fill this column in; the importer refuses a file
    /// without the required columns ([`REQUIRED`], [`PLACE_COLUMNS`]).
    pub fn need(self) -> Need {
        if REQUIRED.contains(&self) {
            Need::Required
        } else if PLACE_COLUMNS.contains(&self) {
            Need::OnePlace
        } else {
            Need::Optional
        }
    }
}

/// Columns a file must have.
pub const REQUIRED: [Column; 3] = [Column::Name, Column::Organisation, Column::Services];

/// A file must have one of these, to place its facilities.
pub const PLACE_COLUMNS: [Column; 3] =
    [Column::City, Column::Municipality, Column::MunicipalityCode];

/// The import template: the header row, in `language`, of every column the
/// importer reads, in export order, and no example row (an example left in
/// by mistake would be imported as a facility; the import page lists an
/// example per column instead).
pub fn template_headers(language: Language) -> Vec<&'static str> {
    COLUMNS.iter().map(|(c, _, _)| c.header(language)).collect()
}

/// One spreadsheet row, typed: the optional `id` and everything else as input.
#[derive(Debug, Clone, Default)]
pub struct RowInput {
    pub id: Option<i64>,
    pub input: FacilityInput,
}

/// Reads cells into a [`RowInput`]. Cells that do not convert (a word where
/// a number belongs) become `(column, reason)` errors.
pub fn read_row(columns: &[Column], cells: &[Cell]) -> (RowInput, Vec<(Column, Reason)>) {
    let mut row = RowInput::default();
    let mut errors = Vec::new();
    for (column, cell) in columns.iter().zip(cells) {
        if *cell == Cell::Empty {
            continue;
        }
        if let Err(message) = set(&mut row, *column, cell) {
            errors.push((*column, message));
        }
    }
    (row, errors)
}

fn set(row: &mut RowInput, column: Column, cell: &Cell) -> Result<(), Reason> {
    let text = || cell_text(cell);
    let input = &mut row.input;
    match column {
        Column::Id => row.id = Some(whole_number(cell)?),
        Column::Name => input.name = text(),
        Column::Organisation => input.organisation = text(),
        Column::Services => {
            input.services = text().map(|t| {
                t.split([';', ',', '|'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
        }
        Column::Street => input.street = text(),
        Column::Postcode => input.postcode = text(),
        Column::City => input.city = text(),
        Column::Phone => input.phone = text(),
        Column::MunicipalityCode => input.municipality_code = text(),
        Column::Municipality => input.municipality = text(),
        Column::Province => input.province = text(),
        Column::Latitude => input.latitude = Some(decimal(cell)?),
        Column::Longitude => input.longitude = Some(decimal(cell)?),
        Column::OpenedOn => input.opened_on = Some(date(cell)?),
        Column::ClosedOn => input.closed_on = Some(date(cell)?),
        Column::PublicAccess => input.public_access = Some(yes_no(cell)?),
        Column::Mobile => input.mobile = Some(yes_no(cell)?),
        Column::Rooms => input.rooms = Some(whole_number(cell)?),
        Column::Capacity => input.capacity = Some(whole_number(cell)?),
        Column::OpeningHours => input.opening_hours = text(),
        Column::ReferralRequired => input.referral_required = Some(yes_no(cell)?),
        Column::IntakeRequired => input.intake_required = Some(yes_no(cell)?),
        Column::TargetGroups => input.target_groups = text(),
        Column::MaxMinutesPerVisit => input.max_minutes_per_visit = Some(whole_number(cell)?),
        Column::MaxVisitsPerDay => input.max_visits_per_day = Some(whole_number(cell)?),
        Column::Source => input.source = text(),
        Column::VerifiedOn => input.verified_on = Some(date(cell)?),
        Column::Features => {
            input.features = text().map(|t| {
                t.split([';', ',', '|'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
        }
        Column::Notes => input.notes = text(),
    }
    Ok(())
}

fn shown(cell: &Cell) -> String {
    cell_text(cell).unwrap_or_default()
}

/// The catalogue's text `key` about the cell as it was written.
fn refused(key: &'static str, cell: &Cell) -> Reason {
    let value = match cell {
        Cell::Text(t) => t.clone(),
        other => shown(other),
    };
    Reason::of(key, &[("value", value)])
}

fn yes_no(cell: &Cell) -> Result<bool, Reason> {
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(n) if *n == 1.0 => Ok(true),
        Cell::Number(n) if *n == 0.0 => Ok(false),
        Cell::Text(t) => match t.trim().to_lowercase().as_str() {
            "yes" | "y" | "ja" | "j" | "true" | "waar" | "1" | "x" => Ok(true),
            "no" | "n" | "nee" | "false" | "onwaar" | "0" | "-" => Ok(false),
            _ => Err(refused("error.cell.yes_no", cell)),
        },
        other => Err(refused("error.cell.yes_no", other)),
    }
}

fn whole_number(cell: &Cell) -> Result<i64, Reason> {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e12 => Ok(*n as i64),
        Cell::Text(t) => t
            .trim()
            .parse::<i64>()
            .map_err(|_| refused("error.cell.whole_number", cell)),
        other => Err(refused("error.cell.whole_number", other)),
    }
}

/// A decimal number; a Dutch decimal comma ("52,0907") is accepted.
fn decimal(cell: &Cell) -> Result<f64, Reason> {
    match cell {
        Cell::Number(n) => Ok(*n),
        Cell::Text(t) => {
            let normalised = if t.contains('.') {
                t.trim().to_string()
            } else {
                t.trim().replace(',', ".")
            };
            normalised
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(|| refused("error.cell.number", cell))
        }
        other => Err(refused("error.cell.number", other)),
    }
}

fn date(cell: &Cell) -> Result<NaiveDate, Reason> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Text(t) => parse_date(t).ok_or_else(|| refused("error.cell.date", cell)),
        other => Err(refused("error.cell.date", other)),
    }
}

/// Which columns an export has; the public one leaves out internal notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportScope {
    Public,
    Full,
}

pub fn export_columns(scope: ExportScope) -> Vec<Column> {
    COLUMNS
        .iter()
        .map(|(c, _, _)| *c)
        .filter(|c| scope == ExportScope::Full || *c != Column::Notes)
        .collect()
}

/// A facility as spreadsheet cells, in the same form the importer reads, so
/// that an export imports again without changes.
pub fn facility_cells(facility: &Facility, columns: &[Column]) -> Vec<Cell> {
    let f = &facility.fields;
    let text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()));
    let yes_no = |b: Option<bool>| {
        b.map_or(Cell::Empty, |b| {
            Cell::Text(if b { "yes" } else { "no" }.into())
        })
    };
    let number = |n: Option<i64>| n.map_or(Cell::Empty, |n| Cell::Number(n as f64));
    let day = |d: Option<Day>| d.map_or(Cell::Empty, |d| Cell::Date(d.date()));
    let exact = f
        .location
        .filter(|l| l.precision == LocationPrecision::Exact);
    let municipality = geo().municipality(&f.municipality_code);
    columns
        .iter()
        .map(|column| match column {
            Column::Id => Cell::Number(facility.id as f64),
            Column::Name => Cell::Text(f.name.clone()),
            Column::Organisation => text(facility.organisation_name.as_deref()),
            Column::Services => Cell::Text(f.services.to_string()),
            Column::Street => text(f.street.as_deref()),
            Column::Postcode => text(f.postcode.as_ref().map(|p| p.as_str())),
            Column::City => text(f.city.as_deref()),
            Column::Phone => text(f.phone.as_ref().map(|p| p.as_str())),
            Column::MunicipalityCode => Cell::Text(f.municipality_code.clone()),
            Column::Municipality => text(municipality.map(|m| m.name.as_str())),
            Column::Province => text(municipality.map(|m| m.province_name.as_str())),
            Column::Latitude => exact.map_or(Cell::Empty, |l| Cell::Number(l.latitude)),
            Column::Longitude => exact.map_or(Cell::Empty, |l| Cell::Number(l.longitude)),
            Column::OpenedOn => day(f.opened_on),
            Column::ClosedOn => day(f.closed_on),
            Column::PublicAccess => yes_no(Some(f.public_access)),
            Column::Mobile => yes_no(Some(f.mobile)),
            Column::Rooms => number(f.rooms.map(i64::from)),
            Column::Capacity => number(f.capacity.map(i64::from)),
            Column::OpeningHours => text(f.opening_hours.as_ref().map(|h| h.as_str())),
            Column::ReferralRequired => yes_no(f.access.referral_required),
            Column::IntakeRequired => yes_no(f.access.intake_required),
            Column::TargetGroups => text(f.access.target_groups.as_deref()),
            Column::MaxMinutesPerVisit => number(f.access.max_minutes_per_visit.map(i64::from)),
            Column::MaxVisitsPerDay => number(f.access.max_visits_per_day.map(i64::from)),
            Column::Source => Cell::Text(facility.recorded.source.to_string()),
            Column::VerifiedOn => day(facility.recorded.verified_on),
            Column::Features => {
                let codes = f.features.to_string();
                text((!codes.is_empty()).then_some(codes.as_str()))
            }
            Column::Notes => text(f.notes.as_deref()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_and_english_headers_name_the_same_column() {
        assert_eq!(Column::from_header("Naam"), Some(Column::Name));
        assert_eq!(Column::from_header("Geopend op"), Some(Column::OpenedOn));
        assert_eq!(
            Column::from_header("opening-hours"),
            Some(Column::OpeningHours)
        );
        assert_eq!(
            Column::from_header("GEMEENTECODE"),
            Some(Column::MunicipalityCode)
        );
        assert_eq!(Column::from_header("kleur"), None);
    }

    #[test]
    fn every_template_header_is_read_back_as_its_column() {
        for (column, _, _) in COLUMNS {
            for language in Language::ALL {
                assert_eq!(
                    Column::from_header(column.header(language)),
                    Some(*column),
                    "{}",
                    column.header(language)
                );
            }
        }
    }

    #[test]
    fn cells_convert_with_dutch_conventions() {
        let columns = [
            Column::Latitude,
            Column::PublicAccess,
            Column::OpenedOn,
            Column::Services,
        ];
        let cells = [
            Cell::Text("52,0907".into()),
            Cell::Text("Nee".into()),
            Cell::Text("01-03-2024".into()),
            Cell::Text("spuitomruil; naloxon".into()),
        ];
        let (row, errors) = read_row(&columns, &cells);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(row.input.latitude, Some(52.0907));
        assert_eq!(row.input.public_access, Some(false));
        assert_eq!(row.input.opened_on, NaiveDate::from_ymd_opt(2024, 3, 1));
        assert_eq!(row.input.services.unwrap(), ["spuitomruil", "naloxon"]);
    }

    #[test]
    fn cells_that_do_not_convert_name_their_column() {
        let columns = [Column::Rooms, Column::Mobile, Column::ClosedOn];
        let cells = [
            Cell::Text("drie".into()),
            Cell::Text("misschien".into()),
            Cell::Text("31-02-2024".into()),
        ];
        let (_, errors) = read_row(&columns, &cells);
        let named: Vec<Column> = errors.iter().map(|(c, _)| *c).collect();
        assert_eq!(named, columns);
    }
}
