//! `EventStore` on SQLite: the event queue and the webhook outbox.

use async_trait::async_trait;

use super::SqliteStore;
use crate::engine::model::{now_ms, webhook_owner};
use crate::store::StoreError;
use crate::store::engine::EventStore;
use crate::store::row_mapping::{self, EVENT_COLUMNS};
use crate::store::rows::{EventRow, OutboxRow};
use crate::vault::Sealed;

#[async_trait]
impl EventStore for SqliteStore {
    async fn events(
        &self,
        user_id: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<EventRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM events \
             WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?"
        ))
        .bind(user_id)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_mapping::event).collect()
    }

    async fn set_client_webhook(
        &self,
        client_id: &str,
        notification_uri: &str,
        secret: &Sealed,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO client_webhooks (client_id, notification_uri) VALUES (?, ?) \
             ON CONFLICT (client_id) DO UPDATE SET notification_uri = excluded.notification_uri",
        )
        .bind(client_id)
        .bind(notification_uri)
        .execute(&mut *tx)
        .await?;
        super::vault::put(&mut tx, &webhook_owner(client_id), secret, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_webhook(
        &self,
        now: i64,
        lease_until: i64,
        max_attempts: i64,
    ) -> Result<Option<OutboxRow>, StoreError> {
        let row: Option<(i64, String, String, String, i64)> = sqlx::query_as(
            "UPDATE webhook_outbox SET lease_expires_at = ?, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM webhook_outbox WHERE delivered_at IS NULL \
                 AND next_attempt_at <= ? AND attempts < ? \
                 AND (lease_expires_at IS NULL OR lease_expires_at < ?) \
                 ORDER BY next_attempt_at LIMIT 1) \
             RETURNING id, client_id, url, body, attempts",
        )
        .bind(lease_until)
        .bind(now)
        .bind(max_attempts)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(id, client_id, url, body, attempts)| OutboxRow {
            id,
            client_id,
            url,
            body,
            attempts,
        }))
    }

    async fn webhook_backlog(&self, max_attempts: i64) -> Result<i64, StoreError> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NULL AND attempts < ?",
        )
        .bind(max_attempts)
        .fetch_one(self.pool())
        .await?;
        Ok(count)
    }

    async fn webhook_delivered(&self, id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_outbox SET delivered_at = ?, lease_expires_at = NULL WHERE id = ?",
        )
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn webhook_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_outbox SET next_attempt_at = ?, last_error = ?, lease_expires_at = NULL \
             WHERE id = ?",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
