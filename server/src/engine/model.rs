//! The engine's records as the store keeps them: a sync's options and its progress
//! (challenge rounds and answers), and the error a sync fails with. No secrets in here:
//! credentials and TANs live sealed in the vault.

use kontolink_api::{Challenge, ErrorDetail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::ids::{AccessId, SyncId};

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
            group: crate::http::ApiError::group(self.code).to_owned(),
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

/// What the integrator asked for, resolved at creation. Stored as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncOptions {
    pub save_secrets: bool,
    pub disable_notifications: bool,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub reuse_auth_method: bool,
    pub reuse_auth_medium: bool,
    /// `psu_ip_address` was given: the end-user is present.
    pub attended: bool,
    pub sync_period: u32,
    /// Credentials for this sync are sealed under `sync:<id>`.
    pub has_sync_credentials: bool,
}

/// An answer as stored; a TAN's value is sealed under `tan:<sync>:<challenge>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum StoredAnswer {
    Tan,
    Method(String),
    Medium(String),
    Confirm,
    Approved(bool),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRound {
    pub challenge: Challenge,
    #[serde(default)]
    pub memo: Value,
    pub created_at_ms: i64,
    pub answer: Option<StoredAnswer>,
}

/// The challenge rounds of a sync so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub rounds: Vec<StoredRound>,
    /// The HTTP request that started the sync or answered its last challenge: the worker's
    /// log lines name it, in whichever process the job runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Progress {
    /// The TAN method and medium chosen in this sync, if any.
    pub fn chosen(&self) -> (Option<String>, Option<String>) {
        let mut method = None;
        let mut medium = None;
        for round in &self.rounds {
            match &round.answer {
                Some(StoredAnswer::Method(id)) => method = Some(id.clone()),
                Some(StoredAnswer::Medium(id)) => medium = Some(id.clone()),
                _ => {}
            }
        }
        (method, medium)
    }
}

/// Vault owners.
pub fn access_secrets_owner(access_id: &AccessId) -> String {
    format!("access:{access_id}")
}

pub fn sync_secrets_owner(sync_id: &SyncId) -> String {
    format!("sync:{sync_id}")
}

pub fn tan_owner(sync_id: &SyncId, challenge_id: &str) -> String {
    format!("tan:{sync_id}:{challenge_id}")
}

pub fn webhook_owner(client_id: &str) -> String {
    format!("webhook:{client_id}")
}

/// How long to wait before trying a bank again that kept failing transiently.
pub const BANK_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn ms_to_datetime(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 text of a millisecond timestamp.
pub fn rfc3339(ms: i64) -> String {
    ms_to_datetime(ms)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
