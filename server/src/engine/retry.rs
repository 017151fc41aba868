//! Retry with exponential backoff for bank steps: only [`BankError::Retryable`] is retried.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::metrics::{BankOutcome, BankRetryLabels, Metrics};
use crate::providers::BankError;

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(15),
        }
    }
}

impl RetryPolicy {
    /// The pause before attempt `attempt + 1` (1-based `attempt`): base · 2^(attempt−1), capped.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Runs `step` until it succeeds, fails fatally, or the attempts are used up (then the last
/// retryable error is returned).
pub async fn retry<T, F, Fut>(policy: &RetryPolicy, what: &str, mut step: F) -> Result<T, BankError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, BankError>>,
{
    let mut attempt = 1;
    loop {
        match step().await {
            Err(BankError::Retryable(reason)) if attempt < policy.max_attempts => {
                let delay = policy.delay(attempt);
                tracing::warn!(step = what, attempt, ?delay, %reason, "bank step failed transiently; retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// [`retry`] that times every attempt and counts the retries in `metrics`, labelled with the
/// provider (`sandbox`, `psd2`, `fints`) and the step.
pub async fn measured<T, F, Fut>(
    policy: &RetryPolicy,
    metrics: &Metrics,
    provider: &str,
    what: &str,
    mut step: F,
) -> Result<T, BankError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, BankError>>,
{
    let mut attempts = 0u64;
    let result = retry(policy, what, || {
        attempts += 1;
        let started = Instant::now();
        let call = step();
        async move {
            let result = call.await;
            let outcome = match &result {
                Ok(_) => BankOutcome::Ok,
                Err(BankError::Retryable(_)) => BankOutcome::Retryable,
                Err(_) => BankOutcome::Fatal,
            };
            metrics.bank_call(provider, what, outcome, started.elapsed());
            result
        }
    })
    .await;
    if attempts > 1 {
        metrics
            .bank_call_retries
            .get_or_create(&BankRetryLabels {
                provider: provider.to_owned(),
                step: what.to_owned(),
            })
            .inc_by(attempts - 1);
    }
    result
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::engine::SyncFailure;

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 9,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
        };
        let delays: Vec<_> = (1..=5).map(|a| p.delay(a).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 500, 500]);
    }

    #[tokio::test]
    async fn transient_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let result = retry(&fast(), "t", || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(BankError::Retryable("timeout".into()))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn fatal_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = retry(&fast(), "t", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(BankError::Fatal(SyncFailure::new(10000, "x", "y")))
        })
        .await;
        assert!(matches!(result, Err(BankError::Fatal(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn attempts_are_limited() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = retry(&fast(), "t", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(BankError::Retryable("down".into()))
        })
        .await;
        assert!(matches!(result, Err(BankError::Retryable(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }
}
