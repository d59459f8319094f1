//! Accounts: users, sign-in, throttling, reset links and their mails, the audit log.

mod audit;
mod audit_page;
mod mail;
mod users;
