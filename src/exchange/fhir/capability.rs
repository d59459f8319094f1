//! `GET /fhir/metadata`: the CapabilityStatement, built from the same
//! tables the server runs on (the resource types of `formats::fhir`, the
//! search parameters of [`super::search`]), so it lists exactly what is
//! supported and nothing more.

use serde_json::{json, Value};

use super::search::{params_of, Kind};
use crate::formats::fhir::TYPES;

/// The CapabilityStatement of the directory at `base` (`https://host/fhir`).
pub fn capability_statement(base: &str, software_version: &str) -> Value {
    let resources: Vec<Value> = TYPES
        .iter()
        .map(|t| {
            let params: Vec<Value> = params_of(t)
                .iter()
                .map(|p| {
                    let mut param = json!({
                        "name": p.name,
                        "type": p.kind.fhir_type(),
                        "documentation": p.doc,
                    });
                    if matches!(p.kind, Kind::Id | Kind::LastUpdated) {
                        param["definition"] = json!(format!(
                            "http://hl7.org/fhir/SearchParameter/Resource-{}",
                            p.name.trim_start_matches('_')
                        ));
                    }
                    param
                })
                .collect();
            let mut r = json!({
                "type": t,
                "interaction": [
                    {"code": "read"},
                    {"code": "vread"},
                    {"code": "search-type"},
                    {"code": "history-type", "documentation": "_since, _count and _offset; newest first; closed facilities and services no longer offered appear as inactive versions, never as deletes"},
                ],
                "versioning": "versioned",
                "readHistory": true,
                "updateCreate": false,
                "conditionalRead": "not-supported",
                "searchParam": params,
            });
            if *t == "Location" {
                r["searchInclude"] = json!(["Location:organization"]);
            }
            if *t == "Organization" {
                r["searchRevInclude"] = json!(["Location:organization"]);
            }
            r
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-05",
        "publisher": "vangnet",
        "kind": "instance",
        "instantiates": ["https://profiles.ihe.net/ITI/mCSD/CapabilityStatement/IHE.mCSD.Directory"],
        "software": {"name": "vangnet", "version": software_version},
        "implementation": {
            "description": "vangnet: the Dutch register of harm-reduction services, as an IHE mCSD Directory with the Update Option (read-only)",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Without a token only public facilities; with 'Authorization: Bearer <token>' also the non-public ones in the token's scope. Unknown search parameters are ignored unless 'Prefer: handling=strict' is sent. Paging: _count (at most 500) and _offset; follow link[next].",
            "security": {"cors": false, "description": "Optional bearer token (vangnet API token)."},
            "resource": resources,
            "searchParam": [
                {"name": "_count", "type": "number", "documentation": "Page size, 1 to 500 (default 50)."},
                {"name": "_offset", "type": "number", "documentation": "Where the page starts; the next link carries it."},
            ],
        }],
    })
}
