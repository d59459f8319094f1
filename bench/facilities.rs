//! Generated facility spreadsheets for the import benchmarks
//! (`bench/import.rs`, `bench/import_memory.rs`): valid, distinct
//! facilities spread over all 342 municipalities, the same on every run.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};

/// Value lists, `|`-separated: services (in bit order), the first word of a
/// facility's name by its first service, 10 organisation kinds × 5 regions
/// (= 50 organisations), opening hours, streets and sources.
const SERVICES: &str =
    "consumption_room|methadone_clinic|heroin_unit|syringe_exchange|paraphernalia|naloxone";
const NAME_KINDS: &str =
    "Huiskamer|Medicatiepost|Heroïnepoli|Spuitomruilpunt|Uitgiftepunt|Naloxonpunt";
const ORG_KINDS: &str = "Stichting Straatzorg|Verslavingszorg|GGD|Stichting De Overloop|\
    Apotheek Centraal|Leger des Heils|Stichting Nachtopvang|Zorggroep Herstel|Stichting Vangnet|\
    Maatschappelijke Opvang";
const REGIONS: &str = "Noord|Oost|Zuid|West|Midden";
const HOURS: &str = "Mo-Fr 09:00-17:00|Mo-Su 08:00-10:00,16:00-18:00|Mo-Sa 10:00-22:00|\
    Tu,Th 13:00-17:00|24/7|Mo-Fr 08:30-12:30; Sa 10:00-14:00";
const STREETS: &str = "Stationsweg|Kerkstraat|Dorpsstraat|Molenweg|Schoolstraat|Havenkade";
const SOURCES: &str = "survey|phone|website|ladis|inventory";
/// Postcode letters without S: SA, SD and SS are not issued.
const LETTERS: &[u8] = b"ABCDEGHJKLMNPRTVWXZ";
pub const HEADER: &str = "name,organisation,services,street,postcode,city,municipality_code,\
    latitude,longitude,opened_on,closed_on,public_access,mobile,rooms,capacity,opening_hours,\
    source,verified_on";

/// splitmix64: small and deterministic, so every run imports the same file.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }

    /// One item of a `|`-separated list.
    fn pick(&mut self, list: &'static str) -> &'static str {
        let items: Vec<&str> = list.split('|').collect();
        items[self.below(items.len())]
    }
}

/// `count` distinct valid facilities, one row of cells (in the columns of
/// [`HEADER`]) each; empty text is an empty cell.
pub fn facility_rows(count: usize, today: NaiveDate) -> Vec<Vec<String>> {
    let geo = vangnet::domain::geo::geo();
    // The lowest postcode area (PC4) of each municipality, for real postcodes.
    let mut pc4: HashMap<&str, u16> = HashMap::new();
    for pc in 1000..=9999 {
        if let Some(area) = geo.postcode(pc) {
            pc4.entry(area.municipality_code.as_str()).or_insert(pc);
        }
    }
    let (kinds, regions): (Vec<&str>, Vec<&str>) =
        (ORG_KINDS.split('|').collect(), REGIONS.split('|').collect());
    let organisations: Vec<String> = (0..50)
        .map(|i| format!("{} {}", kinds[i / 5], regions[i % 5]))
        .collect();
    let services: Vec<&str> = SERVICES.split('|').collect();
    let name_kinds: Vec<&str> = NAME_KINDS.split('|').collect();
    let municipalities = geo.municipalities();
    let start = NaiveDate::from_ymd_opt(1995, 1, 1).expect("a date");
    let mut rng = Rng(2);
    let mut rows = Vec::with_capacity(count);
    for i in 0..count {
        let m = &municipalities[i % municipalities.len()];
        let bits = 1 + rng.below(63); // a non-empty set of services
        let offered: Vec<&str> = (0..6)
            .filter(|b| bits & (1 << b) != 0)
            .map(|b| services[b])
            .collect();
        let name = format!(
            "{} {} {:05}",
            name_kinds[bits.trailing_zeros() as usize],
            m.name,
            i + 1
        );
        let mut letter = || LETTERS[rng.below(LETTERS.len())] as char;
        let postcode = pc4
            .get(m.code.as_str())
            .map(|pc| format!("{pc} {}{}", letter(), letter()));
        // Within about a kilometre of the municipality's main place.
        let mut near = |degrees: Option<f64>, low: f64, high: f64| {
            let jitter = (rng.below(2001) as f64 - 1000.0) / 100_000.0;
            degrees.map(|d| format!("{:.5}", (d + jitter).clamp(low, high)))
        };
        let latitude = near(m.latitude, 50.71, 53.69);
        let longitude = near(m.longitude, 3.21, 7.29);
        let opened = start + Days::new(rng.below(30 * 365) as u64);
        // One in ten facilities opened before 2015 has closed since.
        let closed = (opened.year() < 2015 && rng.below(10) == 0)
            .then(|| (opened + Days::new(1 + rng.below(3000) as u64)).to_string());
        // Rooms for consumption rooms; capacity for them and heroin units.
        let rooms = (bits & 1 != 0).then(|| (1 + rng.below(4)).to_string());
        let capacity = (bits & 5 != 0).then(|| (2 + rng.below(60)).to_string());
        let public = if rng.below(10) == 0 { "no" } else { "yes" };
        let mobile = if rng.below(20) == 0 { "yes" } else { "no" };
        let verified = today - Days::new(rng.below(700) as u64);
        rows.push(vec![
            name,
            organisations[rng.below(organisations.len())].clone(),
            offered.join(";"),
            format!("{} {}", rng.pick(STREETS), 1 + rng.below(200)),
            postcode.unwrap_or_default(),
            m.name.clone(),
            m.code.clone(),
            latitude.unwrap_or_default(),
            longitude.unwrap_or_default(),
            opened.to_string(),
            closed.unwrap_or_default(),
            public.to_string(),
            mobile.to_string(),
            rooms.unwrap_or_default(),
            capacity.unwrap_or_default(),
            rng.pick(HOURS).to_string(),
            rng.pick(SOURCES).to_string(),
            verified.to_string(),
        ]);
    }
    rows
}

/// The rows as CSV text with the header.
pub fn facilities_csv(rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER.split(','))?;
    for row in rows {
        out.write_record(row)?;
    }
    Ok(out.into_inner()?)
}
