//! The SQLite event insert and webhook enqueue shared by every transaction. Rows are mapped
//! to records in `store::row_mapping`, shared with the other backend.

use sqlx::SqliteConnection;

use crate::store::StoreError;
use crate::store::row_mapping::to_json;
use crate::store::rows::NewEvent;

/// Appends an event of `user_id` inside the caller's transaction.
pub async fn insert_event(
    conn: &mut SqliteConnection,
    user_id: &str,
    now: i64,
    event: &NewEvent,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO events (user_id, event_type, resource_type, resource_id, created_at, data) \
         VALUES (?, ?, ?, ?, ?, ?)",
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
    conn: &mut SqliteConnection,
    client_id: &str,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhook_outbox (client_id, url, body, next_attempt_at, created_at) \
         SELECT client_id, notification_uri, ?, ?, ? FROM client_webhooks WHERE client_id = ?",
    )
    .bind(body)
    .bind(now)
    .bind(now)
    .bind(client_id)
    .execute(conn)
    .await?;
    Ok(())
}
