//! The emulator's sense of time: the machine's clock, or one a test moves by hand.
//!
//! Throttling buckets refill, long-running operations finish and new principals replicate with
//! time. A test that counts on the machine's speed for any of these passes on an idle machine
//! and fails on a busy one, so tests give the emulator a [`Clock::manual`] and move it with
//! [`Clock::advance`]: the emulator then sees exactly the time the test says has passed.
//! Tokens keep the machine's clock, because azure_identity checks their expiry against it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the emulator reads the time from. Clones share one manual clock.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicU64>>,
}

impl Clock {
    /// The machine's clock (the default).
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that starts at the machine's time now and moves only when [`Clock::advance`] is
    /// called.
    pub fn manual() -> Clock {
        Clock { manual: Some(Arc::new(AtomicU64::new(system_ms()))) }
    }

    /// Move a manual clock forward; does nothing to the system clock.
    pub fn advance(&self, by: Duration) {
        if let Some(manual) = &self.manual {
            manual.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
        }
    }

    /// Milliseconds since the Unix epoch, as this clock tells it.
    pub fn now_ms(&self) -> u64 {
        match &self.manual {
            Some(manual) => manual.load(Ordering::SeqCst),
            None => system_ms(),
        }
    }
}

/// Milliseconds since the Unix epoch on the machine's clock.
pub fn system_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_clones_share_it() {
        let clock = Clock::manual();
        let start = clock.now_ms();
        let other = clock.clone();
        other.advance(Duration::from_millis(1500));
        assert_eq!(clock.now_ms(), start + 1500);
        assert_eq!(clock.now_ms(), start + 1500);
    }
}
