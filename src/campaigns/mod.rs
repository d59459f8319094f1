//! Survey campaigns (issue 14): the inventory questionnaire sent by e-mail
//! to the people at organisations, and what follows from the answers. So
//! far: the contacts a campaign mails ([`contacts`]).

pub mod contacts;
