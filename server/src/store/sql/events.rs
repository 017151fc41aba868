//! `EventStore`: the event queue and the webhook outbox, and the event insert and webhook
//! enqueue every state-changing transaction shares. Webhook deliveries are claimed like
//! sync jobs (`Db::skip_locked`), so several processes never send one twice at the same
//! time. Event ids of one user grow in commit order (`Tx::lock_events_of`), so a reader
//! paging with `id > after` never skips an event committed late.

use async_trait::async_trait;

use super::SqlStore;
use super::mapping::{self, EVENT_COLUMNS, to_json};
use crate::domain::sealed::Sealed;
use crate::domain::secret_owner::webhook_owner;
use crate::domain::time::now_ms;
use crate::store::StoreError;
use crate::store::backend::{Tx, postgres};
use crate::store::engine::EventStore;
use crate::store::rows::{EventRow, NewEvent, OutboxRow};

/// Appends an event of `user_id` inside the caller's transaction.
pub(super) async fn insert_event(
    tx: &mut Tx,
    user_id: &str,
    now: i64,
    event: &NewEvent,
) -> Result<(), StoreError> {
    insert_events(tx, now, &[(user_id, event)]).await
}

/// Appends events of one or several users in one multi-row `INSERT`, in the order given
/// (each user's event ids grow in that order). On PostgreSQL the users' event locks
/// ([`Tx::lock_events_of`]) are taken first, in sorted order, so two such transactions
/// never wait for each other in a cycle; the lock of a single user is taken by the
/// `INSERT` itself (a CTE its rows are joined with, so the lock is held before the first
/// id is drawn), which saves a round trip.
pub(super) async fn insert_events(
    tx: &mut Tx,
    now: i64,
    events: &[(&str, &NewEvent)],
) -> Result<(), StoreError> {
    let mut users: Vec<&str> = events.iter().map(|(user_id, _)| *user_id).collect();
    users.sort_unstable();
    users.dedup();
    let postgres = matches!(tx, Tx::Postgres(_));
    let fused_lock = match users.as_slice() {
        [user_id] if postgres => Some(postgres::events_lock_key(user_id)),
        _ => None,
    };
    if fused_lock.is_none() {
        for user_id in users {
            tx.lock_events_of(user_id).await?;
        }
    }
    const COLUMNS: &str = "user_id, event_type, resource_type, resource_id, created_at, data";
    // 6 parameters a row: far below either database's limit on bound parameters.
    for chunk in events.chunks(1000) {
        let values = tx.values_list(chunk.len(), 6);
        let sql = match &fused_lock {
            Some(_) => format!(
                "WITH events_lock AS (SELECT pg_advisory_xact_lock(hashtextextended(${}, 0))) \
                 INSERT INTO events ({COLUMNS}) SELECT new_events.* FROM events_lock, \
                 (VALUES {values}) AS new_events ({COLUMNS})",
                chunk.len() * 6 + 1
            ),
            None => format!("INSERT INTO events ({COLUMNS}) VALUES {values}"),
        };
        let mut stmt = tx.sql(&sql);
        for (user_id, event) in chunk {
            stmt = stmt
                .bind(*user_id)
                .bind(event.event_type)
                .bind(event.resource_type)
                .bind(&event.resource_id)
                .bind(now)
                .bind(event.data.as_ref().map(to_json));
        }
        if let Some(key) = &fused_lock {
            stmt = stmt.bind(key.clone());
        }
        stmt.execute().await?;
    }
    Ok(())
}

/// Queues a webhook delivery if the client registered a URL.
pub(super) async fn enqueue_webhook(
    tx: &mut Tx,
    client_id: &str,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.sql(
        "INSERT INTO webhook_outbox (client_id, url, body, next_attempt_at, created_at) \
         SELECT client_id, notification_uri, $1, $2, $2 FROM client_webhooks WHERE client_id = $3",
    )
    .bind(body)
    .bind(now)
    .bind(client_id)
    .execute()
    .await?;
    Ok(())
}

#[async_trait]
impl EventStore for SqlStore {
    async fn events(
        &self,
        user_id: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<EventRow>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        let rows = self
            .db
            .sql(&sql)
            .bind(user_id)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all()
            .await?;
        rows.iter().map(mapping::event).collect()
    }

    async fn set_client_webhook(
        &self,
        client_id: &str,
        notification_uri: &str,
        secret: &Sealed,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        tx.sql(
            "INSERT INTO client_webhooks (client_id, notification_uri) VALUES ($1, $2) \
             ON CONFLICT (client_id) DO UPDATE SET notification_uri = excluded.notification_uri",
        )
        .bind(client_id)
        .bind(notification_uri)
        .execute()
        .await?;
        super::vault::put(&mut tx, &webhook_owner(client_id), secret, now_ms()).await?;
        tx.commit().await
    }

    async fn claim_webhook(
        &self,
        now: i64,
        lease_until: i64,
        max_attempts: i64,
    ) -> Result<Option<OutboxRow>, StoreError> {
        let sql = format!(
            "UPDATE webhook_outbox SET lease_expires_at = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM webhook_outbox WHERE delivered_at IS NULL \
                 AND next_attempt_at <= $2 AND attempts < $3 \
                 AND (lease_expires_at IS NULL OR lease_expires_at < $2) \
                 ORDER BY next_attempt_at LIMIT 1{}) \
             RETURNING id, client_id, url, body, attempts",
            self.db.skip_locked()
        );
        let row = self
            .db
            .sql(&sql)
            .bind(lease_until)
            .bind(now)
            .bind(max_attempts)
            .fetch_optional()
            .await?;
        row.map(|row| {
            Ok(OutboxRow {
                id: row.get("id")?,
                client_id: row.get("client_id")?,
                url: row.get("url")?,
                body: row.get("body")?,
                attempts: row.get("attempts")?,
            })
        })
        .transpose()
    }

    async fn webhook_backlog(&self, max_attempts: i64) -> Result<i64, StoreError> {
        let row = self
            .db
            .sql(
                "SELECT COUNT(*) AS backlog FROM webhook_outbox \
                 WHERE delivered_at IS NULL AND attempts < $1",
            )
            .bind(max_attempts)
            .fetch_one()
            .await?;
        row.get("backlog")
    }

    async fn webhook_delivered(&self, id: i64, now: i64) -> Result<(), StoreError> {
        self.db
            .sql(
                "UPDATE webhook_outbox SET delivered_at = $1, lease_expires_at = NULL \
                 WHERE id = $2",
            )
            .bind(now)
            .bind(id)
            .execute()
            .await?;
        Ok(())
    }

    async fn webhook_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.db
            .sql(
                "UPDATE webhook_outbox SET next_attempt_at = $1, last_error = $2, \
                 lease_expires_at = NULL WHERE id = $3",
            )
            .bind(next_attempt_at)
            .bind(error)
            .bind(id)
            .execute()
            .await?;
        Ok(())
    }
}
