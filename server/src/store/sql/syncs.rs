//! `SyncStore`: the durable job queue. A claim takes a batch of jobs in one
//! `UPDATE … WHERE id IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING …`: atomic
//! under SQLite's single writer; on PostgreSQL the subquery locks the rows it picks and
//! skips rows another claim has locked, so two processes never claim the same job, and
//! neither waits for the other. A RUNNING job whose lease expired (its process died) is claimable again.
//! Every status change is a conditional `UPDATE … WHERE status IN (allowed sources) AND
//! lease_owner = …`, so a worker that lost its lease writes nothing (on PostgreSQL the row
//! lock plus the re-check of the `WHERE` on the committed row make the fence exact under
//! READ COMMITTED).

use async_trait::async_trait;

use super::SqlStore;
use super::events::{enqueue_webhook, insert_event, insert_events};
use super::mapping::{self, SYNC_COLUMNS, to_json};
use super::write;
use crate::domain::SyncStatus;
use crate::domain::bank::BankAccount;
use crate::domain::ids::{AccessId, SyncId};
use crate::domain::sealed::Sealed;
use crate::domain::secret_owner::sync_secrets_owner;
use crate::domain::sync::Progress;
use crate::domain::time::now_ms;
use crate::store::StoreError;
use crate::store::engine::{Claimed, SyncStore};
use crate::store::rows::{AccessRow, AccountRow, Finish, NewEvent, SyncRow};

impl SqlStore {
    async fn sync_where(
        &self,
        condition: &str,
        value: &str,
    ) -> Result<Option<SyncRow>, StoreError> {
        let sql = format!("SELECT {SYNC_COLUMNS} FROM syncs WHERE {condition}");
        let row = self.db.sql(&sql).bind(value).fetch_optional().await?;
        row.as_ref().map(mapping::sync).transpose()
    }
}

