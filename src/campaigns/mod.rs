//! Survey campaigns (issue 14): the questionnaires sent to institutions in
//! an inventory round. Each file holds the use cases of one part: check who
//! asks, validate through the domain, and write with the audit entry in
//! one transaction. The API, the pages and the command line come through here.

pub mod questionnaires;
