//! When to try a request again, and how long to wait: one pure function, apart from the code
//! that sends (house rule 5), so every case is a unit test.
//!
//! Retried: 408, 429, 500, 502, 503, 504 and transport failures (ARM writes are idempotent
//! PUTs and DELETEs, so even a write that may have reached the server is safe to repeat).
//! `Retry-After` is honoured; otherwise exponential backoff from `initial_delay`, doubled per
//! attempt up to `max_delay`, with ±20 % jitter; never more than `max_retries` retries or
//! `max_total` time in all.

use std::time::Duration;

/// Retry settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryOptions {
    /// First backoff when the service gives no Retry-After.
    pub initial_delay: Duration,
    /// Largest backoff.
    pub max_delay: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Time budget for one request with all its retries.
    pub max_total: Duration,
}

impl RetryOptions {
    /// ARM's defaults in the Azure SDKs: first delay 4 s, up to 8 retries, 10 minutes in all.
    /// Source: Azure/azure-sdk-for-rust main, `sdk/core/azure_core` ARM retry defaults
    /// (not yet in azure_core 1.1; values copied).
    pub fn arm() -> RetryOptions {
        RetryOptions {
            initial_delay: Duration::from_secs(4),
            max_delay: Duration::from_secs(60),
            max_retries: 8,
            max_total: Duration::from_secs(600),
        }
    }
    /// For the local cloud: the same shape, shorter waits.
    pub fn local() -> RetryOptions {
        RetryOptions {
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_retries: 8,
            max_total: Duration::from_secs(120),
        }
    }
}

impl Default for RetryOptions {
    fn default() -> RetryOptions {
        RetryOptions::arm()
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// The service answered with an unexpected status.
    Status {
        /// HTTP status.
        status: u16,
        /// Its Retry-After, if any.
        retry_after: Option<Duration>,
    },
    /// The request failed below HTTP (connect, reset, timeout).
    Transport,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop: the error stands.
    GiveUp,
}

/// Whether a status is worth another try.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Decide after attempt number `attempt` (1-based) failed with `outcome`, `elapsed` into the
/// request. `jitter` in [0, 1) spreads backoffs (0.5 means none).
pub fn decide(
    outcome: Outcome,
    attempt: u32,
    elapsed: Duration,
    options: &RetryOptions,
    jitter: f64,
) -> Decision {
    let retry_after = match outcome {
        Outcome::Status { status, retry_after } if retryable_status(status) => retry_after,
        Outcome::Status { .. } => return Decision::GiveUp,
        Outcome::Transport => None,
    };
    if attempt > options.max_retries {
        return Decision::GiveUp;
    }
    let delay = match retry_after {
        Some(wait) => wait,
        None => {
            let exponent = attempt.saturating_sub(1).min(20);
            let base =
                options.initial_delay.saturating_mul(1u32 << exponent).min(options.max_delay);
            base.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
        }
    };
    if elapsed + delay > options.max_total {
        return Decision::GiveUp;
    }
    Decision::RetryAfter(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> RetryOptions {
        RetryOptions {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_retries: 4,
            max_total: Duration::from_secs(30),
        }
    }

    #[test]
    fn retry_after_is_honoured() {
        let outcome = Outcome::Status { status: 429, retry_after: Some(Duration::from_secs(7)) };
        assert_eq!(
            decide(outcome, 1, Duration::ZERO, &options(), 0.5),
            Decision::RetryAfter(Duration::from_secs(7))
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let outcome = Outcome::Status { status: 503, retry_after: None };
        let delays: Vec<Decision> =
            (1..=4).map(|a| decide(outcome, a, Duration::ZERO, &options(), 0.5)).collect();
        assert_eq!(delays, [1, 2, 4, 8].map(|s| Decision::RetryAfter(Duration::from_secs(s))));
        assert_eq!(
            decide(outcome, 5, Duration::ZERO, &options(), 0.5),
            Decision::GiveUp,
            "attempts are capped"
        );
    }

    #[test]
    fn jitter_spreads_within_twenty_percent() {
        let outcome = Outcome::Transport;
        assert_eq!(
            decide(outcome, 1, Duration::ZERO, &options(), 0.0),
            Decision::RetryAfter(Duration::from_millis(800))
        );
        assert_eq!(
            decide(outcome, 1, Duration::ZERO, &options(), 1.0),
            Decision::RetryAfter(Duration::from_millis(1200))
        );
    }

    #[test]
    fn the_total_time_is_capped() {
        let outcome = Outcome::Status { status: 429, retry_after: Some(Duration::from_secs(10)) };
        assert_eq!(decide(outcome, 1, Duration::from_secs(25), &options(), 0.5), Decision::GiveUp);
    }

    #[test]
    fn client_errors_are_not_retried() {
        for status in [400, 401, 403, 404, 409] {
            assert_eq!(
                decide(
                    Outcome::Status { status, retry_after: None },
                    1,
                    Duration::ZERO,
                    &options(),
                    0.5
                ),
                Decision::GiveUp
            );
        }
    }
}
