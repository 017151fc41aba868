//! Banks behind one trait. The engine drives a [`Provider`] through three bank steps
//! (login, accounts, transactions); each step is retried on [`BankError::Retryable`] and ends
//! the sync on [`BankError::Fatal`]. A login may ask the end-user something (a
//! [`ChallengeSpec`]); the answers come back in [`BankSession::rounds`] on the next call, so a
//! provider is a pure function of its session and the engine can resume it after a crash.

pub mod fints;
pub mod registry;
pub mod sandbox;
pub mod state;

use async_trait::async_trait;
use kontolink_api::Challenge;
use secrecy::SecretString;
use serde_json::Value;
use time::{Date, OffsetDateTime};

pub use registry::{MethodEntry, ProviderRegistry};

pub use crate::domain::bank::{BankAccount, BankTransaction};

use crate::domain::failure::SyncFailure;
use crate::vault::SecretMap;

/// What a bank step can fail with.
#[derive(Debug, Clone)]
pub enum BankError {
    /// Worth retrying (timeouts, 5xx, connection resets).
    Retryable(String),
    /// Ends the sync with this error.
    Fatal(SyncFailure),
    /// The access method was replaced (contract §4 access upgrades).
    Upgrade(Upgrade),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradeKind {
    /// `40001`: the whole access moves to the new method.
    Direct,
    /// `40002`: every account gets an access of its own.
    Split,
    /// `40003`: only some accounts move.
    Partial,
}

impl UpgradeKind {
    pub fn code(self) -> u32 {
        match self {
            UpgradeKind::Direct => 40001,
            UpgradeKind::Split => 40002,
            UpgradeKind::Partial => 40003,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Upgrade {
    pub kind: UpgradeKind,
    pub new_access_method_id: String,
    /// `Partial` only: the provider account ids that move.
    pub moving_accounts: Vec<String>,
}

/// One answer of the end-user.
#[derive(Debug, Clone)]
pub enum Answer {
    Tan(SecretString),
    Method(String),
    Medium(String),
    /// `{}`: "done, check now" (decoupled / redirect).
    Confirm,
    /// The sandbox bank's own pages: approved or denied.
    Approved(bool),
}

/// A challenge asked earlier in this sync and what the end-user answered.
#[derive(Debug, Clone)]
pub struct AuthRound {
    pub challenge: Challenge,
    /// Whatever the provider attached to the challenge for itself.
    pub memo: Value,
    pub created_at: OffsetDateTime,
    pub answer: Option<Answer>,
}

/// Everything a provider may look at in one call.
#[derive(Debug)]
pub struct BankSession<'a> {
    pub sync_id: &'a str,
    pub access_id: &'a str,
    pub access_method_id: &'a str,
    /// Public and secret credentials merged.
    pub credentials: &'a SecretMap,
    pub rounds: &'a [AuthRound],
    /// The id the engine will give a new challenge (REDIRECT locations need it).
    pub next_challenge_id: &'a str,
    /// The TAN method / medium remembered on the access, when the sync may reuse them.
    pub auth_method: Option<&'a str>,
    pub auth_medium: Option<&'a str>,
    /// Whether this access completed a sync before.
    pub synced_before: bool,
    /// Provider account ids the access holds now.
    pub known_accounts: &'a [String],
    /// Whether this sync adds the provider's new accounts (scope `ACCOUNTS`, or a first
    /// sync); else only `known_accounts` matter.
    pub add_accounts: bool,
    /// Transactions from this day on are wanted; `None`: this sync fetches none.
    pub transactions_since: Option<Date>,
    pub public_url: &'a str,
    pub now: OffsetDateTime,
}

/// What a login attempt ended in.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    Authenticated,
    /// Ask the end-user; `wake_at` = check again by itself then (decoupled).
    Challenge(Box<ChallengeSpec>),
    /// The last challenge is still open; keep waiting (until `wake_at`, or an answer).
    /// `memo` replaces the open challenge's memo (e.g. a bank dialog that moved on while
    /// polling a decoupled approval).
    Pending {
        wake_at: Option<OffsetDateTime>,
        memo: Option<Value>,
    },
}

/// A challenge of this type with nothing else set (providers fill in what they have).
pub fn blank_challenge(challenge_type: kontolink_api::ChallengeType) -> Challenge {
    Challenge {
        id: String::new(),
        challenge_type,
        format: None,
        data: None,
        label: None,
        input_format: None,
        min_length: None,
        max_length: None,
        additional_info: None,
        auth_methods: Vec::new(),
        location: None,
    }
}

#[derive(Debug, Clone)]
pub struct ChallengeSpec {
    /// `id` is overwritten by the engine with [`BankSession::next_challenge_id`].
    pub challenge: Challenge,
    pub memo: Value,
    pub wake_at: Option<OffsetDateTime>,
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    async fn login(&self, session: &BankSession<'_>) -> Result<LoginOutcome, BankError>;

    async fn accounts(&self, session: &BankSession<'_>) -> Result<Vec<BankAccount>, BankError>;

    /// Bookings of one account from `since` (inclusive) to today.
    async fn transactions(
        &self,
        session: &BankSession<'_>,
        account: &BankAccount,
        since: Date,
    ) -> Result<Vec<BankTransaction>, BankError>;

    /// The sync is over (completed, failed or parked for a challenge): drop what was kept
    /// for it in memory.
    async fn finish(&self, _session: &BankSession<'_>) {}
}
