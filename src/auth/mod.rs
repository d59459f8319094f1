//! Accounts and their protection: password hashing, secrets, sessions and
//! brute-force throttling, and the client address behind trusted proxies. The rules of who may do what are in
//! `domain::access`; this module establishes who is asking.

pub mod password;
pub mod proxy;
pub mod request;
pub mod secret;
pub mod throttle;
