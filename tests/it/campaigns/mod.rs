//! Survey campaigns (issue 14): contacts, questionnaires and campaigns.

mod campaigns;
mod contacts;
mod questionnaires;
