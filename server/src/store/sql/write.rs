//! The engine's larger write transactions: account and transaction upserts by provider id
//! (so a re-run after a crash never duplicates), and the end of a sync, which writes the
//! sync's transactions in the same transaction (one commit for the last bank step and the
//! end). Each starts with a fenced `UPDATE` of the sync, so only the lease holder writes,
//! and the transaction holds the write lock (SQLite) or the sync row's lock (PostgreSQL: a
//! concurrent claim skips the locked row, and a stale lease holder waits, re-checks
//! `lease_owner` and writes nothing) from its first statement.

use super::data::insert_access_row;
use super::events::{enqueue_webhook, insert_event, insert_events};
use super::mapping::{self, to_json};
use super::{SqlStore, numbered_list, vault};
use crate::domain::SyncStatus;
use crate::domain::bank::{BankAccount, BankTransaction};
use crate::domain::ids::{AccessId, AccountId, SyncId};
use crate::domain::secret_owner::{access_secrets_owner, sync_secrets_owner, tans_of_sync};
use crate::store::StoreError;
use crate::store::backend::{Db, Tx};
use crate::store::rows::{
    AccessRow, AccountRow, Finish, NewEvent, SavedTransactions, SecretsOutcome,
};

/// Starts the transaction of the lease holder `owner` at `step`; `None`: the lease is lost.
async fn fenced(
    db: &Db,
    sync_id: &SyncId,
    owner: &str,
    step: &str,
) -> Result<Option<Tx>, StoreError> {
    let mut tx = db.begin().await?;
    let done = tx
        .sql("UPDATE syncs SET step = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'RUNNING'")
        .bind(step)
        .bind(sync_id)
        .bind(owner)
        .execute()
        .await?;
    Ok((done == 1).then_some(tx))
}

