//! The one implementation of the store traits, for SQLite and PostgreSQL alike: every query
//! is written once, with `$1`-style parameters both databases read, and runs through the
//! small typed dispatch of [`super::backend`]. What really differs between the two
//! databases lives in `backend/sqlite.rs` and `backend/postgres.rs`: opening and migrating,
//! `FOR UPDATE SKIP LOCKED` for the queues, the ordering of event ids, and where rate-limit
//! buckets live.
//!
//! # Why a dispatch enum, not `sqlx::Any` or generics over `sqlx::Database`
//!
//! - `sqlx::Any` would also run one SQL text on both, but it converts every bound value and
//!   every column into its own value type, decodes a flag only from a column declared
//!   `BOOLEAN` (SQLite's are `INTEGER`), knows none of the types our ids derive `sqlx::Type`
//!   for, and is opened from a URL, losing the typed SQLite options (WAL,
//!   `synchronous=FULL`, busy timeout, foreign keys).
//! - Functions generic over `DB: sqlx::Database` keep the drivers' types, but every one of
//!   them has to restate the higher-ranked bounds sqlx needs (`for<'c> &'c mut
//!   DB::Connection: Executor<'c, Database = DB>`, `for<'q> DB::Arguments<'q>:
//!   IntoArguments<'q, DB>`, `Encode + Type` for each bound type): Rust does not carry a
//!   trait's `where` clauses to its users, so the bounds would spread over every signature.
//! - The enum ([`super::backend::Stmt`]) binds and decodes with each driver's own types, as
//!   the two copies of the code did before, behind one `match` per call: no conversion, no
//!   allocation, no bounds beyond [`super::backend::Param`] and [`super::backend::Col`].

mod clients;
mod data;
mod events;
mod flows;
mod mapping;
mod syncs;
mod tokens;
mod vault;
mod write;

use async_trait::async_trait;

use super::backend::sqlite::MemoryBuckets;
use super::backend::{Db, postgres, sqlite};
use super::{RateLimitStore, Store, StoreError};
use crate::domain::rate_limit::{RateLimit, Take};

/// `$first, $first+1, …`: `count` numbered parameters, for an `IN (…)` list.
fn numbered_list(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The store on either database.
pub struct SqlStore {
    db: Db,
    /// SQLite's rate-limit buckets (one process owns the file); unused on PostgreSQL, whose
    /// processes share theirs in a table.
    buckets: MemoryBuckets,
}

impl SqlStore {
    /// Opens (creating the file if needed) and migrates a SQLite database.
    pub async fn open_sqlite(url: &str) -> Result<SqlStore, StoreError> {
        Ok(SqlStore::new(Db::Sqlite(sqlite::open(url).await?)))
    }

    /// Connects to and migrates a PostgreSQL database.
    pub async fn open_postgres(url: &str) -> Result<SqlStore, StoreError> {
        Ok(SqlStore::new(Db::Postgres(postgres::open(url).await?)))
    }

    fn new(db: Db) -> SqlStore {
        SqlStore {
            db,
            buckets: MemoryBuckets::default(),
        }
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.db.sql("SELECT 1").execute().await?;
        Ok(())
    }
}

#[async_trait]
impl RateLimitStore for SqlStore {
    async fn take_rate_token(
        &self,
        bucket: &str,
        key: &str,
        limit: RateLimit,
        now_ms: i64,
    ) -> Result<Take, StoreError> {
        match &self.db {
            Db::Sqlite(_) => Ok(self.buckets.take(bucket, key, limit, now_ms)),
            Db::Postgres(pool) => postgres::take_rate_token(pool, bucket, key, limit, now_ms).await,
        }
    }

    async fn forget_rate_buckets(&self, before_ms: i64) -> Result<u64, StoreError> {
        match &self.db {
            Db::Sqlite(_) => Ok(self.buckets.forget(before_ms)),
            Db::Postgres(pool) => postgres::forget_rate_buckets(pool, before_ms).await,
        }
    }
}
