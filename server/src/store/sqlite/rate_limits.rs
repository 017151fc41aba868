//! SQLite serves one process, so the buckets stay in that process's memory: no write to
//! the database file for every request (a widget polls about once a second).

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::SqliteStore;
use crate::config::RateLimit;
use crate::domain::rate_limit::{BucketLevel, Take, take};
use crate::store::{RateLimitStore, StoreError};

/// The levels of the buckets, by `(bucket, key)`.
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
}

#[async_trait]
impl RateLimitStore for SqliteStore {
    async fn take_rate_token(
        &self,
        bucket: &str,
        key: &str,
        limit: RateLimit,
        now_ms: i64,
    ) -> Result<Take, StoreError> {
        Ok(self.rate_buckets.with(|levels| {
            let id = (bucket.to_owned(), key.to_owned());
            let (level, answer) = take(levels.get(&id).copied(), limit, now_ms);
            levels.insert(id, level);
            answer
        }))
    }

    async fn forget_rate_buckets(&self, before_ms: i64) -> Result<u64, StoreError> {
        Ok(self.rate_buckets.with(|levels| {
            let before = levels.len();
            levels.retain(|_, level| level.at_ms >= before_ms);
            (before - levels.len()) as u64
        }))
    }
}
