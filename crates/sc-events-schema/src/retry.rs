//! How a failing operation is retried: the one retry policy of the engine, used by consuming
//! jobs (a handler that fails, before its event goes to the dead-letter topic) and by the
//! registry's HTTP client (5xx, 408, 429 and transport errors). A leaf module: it imports
//! nothing of the crate.

use serde::Deserialize;
use std::time::Duration;

/// Exponential backoff with jitter. The delay before retry `n` (1-based) is
///
/// ```text
/// d(n)     = min(initial_backoff_ms * multiplier^(n-1), max_backoff_ms)
/// delay(n) = min(d(n) * f, max_backoff_ms),  f uniform in
///            [1 - jitter, 1 + jitter]   (jitter_style = "symmetric", the default)
///            [1 - jitter, 1]            (jitter_style = "below")
/// ```
///
/// so no delay exceeds `max_backoff_ms`. `below` with `jitter = 0.5` is
/// `delay * (0.5 + random * 0.5)`, the product platform's formula (AWS's "equal jitter").
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Attempts after the first; 0: no retry.
    pub max_retries: u32,
    pub initial_backoff_ms: u64,
    pub multiplier: f64,
    pub max_backoff_ms: u64,
    /// How far a delay may move from `d(n)`: see [`JitterStyle`].
    pub jitter: f64,
    pub jitter_style: JitterStyle,
}

/// Which side of the backoff the jitter draws from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JitterStyle {
    /// `[d * (1 - jitter), d * (1 + jitter)]`, then capped.
    #[default]
    Symmetric,
    /// `[d * (1 - jitter), d]`: never later than the backoff itself.
    Below,
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
            jitter_style: JitterStyle::Symmetric,
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
        let (j, u) = (self.jitter.clamp(0.0, 1.0), unit.clamp(0.0, 1.0));
        let factor = match self.jitter_style {
            JitterStyle::Symmetric => 1.0 + j * (2.0 * u - 1.0),
            JitterStyle::Below => 1.0 - j + j * u,
        };
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

    /// The product platform's `delay * (0.5 + Math.random() * 0.5)` over 10,000 draws per
    /// attempt: within [d/2, d], never past 30 s, and spread over the whole range.
    #[test]
    fn below_jitter_is_the_product_platforms_formula_and_stays_in_bounds() {
        let p = RetryPolicy {
            max_retries: 3,
            jitter: 0.5,
            jitter_style: JitterStyle::Below,
            ..RetryPolicy::default()
        };
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for attempt in 1..=8 {
            let d = p.base_delay(attempt).as_secs_f64();
            let (mut lo, mut hi) = (f64::MAX, 0.0f64);
            for _ in 0..10_000 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
                let got = p.delay(attempt, unit).as_secs_f64();
                assert!(
                    (d * 0.5 - 1e-9..=d + 1e-9).contains(&got),
                    "{attempt}: {got} of {d}"
                );
                assert!(got <= 30.0);
                let seed_formula = d * (0.5 + unit * 0.5);
                assert!((got - seed_formula).abs() < 1e-6, "{got} vs {seed_formula}");
                lo = lo.min(got);
                hi = hi.max(got);
            }
            assert!(
                lo < d * 0.51 && hi > d * 0.99,
                "{attempt}: {lo}..{hi} of {d}"
            );
        }
    }
}
