//! Validated types: every input is parsed into one of these at the edge, so the layers below
//! never see an unchecked IBAN, redirect URI or token.

pub mod account_ids;
pub mod flow;
pub mod iban;
pub mod ids;
pub mod origin;
pub mod rate_limit;
pub mod reach;
pub mod redirect_uri;
pub mod scope;
pub mod secret_token;
pub mod sync_status;
pub mod time;

pub use sync_status::{InvalidTransition, SyncStatus};
