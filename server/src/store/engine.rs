//! The engine's storage traits: data (accesses, accounts, transactions), the sync queue,
//! events and the webhook outbox, and sealed secrets. Each method is one atomic unit of
//! work; the SQL lives in `sql/`; on PostgreSQL the claim uses `FOR UPDATE SKIP LOCKED`, so
//! several processes share one queue.

use async_trait::async_trait;

use super::StoreError;
use super::rows::{
    AccessRow, AccountRow, EventRow, Finish, NewEvent, OutboxRow, SyncRow, TransactionFilter,
    TransactionRow,
};
use crate::domain::SyncStatus;
use crate::domain::bank::BankAccount;
use crate::domain::ids::{AccessId, AccountId, SyncId};
use crate::domain::sealed::Sealed;
use crate::domain::sync::Progress;

#[async_trait]
pub trait DataStore: Send + Sync {
    /// Inserts an access and, if given, its sealed secrets.
    async fn insert_access(
        &self,
        access: &AccessRow,
        secrets: Option<&Sealed>,
    ) -> Result<(), StoreError>;
    async fn access(&self, access_id: &AccessId) -> Result<Option<AccessRow>, StoreError>;
    async fn accesses_of_user(&self, user_id: &str) -> Result<Vec<AccessRow>, StoreError>;
    async fn accounts_of_user(&self, user_id: &str) -> Result<Vec<AccountRow>, StoreError>;
    async fn accounts_of_access(&self, access_id: &AccessId)
    -> Result<Vec<AccountRow>, StoreError>;
    /// The provider account ids held by the other accesses of `access`'s upgrade family
    /// (`root` and every access upgraded from it), `access` itself left out.
    async fn provider_accounts_of_upgrade_family(
        &self,
        root: &AccessId,
        access_id: &AccessId,
    ) -> Result<Vec<String>, StoreError>;
    async fn account(&self, account_id: &AccountId) -> Result<Option<AccountRow>, StoreError>;
    async fn transactions(
        &self,
        account_id: &AccountId,
        filter: &TransactionFilter,
    ) -> Result<Vec<TransactionRow>, StoreError>;
    /// Creation times of the syncs of an access that count against the PSD2 limit, since `since`.
    async fn counted_syncs_since(
        &self,
        access_id: &AccessId,
        since: i64,
    ) -> Result<Vec<i64>, StoreError>;
    /// Active accesses with saved secrets, not synced since `before`, without an active sync.
    async fn accesses_due(&self, before: i64, limit: u32) -> Result<Vec<AccessRow>, StoreError>;
}

/// A claimed job: the sync row and whether it was taken over from a dead worker.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub sync: SyncRow,
    pub taken_over: bool,
}

#[async_trait]
pub trait SyncStore: Send + Sync {
    /// Inserts a new sync (QUEUED, or directly FAILED) with its events, its sealed
    /// credentials and (FAILED only) its webhook. `Ok(false)`: the access has an active sync.
    async fn insert_sync(
        &self,
        sync: &SyncRow,
        credentials: Option<&Sealed>,
        events: &[NewEvent],
        webhook_body: Option<&str>,
    ) -> Result<bool, StoreError>;
    async fn sync(&self, sync_id: &SyncId) -> Result<Option<SyncRow>, StoreError>;
    async fn sync_by_challenge(&self, challenge_id: &str) -> Result<Option<SyncRow>, StoreError>;
    async fn active_sync(&self, access_id: &AccessId) -> Result<Option<SyncRow>, StoreError>;
    async fn count_syncs(&self, status: SyncStatus) -> Result<i64, StoreError>;

