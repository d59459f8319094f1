//! Survey campaigns (issue 14): contacts and questionnaires so far.

mod contacts;
mod questionnaires;
