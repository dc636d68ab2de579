//! Stay inside ARM's throttling buckets: the client keeps its own account of each one.
//!
//! ARM throttles per subscription (and per tenant for tenant-level calls) with token buckets
//! per kind of operation: reads 250 + 25 a second, writes 200 + 10 a second, deletes 200 + 10
//! a second (MicrosoftDocs/azure-docs `articles/azure-resource-manager/management/
//! request-limits-and-throttling.md`; NOTES.md §10.4). Trusting only the last
//! `x-ms-ratelimit-remaining-subscription-*` header is not enough: with 64 requests in flight,
//! each answer still says "plenty left" while the 63 others drain the bucket together, all meet
//! 429, and a run fails on the fleet that needs it most.
//!
//! So every request **reserves** a token before it is sent, from an estimate of the bucket
//! that refills at ARM's rate; when the estimate would fall below a small reserve, the request
//! waits until the refill covers it (reservations stack, so concurrent senders queue rather
//! than burst). Each answer corrects the estimate: ARM's remaining count, less every request
//! this client has reserved and not yet heard back about (they may not have reached ARM yet:
//! counting them is the cautious reading). A 429 empties the estimate. Any `--concurrency`
//! therefore stays inside the bucket: asking for more than the bucket allows makes a run no
//! faster, never fail.
//!
//! The arithmetic takes the time as an argument (`*_at`), so its tests use a controlled clock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The kind of an ARM operation, as ARM counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpClass {
    /// GET, HEAD.
    Read,
    /// PUT, PATCH, POST.
    Write,
    /// DELETE.
    Delete,
}

impl OpClass {
    /// The class of a method.
    pub fn of(method: &reqwest::Method) -> OpClass {
        match *method {
            reqwest::Method::GET | reqwest::Method::HEAD => OpClass::Read,
            reqwest::Method::DELETE => OpClass::Delete,
            _ => OpClass::Write,
        }
    }
    /// The header that reports what is left.
    pub fn header(self) -> &'static str {
        match self {
            OpClass::Read => "x-ms-ratelimit-remaining-subscription-reads",
            OpClass::Write => "x-ms-ratelimit-remaining-subscription-writes",
            OpClass::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }
    /// Its name in logs.
    pub fn name(self) -> &'static str {
        match self {
            OpClass::Read => "reads",
            OpClass::Write => "writes",
            OpClass::Delete => "deletes",
        }
    }
    /// Tokens kept back, so a request from outside this run (the portal, another pipeline)
    /// rarely tips the bucket over.
    fn reserve(self) -> f64 {
        match self {
            OpClass::Read => 10.0,
            OpClass::Write | OpClass::Delete => 5.0,
        }
    }
}

/// One bucket's size and refill rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Tokens when full.
    pub capacity: f64,
    /// Tokens added a second.
    pub per_second: f64,
}

/// The buckets of each kind of operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketLimits {
    /// GET and HEAD.
    pub reads: Bucket,
    /// PUT, PATCH and POST.
    pub writes: Bucket,
    /// DELETE.
    pub deletes: Bucket,
}

impl BucketLimits {
    /// ARM's limits per subscription (source in the module docs).
    pub fn arm() -> BucketLimits {
        BucketLimits {
            reads: Bucket { capacity: 250.0, per_second: 25.0 },
            writes: Bucket { capacity: 200.0, per_second: 10.0 },
            deletes: Bucket { capacity: 200.0, per_second: 10.0 },
        }
    }

    fn of(&self, class: OpClass) -> Bucket {
        match class {
            OpClass::Read => self.reads,
            OpClass::Write => self.writes,
            OpClass::Delete => self.deletes,
        }
    }
}

impl Default for BucketLimits {
    fn default() -> BucketLimits {
        BucketLimits::arm()
    }
}

/// What an answer said about the bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// ARM's remaining-header.
    Remaining(u64),
    /// 429: the bucket is empty.
    Throttled,
    /// No answer, or one without the header.
    Unknown,
}

#[derive(Debug, Clone, Copy)]
struct Account {
    /// Estimated tokens at `at`, less reservations (may be negative: requests queued).
    tokens: f64,
    at: Instant,
    /// Requests reserved and not yet answered.
    pending: u32,
}

/// The account of every bucket a client's requests draw on.
#[derive(Debug, Default)]
pub struct Pacer {
    limits: BucketLimits,
    accounts: Mutex<HashMap<(String, OpClass), Account>>,
}

impl Pacer {
    /// A pacer for buckets of these sizes.
    pub fn new(limits: BucketLimits) -> Pacer {
        Pacer { limits, accounts: Mutex::new(HashMap::new()) }
    }

    /// Reserve a token for a `class` request in `scope` (a subscription, or "tenant"); how long
    /// to wait before sending it.
    pub fn delay(&self, scope: &str, class: OpClass) -> Duration {
        self.delay_at(scope, class, Instant::now())
    }

    /// [`Pacer::delay`] at time `now`.
    pub fn delay_at(&self, scope: &str, class: OpClass, now: Instant) -> Duration {
        let bucket = self.limits.of(class);
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let account = accounts.entry((scope.to_ascii_lowercase(), class)).or_insert(Account {
            tokens: bucket.capacity,
            at: now,
            pending: 0,
        });
        refill(account, bucket, now);
        account.tokens -= 1.0;
        account.pending += 1;
        let reserve = class.reserve().min(bucket.capacity / 2.0);
        if account.tokens >= reserve {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((reserve - account.tokens) / bucket.per_second)
        }
    }

