//! How a failing operation is retried: the one retry policy of the engine, used by consuming
//! jobs (a handler that fails, before its event goes to the dead-letter topic) and by the
//! registry's HTTP client (5xx, 408, 429 and transport errors). A leaf module: it imports
//! nothing of the crate.

use serde::Deserialize;
use std::time::Duration;

/// Exponential backoff with jitter: the delay before retry `n` (1-based) is
/// `initial_backoff_ms * multiplier^(n-1)`, scaled by a uniform draw from
/// `[1 - jitter, 1 + jitter]`, and never more than `max_backoff_ms` (the cap applies after
/// the jitter, so no delay exceeds it).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Attempts after the first; 0: no retry.
    pub max_retries: u32,
    pub initial_backoff_ms: u64,
    pub multiplier: f64,
    pub max_backoff_ms: u64,
    /// Each delay is drawn uniformly from `[d * (1 - jitter), d * (1 + jitter)]`, then capped.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    /// 3 retries, doubling from 1 s up to 30 s, ±20 % jitter.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff_ms: 1000,
            multiplier: 2.0,
            max_backoff_ms: 30_000,
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// The delay before retry `attempt` (1-based) without jitter, capped at `max_backoff_ms`.
    pub fn base_delay(&self, attempt: u32) -> Duration {
        Duration::from_secs_f64(self.uncapped(attempt).min(self.cap()))
    }

    /// The delay before retry `attempt` (1-based) with jitter; `unit` is a uniform draw from
    /// `[0, 1)`. Never more than `max_backoff_ms`.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let factor = 1.0 + self.jitter.clamp(0.0, 1.0) * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        let base = self.uncapped(attempt).min(self.cap());
        Duration::from_secs_f64((base * factor).clamp(0.0, self.cap()))
    }

    fn uncapped(&self, attempt: u32) -> f64 {
        let exp = self
            .multiplier
            .powi(attempt.saturating_sub(1).min(64) as i32);
        (self.initial_backoff_ms as f64 / 1000.0 * exp).max(0.0)
    }

    fn cap(&self) -> f64 {
        self.max_backoff_ms as f64 / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_doubles_from_one_second_to_thirty_with_bounded_jitter() {
        let p = RetryPolicy::default();
        let base: Vec<u64> = (1..=7)
            .map(|a| p.base_delay(a).as_millis() as u64)
            .collect();
        assert_eq!(base, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(1600));
        assert_eq!(p.delay(2, 1.0), Duration::from_millis(2400));
        assert_eq!(p.delay(2, 0.5), Duration::from_millis(2000));
        assert_eq!(p.base_delay(u32::MAX), Duration::from_millis(30_000));
    }

    #[test]
    fn jitter_never_lifts_a_delay_past_the_cap() {
        let p = RetryPolicy::default();
        for attempt in 1..20 {
            for unit in [0.0, 0.3, 0.999, 1.0] {
                assert!(p.delay(attempt, unit) <= Duration::from_millis(30_000));
            }
        }
        assert_eq!(p.delay(10, 0.0), Duration::from_millis(24_000));
    }
}
