//! Spread over the country: public facilities open on a day counted per
//! province and per municipality and service, which municipalities have a
//! service of each kind, and for every municipality the distance from its
//! representative point (its most populous place, from the bundled
//! reference geography) to the nearest public facility of each kind, so the
//! municipalities farthest from a service can be listed first.
//!
//! What the bundled data cannot give is said rather than guessed: there is
//! no population data (so no facilities per 100,000 inhabitants) and no GGD
//! regions.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::facility::Facility;
use super::finder::{Nearest, Point};
use super::geo::geo;
use super::service::ServiceType;

/// How many municipalities the farthest-first lists of [`Spread`] keep;
/// every distance is in the municipality table.
pub const FARTHEST_LISTED: usize = 20;

/// A number per service type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ServiceCounts {
    pub consumption_room: i64,
    pub methadone_clinic: i64,
    pub heroin_unit: i64,
    pub syringe_exchange: i64,
    pub paraphernalia: i64,
    pub naloxone: i64,
}

impl ServiceCounts {
    pub fn get(&self, service: ServiceType) -> i64 {
        *self.field(service)
    }

    fn field(&self, service: ServiceType) -> &i64 {
        match service {
            ServiceType::ConsumptionRoom => &self.consumption_room,
            ServiceType::MethadoneClinic => &self.methadone_clinic,
            ServiceType::HeroinUnit => &self.heroin_unit,
            ServiceType::SyringeExchange => &self.syringe_exchange,
            ServiceType::Paraphernalia => &self.paraphernalia,
            ServiceType::Naloxone => &self.naloxone,
        }
    }

    pub fn add(&mut self, service: ServiceType, n: i64) {
        let field = match service {
            ServiceType::ConsumptionRoom => &mut self.consumption_room,
            ServiceType::MethadoneClinic => &mut self.methadone_clinic,
            ServiceType::HeroinUnit => &mut self.heroin_unit,
            ServiceType::SyringeExchange => &mut self.syringe_exchange,
            ServiceType::Paraphernalia => &mut self.paraphernalia,
            ServiceType::Naloxone => &mut self.naloxone,
        };
        *field += n;
    }

    /// In `ServiceType::ALL` order.
    pub fn to_vec(&self) -> Vec<i64> {
        ServiceType::ALL.iter().map(|s| self.get(*s)).collect()
    }
}

/// A distance in kilometres (one decimal) per service type; null where no
/// public facility offers the service, or the municipality has no point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct ServiceDistances {
    pub consumption_room: Option<f64>,
    pub methadone_clinic: Option<f64>,
    pub heroin_unit: Option<f64>,
    pub syringe_exchange: Option<f64>,
    pub paraphernalia: Option<f64>,
    pub naloxone: Option<f64>,
}

impl ServiceDistances {
    pub fn get(&self, service: ServiceType) -> Option<f64> {
        match service {
            ServiceType::ConsumptionRoom => self.consumption_room,
            ServiceType::MethadoneClinic => self.methadone_clinic,
            ServiceType::HeroinUnit => self.heroin_unit,
            ServiceType::SyringeExchange => self.syringe_exchange,
            ServiceType::Paraphernalia => self.paraphernalia,
            ServiceType::Naloxone => self.naloxone,
        }
    }

