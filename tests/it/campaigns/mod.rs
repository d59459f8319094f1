//! Survey campaigns (issue 14): contacts, questionnaires, campaigns and
//! their mail (also under kill -9), the answer form and the review, the
//! follow-up and the campaign dashboard.

mod answers;
#[allow(clippy::module_inception)]
mod campaigns;
mod contacts;
mod dashboard;
mod follow_ups;
mod kill;
mod questionnaires;
pub(crate) mod support;
