//! SQLite, the embedded default: one file in WAL mode, `synchronous=FULL` so that a committed
//! token rotation survives a power cut, foreign keys on. Reads use a pool of connections;
//! every write goes through the one writing connection of [`GroupWriter`], which commits
//! concurrent transactions together. One process owns the file, so the
//! rate-limit buckets stay in that process's memory ([`MemoryBuckets`]): no write to the
//! database file for every request (a widget polls about once a second).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::group_commit::GroupWriter;
use crate::domain::rate_limit::{BucketLevel, RateLimit, Take, take};
use crate::store::StoreError;

/// A SQLite database: the pool that reads, the connection that writes.
#[derive(Debug, Clone)]
pub struct SqliteDb {
    pub reads: SqlitePool,
    pub writer: Arc<GroupWriter>,
}

/// Opens (creating it and its folder if needed) and migrates the database file of `url`.
pub async fn open(url: &str) -> Result<SqliteDb, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    if let Some(parent) = options.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    let reads = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("migrations/sqlite").run(&reads).await?;
    let writer = Arc::new(GroupWriter::connect(&options).await?);
    Ok(SqliteDb { reads, writer })
}

/// The levels of the rate-limit buckets, by `(bucket, key)`.
#[derive(Debug, Default)]
pub struct MemoryBuckets(Mutex<HashMap<(String, String), BucketLevel>>);

impl MemoryBuckets {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<(String, String), BucketLevel>) -> T) -> T {
        let mut levels = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut levels)
    }

    pub fn take(&self, bucket: &str, key: &str, limit: RateLimit, now_ms: i64) -> Take {
        self.with(|levels| {
            let id = (bucket.to_owned(), key.to_owned());
            let (level, answer) = take(levels.get(&id).copied(), limit, now_ms);
            levels.insert(id, level);
            answer
        })
    }

    pub fn forget(&self, before_ms: i64) -> u64 {
        self.with(|levels| {
            let before = levels.len();
            levels.retain(|_, level| level.at_ms >= before_ms);
            (before - levels.len()) as u64
        })
    }
}
