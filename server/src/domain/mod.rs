//! The bottom layer: plain values every other layer may use, and that use nothing of them.
//! Validated types (every input is parsed into one of these at the edge, so the layers below
//! never see an unchecked IBAN, redirect URI or token), the clock, and the records the
//! engine, the providers and the store exchange (a sync's progress and failure, sealed
//! secrets and their owners, what a bank answers).

pub mod account_ids;
pub mod bank;
pub mod failure;
pub mod flow;
pub mod iban;
pub mod ids;
pub mod origin;
pub mod rate_limit;
pub mod reach;
pub mod redirect_uri;
pub mod scope;
pub mod sealed;
pub mod secret_owner;
pub mod secret_token;
pub mod sync;
pub mod sync_status;
pub mod time;

pub use sync_status::{InvalidTransition, SyncStatus};
