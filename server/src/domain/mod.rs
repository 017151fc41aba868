//! Validated domain types shared by the HTTP edge, the engine and the store.

pub mod sync_status;

pub use sync_status::{InvalidTransition, SyncStatus};
