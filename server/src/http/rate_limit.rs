//! Rate limits of contract §8: token requests and flow creation per client, widget
//! requests per flow. A token bucket per key ([`crate::domain::rate_limit`]) whose level the
//! store keeps, so that several processes on one PostgreSQL database share one budget.

use std::sync::Arc;
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;

use super::ApiError;
use super::bearer::{AuthenticatedUser, BearerRejection, Credential};
use super::client_auth::ClientRejection;
use crate::config::{RateLimit, RateLimits};
use crate::domain::rate_limit::Take;
use crate::domain::time::now_ms;
use crate::metrics::LimitLabels;
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
    /// Credential attempts, per client.
    CredentialsPerClient,
    /// Credential attempts with a widget session, per flow.
    CredentialsPerFlow,
}

impl Bucket {
    /// The bucket's name in the store.
    fn name(self) -> &'static str {
        match self {
            Bucket::Token => "token",
            Bucket::Access => "access",
            Bucket::Flow => "flow",
            Bucket::CredentialsPerClient => "credentials-client",
            Bucket::CredentialsPerFlow => "credentials-flow",
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

/// `429`/`1029` with `Retry-After` in our error format; a store failure is a logged `500`.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Limited(wait) => ApiError::rate_limited(retry_after_secs(wait)),
            Refusal::Store(error) => error.into(),
        }
    }
}

impl From<Refusal> for BearerRejection {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Limited(wait) => BearerRejection::RateLimited(wait),
            Refusal::Store(error) => error.into(),
        }
    }
}

impl From<Refusal> for ClientRejection {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Limited(wait) => ClientRejection::RateLimited(wait),
            Refusal::Store(error) => {
                tracing::error!(%error, "rate limit check failed");
                ClientRejection::Internal
            }
        }
    }
}

pub struct RateLimiter {
    limits: RateLimits,
    store: Arc<dyn Store>,
    refusals: Family<LimitLabels, Counter>,
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
        RateLimiter {
            limits,
            store,
            refusals: Family::default(),
        }
    }

    /// Counts every refusal in `refusals` (by bucket name).
    pub fn counting_refusals(mut self, refusals: Family<LimitLabels, Counter>) -> Self {
        self.refusals = refusals;
        self
    }

    fn limit(&self, bucket: Bucket) -> RateLimit {
        match bucket {
            Bucket::Token => self.limits.token_per_client,
            Bucket::Access => self.limits.access_per_client,
            Bucket::Flow => self.limits.widget_per_flow,
            Bucket::CredentialsPerClient => self.limits.credentials_per_client,
            Bucket::CredentialsPerFlow => self.limits.credentials_per_flow,
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
            Take::Refused(wait) => {
                self.refusals
                    .get_or_create(&LimitLabels {
                        limit: bucket.name().to_owned(),
                    })
                    .inc();
                Err(Refusal::Limited(wait))
            }
        }
    }
}

/// Counts a credential attempt (contract §8) against the caller's client and, for a widget
/// session, its flow; `429`/`1029` with `Retry-After` when either budget is spent.
pub async fn check_credential_attempt(
    limiter: &RateLimiter,
    user: &AuthenticatedUser,
) -> Result<(), ApiError> {
    let mut checks = vec![(Bucket::CredentialsPerClient, user.client_id.to_string())];
    if let Credential::WidgetSession { flow_id, .. } = &user.credential {
        checks.push((Bucket::CredentialsPerFlow, flow_id.to_string()));
    }
    for (bucket, key) in checks {
        limiter.check(bucket, &key).await?;
    }
    Ok(())
}

/// `Retry-After` in whole seconds, at least one.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// `429` in our error format (`1029`) with `Retry-After`.
pub fn rate_limited_response(wait: Duration) -> Response {
    ApiError::rate_limited(retry_after_secs(wait)).into_response()
}
