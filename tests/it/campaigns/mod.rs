//! Survey campaigns: contacts so far.

mod contacts;
