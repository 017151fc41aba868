//! The finX error a sync fails with, and the finX group of an error code (contract §7).

use kontolink_api::ErrorDetail;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::time::{now_ms, rfc3339};

/// A finX error a sync ends with (`error` of the sync object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncFailure {
    pub code: u32,
    pub message: String,
    pub description: String,
    pub data: Option<Value>,
}

impl SyncFailure {
    pub fn new(code: u32, message: &str, description: impl Into<String>) -> SyncFailure {
        SyncFailure {
            code,
            message: message.to_owned(),
            description: description.into(),
            data: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> SyncFailure {
        self.data = Some(data);
        self
    }

    pub fn detail(&self) -> ErrorDetail {
        ErrorDetail {
            code: self.code,
            group: group(self.code).to_owned(),
            message: self.message.clone(),
            description: self.description.clone(),
            data: self.data.clone(),
        }
    }

    /// `10020`: an unattended sync met a challenge.
    pub fn user_interaction_required() -> SyncFailure {
        SyncFailure::new(
            10020,
            "User interaction required",
            "the bank asks for the end-user, who is not present; reconnect the access with a \
             widget flow",
        )
    }

    /// `10021`: nobody answered the challenge in time.
    pub fn challenge_timed_out() -> SyncFailure {
        SyncFailure::new(
            10021,
            "Authorization timed out",
            "the challenge was not answered in time",
        )
    }

    /// `1011`: a required credential is missing.
    pub fn credentials_incomplete(missing: &[String]) -> SyncFailure {
        SyncFailure::new(
            1011,
            "Credentials incomplete",
            format!("missing credentials: {}", missing.join(", ")),
        )
        .with_data(serde_json::json!({ "missing": missing }))
    }

    /// `30000`: something broke on our side (details only in the log).
    pub fn internal() -> SyncFailure {
        SyncFailure::new(
            30000,
            "Internal error",
            "an internal error occurred; it has been logged",
        )
    }

    /// `20002`, with `data.next_sync_possible_at` (the name `1020` uses too): the engine
    /// has already retried with backoff, so suggest a pause of [`BANK_RETRY_PAUSE`].
    pub fn bank_unavailable() -> SyncFailure {
        let at = now_ms() + BANK_RETRY_PAUSE.as_millis() as i64;
        SyncFailure::new(
            20002,
            "Bank temporarily unavailable",
            "the bank did not answer; try again later",
        )
        .with_data(serde_json::json!({ "next_sync_possible_at": rfc3339(at) }))
    }
}

/// How long to wait before trying a bank again that kept failing transiently.
pub const BANK_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// finX's error group for a code.
pub fn group(code: u32) -> &'static str {
    match code {
        1000..=1999 => "CLIENT_ERROR",
        10000..=19999 => "USER_ERROR",
        20000..=29999 => "BANK_ERROR",
        30000..=39999 => "GENERAL_ERROR",
        40000..=49999 => "CONNECTIVITY_ERROR",
        _ => "GENERAL_ERROR",
    }
}
