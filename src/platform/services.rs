//! What a use case needs to do its work, whoever calls it (a handler, the
//! command line, a background job): the store, the mail transport and the
//! configuration. Cheap to clone.

use std::sync::Arc;

use super::config::Config;
use super::mail::Mailer;
use crate::storage::Store;

#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub mailer: Arc<Mailer>,
    pub config: Arc<Config>,
}