pub async fn save_accounts(
    db: &Db,
    sync_id: &SyncId,
    owner: &str,
    access: &AccessRow,
    accounts: &[BankAccount],
    add_new: bool,
    now: i64,
) -> Result<Option<Vec<AccountRow>>, StoreError> {
    let Some(mut tx) = fenced(db, sync_id, owner, "ACCOUNTS").await? else {
        return Ok(None);
    };
    let mut added = 0;
    for account in accounts {
        let balance_date = account.balance_date.to_string();
        let updated = tx
            .sql(
                "UPDATE accounts SET iban = $1, name = $2, account_type = $3, currency = $4, \
                 owner = $5, balance = $6, available = $7, balance_date = $8, updated_at = $9 \
                 WHERE access_id = $10 AND provider_account_id = $11",
            )
            .bind(&account.iban)
            .bind(&account.name)
            .bind(&account.account_type)
            .bind(&account.currency)
            .bind(&account.owner)
            .bind(&account.balance)
            .bind(&account.available)
            .bind(&balance_date)
            .bind(now)
            .bind(&access.id)
            .bind(&account.provider_account_id)
            .execute()
            .await?;
        if updated == 0 && add_new {
            tx.sql(
                "INSERT INTO accounts (id, access_id, user_id, provider_account_id, iban, name, \
                 account_type, currency, owner, balance, available, balance_date, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(&access.id)
            .bind(&access.user_id)
            .bind(&account.provider_account_id)
            .bind(&account.iban)
            .bind(&account.name)
            .bind(&account.account_type)
            .bind(&account.currency)
            .bind(&account.owner)
            .bind(&account.balance)
            .bind(&account.available)
            .bind(&balance_date)
            .bind(now)
            .execute()
            .await?;
            added += 1;
        }
    }
    let sql = SqlStore::accounts_of_access_sql();
    let rows = tx.sql(&sql).bind(&access.id).fetch_all().await?;
    let stored = rows
        .iter()
        .map(mapping::account)
        .collect::<Result<Vec<_>, _>>()?;
    let event = NewEvent {
        event_type: "ACCOUNTS_UPDATED",
        resource_type: "ACCESS",
        resource_id: access.id.to_string(),
        data: Some(serde_json::json!({
            "sync_id": sync_id,
            "accounts": stored.iter().map(|a| &a.id).collect::<Vec<_>>(),
            "new_accounts": added,
        })),
    };
    insert_event(&mut tx, &access.user_id, now, &event).await?;
    tx.commit().await?;
    Ok(Some(stored))
}

/// Rows of one multi-row `INSERT`: 12 parameters a row, far below SQLite's 32,766 (and
/// PostgreSQL's 65,535) bound parameters per statement.
const TRANSACTION_CHUNK: usize = 500;

/// Upserts the transactions of a sync's accounts by provider id (a re-run after a crash
/// never duplicates) with one multi-row `INSERT … ON CONFLICT DO UPDATE` per
/// [`TRANSACTION_CHUNK`] rows; returns the `TRANSACTIONS_UPDATED` event (how many were new).
async fn upsert_transactions(
    tx: &mut Tx,
    saved: &SavedTransactions,
) -> Result<NewEvent, StoreError> {
    let account_ids: Vec<&AccountId> = saved.batches.iter().map(|(id, _)| id).collect();
    let before = count_transactions(tx, &account_ids).await?;
    let rows: Vec<(&AccountId, &BankTransaction)> = saved
        .batches
        .iter()
        .flat_map(|(account_id, list)| list.iter().map(move |t| (account_id, t)))
        .collect();
    for chunk in rows.chunks(TRANSACTION_CHUNK) {
        let sql = transaction_upsert_sql(tx, chunk.len());
        let mut stmt = tx.sql(&sql);
        for (account_id, t) in chunk {
            stmt = stmt
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(*account_id)
                .bind(&t.provider_transaction_id)
                .bind(&t.amount)
                .bind(&t.currency)
                .bind(t.booking_date.to_string())
                .bind(t.value_date.map(|d| d.to_string()))
                .bind(t.booked)
                .bind(&t.purpose)
                .bind(&t.name)
                .bind(&t.iban)
                .bind(&t.transaction_type);
        }
        stmt.execute().await?;
    }
    let new = count_transactions(tx, &account_ids).await? - before;
    Ok(NewEvent {
        event_type: "TRANSACTIONS_UPDATED",
        resource_type: "SYNC",
        resource_id: saved.sync_id.to_string(),
        data: Some(serde_json::json!({
            "access_id": saved.access_id,
            "accounts": account_ids,
            "new_transactions": new,
        })),
    })
}

/// `INSERT INTO transactions … VALUES (…), (…) … ON CONFLICT … DO UPDATE` for `rows` rows.
fn transaction_upsert_sql(tx: &Tx, rows: usize) -> String {
    format!(
        "INSERT INTO transactions (id, account_id, provider_transaction_id, amount, currency, \
         booking_date, value_date, booked, purpose, name, iban, transaction_type) VALUES {} \
         ON CONFLICT (account_id, provider_transaction_id) DO UPDATE SET \
         amount = excluded.amount, booking_date = excluded.booking_date, \
         value_date = excluded.value_date, booked = excluded.booked, \
         purpose = excluded.purpose \
         WHERE transactions.booked <> excluded.booked \
         OR transactions.amount <> excluded.amount",
        tx.values_list(rows, 12)
    )
}

/// The transactions of `accounts` together.
async fn count_transactions(tx: &mut Tx, accounts: &[&AccountId]) -> Result<u64, StoreError> {
    if accounts.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM transactions WHERE account_id IN ({})",
        numbered_list(1, accounts.len())
    );
    let mut stmt = tx.sql(&sql);
    for account_id in accounts {
        stmt = stmt.bind(*account_id);
    }
    let count: Option<i64> = stmt.fetch_value().await?;
    Ok(count.unwrap_or(0).max(0) as u64)
}

