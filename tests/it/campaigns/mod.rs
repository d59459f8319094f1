//! Survey campaigns (issue 14): contacts, questionnaires and campaigns.

#[allow(clippy::module_inception)]
mod answers;
mod campaigns;
mod contacts;
mod dashboard;
mod follow_ups;
mod kill;
mod questionnaires;
pub(crate) mod support;
