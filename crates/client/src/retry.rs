//! When to try a request again, and how long to wait: one pure function, apart from the code
//! that sends (house rule 5), so every case is a unit test.
//!
//! Two kinds of answer are *waited out*, never a failure while the run's deadline holds: 429
//! (ARM's throttling; its `Retry-After` is honoured) and 409 for an operation already running
//! on the resource (`AnotherOperationInProgress`, or `Conflict` naming a running operation:
//! someone's portal edit, or the service's own work). What bounds them is one deadline for the
//! whole run (`RetryOptions::run_deadline`, `hubctl --deadline`), not a count of attempts.
//!
//! Other passing failures — 408, 500, 502, 503, 504 and transport failures (ARM writes are
//! idempotent PUTs and DELETEs, so even a write that may have reached the server is safe to
//! repeat) — keep a bounded count: `Retry-After` honoured, otherwise exponential backoff from
//! `initial_delay`, doubled per attempt up to `max_delay`, with ±20 % jitter; never more than
//! `max_retries` retries or `max_total` time for one request.

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
    /// Time budget for one request with all its retries (throttling and running operations
    /// excepted: those are bounded by `run_deadline`).
    pub max_total: Duration,
    /// The whole run's deadline, from the client's creation: how long throttling and running
    /// operations may be waited out.
    pub run_deadline: Duration,
}

