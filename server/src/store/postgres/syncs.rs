//! `SyncStore` on PostgreSQL: the durable job queue shared by every `serve` process on the
//! database. A claim is one `UPDATE … WHERE id = (SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED)
//! RETURNING …`: the subquery locks the row it picks and skips rows another claim has
//! locked, so two processes never claim the same job, and neither waits for the other. A
//! RUNNING job whose lease expired (its process died) is claimable again: a crashed
//! process's jobs are taken over. Every status change is a conditional
//! `UPDATE … WHERE status IN (allowed sources) AND lease_owner = …`, so a process that lost
//! its lease writes nothing (the row lock plus PostgreSQL's re-check of the `WHERE` on the
//! committed row make the fence exact under READ COMMITTED).

use async_trait::async_trait;

use super::PgStore;
use super::mapping::{self, insert_event};
use super::write;
use crate::domain::SyncStatus;
use crate::domain::ids::{AccessId, AccountId, SyncId};
use crate::engine::model::{Progress, sync_secrets_owner};
use crate::providers::{BankAccount, BankTransaction};
use crate::store::StoreError;
use crate::store::engine::{Claimed, SyncStore};
use crate::store::row_mapping::{self, SYNC_COLUMNS, to_json};
use crate::store::rows::{AccessRow, AccountRow, Finish, NewEvent, SyncRow};
use crate::vault::Sealed;

