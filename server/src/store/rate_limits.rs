//! Where the levels of the rate-limit buckets live (contract §8). The arithmetic is
//! [`crate::domain::rate_limit::take`]; a backend only keeps the levels and makes each take
//! atomic: SQLite (one process) in memory, PostgreSQL in a table every process shares, so
//! several processes enforce one budget, not one each.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::rate_limit::{RateLimit, Take};

#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Takes one request from the bucket `(bucket, key)` at `now_ms`.
    async fn take_rate_token(
        &self,
        bucket: &str,
        key: &str,
        limit: RateLimit,
        now_ms: i64,
    ) -> Result<Take, StoreError>;

    /// Forgets the buckets untouched since `before_ms` (they start full when used again).
    async fn forget_rate_buckets(&self, before_ms: i64) -> Result<u64, StoreError>;
}
