//! GeoJSON (RFC 7946) export: one Point feature per facility, with the same
//! properties as the JSON form. Written with serde_json rather than the
//! `geojson` crate because point features are all this needs.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::json::{Audience, FacilityJson};
use crate::domain::facility::Facility;

pub fn write_facilities(
    facilities: &[Facility],
    day: NaiveDate,
    audience: Audience,
) -> anyhow::Result<Vec<u8>> {
    let features: Vec<Value> = facilities
        .iter()
        .map(|facility| {
            let geometry = match facility.fields.location {
                Some(l) => json!({"type": "Point", "coordinates": [l.longitude, l.latitude]}),
                None => Value::Null,
            };
            json!({
                "type": "Feature",
                "id": facility.id,
                "geometry": geometry,
                "properties": FacilityJson::new(facility, day, audience),
            })
        })
        .collect();
    let collection = json!({
        "type": "FeatureCollection",
        "as_of": day,
        "features": features,
    });
    Ok(serde_json::to_vec(&collection)?)
}