/// The default run deadline: generous, since a first apply of a large fleet in one
/// subscription is bounded by ARM's write bucket (10 a second) and can take many minutes.
pub const DEFAULT_RUN_DEADLINE: Duration = Duration::from_secs(3 * 60 * 60);

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
            run_deadline: DEFAULT_RUN_DEADLINE,
        }
    }
    /// For the local cloud: the same shape, shorter waits.
    pub fn local() -> RetryOptions {
        RetryOptions {
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_retries: 8,
            max_total: Duration::from_secs(120),
            run_deadline: DEFAULT_RUN_DEADLINE,
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
    /// 429: ARM throttled the request.
    Throttled {
        /// Its Retry-After, if any.
        retry_after: Option<Duration>,
    },
    /// 409: another operation is running on the resource.
    Busy {
        /// Its Retry-After, if any.
        retry_after: Option<Duration>,
    },
}

impl Outcome {
    /// Classify an answer: status, Retry-After and ARM's error code.
    pub fn of(status: u16, retry_after: Option<Duration>, code: &str) -> Outcome {
        match status {
            429 => Outcome::Throttled { retry_after },
            409 if operation_running(code) => Outcome::Busy { retry_after },
            _ => Outcome::Status { status, retry_after },
        }
    }
}

/// Whether a 409's code says an operation is already running on the resource:
/// `AnotherOperationInProgress` (ARM's generic code, NOTES.md §10.3; what the emulator sends)
/// and the variants other providers use (`ConflictingOperationInProgress`, `ResourceBusy`,
/// `ResourceNotReady`). The stricter reading: waiting on one of these is safe, failing is not.
pub fn operation_running(code: &str) -> bool {
    let code = code.to_ascii_lowercase();
    code.contains("operationinprogress")
        || code.contains("conflictingoperation")
        || code == "resourcebusy"
        || code == "resourcenotready"
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
/// request, with `run_left` of the run's deadline still to go. `jitter` in [0, 1) spreads
/// backoffs (0.5 means none).
pub fn decide(
    outcome: Outcome,
    attempt: u32,
    elapsed: Duration,
    run_left: Duration,
    options: &RetryOptions,
    jitter: f64,
) -> Decision {
    let backoff = || {
        let exponent = attempt.saturating_sub(1).min(20);
        let base = options.initial_delay.saturating_mul(1u32 << exponent).min(options.max_delay);
        base.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
    };
    let retry_after = match outcome {
        Outcome::Throttled { retry_after } | Outcome::Busy { retry_after } => {
            // Waited out: only the run's deadline bounds it.
            let delay = retry_after.unwrap_or_else(backoff);
            return if delay > run_left { Decision::GiveUp } else { Decision::RetryAfter(delay) };
        }
        Outcome::Status { status, retry_after } if retryable_status(status) => retry_after,
        Outcome::Status { .. } => return Decision::GiveUp,
        Outcome::Transport => None,
    };
    if attempt > options.max_retries {
        return Decision::GiveUp;
    }
    let delay = retry_after.unwrap_or_else(backoff);
    if elapsed + delay > options.max_total || delay > run_left {
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
            run_deadline: Duration::from_secs(3600),
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn retry_after_is_honoured() {
        let outcome = Outcome::Status { status: 429, retry_after: Some(Duration::from_secs(7)) };
        assert_eq!(
            decide(outcome, 1, Duration::ZERO, HOUR, &options(), 0.5),
            Decision::RetryAfter(Duration::from_secs(7))
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let outcome = Outcome::Status { status: 503, retry_after: None };
        let delays: Vec<Decision> =
            (1..=4).map(|a| decide(outcome, a, Duration::ZERO, HOUR, &options(), 0.5)).collect();
        assert_eq!(delays, [1, 2, 4, 8].map(|s| Decision::RetryAfter(Duration::from_secs(s))));
        assert_eq!(
            decide(outcome, 5, Duration::ZERO, HOUR, &options(), 0.5),
            Decision::GiveUp,
            "attempts are capped"
        );
    }

    #[test]
    fn jitter_spreads_within_twenty_percent() {
        let outcome = Outcome::Transport;
        assert_eq!(
            decide(outcome, 1, Duration::ZERO, HOUR, &options(), 0.0),
            Decision::RetryAfter(Duration::from_millis(800))
        );
        assert_eq!(
            decide(outcome, 1, Duration::ZERO, HOUR, &options(), 1.0),
            Decision::RetryAfter(Duration::from_millis(1200))
        );
    }

    #[test]
    fn the_total_time_is_capped() {
        let outcome = Outcome::Status { status: 503, retry_after: Some(Duration::from_secs(10)) };
        assert_eq!(
            decide(outcome, 1, Duration::from_secs(25), HOUR, &options(), 0.5),
            Decision::GiveUp
        );
    }

    #[test]
    fn client_errors_are_not_retried() {
        for status in [400, 401, 403, 404, 409] {
            assert_eq!(
                Outcome::of(status, None, "BadRequest"),
                Outcome::Status { status, retry_after: None }
            );
            assert_eq!(
                decide(
                    Outcome::Status { status, retry_after: None },
                    1,
                    Duration::ZERO,
                    HOUR,
                    &options(),
                    0.5
                ),
                Decision::GiveUp
            );
        }
    }

    #[test]
    fn throttling_is_waited_out_whatever_the_attempt_count_until_the_deadline() {
        let outcome = Outcome::of(429, Some(Duration::from_secs(10)), "TooManyRequests");
        assert_eq!(outcome, Outcome::Throttled { retry_after: Some(Duration::from_secs(10)) });
        // Far beyond max_retries and max_total: still waited out.
        assert_eq!(
            decide(outcome, 50, Duration::from_secs(900), HOUR, &options(), 0.5),
            Decision::RetryAfter(Duration::from_secs(10))
        );
        // Only the run's deadline stops it.
        assert_eq!(
            decide(outcome, 50, Duration::from_secs(900), Duration::from_secs(9), &options(), 0.5),
            Decision::GiveUp
        );
    }

    #[test]
    fn a_running_operation_is_waited_out_with_backoff() {
        for code in ["AnotherOperationInProgress", "ConflictingOperationInProgress"] {
            let outcome = Outcome::of(409, None, code);
            assert_eq!(outcome, Outcome::Busy { retry_after: None });
            assert_eq!(
                decide(outcome, 30, Duration::from_secs(900), HOUR, &options(), 0.5),
                Decision::RetryAfter(Duration::from_secs(8)),
                "backoff capped at max_delay, no attempt limit"
            );
        }
        // Other conflicts are answers, not waits.
        assert_eq!(
            Outcome::of(409, None, "RoleAssignmentExists"),
            Outcome::Status { status: 409, retry_after: None }
        );
    }
}
