//! Survey campaigns (issue 14): contacts, questionnaires and campaigns.

#[allow(clippy::module_inception)]
mod campaigns;
mod contacts;
mod follow_ups;
mod kill;
mod questionnaires;
pub(crate) mod support;
