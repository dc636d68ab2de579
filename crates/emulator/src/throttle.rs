//! ARM's token buckets, per subscription (or tenant) and per kind of operation.
//!
//! Source: MicrosoftDocs/azure-docs `articles/azure-resource-manager/management/request-limits-and-throttling.md`
//! (shared/arm-reference/NOTES.md §10.4): reads 250 + 25/s, writes 200 + 10/s, deletes
//! 200 + 10/s. Over the limit: 429 with `Retry-After` in whole seconds; every answer carries
//! `x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}`.

use std::collections::HashMap;

/// The kind of an ARM operation, for throttling and for the remaining-budget header.
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
    /// The suffix of the `x-ms-ratelimit-remaining-subscription-*` header.
    pub fn header_suffix(self) -> &'static str {
        match self {
            OpClass::Read => "reads",
            OpClass::Write => "writes",
            OpClass::Delete => "deletes",
        }
    }
}

/// A bucket's size and refill rate per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Tokens when full.
    pub capacity: f64,
    /// Tokens added a second.
    pub per_second: f64,
}

/// The buckets of each kind of operation (ARM's by default). Tests make them smaller and
/// faster so a throttled fleet runs in seconds with the same arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleLimits {
    /// GET, HEAD.
    pub reads: Limit,
    /// PUT, PATCH, POST.
    pub writes: Limit,
    /// DELETE.
    pub deletes: Limit,
}

impl Default for ThrottleLimits {
    fn default() -> ThrottleLimits {
        ThrottleLimits {
            reads: Limit { capacity: 250.0, per_second: 25.0 },
            writes: Limit { capacity: 200.0, per_second: 10.0 },
            deletes: Limit { capacity: 200.0, per_second: 10.0 },
        }
    }
}

impl ThrottleLimits {
    fn of(&self, class: OpClass) -> (f64, f64) {
        let limit = match class {
            OpClass::Read => self.reads,
            OpClass::Write => self.writes,
            OpClass::Delete => self.deletes,
        };
        (limit.capacity, limit.per_second)
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: u64,
}

/// All buckets.
#[derive(Debug, Default)]
pub struct Buckets {
    limits: ThrottleLimits,
    buckets: HashMap<(String, OpClass), Bucket>,
}

/// The bucket's answer to one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Admission {
    /// Go on; this many requests remain in the bucket.
    Allowed {
        /// Whole tokens left.
        remaining: u64,
    },
    /// Refused; retry after this many seconds.
    Throttled {
        /// Seconds to wait (at least 1).
        retry_after_s: u64,
    },
}

impl Buckets {
    /// Empty buckets of these sizes.
    pub fn new(limits: ThrottleLimits) -> Buckets {
        Buckets { limits, buckets: HashMap::new() }
    }

    /// Take one token from `scope`'s bucket of `class` at time `now_ms`.
    pub fn admit(&mut self, scope: &str, class: OpClass, now_ms: u64) -> Admission {
        let (size, refill) = self.limits.of(class);
        let bucket = self
            .buckets
            .entry((scope.to_ascii_lowercase(), class))
            .or_insert(Bucket { tokens: size, at_ms: now_ms });
        let elapsed = now_ms.saturating_sub(bucket.at_ms) as f64 / 1000.0;
        bucket.tokens = (bucket.tokens + elapsed * refill).min(size);
        bucket.at_ms = now_ms;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Admission::Allowed { remaining: bucket.tokens.floor() as u64 }
        } else {
            let wait = ((1.0 - bucket.tokens) / refill).ceil().max(1.0);
            Admission::Throttled { retry_after_s: wait as u64 }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_beyond_the_bucket_is_throttled_then_recovers() {
        let mut buckets = Buckets::default();
        for i in 0..200 {
            assert_eq!(
                buckets.admit("sub", OpClass::Write, 0),
                Admission::Allowed { remaining: 199 - i }
            );
        }
        assert_eq!(
            buckets.admit("sub", OpClass::Write, 0),
            Admission::Throttled { retry_after_s: 1 }
        );
        // reads have their own bucket
        assert!(matches!(buckets.admit("sub", OpClass::Read, 0), Admission::Allowed { .. }));
        // another subscription too
        assert!(matches!(buckets.admit("other", OpClass::Write, 0), Admission::Allowed { .. }));
        // 10 tokens a second come back
        assert_eq!(buckets.admit("sub", OpClass::Write, 1000), Admission::Allowed { remaining: 9 });
    }
}