pub async fn finish(db: &Db, finish: &Finish) -> Result<bool, StoreError> {
    let sources: Vec<&str> = SyncStatus::sources(finish.status)
        .iter()
        .map(|s| s.as_str())
        .collect();
    let (one, two) = (sources.first().copied(), sources.get(1).copied());
    let mut tx = db.begin().await?;
    let row = tx
        .sql(
            "UPDATE syncs SET status = $1, error = $2, ended_at = $3, lease_owner = NULL, \
             lease_expires_at = NULL, challenge = NULL, wake_at = NULL, step = NULL \
             WHERE id = $4 AND status IN ($5, $6) AND (($7 IS NULL AND status = 'AWAIT_AUTH') \
             OR (lease_owner = $7 AND status = 'RUNNING')) \
             RETURNING user_id, client_id, access_id",
        )
        .bind(finish.status.as_str())
        .bind(finish.error.as_ref().map(to_json))
        .bind(finish.now)
        .bind(&finish.sync_id)
        .bind(one)
        .bind(two)
        .bind(&finish.lease_owner)
        .fetch_optional()
        .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let user_id: String = row.get("user_id")?;
    let client_id: String = row.get("client_id")?;
    let access_id: AccessId = row.get("access_id")?;
    let transactions_updated = match &finish.transactions {
        Some(saved) => Some(upsert_transactions(&mut tx, saved).await?),
        None => None,
    };
    let events: Vec<(&str, &NewEvent)> = transactions_updated
        .iter()
        .chain(&finish.events)
        .map(|event| (user_id.as_str(), event))
        .collect();
    insert_events(&mut tx, finish.now, &events).await?;
    if let Some(body) = &finish.webhook_body {
        enqueue_webhook(&mut tx, &client_id, body, finish.now).await?;
    }
    if let Some((method, medium)) = &finish.access_synced {
        tx.sql(
            "UPDATE accesses SET last_synced_at = $1, \
             auth_method_id = COALESCE($2, auth_method_id), \
             auth_medium_id = COALESCE($3, auth_medium_id) WHERE id = $4",
        )
        .bind(finish.now)
        .bind(method)
        .bind(medium)
        .bind(&access_id)
        .execute()
        .await?;
    }
    let access_owner = access_secrets_owner(&access_id);
    let sync_owner = sync_secrets_owner(&finish.sync_id);
    // The sync's own credentials and TANs always go; the access's secrets when discarded.
    let mut deleted = vec![sync_owner.as_str()];
    match &finish.secrets {
        SecretsOutcome::Keep => {}
        SecretsOutcome::Save(sealed) => {
            vault::put(&mut tx, &access_owner, sealed, finish.now).await?;
            set_secrets_flags(&mut tx, &access_id, true).await?;
        }
        SecretsOutcome::Discard => {
            deleted.push(&access_owner);
            set_secrets_flags(&mut tx, &access_id, false).await?;
        }
    }
    vault::delete_with_prefix(&mut tx, &deleted, &tans_of_sync(&finish.sync_id)).await?;
    if let Some(plan) = &finish.upgrade {
        for access in &plan.new_accesses {
            insert_access_row(&mut tx, access).await?;
        }
        for (account_id, new_access_id) in &plan.moves {
            tx.sql("UPDATE accounts SET access_id = $1 WHERE id = $2")
                .bind(new_access_id)
                .bind(account_id)
                .execute()
                .await?;
        }
        if let Some(error) = &plan.old_access_error {
            tx.sql(
                "UPDATE accesses SET status = 'UPGRADE_REQUIRED', upgrade_error = $1 \
                 WHERE id = $2",
            )
            .bind(to_json(error))
            .bind(&plan.old_access_id)
            .execute()
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

async fn set_secrets_flags(
    tx: &mut Tx,
    access_id: &AccessId,
    saved: bool,
) -> Result<(), StoreError> {
    tx.sql("UPDATE accesses SET secrets_saved = $1, save_secrets = $1 WHERE id = $2")
        .bind(saved)
        .bind(access_id)
        .execute()
        .await?;
    Ok(())
}
