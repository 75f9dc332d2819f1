//! A consumer's counters: [`Stats`], shared with whoever holds [`super::EventConsumer::stats`],
//! and its point-in-time copy [`StatsSnapshot`].

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of a consumer, shared with whoever holds [`super::EventConsumer::stats`].
#[derive(Debug, Default)]
pub struct Stats {
    pub received: AtomicU64,
    pub handled: AtomicU64,
    pub retries: AtomicU64,
    pub dead_lettered: AtomicU64,
    /// Above the job's privacy tier: refused, never handed to the handler.
    pub refused_tier: AtomicU64,
    /// Event types the job does not handle.
    pub filtered: AtomicU64,
    /// Event types this build does not know (a newer producer).
    pub unknown_type: AtomicU64,
    pub duplicates: AtomicU64,
    /// Handler attempts abandoned after the job's `handler_timeout_ms`.
    pub timed_out: AtomicU64,
}

/// A point-in-time copy of [`Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatsSnapshot {
    pub received: u64,
    pub handled: u64,
    pub retries: u64,
    pub dead_lettered: u64,
    pub refused_tier: u64,
    pub filtered: u64,
    pub unknown_type: u64,
    pub duplicates: u64,
    pub timed_out: u64,
}

impl StatsSnapshot {
    /// Messages whose processing has finished, one way or another (handled, dead-lettered,
    /// refused, filtered, unknown or duplicate). `received` counts a message as soon as it
    /// arrives, so "wait until every message is dealt with" must wait on this one.
    pub fn settled(&self) -> u64 {
        self.handled
            + self.dead_lettered
            + self.refused_tier
            + self.filtered
            + self.unknown_type
            + self.duplicates
    }
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        StatsSnapshot {
            received: g(&self.received),
            handled: g(&self.handled),
            retries: g(&self.retries),
            dead_lettered: g(&self.dead_lettered),
            refused_tier: g(&self.refused_tier),
            filtered: g(&self.filtered),
            unknown_type: g(&self.unknown_type),
            duplicates: g(&self.duplicates),
            timed_out: g(&self.timed_out),
        }
    }
}

pub(super) fn bump(a: &AtomicU64) {
    a.fetch_add(1, Ordering::Relaxed);
}
