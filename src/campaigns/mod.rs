//! Survey campaigns (issue 14): the inventory questionnaire sent by e-mail
//! to the people at organisations in an inventory round, and what follows
//! from the answers. Each file holds the use cases of one part: check who
//! asks, validate through the domain, and write with the audit entry in one
//! transaction. The API, the pages and the command line come through here.
//! So far: the contacts a campaign mails ([`contacts`]), the
//! questionnaires it sends ([`questionnaires`]) and the campaigns with
//! their invitations and outbox ([`campaigns`]); and the follow-up log of
//! calls and website checks for those that did not answer ([`follow_ups`]);
//! the answer form behind the personal link and the findings staff enter
//! in it ([`answers`]); the review of the register changes they propose
//! ([`review`]); and the dashboard of a campaign's figures ([`dashboard`]).

pub mod answers;
#[allow(clippy::module_inception)]
pub mod campaigns;
pub mod contacts;
pub mod dashboard;
pub mod follow_ups;
pub mod questionnaires;
pub mod review;