    fn set(&mut self, service: ServiceType, km: Option<f64>) {
        let field = match service {
            ServiceType::ConsumptionRoom => &mut self.consumption_room,
            ServiceType::MethadoneClinic => &mut self.methadone_clinic,
            ServiceType::HeroinUnit => &mut self.heroin_unit,
            ServiceType::SyringeExchange => &mut self.syringe_exchange,
            ServiceType::Paraphernalia => &mut self.paraphernalia,
            ServiceType::Naloxone => &mut self.naloxone,
        };
        *field = km;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProvinceSpread {
    /// ISO 3166-2, e.g. `NL-UT`.
    pub code: String,
    pub name: String,
    /// Public facilities open on the day, each once.
    pub facilities: i64,
    /// Locations per service (a location counts once per service).
    pub locations: ServiceCounts,
    /// Municipalities with at least one location per service.
    pub municipalities_with: ServiceCounts,
    /// Municipalities in the province.
    pub municipalities: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MunicipalitySpread {
    /// CBS code, e.g. `GM0344`.
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub province: String,
    pub facilities: i64,
    pub locations: ServiceCounts,
    /// From the municipality's representative point to the nearest public
    /// facility of each kind, anywhere in the country.
    pub nearest_km: ServiceDistances,
}

/// A municipality and how far its nearest facility of a kind is.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Distance {
    pub code: String,
    pub name: String,
    pub province: String,
    pub km: f64,
    /// The nearest facility offering the service.
    pub nearest_facility_id: i64,
    pub nearest_facility: String,
    pub nearest_municipality: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ServiceSpread {
    pub service: ServiceType,
    pub locations: i64,
    /// CBS codes of the municipalities with at least one location, by name.
    pub municipalities: Vec<String>,
    /// The municipalities farthest from the service, farthest first (at
    /// most [`FARTHEST_LISTED`]).
    pub farthest: Vec<Distance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Spread {
    pub as_of: NaiveDate,
    /// Public facilities open on the day, each once.
    pub facilities: i64,
    pub national: ServiceCounts,
    /// Municipalities with at least one location, per service.
    pub national_municipalities_with: ServiceCounts,
    /// The twelve provinces, by name.
    pub provinces: Vec<ProvinceSpread>,
    /// Every municipality of the bundled geography, by name.
    pub municipalities: Vec<MunicipalitySpread>,
    /// Per service, in the fixed order.
    pub services: Vec<ServiceSpread>,
    /// Always false: the bundled reference data has no GGD regions.
    pub ggd_regions_available: bool,
    /// Always false: without population data there is no rate per 100,000.
    pub population_available: bool,
}

impl Spread {
    pub fn service(&self, service: ServiceType) -> &ServiceSpread {
        self.services
            .iter()
            .find(|s| s.service == service)
            .expect("every service has an entry")
    }

    pub fn province(&self, code: &str) -> Option<&ProvinceSpread> {
        self.provinces.iter().find(|p| p.code == code)
    }

    pub fn municipality(&self, code: &str) -> Option<&MunicipalitySpread> {
        self.municipalities.iter().find(|m| m.code == code)
    }
}

/// Where a facility is: its own coordinates, else its municipality's point.
fn point_of(facility: &Facility) -> Option<Point> {
    match facility.fields.location {
        Some(l) => Point::new(l.latitude, l.longitude),
        None => {
            let m = geo().municipality(&facility.fields.municipality_code)?;
            Point::new(m.latitude?, m.longitude?)
        }
    }
}

fn round_km(km: f64) -> f64 {
    (km * 10.0).round() / 10.0
}

/// The spread of `facilities`, which must be the public ones open on `day`.
pub fn compute(day: NaiveDate, facilities: &[Facility]) -> Spread {
    let g = geo();
    let mut municipalities: Vec<MunicipalitySpread> = g
        .municipalities()
        .iter()
        .map(|m| MunicipalitySpread {
            code: m.code.clone(),
            name: m.name.clone(),
            province_code: m.province_code.clone(),
            province: m.province_name.clone(),
            facilities: 0,
            locations: ServiceCounts::default(),
            nearest_km: ServiceDistances::default(),
        })
        .collect();
    municipalities.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
    // The table is sorted by name; find by code through a map.
    let by_code: std::collections::HashMap<String, usize> = municipalities
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code.clone(), i))
        .collect();
    let mut national = ServiceCounts::default();
    for f in facilities {
        for service in f.fields.services.iter() {
            national.add(service, 1);
        }
        if let Some(&i) = by_code.get(&f.fields.municipality_code) {
            let m = &mut municipalities[i];
            m.facilities += 1;
            for service in f.fields.services.iter() {
                m.locations.add(service, 1);
            }
        }
    }
    // Per service, the facilities that offer it with their points.
    let points: Vec<(ServiceType, Nearest<&Facility>)> = ServiceType::ALL
        .iter()
        .map(|&s| {
            let list = facilities
                .iter()
                .filter(|f| f.fields.services.contains(s))
                .filter_map(|f| Some((point_of(f)?, f)));
            (s, Nearest::new(list))
        })
        .collect();
    let mut nearest_facility: Vec<Vec<Option<&Facility>>> =
        vec![vec![None; ServiceType::ALL.len()]; municipalities.len()];
    for (i, m) in municipalities.iter_mut().enumerate() {
        let Some(origin) = g
            .municipality(&m.code)
            .and_then(|r| Point::new(r.latitude?, r.longitude?))
        else {
            continue;
        };
        for (s, (service, nearest)) in points.iter().enumerate() {
            if let Some((km, f)) = nearest.nearest(origin) {
                m.nearest_km.set(*service, Some(round_km(km)));
                nearest_facility[i][s] = Some(*f);
            }
        }
    }
    let provinces: Vec<ProvinceSpread> = g
        .provinces()
        .iter()
        .map(|p| {
            let mut row = ProvinceSpread {
                code: p.code.clone(),
                name: p.name.clone(),
                facilities: 0,
                locations: ServiceCounts::default(),
                municipalities_with: ServiceCounts::default(),
                municipalities: 0,
            };
            for m in municipalities.iter().filter(|m| m.province_code == p.code) {
                row.municipalities += 1;
                row.facilities += m.facilities;
                for service in ServiceType::ALL {
                    let n = m.locations.get(service);
                    row.locations.add(service, n);
                    row.municipalities_with.add(service, i64::from(n > 0));
                }
            }
            row
        })
        .collect();
    let mut national_municipalities_with = ServiceCounts::default();
    for p in &provinces {
        for service in ServiceType::ALL {
            national_municipalities_with.add(service, p.municipalities_with.get(service));
        }
    }
    let services = ServiceType::ALL
        .iter()
        .enumerate()
        .map(|(s, &service)| {
            let mut far: Vec<Distance> = municipalities
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    let f = nearest_facility[i][s]?;
                    let km = m.nearest_km.get(service)?;
                    Some(Distance {
                        code: m.code.clone(),
                        name: m.name.clone(),
                        province: m.province.clone(),
                        km,
                        nearest_facility_id: f.id,
                        nearest_facility: f.fields.name.clone(),
                        nearest_municipality: g
                            .municipality(&f.fields.municipality_code)
                            .map_or_else(String::new, |n| n.name.clone()),
                    })
                })
                .collect();
            far.sort_by(|a, b| b.km.total_cmp(&a.km).then(a.name.cmp(&b.name)));
            far.truncate(FARTHEST_LISTED);
            ServiceSpread {
                service,
                locations: national.get(service),
                municipalities: municipalities
                    .iter()
                    .filter(|m| m.locations.get(service) > 0)
                    .map(|m| m.code.clone())
                    .collect(),
                farthest: far,
            }
        })
        .collect();
    Spread {
        as_of: day,
        facilities: facilities.len() as i64,
        national,
        national_municipalities_with,
        provinces,
        municipalities,
        services,
        ggd_regions_available: false,
        population_available: false,
    }
}

