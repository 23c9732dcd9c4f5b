//! Jittered exponential backoff for reconnect loops.
//!
//! A channel that loses its connection waits `base · 2^(n-1)` (capped at `max`) before the
//! n-th attempt, randomised by ±`jitter` so that many bots restarted together do not
//! reconnect in lockstep. A successful connection calls [`ReconnectBackoff::reset`].

use std::time::Duration;

use rand::Rng;

/// Reconnect delays for one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectBackoff {
    /// Delay before the first retry, in ms. Default [`Self::DEFAULT_BASE_MS`].
    pub base_ms: u64,
    /// Longest delay, in ms. Default [`Self::DEFAULT_MAX_MS`].
    pub max_ms: u64,
    /// Relative jitter, 0.0–1.0 (0.2 = ±20 %). Default [`Self::DEFAULT_JITTER`].
    pub jitter: f64,
    attempt: u32,
}

impl ReconnectBackoff {
    /// Default first delay: 1 s.
    pub const DEFAULT_BASE_MS: u64 = 1_000;
    /// Default ceiling: 60 s.
    pub const DEFAULT_MAX_MS: u64 = 60_000;
    /// Default jitter: ±20 %.
    pub const DEFAULT_JITTER: f64 = 0.2;

    /// A backoff from `base_ms` to `max_ms` with the default jitter.
    pub fn new(base_ms: u64, max_ms: u64) -> Self {
        Self {
            base_ms: base_ms.max(1),
            max_ms: max_ms.max(base_ms.max(1)),
            jitter: Self::DEFAULT_JITTER,
            attempt: 0,
        }
    }

    /// How many delays were handed out since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// Forget past failures (call after a successful connection).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The delay before the next attempt; each call doubles the nominal delay.
    pub fn next_delay(&mut self) -> Duration {
        let factor = 1u64 << self.attempt.min(20);
        self.attempt = self.attempt.saturating_add(1);
        let nominal = self.base_ms.saturating_mul(factor).min(self.max_ms) as f64;
        let jitter = self.jitter.clamp(0.0, 1.0);
        let scale = if jitter > 0.0 {
            rand::rng().random_range(1.0 - jitter..=1.0 + jitter)
        } else {
            1.0
        };
        Duration::from_millis((nominal * scale).round().max(1.0) as u64)
    }
}

impl Default for ReconnectBackoff {
    fn default() -> Self {
        Self::new(Self::DEFAULT_BASE_MS, Self::DEFAULT_MAX_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pinned() {
        let b = ReconnectBackoff::default();
        assert_eq!(b.base_ms, 1_000);
        assert_eq!(b.max_ms, 60_000);
        assert!((b.jitter - 0.2).abs() < f64::EPSILON);
    }

    #[test]
    fn delays_grow_within_jitter_and_cap() {
        let mut b = ReconnectBackoff::new(100, 1_000);
        let expect = [100, 200, 400, 800, 1_000, 1_000, 1_000];
        for nominal in expect {
            let d = b.next_delay().as_millis() as f64;
            let n = nominal as f64;
            assert!(
                d >= n * 0.8 - 1.0 && d <= n * 1.2 + 1.0,
                "{d} not within 20% of {n}"
            );
        }
        assert_eq!(b.attempts(), 7);
        b.reset();
        let d = b.next_delay().as_millis();
        assert!((80..=120).contains(&d));
    }

    #[test]
    fn jitter_spreads_delays_and_zero_jitter_is_exact() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50 {
            let mut b = ReconnectBackoff::new(10_000, 60_000);
            seen.insert(b.next_delay().as_millis());
        }
        assert!(seen.len() > 5, "jitter should vary the delay");
        let mut b = ReconnectBackoff::new(100, 1_000);
        b.jitter = 0.0;
        assert_eq!(b.next_delay(), Duration::from_millis(100));
        assert_eq!(b.next_delay(), Duration::from_millis(200));
    }
}
