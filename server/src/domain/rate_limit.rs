//! The token bucket of a rate limit (contract §8), as pure arithmetic: the backends keep
//! the level ([`BucketLevel`]) — in memory for SQLite's single process, in a table shared by
//! every process on PostgreSQL — and all of them take from it with [`take`].

use std::time::Duration;

/// A token bucket: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub burst: u32,
    pub per_second: f64,
}

/// `BURST/PER_SECOND`, e.g. `100/20` (the form of the `--rate-limit-*` flags).
impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let expected = || format!("expected BURST/PER_SECOND such as 100/20, got {text:?}");
        let (burst, rate) = text.split_once('/').ok_or_else(expected)?;
        let burst: u32 = burst.trim().parse().map_err(|_| expected())?;
        let per_second: f64 = rate.trim().parse().map_err(|_| expected())?;
        if burst == 0 || !per_second.is_finite() || per_second < 0.0 {
            return Err(format!(
                "{text:?}: the burst must be at least 1 and the rate a number of at least 0"
            ));
        }
        Ok(RateLimit { burst, per_second })
    }
}

/// The same `BURST/PER_SECOND` form, so the flags show the defaults of [`RateLimits`].
impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.burst, self.per_second)
    }
}

/// How full a bucket was at `at_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketLevel {
    pub tokens: f64,
    pub at_ms: i64,
}

/// The answer to one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Take {
    Granted,
    /// Refused; a token is back after this long.
    Refused(Duration),
}

/// Takes one token from a bucket last seen at `level` (`None`: never used, so full) at
/// `now_ms`; returns the new level and the answer. A refusal takes nothing.
pub fn take(level: Option<BucketLevel>, limit: RateLimit, now_ms: i64) -> (BucketLevel, Take) {
    let burst = f64::from(limit.burst);
    let tokens = match level {
        None => burst,
        Some(level) => {
            let elapsed_s = (now_ms - level.at_ms).max(0) as f64 / 1000.0;
            (level.tokens + elapsed_s * limit.per_second).min(burst)
        }
    };
    let at_ms = now_ms;
    if tokens >= 1.0 {
        let level = BucketLevel {
            tokens: tokens - 1.0,
            at_ms,
        };
        return (level, Take::Granted);
    }
    let wait = if limit.per_second > 0.0 {
        Duration::from_secs_f64((1.0 - tokens) / limit.per_second)
    } else {
        Duration::from_secs(3600)
    };
    (BucketLevel { tokens, at_ms }, Take::Refused(wait))
}

/// Buckets untouched for this long are forgotten: with the configured rates they are full
/// again long before (a forgotten bucket starts full).
pub const IDLE_FORGET: Duration = Duration::from_secs(600);

#[cfg(test)]
mod tests {
    use super::*;

    const NO_REFILL: RateLimit = RateLimit {
        burst: 2,
        per_second: 0.0,
    };

    #[test]
    fn a_new_bucket_allows_its_burst_then_refuses() {
        let (level, first) = take(None, NO_REFILL, 0);
        let (level, second) = take(Some(level), NO_REFILL, 0);
        let (_, third) = take(Some(level), NO_REFILL, 0);
        assert_eq!((first, second), (Take::Granted, Take::Granted));
        assert!(matches!(third, Take::Refused(_)));
    }

    #[test]
    fn a_bucket_refills_at_its_rate_and_says_when() {
        let limit = RateLimit {
            burst: 1,
            per_second: 2.0,
        };
        let (level, _) = take(None, limit, 0);
        let (level, refused) = take(Some(level), limit, 100);
        let Take::Refused(wait) = refused else {
            panic!("{refused:?}")
        };
        // 0.2 tokens after 100 ms; the missing 0.8 take 400 ms at 2 per second.
        assert_eq!(wait.as_millis().abs_diff(400), 0, "{wait:?}");
        assert!(matches!(take(Some(level), limit, 450).1, Take::Refused(_)));
        assert_eq!(take(Some(level), limit, 600).1, Take::Granted);
    }

    #[test]
    fn a_refusal_takes_nothing() {
        let limit = RateLimit {
            burst: 1,
            per_second: 1.0,
        };
        let (level, _) = take(None, limit, 0);
        let (level, _) = take(Some(level), limit, 400);
        let (level, _) = take(Some(level), limit, 800);
        assert_eq!(take(Some(level), limit, 1000).1, Take::Granted);
    }
}
