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
        .max_connections(20)
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
        .bind(events_lock_key(user_id))
        .execute(conn)
        .await?;
    Ok(())
}

/// The key of [`lock_events_of`]'s advisory lock (an `INSERT` of one user's events may take
/// it in its own statement: `sql/events.rs`).
pub fn events_lock_key(user_id: &str) -> String {
    format!("events:{user_id}")
}

/// The bucket's level refilled to `$4` (at most the burst `$3`, at `$5` tokens a second):
/// the arithmetic of [`take`], in SQL.
const REFILLED: &str = "LEAST($3, tokens + (GREATEST($4 - at_ms, 0)::float8 / 1000.0) * $5)";

/// Takes from a bucket in `rate_buckets` (an UNLOGGED table: a crash may refill the
/// buckets, which is harmless), shared by every process. A take is one conditional
/// `UPDATE … SET tokens = refilled - 1 WHERE refilled >= 1` in its own (autocommit)
/// transaction: PostgreSQL serialises concurrent takes from one bucket by the row lock
/// and re-evaluates the `WHERE` on the level the previous take left, so no token is
/// granted twice, while the lock is held for one statement only (not over the round trips
/// of a `SELECT … FOR UPDATE`, an `UPDATE` and a `COMMIT`, which made every request of a
/// busy client queue on its one bucket row). The statement writes no WAL, so its commit
/// waits for no disk. A refusal changes nothing: the level refills linearly, so leaving
/// it is the same as [`take`]'s refused level. A missing bucket is created full, less the
/// token taken.
pub async fn take_rate_token(
    pool: &PgPool,
    bucket: &str,
    key: &str,
    limit: RateLimit,
    now_ms: i64,
) -> Result<Take, StoreError> {
    let burst = f64::from(limit.burst);
    let take_sql = format!(
        "UPDATE rate_buckets SET tokens = {REFILLED} - 1, at_ms = $4 \
         WHERE bucket = $1 AND key = $2 AND {REFILLED} >= 1 RETURNING tokens"
    );
    for _ in 0..2 {
        let granted = sqlx::query(&take_sql)
            .bind(bucket)
            .bind(key)
            .bind(burst)
            .bind(now_ms)
            .bind(limit.per_second)
            .fetch_optional(pool)
            .await?;
        if granted.is_some() {
            return Ok(Take::Granted);
        }
        let level =
            sqlx::query("SELECT tokens, at_ms FROM rate_buckets WHERE bucket = $1 AND key = $2")
                .bind(bucket)
                .bind(key)
                .fetch_optional(pool)
                .await?;
        if let Some(row) = level {
            let level = BucketLevel {
                tokens: row.try_get("tokens")?,
                at_ms: row.try_get("at_ms")?,
            };
            match take(Some(level), limit, now_ms) {
                // Refilled since the `UPDATE` (another take's `at_ms` moved): try again.
                (_, Take::Granted) => continue,
                (_, refused) => return Ok(refused),
            }
        }
        // First use: create the bucket full, less this take (or meet the one a concurrent
        // take created, and take from it).
        let (level, answer) = take(None, limit, now_ms);
        let created = sqlx::query(
            "INSERT INTO rate_buckets (bucket, key, tokens, at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (bucket, key) DO NOTHING",
        )
        .bind(bucket)
        .bind(key)
        .bind(level.tokens)
        .bind(level.at_ms)
        .execute(pool)
        .await?;
        if created.rows_affected() == 1 {
            return Ok(answer);
        }
    }
    // Contended twice in a row: a request more or less is no matter, the bucket is busy.
    Ok(Take::Refused(Duration::from_millis(50)))
}

/// Forgets the buckets untouched since `before_ms`.
pub async fn forget_rate_buckets(pool: &PgPool, before_ms: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM rate_buckets WHERE at_ms < $1")
        .bind(before_ms)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
