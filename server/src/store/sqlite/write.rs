//! The engine's larger write transactions on SQLite: account and transaction upserts by
//! provider id (so a re-run after a crash never duplicates), and the end of a sync.
//! Each starts with a fenced `UPDATE` of the sync, so only the lease holder writes and the
//! transaction holds SQLite's write lock from its first statement.

use sqlx::SqlitePool;

use super::data::insert_access_row;
use super::mapping::{self, insert_event};
use crate::domain::SyncStatus;
use crate::domain::ids::{AccessId, AccountId, SyncId};
use crate::engine::model::{access_secrets_owner, sync_secrets_owner};
use crate::providers::{BankAccount, BankTransaction};
use crate::store::StoreError;
use crate::store::row_mapping::{self, ACCOUNT_COLUMNS, to_json};
use crate::store::rows::{AccessRow, AccountRow, Finish, NewEvent, SecretsOutcome};

async fn fence(
    conn: &mut sqlx::SqliteConnection,
    sync_id: &SyncId,
    owner: &str,
    step: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE syncs SET step = ? WHERE id = ? AND lease_owner = ? AND status = 'RUNNING'",
    )
    .bind(step)
    .bind(sync_id)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn save_accounts(
    pool: &SqlitePool,
    sync_id: &SyncId,
    owner: &str,
    access: &AccessRow,
    accounts: &[BankAccount],
    add_new: bool,
    now: i64,
) -> Result<Option<Vec<AccountRow>>, StoreError> {
    let mut tx = pool.begin().await?;
    if !fence(&mut tx, sync_id, owner, "ACCOUNTS").await? {
        return Ok(None);
    }
    let mut added = 0;
    for account in accounts {
        let balance_date = account.balance_date.to_string();
        let updated = sqlx::query(
            "UPDATE accounts SET iban = ?, name = ?, account_type = ?, currency = ?, owner = ?, \
             balance = ?, available = ?, balance_date = ?, updated_at = ? \
             WHERE access_id = ? AND provider_account_id = ?",
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
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 && add_new {
            sqlx::query(
                "INSERT INTO accounts (id, access_id, user_id, provider_account_id, iban, name, \
                 account_type, currency, owner, balance, available, balance_date, created_at, \
                 updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            .bind(now)
            .execute(&mut *tx)
            .await?;
            added += 1;
        }
    }
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE access_id = ? ORDER BY created_at, id"
    );
    let rows = sqlx::query(&sql)
        .bind(&access.id)
        .fetch_all(&mut *tx)
        .await?;
    let stored = rows
        .iter()
        .map(row_mapping::account)
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

pub async fn save_transactions(
    pool: &SqlitePool,
    sync_id: &SyncId,
    owner: &str,
    access: &AccessRow,
    batches: &[(AccountId, Vec<BankTransaction>)],
    now: i64,
) -> Result<Option<u64>, StoreError> {
    let mut tx = pool.begin().await?;
    if !fence(&mut tx, sync_id, owner, "TRANSACTIONS").await? {
        return Ok(None);
    }
    let mut new = 0;
    for (account_id, transactions) in batches {
        let before = count_transactions(&mut tx, account_id).await?;
        for t in transactions {
            sqlx::query(
                "INSERT INTO transactions (id, account_id, provider_transaction_id, amount, currency, \
                 booking_date, value_date, booked, purpose, name, iban, transaction_type) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (account_id, provider_transaction_id) DO UPDATE SET \
                 amount = excluded.amount, booking_date = excluded.booking_date, \
                 value_date = excluded.value_date, booked = excluded.booked, \
                 purpose = excluded.purpose \
                 WHERE transactions.booked <> excluded.booked OR transactions.amount <> excluded.amount",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(account_id)
            .bind(&t.provider_transaction_id)
            .bind(&t.amount)
            .bind(&t.currency)
            .bind(t.booking_date.to_string())
            .bind(t.value_date.map(|d| d.to_string()))
            .bind(t.booked)
            .bind(&t.purpose)
            .bind(&t.name)
            .bind(&t.iban)
            .bind(&t.transaction_type)
            .execute(&mut *tx)
            .await?;
        }
        new += count_transactions(&mut tx, account_id).await? - before;
    }
    let event = NewEvent {
        event_type: "TRANSACTIONS_UPDATED",
        resource_type: "SYNC",
        resource_id: sync_id.to_string(),
        data: Some(serde_json::json!({
            "access_id": access.id,
            "accounts": batches.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "new_transactions": new,
        })),
    };
    insert_event(&mut tx, &access.user_id, now, &event).await?;
    tx.commit().await?;
    Ok(Some(new))
}

async fn count_transactions(
    conn: &mut sqlx::SqliteConnection,
    account_id: &AccountId,
) -> Result<u64, StoreError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM transactions WHERE account_id = ?")
        .bind(account_id)
        .fetch_one(conn)
        .await?;
    Ok(count.max(0) as u64)
}

pub async fn finish(pool: &SqlitePool, finish: &Finish) -> Result<bool, StoreError> {
    let sources: Vec<&str> = SyncStatus::sources(finish.status)
        .iter()
        .map(|s| s.as_str())
        .collect();
    let (one, two) = (sources.first().copied(), sources.get(1).copied());
    let mut tx = pool.begin().await?;
    let row: Option<(String, String, AccessId)> = sqlx::query_as(
        "UPDATE syncs SET status = ?, error = ?, ended_at = ?, lease_owner = NULL, \
         lease_expires_at = NULL, challenge = NULL, wake_at = NULL, step = NULL \
         WHERE id = ? AND status IN (?, ?) AND ((? IS NULL AND status = 'AWAIT_AUTH') OR (lease_owner = ? AND status = 'RUNNING')) \
         RETURNING user_id, client_id, access_id",
    )
    .bind(finish.status.as_str())
    .bind(finish.error.as_ref().map(to_json))
    .bind(finish.now)
    .bind(&finish.sync_id)
    .bind(one)
    .bind(two)
    .bind(&finish.lease_owner)
    .bind(&finish.lease_owner)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, client_id, access_id)) = row else {
        return Ok(false);
    };
    for event in &finish.events {
        insert_event(&mut tx, &user_id, finish.now, event).await?;
    }
    if let Some(body) = &finish.webhook_body {
        mapping::enqueue_webhook(&mut tx, &client_id, body, finish.now).await?;
    }
    if let Some((method, medium)) = &finish.access_synced {
        sqlx::query(
            "UPDATE accesses SET last_synced_at = ?, auth_method_id = COALESCE(?, auth_method_id), \
             auth_medium_id = COALESCE(?, auth_medium_id) WHERE id = ?",
        )
        .bind(finish.now)
        .bind(method)
        .bind(medium)
        .bind(&access_id)
        .execute(&mut *tx)
        .await?;
    }
    let access_owner = access_secrets_owner(&access_id);
    match &finish.secrets {
        SecretsOutcome::Keep => {}
        SecretsOutcome::Save(sealed) => {
            super::vault::put(&mut tx, &access_owner, sealed, finish.now).await?;
            set_secrets_flags(&mut tx, &access_id, true).await?;
        }
        SecretsOutcome::Discard => {
            super::vault::delete(&mut tx, &access_owner).await?;
            set_secrets_flags(&mut tx, &access_id, false).await?;
        }
    }
    super::vault::delete(&mut tx, &sync_secrets_owner(&finish.sync_id)).await?;
    super::vault::delete_prefix(&mut tx, &format!("tan:{}:", finish.sync_id)).await?;
    if let Some(plan) = &finish.upgrade {
        for access in &plan.new_accesses {
            insert_access_row(&mut tx, access).await?;
        }
        for (account_id, new_access_id) in &plan.moves {
            sqlx::query("UPDATE accounts SET access_id = ? WHERE id = ?")
                .bind(new_access_id)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(error) = &plan.old_access_error {
            sqlx::query(
                "UPDATE accesses SET status = 'UPGRADE_REQUIRED', upgrade_error = ? WHERE id = ?",
            )
            .bind(to_json(error))
            .bind(&plan.old_access_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

async fn set_secrets_flags(
    conn: &mut sqlx::SqliteConnection,
    access_id: &AccessId,
    saved: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accesses SET secrets_saved = ?, save_secrets = ? WHERE id = ?")
        .bind(saved)
        .bind(saved)
        .bind(access_id)
        .execute(conn)
        .await?;
    Ok(())
}
