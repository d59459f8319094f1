//! Accounts: users, sign-in, throttling, reset links and their mails, the audit log.

mod audit;
mod mail;
mod users;
