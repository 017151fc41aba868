//! The PostgreSQL backend, for several `serve` processes on one database (contract §1).
//!
//! # Concurrency
//!
//! Transactions run at PostgreSQL's default isolation, READ COMMITTED, and every
//! single-use secret is consumed by a conditional `UPDATE … WHERE <still unused>` as the
//! transaction's first write (see `tokens.rs`). The `UPDATE` takes the row lock; a
//! concurrent transaction updating the same row waits for it and then re-evaluates its
//! `WHERE` on the committed row (PostgreSQL's "EvalPlanQual" recheck), so it finds the
//! secret used and changes nothing. Of any number of parallel redemptions, in any number
//! of processes, exactly one wins, and no transaction ever has to be retried, which
//! SERIALIZABLE would require on every serialization failure. A loser's follow-up
//! `SELECT` is a new statement and therefore sees the winner's commit.
//!
//! Migrations (`migrations/postgres/`) run at every start; sqlx's migrator holds a
//! session-level advisory lock meanwhile, so processes that start together apply them once.
//!
//! # Adding tables
//!
//! Each file here mirrors its namesake in `sqlite/`; a new one is a translation: `?` →
//! `$1, $2, …`, `SqliteRow` → `PgRow`, `begin_with("BEGIN IMMEDIATE")` → `begin()` (the
//! conditional `UPDATE` provides the exclusion SQLite gets from its write lock), and in the
//! migration `INTEGER` → `BIGINT` (`BOOLEAN` for flags), names unchanged. A job queue shared
//! by several processes claims its next job with `SELECT … FOR UPDATE SKIP LOCKED`.

mod clients;
mod data;
mod events;
mod flows;
mod mapping;
mod rate_limits;
mod syncs;
mod tokens;
mod vault;
mod write;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};

use super::{Store, StoreError};

/// The column codecs are the same as SQLite's: text ids, JSON text, hex hashes.
use super::sqlite::codec;

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
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
        Ok(PgStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
