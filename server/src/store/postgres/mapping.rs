//! The PostgreSQL event insert and webhook enqueue shared by every transaction. Rows are mapped
//! to records in `store::row_mapping`, shared with the other backend.

use sqlx::PgConnection;

use crate::store::StoreError;
use crate::store::row_mapping::to_json;
use crate::store::rows::NewEvent;

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
