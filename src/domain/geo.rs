//! Bundled reference geography of the Netherlands: municipalities (by CBS
//! code) with their province, place names, four-digit postcodes and province
//! shapes. The files in `data/nl/` are compiled into the binary (see
//! `data/nl/README.md` for sources and licences) and parsed once on first use.
//!
//! Place names resolve to a municipality or to a precise error; nothing is
//! guessed.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

const MUNICIPALITIES_CSV: &str = include_str!("../../data/nl/municipalities.csv");
const PLACES_CSV: &str = include_str!("../../data/nl/places.csv");
const POSTCODES_CSV: &str = include_str!("../../data/nl/postcodes.csv");
/// Province polygons (Natural Earth, public domain), served as is.
pub const PROVINCES_GEOJSON: &str = include_str!("../../data/nl/provinces.geojson");
/// The outline of the European Netherlands (Natural Earth, public domain).
pub const OUTLINE_GEOJSON: &str = include_str!("../../data/nl/netherlands_outline.geojson");

/// Well-known names that the GeoNames data spells differently. Kept short on
/// purpose: every entry is a name people really write in a spreadsheet.
const ALIASES: &[(&str, &str)] = &[
    ("den bosch", "GM0796"),
    ("s hertogenbosch", "GM0796"),
    ("s gravenhage", "GM0518"),
    ("the hague", "GM0518"),
    ("friesland", "NL-FR"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Province {
    /// ISO 3166-2 code, e.g. `NL-NH`.
    pub code: String,
    /// Dutch name, e.g. `Noord-Holland`.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Municipality {
    /// CBS gemeentecode with prefix, e.g. `GM0363`.
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub province_name: String,
    /// Coordinates of the municipality's most populous place, if known.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeArea {
    pub pc4: u16,
    pub place: String,
    pub municipality_code: String,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Clone)]
struct Place {
    municipality: usize,
    latitude: f64,
    longitude: f64,
}

/// Why a place name did not resolve to one municipality.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error("unknown place '{0}': not a Dutch municipality or place in the bundled reference data; give municipality_code")]
    Unknown(String),
    #[error("place '{name}' is ambiguous: it lies in {candidates}; give municipality_code or a postcode")]
    Ambiguous { name: String, candidates: String },
}

impl PlaceError {
    /// Why, for a reader in any language.
    pub fn reason(&self) -> super::Reason {
        match self {
            PlaceError::Unknown(name) => {
                super::Reason::of("error.place_unknown", &[("value", name.clone())])
            }
            PlaceError::Ambiguous { name, candidates } => super::Reason::of(
                "error.place_ambiguous",
                &[("value", name.clone()), ("candidates", candidates.clone())],
            ),
        }
    }
}

pub struct Geo {
    municipalities: Vec<Municipality>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    places: HashMap<String, Vec<Place>>,
    postcodes: HashMap<u16, PostcodeArea>,
    provinces: Vec<Province>,
}

/// The reference geography, parsed on first use.
pub fn geo() -> &'static Geo {
    static GEO: OnceLock<Geo> = OnceLock::new();
    GEO.get_or_init(|| Geo::load().expect("bundled reference geography is valid"))
}

/// Lower-case, strip accents and punctuation: "'s-Gravenhage" and
/// "s Gravenhage" compare equal, as do "Fryslân" and "Fryslan".
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
    {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

#[derive(Deserialize)]
struct MunicipalityRow {
    cbs_code: String,
    name: String,
    province: String,
    province_iso: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Deserialize)]
struct PlaceRow {
    name: String,
    municipality_code: String,
    latitude: f64,
    longitude: f64,
}

#[derive(Deserialize)]
struct PostcodeRow {
    pc4: u16,
    place: String,
    municipality_code: String,
    latitude: f64,
    longitude: f64,
}

fn read_csv<T: for<'de> Deserialize<'de>>(text: &str) -> anyhow::Result<Vec<T>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    Ok(reader.deserialize().collect::<Result<Vec<T>, _>>()?)
}