/// The municipalities sorted farthest first from `service` (those without
/// a distance left out), for tables longer than [`FARTHEST_LISTED`].
pub fn farthest_first(spread: &Spread, service: ServiceType) -> Vec<&MunicipalitySpread> {
    let mut list: Vec<&MunicipalitySpread> = spread
        .municipalities
        .iter()
        .filter(|m| m.nearest_km.get(service).is_some())
        .collect();
    list.sort_by(|a, b| {
        let (x, y) = (a.nearest_km.get(service), b.nearest_km.get(service));
        y.unwrap_or(0.0)
            .total_cmp(&x.unwrap_or(0.0))
            .then(a.name.cmp(&b.name))
    });
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::facility::{manual_source, FacilityInput};
    use crate::domain::provenance::{Recorded, Validity};

    fn facility(id: i64, city: &str, services: &[&str]) -> Facility {
        let input = FacilityInput {
            name: Some(format!("Demo {city} {id}")),
            organisation: Some("Demo".into()),
            services: Some(services.iter().map(|s| s.to_string()).collect()),
            city: Some(city.into()),
            ..FacilityInput::default()
        };
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        Facility {
            id,
            organisation_id: Some(1),
            organisation_name: None,
            fields: input.validate(&manual_source("t"), day).unwrap().fields,
            recorded: Recorded {
                source: manual_source("t"),
                verified_on: None,
                note: None,
                recorded_by: "t".into(),
                recorded_at: "2026-01-01T00:00:00Z".into(),
            },
            validity: Validity {
                version: 1,
                valid_from: None,
                valid_to: None,
                superseded_at: None,
            },
            counts_from: day,
        }
    }

    #[test]
    fn counts_per_province_and_the_farthest_municipalities() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let facilities = [
            facility(1, "Utrecht", &["consumption_room", "syringe_exchange"]),
            facility(2, "Utrecht", &["syringe_exchange"]),
            facility(3, "Amersfoort", &["syringe_exchange"]),
            facility(4, "Maastricht", &["consumption_room"]),
        ];
        let spread = compute(day, &facilities);
        assert_eq!(spread.facilities, 4);
        assert_eq!(spread.municipalities.len(), 342);
        let utrecht = spread.province("NL-UT").unwrap();
        assert_eq!(utrecht.facilities, 3);
        assert_eq!(utrecht.locations.syringe_exchange, 3);
        assert_eq!(utrecht.municipalities_with.syringe_exchange, 2);
        assert_eq!(
            spread.province("NL-LI").unwrap().locations.consumption_room,
            1
        );
        assert_eq!(spread.national.consumption_room, 2);
        assert_eq!(spread.national_municipalities_with.consumption_room, 2);
        let rooms = spread.service(ServiceType::ConsumptionRoom);
        assert_eq!(rooms.municipalities, vec!["GM0935", "GM0344"]);
        // Farthest from a consumption room (Utrecht, Maastricht): the north.
        let first = &rooms.farthest[0];
        let province = &spread.municipality(&first.code).unwrap().province_code;
        assert!(["NL-GR", "NL-FR"].contains(&province.as_str()), "{first:?}");
        assert!(first.km > 150.0, "{first:?}");
        assert!(rooms.farthest.windows(2).all(|w| w[0].km >= w[1].km));
        assert_eq!(rooms.farthest.len(), FARTHEST_LISTED);
        let near = spread.municipality("GM0344").unwrap();
        assert!(near.nearest_km.consumption_room.unwrap() < 3.0);
        assert_eq!(near.nearest_km.naloxone, None, "no naloxone anywhere");
        assert!(spread.service(ServiceType::Naloxone).farthest.is_empty());
        assert_eq!(
            farthest_first(&spread, ServiceType::ConsumptionRoom)[0].code,
            first.code
        );
    }
}
