//! Exchange (issue 15): the register and its figures in the standards other
//! systems already speak, read-only, and kept in step without anyone
//! exporting spreadsheets. One file (or folder) per standard:
//!
//! - [`fhir`]: a FHIR R4 directory as the IHE mCSD "Directory" actor with
//!   the Update Option (Organization, Location, HealthcareService,
//!   `_history` for incremental sync);
//! - [`hsds`]: Open Referral HSDS 3.0 under `/hsds/` (services,
//!   organizations, service_at_locations, paged, with `modified_after`)
//!   and a full export as a ZIP of JSON;
//! - [`adx`]: approved period values as ADX (IHE QRPH) and as DHIS2 data
//!   value sets, with the DHIS2 metadata to receive them;
//! - [`euda`]: EUDA-shaped national tables for a year (XLSX and CSV).
//!
//! Only what is public is published, except to a caller with a token,
//! within their scope; every read of non-public data is audited.

pub mod adx;
pub mod euda;
pub mod fhir;
pub mod hsds;
