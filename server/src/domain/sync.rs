//! A sync's records as the store keeps them: the integrator's options and the challenge
//! progress (rounds and answers), both stored as JSON. No secrets in here: credentials and
//! TANs live sealed in the vault.

use kontolink_api::Challenge;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