#[async_trait]
impl SyncStore for SqlStore {
    async fn insert_sync(
        &self,
        sync: &SyncRow,
        credentials: Option<&Sealed>,
        events: &[NewEvent],
        webhook_body: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        let inserted = tx
            .sql(
                "INSERT INTO syncs (id, access_id, user_id, client_id, status, scope, options, \
                 counted, automatic, step, progress, error, run_after, created_at, ended_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
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
            .bind(sync.ended_at)
            .execute()
            .await;
        match inserted {
            Err(StoreError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                return Ok(false);
            }
            other => {
                other?;
            }
        }
        if let Some(sealed) = credentials {
            let owner = sync_secrets_owner(&sync.id);
            super::vault::put(&mut tx, &owner, sealed, sync.created_at).await?;
        }
        for event in events {
            insert_event(&mut tx, &sync.user_id, sync.created_at, event).await?;
        }
        if let Some(body) = webhook_body {
            enqueue_webhook(&mut tx, &sync.client_id, body, sync.created_at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn sync(&self, sync_id: &SyncId) -> Result<Option<SyncRow>, StoreError> {
        self.sync_where("id = $1", sync_id.as_str()).await
    }

    async fn sync_by_challenge(&self, challenge_id: &str) -> Result<Option<SyncRow>, StoreError> {
        self.sync_where("challenge_id = $1", challenge_id).await
    }

    async fn active_sync(&self, access_id: &AccessId) -> Result<Option<SyncRow>, StoreError> {
        let condition = "access_id = $1 AND status IN ('QUEUED', 'RUNNING', 'AWAIT_AUTH')";
        self.sync_where(condition, access_id.as_str()).await
    }

    async fn count_syncs(&self, status: SyncStatus) -> Result<i64, StoreError> {
        let count = self
            .db
            .sql("SELECT COUNT(*) FROM syncs WHERE status = $1")
            .bind(status.as_str())
            .fetch_value()
            .await?;
        Ok(count.unwrap_or(0))
    }

    async fn claim(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: usize,
    ) -> Result<Vec<Claimed>, StoreError> {
        let mut tx = self.db.begin().await?;
        let sql = format!(
            "UPDATE syncs SET claimed_from = CASE WHEN status = 'RUNNING' AND lease_expires_at = 0 \
             THEN 'RESUMED' ELSE status END, status = 'RUNNING', lease_owner = $1, \
             lease_expires_at = $2, started_at = COALESCE(started_at, $3), \
             attempts = attempts + 1, wake_at = NULL, challenge = NULL, \
             step = COALESCE(step, 'LOGIN') \
             WHERE id IN (SELECT id FROM syncs WHERE (status = 'QUEUED' AND run_after <= $3) \
                 OR (status = 'RUNNING' AND lease_expires_at < $3) \
                 OR (status = 'AWAIT_AUTH' AND wake_at <= $3) ORDER BY run_after LIMIT $4{}) \
             RETURNING claimed_from, {SYNC_COLUMNS}",
            self.db.skip_locked()
        );
        let rows = tx
            .sql(&sql)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .bind(limit.max(1) as i64)
            .fetch_all()
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let from: String = row.get("claimed_from")?;
            claimed.push((from, mapping::sync(row)?));
        }
        // Oldest first, as picked; the events of one user in that order too.
        claimed.sort_by_key(|(_, sync)| (sync.created_at, sync.id.to_string()));
        // RESUMED: answered (the answer wrote its event) or handed back at a stop.
        let started: Vec<(&str, NewEvent)> = claimed
            .iter()
            .filter(|(from, _)| from != "RUNNING" && from != "RESUMED")
            .map(|(_, sync)| {
                let data = serde_json::json!({"access_id": sync.access_id, "status": "RUNNING"});
                (
                    sync.user_id.as_str(),
                    NewEvent::sync("SYNC_RUNNING", &sync.id, data),
                )
            })
            .collect();
        let started: Vec<(&str, &NewEvent)> = started.iter().map(|(u, e)| (*u, e)).collect();
        insert_events(&mut tx, now, &started).await?;
        tx.commit().await?;
        Ok(claimed
            .into_iter()
            .map(|(from, sync)| Claimed {
                sync,
                taken_over: from == "RUNNING",
            })
            .collect())
    }

    async fn heartbeat(
        &self,
        sync_id: &SyncId,
        owner: &str,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let done = self
            .db
            .sql(
                "UPDATE syncs SET lease_expires_at = $1 WHERE id = $2 AND lease_owner = $3 \
                 AND status = 'RUNNING'",
            )
            .bind(lease_until)
            .bind(sync_id)
            .bind(owner)
            .execute()
            .await?;
        Ok(done == 1)
    }

    async fn release_leases(&self, owner: &str) -> Result<(), StoreError> {
        self.db
            .sql(
                "UPDATE syncs SET lease_expires_at = 0 WHERE lease_owner = $1 \
                 AND status = 'RUNNING'",
            )
            .bind(owner)
            .execute()
            .await?;
        Ok(())
    }

    async fn set_step(
        &self,
        sync_id: &SyncId,
        owner: &str,
        step: &str,
    ) -> Result<bool, StoreError> {
        let done = self
            .db
            .sql("UPDATE syncs SET step = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'RUNNING'")
            .bind(step)
            .bind(sync_id)
            .bind(owner)
            .execute()
            .await?;
        Ok(done == 1)
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
        let mut tx = self.db.begin().await?;
        let user_id: Option<String> = tx
            .sql(
                "UPDATE syncs SET status = 'AWAIT_AUTH', progress = $1, challenge_id = $2, \
                 challenge = $3, await_deadline = $4, wake_at = $5, lease_owner = NULL, \
                 lease_expires_at = NULL, step = 'AWAIT_AUTH' \
                 WHERE id = $6 AND status = 'RUNNING' AND lease_owner = $7 RETURNING user_id",
            )
            .bind(to_json(progress))
            .bind(challenge_id)
            .bind(challenge)
            .bind(deadline)
            .bind(wake_at)
            .bind(sync_id)
            .bind(owner)
            .fetch_value()
            .await?;
        let Some(user_id) = user_id else {
            return Ok(false);
        };
        if let Some(event) = event {
            insert_event(&mut tx, &user_id, now_ms(), event).await?;
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
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let user_id: Option<String> = tx
            .sql(
                "UPDATE syncs SET status = 'RUNNING', progress = $1, challenge = NULL, \
                 wake_at = NULL, lease_owner = NULL, lease_expires_at = 0, step = 'LOGIN' \
                 WHERE id = $2 AND status = 'AWAIT_AUTH' AND challenge_id = $3 \
                 RETURNING user_id",
            )
            .bind(to_json(progress))
            .bind(sync_id)
            .bind(challenge_id)
            .fetch_value()
            .await?;
        let Some(user_id) = user_id else {
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
        write::save_accounts(&self.db, sync_id, owner, access, accounts, add_new, now).await
    }

    async fn finish(&self, finish: &Finish) -> Result<bool, StoreError> {
        write::finish(&self.db, finish).await
    }

    async fn expired_await_auth(&self, now: i64) -> Result<Vec<SyncRow>, StoreError> {
        let sql = format!(
            "SELECT {SYNC_COLUMNS} FROM syncs WHERE status = 'AWAIT_AUTH' AND await_deadline < $1 \
             ORDER BY await_deadline LIMIT 100"
        );
        let rows = self.db.sql(&sql).bind(now).fetch_all().await?;
        rows.iter().map(mapping::sync).collect()
    }
}
