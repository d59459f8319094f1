//! Exchange (issue 15): the register and its figures in FHIR (mCSD), HSDS,
//! ADX/DHIS2 and EUDA shapes, each checked by an independent validator.

mod adx;
mod fhir;
mod hsds;
