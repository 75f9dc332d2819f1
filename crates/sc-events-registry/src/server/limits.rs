//! What one client may cost the server: the connection timeouts and sizes the accept loop
//! applies ([`Limits`]), the cap on requests in flight, the bounded queue in front of the
//! CPU-heavy requests (every POST and PUT: parse, canonicalize, resolve references, check
//! compatibility) and the body-read deadline; each refusal answered at once (503 with
//! `Retry-After`, 408), logged and counted.

use super::errors::answer;
use super::events::{Event, Events};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The server's limits; [`Limits::default`] is safe on a shared machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From the first byte of a request head to its end (slow headers).
    pub header_read_timeout: Duration,
    /// From the connection's start, or its last answer, to the next complete request head
    /// (silent and idle keep-alive connections; Confluent's Jetty: 30 s).
    pub idle_timeout: Duration,
    /// Reading one request body, from its head to its last byte.
    pub body_read_timeout: Duration,
    /// The largest request head (request line and headers); beyond it: 431 (Jetty: 8 KiB).
    pub max_header_bytes: usize,
    /// Open connections; one more is answered 503 and closed at once.
    pub max_connections: usize,
    /// Requests being handled at once; one more is answered 503.
    pub max_in_flight: usize,
    /// CPU-heavy requests (POST, PUT) worked on at once, off the async workers.
    pub heavy_workers: usize,
    /// CPU-heavy requests waiting for a worker; one more is answered 503.
    pub heavy_queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            max_header_bytes: 8 << 10,
            max_connections: 4096,
            max_in_flight: 512,
            heavy_workers: cores,
            heavy_queue: 32,
        }
    }
}

impl Limits {
    /// A limit that makes the server unusable, named; `None` when all are usable.
    pub fn unusable(&self) -> Option<&'static str> {
        let zero = Duration::ZERO;
        if self.header_read_timeout == zero || self.idle_timeout == zero {
            return Some("a header-read or idle timeout of 0");
        }
        if self.body_read_timeout == zero {
            return Some("a body-read timeout of 0");
        }
        if self.max_header_bytes < 1024 {
            return Some("a header limit under 1024 bytes");
        }
        if self.max_connections == 0 || self.max_in_flight == 0 || self.heavy_workers == 0 {
            return Some("a connection, in-flight or worker limit of 0");
        }
        None
    }
}

/// How long a refused client is told to wait before trying again.
const RETRY_AFTER_SECONDS: &str = "1";

/// 503 with `Retry-After`, Confluent's error body.
pub(super) fn overloaded(what: &str) -> Response {
    let mut r = answer(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({"error_code": 503, "message": format!("HTTP 503 Service Unavailable: {what}; retry later")}),
    );
    r.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECONDS),
    );
    r
}

/// The gates every request passes, shared by the middleware.
pub(super) struct Gates {
    in_flight: Arc<Semaphore>,
    heavy: Arc<Semaphore>,
    waiting: AtomicUsize,
    heavy_queue: usize,
    heavy_workers: usize,
    body_read_timeout: Duration,
    max_body_bytes: usize,
    events: Arc<Events>,
}

impl Gates {
    pub(super) fn new(limits: &Limits, max_body_bytes: usize, events: Arc<Events>) -> Arc<Gates> {
        Arc::new(Gates {
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight)),
            heavy: Arc::new(Semaphore::new(limits.heavy_workers)),
            waiting: AtomicUsize::new(0),
            heavy_queue: limits.heavy_queue,
            heavy_workers: limits.heavy_workers,
            body_read_timeout: limits.body_read_timeout,
            max_body_bytes,
            events,
        })
    }
}

/// Whether a request is CPU-heavy: every body the API takes is a schema or a setting to
/// parse, and the schema ones are parsed, canonicalized, resolved and checked.
fn heavy(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT)
}

/// Counts the request in flight (503 past the cap); a heavy one then waits in the bounded
/// queue for a worker (503 when the queue is full) before its body is read, so neither the
/// bodies buffered nor the parsing done at once grow with the clients; the body is read
/// within the deadline (408 past it).
pub(super) async fn gate(State(g): State<Arc<Gates>>, req: Request, next: Next) -> Response {
    let Ok(_flight) = Arc::clone(&g.in_flight).try_acquire_owned() else {
        g.events.note(Event::InFlightFull, "");
        return overloaded("too many requests in flight");
    };
    if !heavy(req.method()) {
        return next.run(req).await;
    }
    let permit = match Arc::clone(&g.heavy).try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            if g.waiting.fetch_add(1, Ordering::AcqRel) >= g.heavy_queue {
                g.waiting.fetch_sub(1, Ordering::AcqRel);
                g.events.note(Event::QueueFull, req.uri().path());
                return overloaded("the write queue is full");
            }
            let p = Arc::clone(&g.heavy).acquire_owned().await;
            g.waiting.fetch_sub(1, Ordering::AcqRel);
            match p {
                Ok(p) => p,
                Err(_) => return overloaded("the server is stopping"),
            }
        }
    };
    let (parts, body) = req.into_parts();
    let limit = g.max_body_bytes.saturating_add(1);
    let bytes = match tokio::time::timeout(g.body_read_timeout, axum::body::to_bytes(body, limit))
        .await
    {
        Ok(Ok(b)) => b,
        // Over the size limit (or cut short by a client that went away).
        Ok(Err(_)) => {
            return answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"error_code": 413, "message": format!(
                    "The request body could not be read: it is over the limit of {} bytes or was cut short",
                    g.max_body_bytes
                )}),
            );
        }
        Err(_) => {
            g.events.note(Event::BodyTimeout, parts.uri.path());
            return answer(
                StatusCode::REQUEST_TIMEOUT,
                json!({"error_code": 408, "message": format!(
                    "HTTP 408 Request Timeout: the body was not received within {} s",
                    g.body_read_timeout.as_secs()
                )}),
            );
        }
    };
    let body_len = bytes.len();
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    drop(permit);
    super::events::return_memory(
        g.heavy.available_permits() == g.heavy_workers && g.waiting.load(Ordering::Acquire) == 0,
        body_len,
    );
    resp
}
