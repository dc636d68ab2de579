//! Slow down before ARM throttles: per subscription and per kind of operation, the client
//! remembers the last `x-ms-ratelimit-remaining-subscription-*` it saw and, when the bucket
//! would be nearly empty, waits for it to refill before sending.
//!
//! ARM's buckets refill at 25 reads, 10 writes and 10 deletes a second
//! (MicrosoftDocs/azure-docs `request-limits-and-throttling.md`; NOTES.md §10.4). Keeping a
//! small reserve means a fleet run bends its rate instead of meeting 429s.

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
    fn refill_per_second(self) -> f64 {
        match self {
            OpClass::Read => 25.0,
            OpClass::Write | OpClass::Delete => 10.0,
        }
    }
    fn reserve(self) -> f64 {
        match self {
            OpClass::Read => 10.0,
            OpClass::Write | OpClass::Delete => 5.0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    remaining: f64,
    at: Instant,
}

/// The pacer shared by every request of a client.
#[derive(Debug, Default)]
pub struct Pacer {
    seen: Mutex<HashMap<(String, OpClass), Seen>>,
}

impl Pacer {
    /// How long to wait before sending a `class` request in `subscription`, and count it as sent.
    pub fn delay(&self, subscription: &str, class: OpClass) -> Duration {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let Some(entry) = seen.get_mut(&(subscription.to_string(), class)) else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let refill = class.refill_per_second();
        let estimate = entry.remaining + now.duration_since(entry.at).as_secs_f64() * refill;
        let wait = if estimate >= class.reserve() + 1.0 {
            0.0
        } else {
            (class.reserve() + 1.0 - estimate) / refill
        };
        // Count this request against the estimate so concurrent senders do not all go at once.
        entry.remaining = estimate - 1.0;
        entry.at = now;
        Duration::from_secs_f64(wait.max(0.0))
    }

    /// Record what ARM said is left (from the response headers), or that it throttled.
    pub fn observe(
        &self,
        subscription: &str,
        class: OpClass,
        remaining: Option<u64>,
        throttled: bool,
    ) {
        let remaining = match (remaining, throttled) {
            (_, true) => 0.0,
            (Some(left), false) => left as f64,
            (None, false) => return,
        };
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.insert((subscription.to_string(), class), Seen { remaining, at: Instant::now() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_wait_until_the_bucket_runs_low() {
        let pacer = Pacer::default();
        assert_eq!(pacer.delay("s", OpClass::Write), Duration::ZERO, "nothing seen yet");
        pacer.observe("s", OpClass::Write, Some(150), false);
        assert_eq!(pacer.delay("s", OpClass::Write), Duration::ZERO);
        pacer.observe("s", OpClass::Write, Some(2), false);
        let wait = pacer.delay("s", OpClass::Write);
        assert!(
            wait >= Duration::from_millis(350) && wait <= Duration::from_millis(450),
            "{wait:?}"
        );
        assert_eq!(pacer.delay("other", OpClass::Write), Duration::ZERO, "per subscription");
        assert_eq!(pacer.delay("s", OpClass::Read), Duration::ZERO, "per kind");
    }

    #[test]
    fn a_429_empties_the_bucket() {
        let pacer = Pacer::default();
        pacer.observe("s", OpClass::Read, None, true);
        assert!(pacer.delay("s", OpClass::Read) > Duration::from_millis(400));
    }
}
