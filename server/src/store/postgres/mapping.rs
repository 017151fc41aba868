//! PostgreSQL rows ↔ the store's records, and the event insert shared by every transaction.

use kontolink_api::ErrorDetail;
use serde::de::DeserializeOwned;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::store::StoreError;
use crate::store::rows::{AccessRow, AccountRow, NewEvent, SyncRow, TransactionRow};

pub const ACCESS_COLUMNS: &str = "id, user_id, client_id, provider_id, access_method_id, \
    public_credentials, save_secrets, secrets_saved, auth_method_id, auth_medium_id, status, \
    upgrade_error, created_at, last_synced_at";

pub const ACCOUNT_COLUMNS: &str = "id, access_id, user_id, provider_account_id, iban, name, \
    account_type, currency, owner, balance, available, balance_date";

pub const TRANSACTION_COLUMNS: &str = "id, account_id, amount, currency, booking_date, \
    value_date, booked, purpose, name, iban, transaction_type";

pub const SYNC_COLUMNS: &str = "id, access_id, user_id, client_id, status, scope, options, \
    counted, automatic, step, progress, challenge_id, challenge, await_deadline, error, \
    attempts, lease_owner, created_at, started_at, ended_at";

fn json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn json_opt<T: DeserializeOwned>(
    text: Option<String>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    text.map(|t| json(&t, what)).transpose()
}

pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

pub fn access(row: &PgRow) -> Result<AccessRow, StoreError> {
    Ok(AccessRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        client_id: row.try_get("client_id")?,
        provider_id: row.try_get("provider_id")?,
        access_method_id: row.try_get("access_method_id")?,
        public_credentials: json(
            &row.try_get::<String, _>("public_credentials")?,
            "credentials",
        )?,
        save_secrets: row.try_get("save_secrets")?,
        secrets_saved: row.try_get("secrets_saved")?,
        auth_method_id: row.try_get("auth_method_id")?,
        auth_medium_id: row.try_get("auth_medium_id")?,
        status: row.try_get("status")?,
        upgrade_error: json_opt::<ErrorDetail>(row.try_get("upgrade_error")?, "upgrade_error")?,
        created_at: row.try_get("created_at")?,
        last_synced_at: row.try_get("last_synced_at")?,
    })
}

pub fn account(row: &PgRow) -> Result<AccountRow, StoreError> {
    Ok(AccountRow {
        id: row.try_get("id")?,
        access_id: row.try_get("access_id")?,
        user_id: row.try_get("user_id")?,
        provider_account_id: row.try_get("provider_account_id")?,
        iban: row.try_get("iban")?,
        name: row.try_get("name")?,
        account_type: row.try_get("account_type")?,
        currency: row.try_get("currency")?,
        owner: row.try_get("owner")?,
        balance: row.try_get("balance")?,
        available: row.try_get("available")?,
        balance_date: row.try_get("balance_date")?,
    })
}

pub fn transaction(row: &PgRow) -> Result<TransactionRow, StoreError> {
    Ok(TransactionRow {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        booking_date: row.try_get("booking_date")?,
        value_date: row.try_get("value_date")?,
        booked: row.try_get("booked")?,
        purpose: row.try_get("purpose")?,
        name: row.try_get("name")?,
        iban: row.try_get("iban")?,
        transaction_type: row.try_get("transaction_type")?,
    })
}

pub fn sync(row: &PgRow) -> Result<SyncRow, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(SyncRow {
        id: row.try_get("id")?,
        access_id: row.try_get("access_id")?,
        user_id: row.try_get("user_id")?,
        client_id: row.try_get("client_id")?,
        status: status
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
        scope: json(&row.try_get::<String, _>("scope")?, "scope")?,
        options: json(&row.try_get::<String, _>("options")?, "options")?,
        counted: row.try_get("counted")?,
        automatic: row.try_get("automatic")?,
        step: row.try_get("step")?,
        progress: json(&row.try_get::<String, _>("progress")?, "progress")?,
        challenge_id: row.try_get("challenge_id")?,
        challenge: json_opt(row.try_get("challenge")?, "challenge")?,
        await_deadline: row.try_get("await_deadline")?,
        error: json_opt(row.try_get("error")?, "error")?,
        attempts: row.try_get("attempts")?,
        lease_owner: row.try_get("lease_owner")?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("ended_at")?,
    })
}

/// Appends an event of `user_id` inside the caller's transaction.
///
/// Ids come from a sequence, and sequence values are handed out in call order, not commit
/// order: without care a reader paging with `id > after` could pass an id whose
/// transaction has not committed yet and never see it. A transaction-level advisory lock
/// per user (held until commit) makes each user's event ids grow in commit order; events of
/// different users still insert in parallel.
pub async fn insert_event(
    conn: &mut PgConnection,
    user_id: &str,
    now: i64,
    event: &NewEvent,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("events:{user_id}"))
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO events (user_id, event_type, resource_type, resource_id, created_at, data) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user_id)
    .bind(event.event_type)
    .bind(event.resource_type)
    .bind(&event.resource_id)
    .bind(now)
    .bind(event.data.as_ref().map(to_json))
    .execute(conn)
    .await?;
    Ok(())
}

/// Queues a webhook delivery if the client registered a URL.
pub async fn enqueue_webhook(
    conn: &mut PgConnection,
    client_id: &str,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhook_outbox (client_id, url, body, next_attempt_at, created_at) \
         SELECT client_id, notification_uri, $1, $2, $3 FROM client_webhooks WHERE client_id = $4",
    )
    .bind(body)
    .bind(now)
    .bind(now)
    .bind(client_id)
    .execute(conn)
    .await?;
    Ok(())
}
