//! Kontolink's wire types: one definition of every request and response, shared by the
//! widget (compiled to wasm32) and the companion server. Serde only: no HTTP, no SQL.
//!
//! ```
//! use kontolink_api::Health;
//! let health: Health = serde_json::from_str(r#"{"status":"ok","version":"0.1.0"}"#).unwrap();
//! assert_eq!(health.status, "ok");
//! ```

mod error;
mod flows;
mod health;
mod session;
mod token;

pub use error::{ErrorBody, ErrorDetail, OAuthError};
pub use flows::{AccessLocation, AccountRef, Language, OnetimeAccessRequest, OngoingAccessRequest};
pub use health::Health;
pub use session::{
    CompleteRequest, FailRequest, FinishQuery, FinishRedirect, FlowInfo, WidgetSession,
    WidgetSessionRequest,
};
pub use token::{TokenRequest, TokenResponse};
