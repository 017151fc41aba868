//! Rate limits of contract §8: token requests and flow creation per client, widget
//! requests per flow. A token bucket per key ([`crate::domain::rate_limit`]) whose level the
//! store keeps, so that several processes on one PostgreSQL database share one budget.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::config::{RateLimit, RateLimits};
use crate::domain::rate_limit::Take;
use crate::engine::model::now_ms;
use crate::store::{Store, StoreError};

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

impl Bucket {
    /// The bucket's name in the store.
    fn name(self) -> &'static str {
        match self {
            Bucket::Token => "token",
            Bucket::Access => "access",
            Bucket::Flow => "flow",
        }
    }
}

/// Why a request may not go on.
#[derive(Debug)]
pub enum Refusal {
    /// Over the limit; retry after this long.
    Limited(Duration),
    Store(StoreError),
}

pub struct RateLimiter {
    limits: RateLimits,
    store: Arc<dyn Store>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    pub fn new(limits: RateLimits, store: Arc<dyn Store>) -> Self {
        RateLimiter { limits, store }
    }

    fn limit(&self, bucket: Bucket) -> RateLimit {
        match bucket {
            Bucket::Token => self.limits.token_per_client,
            Bucket::Access => self.limits.access_per_client,
            Bucket::Flow => self.limits.widget_per_flow,
        }
    }

    /// Takes one request from the bucket of `key`.
    pub async fn check(&self, bucket: Bucket, key: &str) -> Result<(), Refusal> {
        let answer = self
            .store
            .take_rate_token(bucket.name(), key, self.limit(bucket), now_ms())
            .await
            .map_err(Refusal::Store)?;
        match answer {
            Take::Granted => Ok(()),
            Take::Refused(wait) => Err(Refusal::Limited(wait)),
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