impl Geo {
    fn load() -> anyhow::Result<Geo> {
        let mut geo = Geo {
            municipalities: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            places: HashMap::new(),
            postcodes: HashMap::new(),
            provinces: Vec::new(),
        };
        for row in read_csv::<MunicipalityRow>(MUNICIPALITIES_CSV)? {
            if !geo.provinces.iter().any(|p| p.code == row.province_iso) {
                geo.provinces.push(Province {
                    code: row.province_iso.clone(),
                    name: row.province.clone(),
                });
            }
            let idx = geo.municipalities.len();
            geo.by_code.insert(row.cbs_code.clone(), idx);
            geo.by_name.insert(normalize_name(&row.name), idx);
            geo.municipalities.push(Municipality {
                code: row.cbs_code,
                name: row.name,
                province_code: row.province_iso,
                province_name: row.province,
                latitude: row.latitude,
                longitude: row.longitude,
            });
        }
        geo.provinces.sort_by(|a, b| a.name.cmp(&b.name));
        for row in read_csv::<PlaceRow>(PLACES_CSV)? {
            let municipality = geo.by_code[&row.municipality_code];
            geo.add_place(&row.name, municipality, row.latitude, row.longitude);
        }
        for row in read_csv::<PostcodeRow>(POSTCODES_CSV)? {
            let municipality = geo.by_code[&row.municipality_code];
            geo.add_place(&row.place, municipality, row.latitude, row.longitude);
            geo.postcodes.insert(
                row.pc4,
                PostcodeArea {
                    pc4: row.pc4,
                    place: row.place,
                    municipality_code: row.municipality_code,
                    latitude: row.latitude,
                    longitude: row.longitude,
                },
            );
        }
        // "Bergen (NH.)" and "Bergen (L.)" are both called Bergen: the bare
        // name is a place in each, so that "Bergen" asks which one is meant.
        for idx in 0..geo.municipalities.len() {
            let m = &geo.municipalities[idx];
            if let Some((bare, _)) = m.name.split_once(" (") {
                let bare = bare.to_string();
                let (lat, lon) = (m.latitude.unwrap_or(0.0), m.longitude.unwrap_or(0.0));
                geo.add_place(&bare, idx, lat, lon);
            }
        }
        for (alias, code) in ALIASES {
            if let Some(&idx) = geo.by_code.get(*code) {
                let m = &geo.municipalities[idx];
                let (lat, lon) = (m.latitude.unwrap_or(0.0), m.longitude.unwrap_or(0.0));
                geo.add_place(alias, idx, lat, lon);
            }
        }
        Ok(geo)
    }

    fn add_place(&mut self, name: &str, municipality: usize, latitude: f64, longitude: f64) {
        let entry = self.places.entry(normalize_name(name)).or_default();
        if !entry.iter().any(|p| p.municipality == municipality) {
            entry.push(Place {
                municipality,
                latitude,
                longitude,
            });
        }
    }

    pub fn municipalities(&self) -> &[Municipality] {
        &self.municipalities
    }

    pub fn provinces(&self) -> &[Province] {
        &self.provinces
    }

    /// A municipality by CBS code; accepts `GM0363`, `gm0363`, `0363` and `363`.
    pub fn municipality(&self, code: &str) -> Option<&Municipality> {
        let code = code.trim();
        let digits = code
            .strip_prefix("GM")
            .or_else(|| code.strip_prefix("gm"))
            .unwrap_or(code);
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let key = format!("GM{digits:0>4}");
        self.by_code.get(&key).map(|&i| &self.municipalities[i])
    }

    /// A municipality by its own name ("Den Haag", "Súdwest-Fryslân").
    pub fn municipality_by_name(&self, name: &str) -> Option<&Municipality> {
        self.by_name
            .get(&normalize_name(name))
            .map(|&i| &self.municipalities[i])
    }

    /// A province by ISO code (`NL-NH`, `NH`) or name (`Noord-Holland`, `Friesland`).
    pub fn province(&self, key: &str) -> Option<&Province> {
        let norm = normalize_name(key);
        let norm = ALIASES
            .iter()
            .find(|(alias, _)| *alias == norm)
            .map(|(_, code)| normalize_name(code))
            .unwrap_or(norm);
        self.provinces.iter().find(|p| {
            normalize_name(&p.code) == norm
                || normalize_name(&p.name) == norm
                || normalize_name(&p.code[3..]) == norm
        })
    }

    pub fn municipalities_in_province(&self, province_code: &str) -> Vec<&Municipality> {
        self.municipalities
            .iter()
            .filter(|m| m.province_code == province_code)
            .collect()
    }

