//! PostgreSQL, for several `serve` processes on one database (contract §1).
//!
//! # Concurrency
//!
//! Transactions run at PostgreSQL's default isolation, READ COMMITTED, and every
//! single-use secret is consumed by a conditional `UPDATE … WHERE <still unused>` as the
//! transaction's first write (see `sql/tokens.rs`). The `UPDATE` takes the row lock; a
//! concurrent transaction updating the same row waits for it and then re-evaluates its
//! `WHERE` on the committed row (PostgreSQL's "EvalPlanQual" recheck), so it finds the
//! secret used and changes nothing. Of any number of parallel redemptions, in any number
//! of processes, exactly one wins, and no transaction ever has to be retried, which
//! SERIALIZABLE would require on every serialization failure. A loser's follow-up
//! `SELECT` is a new statement and therefore sees the winner's commit. The sync queue and
//! the webhook outbox claim with `FOR UPDATE SKIP LOCKED` ([`super::Db::skip_locked`]).
//!
//! Migrations (`migrations/postgres/`) run at every start; sqlx's migrator holds a
//! session-level advisory lock meanwhile, so processes that start together apply them once.
//! They are a translation of `migrations/sqlite/` with the same names: `INTEGER` →
//! `BIGINT`, `BOOLEAN` for flags, `BYTEA` for sealed bytes, identity columns for
//! `AUTOINCREMENT`, plus the UNLOGGED `rate_buckets` table of [`take_rate_token`].

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Row};

use crate::domain::rate_limit::{BucketLevel, RateLimit, Take, take};
use crate::store::StoreError;

/// Connects to the database of `url` and migrates it.
pub async fn open(url: &str) -> Result<PgPool, StoreError> {
    let options = PgConnectOptions::from_str(url)?.application_name("kontolink-server");
    let pool = match PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.clone())
        .await
    {
        Ok(pool) => pool,
        Err(sqlx::Error::PoolTimedOut) => {
            // The pool retried until its timeout and says only that: one direct
            // attempt names the cause (refused, unknown database, authentication …).
            PgConnection::connect_with(&options).await?;
            return Err(sqlx::Error::PoolTimedOut.into());
        }
        Err(error) => return Err(error.into()),
    };
    sqlx::migrate!("migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// Event ids come from a sequence, and sequence values are handed out in call order, not
/// commit order: without care a reader paging with `id > after` could pass an id whose
/// transaction has not committed yet and never see it. A transaction-level advisory lock
/// per user (held until commit) makes each user's event ids grow in commit order; events of
/// different users still insert in parallel.
pub async fn lock_events_of(conn: &mut PgConnection, user_id: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("events:{user_id}"))
        .execute(conn)
        .await?;
    Ok(())
}

const LOCK_LEVEL: &str =
    "SELECT tokens, at_ms FROM rate_buckets WHERE bucket = $1 AND key = $2 FOR UPDATE";

/// Takes from a bucket in `rate_buckets` (an UNLOGGED table: a crash may refill the
/// buckets, which is harmless), shared by every process: the row lock of
/// `SELECT … FOR UPDATE` serialises concurrent takes from one bucket across processes.
pub async fn take_rate_token(
    pool: &PgPool,
    bucket: &str,
    key: &str,
    limit: RateLimit,
    now_ms: i64,
) -> Result<Take, StoreError> {
    let mut tx = pool.begin().await?;
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
    sqlx::query("UPDATE rate_buckets SET tokens = $3, at_ms = $4 WHERE bucket = $1 AND key = $2")
        .bind(bucket)
        .bind(key)
        .bind(level.tokens)
        .bind(level.at_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(answer)
}

/// Forgets the buckets untouched since `before_ms`.
pub async fn forget_rate_buckets(pool: &PgPool, before_ms: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM rate_buckets WHERE at_ms < $1")
        .bind(before_ms)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
