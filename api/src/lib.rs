//! Kontolink's wire types: one definition of every request and response, shared by the
//! widget (compiled to wasm32) and the companion server. Serde only: no HTTP, no SQL.
//!
//! ```
//! use kontolink_api::Health;
//! let health: Health = serde_json::from_str(r#"{"status":"ok","version":"0.1.0"}"#).unwrap();
//! assert_eq!(health.status, "ok");
//! ```

mod accesses;
mod accounts;
mod catalog;
mod challenges;
mod error;
mod events;
mod flows;
mod health;
#[cfg(feature = "openapi")]
pub mod schema;
mod session;
mod syncs;
mod token;

pub use accesses::{Access, AccessList, CreateAccessRequest};
pub use accounts::{ACCOUNT_TYPES, Account, AccountList, Balance, Transaction, TransactionList};
pub use catalog::{AccessMethod, CredentialField, Provider, ProviderList};
pub use challenges::{
    AuthMethod, Challenge, ChallengeFormat, ChallengeList, ChallengeResponse, ChallengeType,
};
pub use error::{ErrorBody, ErrorDetail, OAuthError};
pub use events::{Event, EventList};
pub use flows::{AccessLocation, AccountRef, Language, OnetimeAccessRequest, OngoingAccessRequest};
pub use health::Health;
pub use session::{
    CompleteRequest, FailRequest, FinishQuery, FinishRedirect, FlowInfo, ReconnectAccess,
    WidgetSession, WidgetSessionRequest,
};
pub use syncs::{Sync, SyncList, SyncRequest, SyncScope, SyncStatus};
pub use token::{TokenRequest, TokenResponse};