    pub fn postcode(&self, pc4: u16) -> Option<&PostcodeArea> {
        self.postcodes.get(&pc4)
    }

    /// Resolves a city or place name to its municipality. A municipality's
    /// own name wins; a place name that lies in several municipalities is
    /// settled by the postcode's municipality when one is given, and is an
    /// error otherwise.
    pub fn resolve_place(&self, name: &str, pc4: Option<u16>) -> Result<&Municipality, PlaceError> {
        let norm = normalize_name(name);
        if let Some(&idx) = self.by_name.get(&norm) {
            return Ok(&self.municipalities[idx]);
        }
        let candidates = self
            .places
            .get(&norm)
            .ok_or_else(|| PlaceError::Unknown(name.trim().to_string()))?;
        if let [only] = candidates.as_slice() {
            return Ok(&self.municipalities[only.municipality]);
        }
        let by_postcode = pc4.and_then(|pc| self.postcodes.get(&pc)).and_then(|area| {
            candidates
                .iter()
                .find(|c| self.municipalities[c.municipality].code == area.municipality_code)
        });
        match by_postcode {
            Some(place) => Ok(&self.municipalities[place.municipality]),
            None => Err(PlaceError::Ambiguous {
                name: name.trim().to_string(),
                candidates: candidates
                    .iter()
                    .map(|c| {
                        let m = &self.municipalities[c.municipality];
                        format!("{} ({})", m.name, m.code)
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Coordinates of a named place within a municipality, if the bundled data has it.
    pub fn place_coordinates(&self, name: &str, municipality_code: &str) -> Option<(f64, f64)> {
        self.places
            .get(&normalize_name(name))?
            .iter()
            .find_map(|p| {
                (self.municipalities[p.municipality].code == municipality_code)
                    .then_some((p.latitude, p.longitude))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_data_has_every_municipality_and_province() {
        assert_eq!(geo().municipalities().len(), 342);
        assert_eq!(geo().provinces().len(), 12);
    }

    #[test]
    fn municipality_codes_are_accepted_with_or_without_prefix() {
        for code in ["GM0363", "gm0363", "0363", "363"] {
            assert_eq!(
                geo().municipality(code).unwrap().name,
                "Amsterdam",
                "{code}"
            );
        }
        assert!(geo().municipality("GM9999").is_none());
        assert!(geo().municipality("GM03633").is_none());
        assert!(geo().municipality("").is_none());
    }

    #[test]
    fn place_names_resolve_to_their_municipality() {
        let g = geo();
        assert_eq!(g.resolve_place("Utrecht", None).unwrap().code, "GM0344");
        assert_eq!(
            g.resolve_place("'s-Gravenhage", None).unwrap().code,
            "GM0518"
        );
        assert_eq!(g.resolve_place("Den Haag", None).unwrap().code, "GM0518");
        assert_eq!(g.resolve_place("den bosch", None).unwrap().code, "GM0796");
        assert_eq!(g.resolve_place("Weesp", None).unwrap().code, "GM0363");
    }

    #[test]
    fn unknown_and_ambiguous_places_are_errors_not_guesses() {
        let g = geo();
        assert!(matches!(
            g.resolve_place("Atlantis", None),
            Err(PlaceError::Unknown(_))
        ));
        // Two villages called Winsum (Het Hogeland and Waadhoeke).
        let err = g.resolve_place("Winsum", None).unwrap_err();
        assert!(matches!(err, PlaceError::Ambiguous { .. }), "{err}");
    }

    #[test]
    fn provinces_resolve_by_code_and_name() {
        let g = geo();
        assert_eq!(g.province("NL-NH").unwrap().name, "Noord-Holland");
        assert_eq!(g.province("noord-holland").unwrap().code, "NL-NH");
        assert_eq!(g.province("Friesland").unwrap().code, "NL-FR");
        assert_eq!(g.province("Fryslân").unwrap().code, "NL-FR");
        assert_eq!(g.province("UT").unwrap().code, "NL-UT");
        assert!(g.province("Vlaanderen").is_none());
    }

    #[test]
    fn postcode_areas_know_their_municipality() {
        let pc = geo().postcode(3511).unwrap();
        assert_eq!(pc.municipality_code, "GM0344");
    }
}