#[async_trait]
impl SyncStore for PgStore {
    async fn insert_sync(
        &self,
        sync: &SyncRow,
        credentials: Option<&Sealed>,
        events: &[NewEvent],
        webhook_body: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO syncs (id, access_id, user_id, client_id, status, scope, options, counted, \
             automatic, step, progress, error, run_after, created_at, ended_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&sync.id)
        .bind(&sync.access_id)
        .bind(&sync.user_id)
        .bind(&sync.client_id)
        .bind(sync.status.as_str())
        .bind(to_json(&sync.scope))
        .bind(to_json(&sync.options))
        .bind(sync.counted)
        .bind(sync.automatic)
        .bind(&sync.step)
        .bind(to_json(&sync.progress))
        .bind(sync.error.as_ref().map(to_json))
        .bind(sync.created_at)
        .bind(sync.created_at)
        .bind(sync.ended_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
            other => {
                other?;
            }
        }
        if let Some(sealed) = credentials {
            super::vault::put(
                &mut tx,
                &sync_secrets_owner(&sync.id),
                sealed,
                sync.created_at,
            )
            .await?;
        }
        for event in events {
            insert_event(&mut tx, &sync.user_id, sync.created_at, event).await?;
        }
        if let Some(body) = webhook_body {
            mapping::enqueue_webhook(&mut tx, &sync.client_id, body, sync.created_at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn sync(&self, sync_id: &SyncId) -> Result<Option<SyncRow>, StoreError> {
        let sql = format!("SELECT {SYNC_COLUMNS} FROM syncs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(sync_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_mapping::sync).transpose()
    }

    async fn sync_by_challenge(&self, challenge_id: &str) -> Result<Option<SyncRow>, StoreError> {
        let sql = format!("SELECT {SYNC_COLUMNS} FROM syncs WHERE challenge_id = $1");
        let row = sqlx::query(&sql)
            .bind(challenge_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_mapping::sync).transpose()
    }

    async fn active_sync(&self, access_id: &AccessId) -> Result<Option<SyncRow>, StoreError> {
        let sql = format!(
            "SELECT {SYNC_COLUMNS} FROM syncs WHERE access_id = $1 \
             AND status IN ('QUEUED', 'RUNNING', 'AWAIT_AUTH')"
        );
        let row = sqlx::query(&sql)
            .bind(access_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_mapping::sync).transpose()
    }

    async fn count_syncs(&self, status: SyncStatus) -> Result<i64, StoreError> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM syncs WHERE status = $1")
            .bind(status.as_str())
            .fetch_one(self.pool())
            .await?;
        Ok(count)
    }

    async fn claim(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<Claimed>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let sql = format!(
            "UPDATE syncs SET claimed_from = CASE WHEN status = 'RUNNING' AND lease_expires_at = 0 \
             THEN 'RESUMED' ELSE status END, status = 'RUNNING', lease_owner = $1, \
             lease_expires_at = $2, started_at = COALESCE(started_at, $3), attempts = attempts + 1, \
             wake_at = NULL, challenge = NULL, step = COALESCE(step, 'LOGIN') \
             WHERE id = (SELECT id FROM syncs WHERE (status = 'QUEUED' AND run_after <= $4) \
                 OR (status = 'RUNNING' AND lease_expires_at < $5) \
                 OR (status = 'AWAIT_AUTH' AND wake_at <= $6) ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING claimed_from, {SYNC_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .bind(now)
            .bind(now)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let from: String = sqlx::Row::try_get(&row, "claimed_from")?;
        let sync = row_mapping::sync(&row)?;
        // RESUMED: answered (the answer wrote its event) or handed back at a stop.
        if from != "RUNNING" && from != "RESUMED" {
            let event = NewEvent::sync(
                "SYNC_RUNNING",
                &sync.id,
                serde_json::json!({
                    "access_id": sync.access_id, "status": "RUNNING"
                }),
            );
            insert_event(&mut tx, &sync.user_id, now, &event).await?;
        }
        tx.commit().await?;
        Ok(Some(Claimed {
            sync,
            taken_over: from == "RUNNING",
        }))
    }

    async fn heartbeat(
        &self,
        sync_id: &SyncId,
        owner: &str,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE syncs SET lease_expires_at = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'RUNNING'",
        )
        .bind(lease_until)
        .bind(sync_id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_leases(&self, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE syncs SET lease_expires_at = 0 WHERE lease_owner = $1 AND status = 'RUNNING'",
        )
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn set_step(
        &self,
        sync_id: &SyncId,
        owner: &str,
        step: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE syncs SET step = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'RUNNING'",
        )
        .bind(step)
        .bind(sync_id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn await_auth(
        &self,
        sync_id: &SyncId,
        owner: &str,
        progress: &Progress,
        challenge_id: &str,
        deadline: i64,
        wake_at: Option<i64>,
        event: Option<&NewEvent>,
    ) -> Result<bool, StoreError> {
        let challenge = progress
            .rounds
            .last()
            .map(|round| to_json(&round.challenge));
        let mut tx = self.pool().begin().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE syncs SET status = 'AWAIT_AUTH', progress = $1, challenge_id = $2, challenge = $3, \
             await_deadline = $4, wake_at = $5, lease_owner = NULL, lease_expires_at = NULL, \
             step = 'AWAIT_AUTH' WHERE id = $6 AND status = 'RUNNING' AND lease_owner = $7 \
             RETURNING user_id",
        )
        .bind(to_json(progress))
        .bind(challenge_id)
        .bind(challenge)
        .bind(deadline)
        .bind(wake_at)
        .bind(sync_id)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id,)) = row else {
            return Ok(false);
        };
        if let Some(event) = event {
            insert_event(&mut tx, &user_id, crate::engine::model::now_ms(), event).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn answer(
        &self,
        sync_id: &SyncId,
        challenge_id: &str,
        progress: &Progress,
        tan: Option<(&str, &Sealed)>,
        event: &NewEvent,
    ) -> Result<bool, StoreError> {
        let now = crate::engine::model::now_ms();
        let mut tx = self.pool().begin().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE syncs SET status = 'RUNNING', progress = $1, challenge = NULL, wake_at = NULL, \
             lease_owner = NULL, lease_expires_at = 0, step = 'LOGIN' \
             WHERE id = $2 AND status = 'AWAIT_AUTH' AND challenge_id = $3 RETURNING user_id",
        )
        .bind(to_json(progress))
        .bind(sync_id)
        .bind(challenge_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id,)) = row else {
            return Ok(false);
        };
        if let Some((owner, sealed)) = tan {
            super::vault::put(&mut tx, owner, sealed, now).await?;
        }
        insert_event(&mut tx, &user_id, now, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn save_accounts(
        &self,
        sync_id: &SyncId,
        owner: &str,
        access: &AccessRow,
        accounts: &[BankAccount],
        add_new: bool,
        now: i64,
    ) -> Result<Option<Vec<AccountRow>>, StoreError> {
        write::save_accounts(self.pool(), sync_id, owner, access, accounts, add_new, now).await
    }

    async fn save_transactions(
        &self,
        sync_id: &SyncId,
        owner: &str,
        access: &AccessRow,
        batches: &[(AccountId, Vec<BankTransaction>)],
        now: i64,
    ) -> Result<Option<u64>, StoreError> {
        write::save_transactions(self.pool(), sync_id, owner, access, batches, now).await
    }

    async fn finish(&self, finish: &Finish) -> Result<bool, StoreError> {
        write::finish(self.pool(), finish).await
    }

    async fn expired_await_auth(&self, now: i64) -> Result<Vec<SyncRow>, StoreError> {
        let sql = format!(
            "SELECT {SYNC_COLUMNS} FROM syncs WHERE status = 'AWAIT_AUTH' AND await_deadline < $1 \
             ORDER BY await_deadline LIMIT 100"
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(self.pool()).await?;
        rows.iter().map(row_mapping::sync).collect()
    }
}