    /// Record the answer to a request reserved with [`Pacer::delay`].
    pub fn observe(&self, scope: &str, class: OpClass, answer: Answer) {
        self.observe_at(scope, class, answer, Instant::now());
    }

    /// [`Pacer::observe`] at time `now`.
    pub fn observe_at(&self, scope: &str, class: OpClass, answer: Answer, now: Instant) {
        let bucket = self.limits.of(class);
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let Some(account) = accounts.get_mut(&(scope.to_ascii_lowercase(), class)) else {
            return;
        };
        refill(account, bucket, now);
        account.pending = account.pending.saturating_sub(1);
        let others = f64::from(account.pending);
        match answer {
            Answer::Remaining(left) => account.tokens = left as f64 - others,
            Answer::Throttled => account.tokens = -others,
            Answer::Unknown => {}
        }
    }
}

fn refill(account: &mut Account, bucket: Bucket, now: Instant) {
    let elapsed = now.saturating_duration_since(account.at).as_secs_f64();
    account.tokens = (account.tokens + elapsed * bucket.per_second).min(bucket.capacity);
    account.at = account.at.max(now);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> BucketLimits {
        let bucket = Bucket { capacity: 20.0, per_second: 10.0 };
        BucketLimits { reads: bucket, writes: bucket, deletes: bucket }
    }

    /// A small-bucket pacer with `class`'s bucket drained by 20 reservations at `now`.
    fn drained(class: OpClass, now: Instant) -> Pacer {
        let pacer = Pacer::new(small());
        for _ in 0..20 {
            pacer.delay_at("s", class, now);
        }
        pacer
    }

    #[test]
    fn a_full_bucket_lets_a_burst_through_then_queues_at_the_refill_rate() {
        let pacer = Pacer::new(small());
        let now = Instant::now();
        // 20 tokens, 5 kept back: 15 go at once.
        let waits: Vec<Duration> =
            (0..18).map(|_| pacer.delay_at("s", OpClass::Write, now)).collect();
        assert!(waits[..15].iter().all(|w| w.is_zero()), "{waits:?}");
        // Then one every 100 ms, stacked: concurrent senders queue, they do not burst.
        assert_eq!(waits[15], Duration::from_millis(100));
        assert_eq!(waits[16], Duration::from_millis(200));
        assert_eq!(waits[17], Duration::from_millis(300));
    }

    #[test]
    fn buckets_are_per_scope_and_per_kind() {
        let now = Instant::now();
        let pacer = drained(OpClass::Write, now);
        assert!(!pacer.delay_at("s", OpClass::Write, now).is_zero());
        assert!(pacer.delay_at("S", OpClass::Write, now) > Duration::ZERO, "case-insensitive");
        assert_eq!(pacer.delay_at("other", OpClass::Write, now), Duration::ZERO);
        assert_eq!(pacer.delay_at("s", OpClass::Read, now), Duration::ZERO);
    }

    #[test]
    fn time_refills_the_bucket() {
        let now = Instant::now();
        let pacer = drained(OpClass::Read, now);
        for _ in 0..20 {
            pacer.observe_at("s", OpClass::Read, Answer::Unknown, now);
        }
        // Two seconds refill the 20 tokens (capped at the capacity).
        let later = now + Duration::from_secs(5);
        assert_eq!(pacer.delay_at("s", OpClass::Read, later), Duration::ZERO);
    }

    #[test]
    fn an_answer_corrects_the_estimate_counting_requests_still_out() {
        let pacer = Pacer::new(BucketLimits::arm());
        let now = Instant::now();
        // 64 requests reserved; the first answer says 200 are left at ARM.
        for _ in 0..64 {
            assert_eq!(pacer.delay_at("s", OpClass::Write, now), Duration::ZERO);
        }
        pacer.observe_at("s", OpClass::Write, Answer::Remaining(10), now);
        // The 63 still out may not have reached ARM: 10 − 63 < 0, so the next one waits for
        // 63 − 10 + 1 tokens and the reserve of 5, at 10 a second: 5.9 s.
        let wait = pacer.delay_at("s", OpClass::Write, now);
        assert_eq!(wait, Duration::from_secs_f64(5.9));
    }

    #[test]
    fn another_client_draining_the_bucket_is_seen_in_the_header() {
        let pacer = Pacer::new(BucketLimits::arm());
        let now = Instant::now();
        assert_eq!(pacer.delay_at("s", OpClass::Read, now), Duration::ZERO);
        pacer.observe_at("s", OpClass::Read, Answer::Remaining(3), now);
        assert!(pacer.delay_at("s", OpClass::Read, now) > Duration::ZERO);
    }

    #[test]
    fn a_429_empties_the_estimate() {
        let pacer = Pacer::new(BucketLimits::arm());
        let now = Instant::now();
        pacer.delay_at("s", OpClass::Read, now);
        pacer.observe_at("s", OpClass::Read, Answer::Throttled, now);
        // Empty: 1 token and the reserve of 10 at 25 a second.
        assert_eq!(pacer.delay_at("s", OpClass::Read, now), Duration::from_secs_f64(11.0 / 25.0));
    }
}
