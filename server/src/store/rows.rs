//! Records the engine's store traits hand out and take in. Times are unix milliseconds.

use std::collections::BTreeMap;

use kontolink_api::{Challenge, ErrorDetail, SyncScope};

use crate::domain::SyncStatus;
use crate::domain::ids::{AccessId, AccountId, GrantId, SyncId};
use crate::domain::sealed::Sealed;
use crate::domain::sync::{Progress, SyncOptions};

#[derive(Debug, Clone, PartialEq)]
pub struct AccessRow {
    pub id: AccessId,
    pub user_id: String,
    pub client_id: String,
    pub provider_id: String,
    pub access_method_id: String,
    /// Non-secret credential values (e.g. `login`).
    pub public_credentials: BTreeMap<String, String>,
    pub save_secrets: bool,
    pub secrets_saved: bool,
    pub auth_method_id: Option<String>,
    pub auth_medium_id: Option<String>,
    /// `ACTIVE` or `UPGRADE_REQUIRED`.
    pub status: String,
    pub upgrade_error: Option<ErrorDetail>,
    pub created_at: i64,
    pub last_synced_at: Option<i64>,
    /// The access an upgrade (40001–40003) created this one from.
    pub upgraded_from: Option<AccessId>,
    /// Days of history a sync without `sync_period` fetches: the flow's when a widget session
    /// created the access, else 90 (contract §4).
    pub sync_period: i64,
    /// The grant whose access token created this access (`POST /rest/accesses`): that
    /// grant reaches all of its accounts. `None` when a widget session created it.
    pub created_by_grant: Option<GrantId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    pub id: AccountId,
    pub access_id: AccessId,
    pub user_id: String,
    pub provider_account_id: String,
    pub iban: Option<String>,
    pub name: String,
    pub account_type: String,
    pub currency: String,
    pub owner: Option<String>,
    pub balance: Option<String>,
    pub available: Option<String>,
    pub balance_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransactionRow {
    pub id: String,
    pub account_id: AccountId,
    pub amount: String,
    pub currency: String,
    pub booking_date: String,
    pub value_date: Option<String>,
    pub booked: bool,
    pub purpose: Option<String>,
    pub name: Option<String>,
    pub iban: Option<String>,
    pub transaction_type: Option<String>,
}

/// `GET …/transactions` filters; dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Default)]
pub struct TransactionFilter {
    pub since: Option<String>,
    pub until: Option<String>,
    pub count: u32,
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncRow {
    pub id: SyncId,
    pub access_id: AccessId,
    pub user_id: String,
    pub client_id: String,
    pub status: SyncStatus,
    pub scope: Vec<SyncScope>,
    pub options: SyncOptions,
    pub counted: bool,
    pub automatic: bool,
    pub step: Option<String>,
    pub progress: Progress,
    pub challenge_id: Option<String>,
    pub challenge: Option<Challenge>,
    pub await_deadline: Option<i64>,
    pub error: Option<ErrorDetail>,
    pub attempts: i64,
    pub lease_owner: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub id: i64,
    pub event_type: String,
    pub resource_type: String,
    pub resource_id: String,
    pub created_at: i64,
    pub data: Option<serde_json::Value>,
}

/// An event to append in the same transaction as a state change.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_type: &'static str,
    pub resource_type: &'static str,
    pub resource_id: String,
    pub data: Option<serde_json::Value>,
}

impl NewEvent {
    pub fn sync(event_type: &'static str, sync_id: &SyncId, data: serde_json::Value) -> NewEvent {
        NewEvent {
            event_type,
            resource_type: "SYNC",
            resource_id: sync_id.to_string(),
            data: Some(data),
        }
    }
}

/// How a sync ends, applied in one transaction.
#[derive(Debug, Clone)]
pub struct Finish {
    pub sync_id: SyncId,
    /// `Some`: a RUNNING sync, only while this worker still holds the lease (fencing);
    /// `None`: an AWAIT_AUTH sync nobody works on (timeouts).
    pub lease_owner: Option<String>,
    pub status: SyncStatus,
    pub error: Option<ErrorDetail>,
    pub now: i64,
    pub events: Vec<NewEvent>,
    /// The finished sync as JSON for the client's webhook (`None`: notifications disabled).
    pub webhook_body: Option<String>,
    /// Completed syncs: remember the time and the chosen TAN method / medium.
    pub access_synced: Option<(Option<String>, Option<String>)>,
    pub secrets: SecretsOutcome,
    pub upgrade: Option<UpgradePlan>,
    /// A completed sync's transactions, upserted (with `TRANSACTIONS_UPDATED`) in the same
    /// transaction that ends the sync.
    pub transactions: Option<SavedTransactions>,
}

/// The transactions a sync fetched, by account.
#[derive(Debug, Clone)]
pub struct SavedTransactions {
    pub sync_id: SyncId,
    pub access_id: AccessId,
    pub batches: Vec<(AccountId, Vec<crate::domain::bank::BankTransaction>)>,
}

/// What happens to the access's saved secrets when the sync ends. The sync's own sealed
/// credentials and TANs are always deleted.
#[derive(Debug, Clone)]
pub enum SecretsOutcome {
    Keep,
    Save(Sealed),
    Discard,
}

/// Access upgrade (40001/40002/40003): new accesses, and accounts moving to them.
#[derive(Debug, Clone)]
pub struct UpgradePlan {
    pub old_access_id: AccessId,
    /// `None`: the old access keeps some accounts and stays `ACTIVE`.
    pub old_access_error: Option<ErrorDetail>,
    pub new_accesses: Vec<AccessRow>,
    /// account id → new access id.
    pub moves: Vec<(AccountId, AccessId)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub client_id: String,
    pub url: String,
    pub body: String,
    pub attempts: i64,
}
