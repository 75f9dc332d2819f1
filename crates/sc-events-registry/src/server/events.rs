//! What the server's limits did: each time one triggers (a connection dropped for a timeout,
//! a head too large, a client refused), one line on stderr, at most one per event kind a
//! second with the count of the ones folded into it, and the counter
//! `schema_registry_limit_events_total{event}` on `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A limit that triggered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A connection sent no complete request head within the idle timeout.
    IdleTimeout,
    /// A request head was not complete within the header-read timeout of its first byte.
    HeaderTimeout,
    /// A request head over the size limit (answered 431).
    HeaderTooLarge,
    /// A body not received within the body-read timeout (answered 408).
    BodyTimeout,
    /// A connection over the connection limit (answered 503 and closed).
    ConnectionsFull,
    /// A request over the in-flight limit (answered 503).
    InFlightFull,
    /// A heavy request with the queue full (answered 503).
    QueueFull,
}

impl Event {
    const ALL: [Event; 7] = [
        Event::IdleTimeout,
        Event::HeaderTimeout,
        Event::HeaderTooLarge,
        Event::BodyTimeout,
        Event::ConnectionsFull,
        Event::InFlightFull,
        Event::QueueFull,
    ];

    /// The label value and the log line's text.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Event::IdleTimeout => (
                "idle_timeout",
                "closed a connection that sent no complete request within the idle timeout",
            ),
            Event::HeaderTimeout => (
                "header_timeout",
                "closed a connection whose request head did not arrive within the header-read timeout",
            ),
            Event::HeaderTooLarge => ("header_too_large", "answered 431 to a request head over the limit"),
            Event::BodyTimeout => ("body_timeout", "answered 408 to a body not received in time"),
            Event::ConnectionsFull => (
                "connections_full",
                "refused a connection (503): the connection limit is reached",
            ),
            Event::InFlightFull => ("in_flight_full", "answered 503: the in-flight request limit is reached"),
            Event::QueueFull => ("queue_full", "answered 503: the queue of writes is full"),
        }
    }

    fn index(self) -> usize {
        Event::ALL.iter().position(|e| *e == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    event: String,
}

/// The log and the counter of limit events.
pub struct Events {
    counter: Family<EventLabels, Counter>,
    /// Per event: when a line was last written and how many were folded since.
    last: Mutex<[(Option<Instant>, u64); 7]>,
}

/// At most one line per event kind in this interval.
const LOG_EVERY: Duration = Duration::from_secs(1);

impl Events {
    /// Events counted in `registry` (the server's metrics).
    pub fn new(registry: &mut prometheus_client::registry::Registry) -> Events {
        let counter = Family::<EventLabels, Counter>::default();
        registry.register(
            "limit_events",
            "Times a connection or request limit triggered, by event",
            counter.clone(),
        );
        Events {
            counter,
            last: Mutex::new([(None, 0); 7]),
        }
    }

    /// Counts `event` and logs it (rate-limited); `detail` (a peer address, a path) is
    /// appended, clipped.
    pub fn note(&self, event: Event, detail: &str) {
        let (label, text) = event.describe();
        self.counter
            .get_or_create(&EventLabels {
                event: label.to_string(),
            })
            .inc();
        let folded = {
            let Ok(mut last) = self.last.lock() else {
                return;
            };
            let slot = &mut last[event.index()];
            let now = Instant::now();
            if slot.0.is_some_and(|t| now.duration_since(t) < LOG_EVERY) {
                slot.1 += 1;
                return;
            }
            let folded = slot.1;
            *slot = (Some(now), 0);
            folded
        };
        let detail = crate::error::clip(detail);
        let more = if folded > 0 {
            format!(" (and {folded} more in the last second)")
        } else {
            String::new()
        };
        let sep = if detail.is_empty() { "" } else { ": " };
        eprintln!("registry serve: {text}{sep}{detail}{more}");
    }
}

/// Bodies read since the allocator last handed memory back.
static BODY_BYTES_SINCE_TRIM: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// How many bytes of bodies make a burst worth trimming after.
const TRIM_AFTER_BYTES: usize = 4 << 20;

/// How the process's allocator hands free memory back, where it is not glibc's (whose
/// `malloc_trim` is the default): set once by the binary that chose the allocator.
static RETURN_MEMORY: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Makes `f` the way freed memory goes back to the system after a burst (for a binary with
/// its own global allocator).
pub fn set_memory_return(f: fn()) {
    let _ = RETURN_MEMORY.set(f);
}

/// After a burst of heavy requests (`idle`: none is being worked on or waiting; `body`: the
/// bytes of the one just answered) whose bodies came to [`TRIM_AFTER_BYTES`] or more, the
/// allocator hands the burst's memory back to the system: glibc keeps freed arenas otherwise.
/// Small requests one after another trim rarely (trimming walks every free list).
pub(super) fn return_memory(idle: bool, body: usize) {
    use std::sync::atomic::Ordering;
    let since = BODY_BYTES_SINCE_TRIM.fetch_add(body, Ordering::AcqRel) + body;
    if !idle || since < TRIM_AFTER_BYTES {
        return;
    }
    BODY_BYTES_SINCE_TRIM.store(0, Ordering::Release);
    // Off the async workers: trimming walks the allocator's free lists.
    drop(tokio::task::spawn_blocking(|| match RETURN_MEMORY.get() {
        Some(f) => f(),
        None => {
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            // SAFETY: malloc_trim only releases free memory the allocator holds.
            unsafe {
                libc::malloc_trim(0);
            }
        }
    }));
}
