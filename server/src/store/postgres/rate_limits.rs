//! The buckets in `rate_buckets` (an UNLOGGED table: a crash may refill them, which is
//! harmless), shared by every process. The row lock of `SELECT … FOR UPDATE` serialises
//! concurrent takes from one bucket across processes.

use async_trait::async_trait;
use sqlx::Row;

use super::PgStore;
use crate::config::RateLimit;
use crate::domain::rate_limit::{BucketLevel, Take, take};
use crate::store::{RateLimitStore, StoreError};

const LOCK_LEVEL: &str =
    "SELECT tokens, at_ms FROM rate_buckets WHERE bucket = $1 AND key = $2 FOR UPDATE";

#[async_trait]
impl RateLimitStore for PgStore {
    async fn take_rate_token(
        &self,
        bucket: &str,
        key: &str,
        limit: RateLimit,
        now_ms: i64,
    ) -> Result<Take, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut row = sqlx::query(LOCK_LEVEL)
            .bind(bucket)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
        if row.is_none() {
            // First use: create the bucket full (or find the one a concurrent take created).
            sqlx::query(
                "INSERT INTO rate_buckets (bucket, key, tokens, at_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (bucket, key) DO NOTHING",
            )
            .bind(bucket)
            .bind(key)
            .bind(f64::from(limit.burst))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            row = sqlx::query(LOCK_LEVEL)
                .bind(bucket)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        }
        let level = row
            .map(|row| -> Result<BucketLevel, sqlx::Error> {
                Ok(BucketLevel {
                    tokens: row.try_get("tokens")?,
                    at_ms: row.try_get("at_ms")?,
                })
            })
            .transpose()?;
        let (level, answer) = take(level, limit, now_ms);
        sqlx::query(
            "UPDATE rate_buckets SET tokens = $3, at_ms = $4 WHERE bucket = $1 AND key = $2",
        )
        .bind(bucket)
        .bind(key)
        .bind(level.tokens)
        .bind(level.at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(answer)
    }

    async fn forget_rate_buckets(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM rate_buckets WHERE at_ms < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