    /// Claims up to `limit` runnable syncs for `owner` until `lease_until`, oldest first, in
    /// one transaction: QUEUED ones, RUNNING ones whose lease expired, and AWAIT_AUTH ones
    /// whose wake-up time has come. No sync is ever handed to two claims.
    async fn claim(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: usize,
    ) -> Result<Vec<Claimed>, StoreError>;
    /// Extends the lease; `false` = the lease was lost (the job must stop).
    async fn heartbeat(
        &self,
        sync_id: &SyncId,
        owner: &str,
        lease_until: i64,
    ) -> Result<bool, StoreError>;
    /// Hands back every lease of `owner` (graceful shutdown): the jobs become claimable now.
    async fn release_leases(&self, owner: &str) -> Result<(), StoreError>;
    /// Records the step the job is at (progress display), while `owner` holds the lease.
    async fn set_step(&self, sync_id: &SyncId, owner: &str, step: &str)
    -> Result<bool, StoreError>;
    /// RUNNING → AWAIT_AUTH with the open challenge; the lease is released.
    #[allow(clippy::too_many_arguments)]
    async fn await_auth(
        &self,
        sync_id: &SyncId,
        owner: &str,
        progress: &Progress,
        challenge_id: &str,
        deadline: i64,
        wake_at: Option<i64>,
        event: Option<&NewEvent>,
    ) -> Result<bool, StoreError>;
    /// AWAIT_AUTH → RUNNING with the answer recorded (and a TAN sealed), if `challenge_id`
    /// is still the open challenge.
    async fn answer(
        &self,
        sync_id: &SyncId,
        challenge_id: &str,
        progress: &Progress,
        tan: Option<(&str, &Sealed)>,
        event: &NewEvent,
    ) -> Result<bool, StoreError>;
    /// Upserts accounts by provider id. Existing ones are updated; new ones are only
    /// inserted when `add_new`. Returns the stored accounts of the access.
    async fn save_accounts(
        &self,
        sync_id: &SyncId,
        owner: &str,
        access: &AccessRow,
        accounts: &[BankAccount],
        add_new: bool,
        now: i64,
    ) -> Result<Option<Vec<AccountRow>>, StoreError>;
    /// Ends a sync (see [`Finish`]), with the transactions it fetched; `false` if it was not
    /// in a state that may end this way (or the lease is lost): then nothing is written.
    async fn finish(&self, finish: &Finish) -> Result<bool, StoreError>;
    /// AWAIT_AUTH syncs whose deadline passed.
    async fn expired_await_auth(&self, now: i64) -> Result<Vec<SyncRow>, StoreError>;
}

#[async_trait]
pub trait EventStore: Send + Sync {
    async fn events(
        &self,
        user_id: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<EventRow>, StoreError>;
    /// Registers (or replaces) a client's webhook URL and its sealed signing secret.
    async fn set_client_webhook(
        &self,
        client_id: &str,
        notification_uri: &str,
        secret: &Sealed,
    ) -> Result<(), StoreError>;
    /// Takes the next due webhook delivery (leased until `lease_until`).
    async fn claim_webhook(
        &self,
        now: i64,
        lease_until: i64,
        max_attempts: i64,
    ) -> Result<Option<OutboxRow>, StoreError>;
    async fn webhook_delivered(&self, id: i64, now: i64) -> Result<(), StoreError>;
    async fn webhook_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError>;
    /// Webhooks not delivered yet and not given up (fewer than `max_attempts` attempts).
    async fn webhook_backlog(&self, max_attempts: i64) -> Result<i64, StoreError>;
}

#[async_trait]
pub trait VaultStore: Send + Sync {
    async fn vault_get(&self, owner: &str) -> Result<Option<Sealed>, StoreError>;
    async fn vault_put(&self, owner: &str, sealed: &Sealed) -> Result<(), StoreError>;
    /// The ids of the keys the stored secrets are sealed with.
    async fn vault_key_ids(&self) -> Result<Vec<String>, StoreError>;
    /// Up to `limit` rows sealed with a key other than `key_id`.
    async fn vault_list_not_under(
        &self,
        key_id: &str,
        limit: u32,
    ) -> Result<Vec<(String, Sealed)>, StoreError>;
    /// Replaces a row only if it is still sealed with `old_key_id`.
    async fn vault_replace_if_key(
        &self,
        owner: &str,
        old_key_id: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError>;
}
