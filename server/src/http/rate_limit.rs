//! In-memory token buckets keyed by client or flow (contract §8: token requests and
//! credential attempts are rate-limited per client and per flow). Per process: with several
//! processes each enforces its own budget, which still bounds the total.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::config::RateLimit;

/// Buckets not touched for this long are full again and can be forgotten.
const IDLE_EVICTION: Duration = Duration::from_secs(600);
const EVICT_ABOVE: usize = 10_000;

/// What a bucket is for; each has its own budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// `POST /auth/token`, per client.
    Token,
    /// `POST /onetime/access` and `POST /ongoing/access`, per client.
    Access,
    /// Every widget-session request, per flow.
    Flow,
}

#[derive(Debug)]
struct State {
    tokens: f64,
    at: Instant,
}

#[derive(Debug)]
pub struct RateLimiter {
    token: RateLimit,
    access: RateLimit,
    flow: RateLimit,
    buckets: Mutex<HashMap<(Bucket, String), State>>,
}

impl RateLimiter {
    pub fn new(token: RateLimit, access: RateLimit, flow: RateLimit) -> Self {
        RateLimiter {
            token,
            access,
            flow,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the bucket of `key`; `Err(retry_after)` when it is empty.
    pub fn check(&self, bucket: Bucket, key: &str) -> Result<(), Duration> {
        let limit = match bucket {
            Bucket::Token => self.token,
            Bucket::Access => self.access,
            Bucket::Flow => self.flow,
        };
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > EVICT_ABOVE {
            buckets.retain(|_, s| now.duration_since(s.at) < IDLE_EVICTION);
        }
        let burst = f64::from(limit.burst);
        let state = buckets.entry((bucket, key.to_owned())).or_insert(State {
            tokens: burst,
            at: now,
        });
        let refill = now.duration_since(state.at).as_secs_f64() * limit.per_second;
        state.tokens = (state.tokens + refill).min(burst);
        state.at = now;
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            Ok(())
        } else if limit.per_second > 0.0 {
            Err(Duration::from_secs_f64(
                (1.0 - state.tokens) / limit.per_second,
            ))
        } else {
            Err(Duration::from_secs(3600))
        }
    }
}

/// `Retry-After` in whole seconds, at least one.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// `429` in our error format (`1029`) with `Retry-After`.
pub fn rate_limited_response(wait: Duration) -> Response {
    let secs = retry_after_secs(wait);
    let mut response = ApiError::rate_limited(secs).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(burst: u32) -> RateLimit {
        RateLimit {
            burst,
            per_second: 0.0,
        }
    }

    #[test]
    fn a_bucket_allows_its_burst_then_refuses() {
        let limiter = RateLimiter::new(limit(2), limit(2), limit(2));
        assert!(limiter.check(Bucket::Token, "a").is_ok());
        assert!(limiter.check(Bucket::Token, "a").is_ok());
        assert!(limiter.check(Bucket::Token, "a").is_err());
    }

    #[test]
    fn buckets_are_separate_per_key_and_kind() {
        let limiter = RateLimiter::new(limit(1), limit(1), limit(1));
        assert!(limiter.check(Bucket::Token, "a").is_ok());
        assert!(limiter.check(Bucket::Token, "b").is_ok());
        assert!(limiter.check(Bucket::Flow, "a").is_ok());
        assert!(limiter.check(Bucket::Token, "a").is_err());
    }

    #[test]
    fn buckets_refill_over_time() {
        let refilling = RateLimit {
            burst: 1,
            per_second: 1000.0,
        };
        let limiter = RateLimiter::new(refilling, refilling, refilling);
        assert!(limiter.check(Bucket::Token, "a").is_ok());
        std::thread::sleep(Duration::from_millis(5));
        assert!(limiter.check(Bucket::Token, "a").is_ok());
    }
}
