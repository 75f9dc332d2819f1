//! The accept loop: every connection served by hyper's HTTP/1.1 with the [`Limits`] applied
//! (the idle timeout as hyper's header timer, the header-read timeout of [`HeadDeadline`],
//! the head size answered 431), at most `max_connections` at once with the excess answered
//! 503 and closed at once, and a graceful shutdown bounded by [`super::SHUTDOWN_GRACE`].

use super::events::{Event, Events};
use super::head::HeadDeadline;
use super::limits::Limits;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Connections being refused at once; past it an excess connection is closed without an
/// answer (a flood must not hold descriptors for the refusals).
const MAX_REFUSING: usize = 256;

/// How long a refusal may take to write.
const REFUSAL_TIME: Duration = Duration::from_secs(1);

/// Serves `app` on `listener` until `shutdown` resolves.
pub(super) async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    events: Arc<Events>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let refusing = Arc::new(AtomicUsize::new(0));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.idle_timeout)
        .max_header_size(limits.max_header_bytes)
        // An unfinished head cannot hold more than this either (hyper answers 431 past it).
        .max_buf_size((2 * limits.max_header_bytes).max(8192));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                // Out of descriptors or a connection reset before it was accepted: the
                // listener is fine; a short pause lets descriptors free up.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = Arc::clone(&connections).try_acquire_owned() else {
            events.note(Event::ConnectionsFull, &peer.to_string());
            refuse(stream, &refusing);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(HeadDeadline::new(stream, limits.header_read_timeout));
        let conn = graceful.watch(http.serve_connection(io, TowerToHyperService::new(app.clone())));
        let events = Arc::clone(&events);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                if let Some(event) = classify(&e) {
                    events.note(event, &peer.to_string());
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(super::SHUTDOWN_GRACE) => {},
    }
    Ok(())
}

/// The limit a connection's error comes from, if any.
fn classify(e: &hyper::Error) -> Option<Event> {
    if e.is_parse_too_large() {
        return Some(Event::HeaderTooLarge);
    }
    if e.is_timeout() {
        return Some(Event::IdleTimeout);
    }
    let io = std::error::Error::source(e).and_then(|s| s.downcast_ref::<std::io::Error>());
    io.filter(|io| io.kind() == std::io::ErrorKind::TimedOut)
        .map(|_| Event::HeaderTimeout)
}

/// Answers 503 with `Retry-After` and closes, in the background and within
/// [`REFUSAL_TIME`]; past [`MAX_REFUSING`] refusals at once, closes without a word.
fn refuse(mut stream: TcpStream, refusing: &Arc<AtomicUsize>) {
    if refusing.fetch_add(1, Ordering::AcqRel) >= MAX_REFUSING {
        refusing.fetch_sub(1, Ordering::AcqRel);
        drop(stream);
        return;
    }
    let refusing = Arc::clone(refusing);
    tokio::spawn(async move {
        let body = r#"{"error_code":503,"message":"HTTP 503 Service Unavailable: the server's connection limit is reached; retry later"}"#;
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: {}\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
            super::CONTENT_TYPE,
            body.len()
        );
        let _ = tokio::time::timeout(REFUSAL_TIME, async {
            stream.write_all(answer.as_bytes()).await?;
            stream.shutdown().await
        })
        .await;
        refusing.fetch_sub(1, Ordering::AcqRel);
    });
}

/// `limits` fitted to the process's descriptor limit: the soft limit raised to the hard one
/// (as Go's runtime does), and `max_connections` lowered below it with room for the
/// database and the refusals, so the accept loop never runs out of descriptors. Returns the
/// limits and, when it lowered the connection limit, by how much.
pub fn fit_descriptors(limits: Limits) -> (Limits, Option<usize>) {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit read and write the one struct passed.
        let usable = unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return (limits, None);
            }
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: lim.rlim_max,
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim.rlim_cur = lim.rlim_max;
                }
            }
            usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
        };
        let room = 64 + MAX_REFUSING;
        let cap = usable.saturating_sub(room).max(16);
        if limits.max_connections > cap {
            let lowered = limits.max_connections - cap;
            return (
                Limits {
                    max_connections: cap,
                    ..limits
                },
                Some(lowered),
            );
        }
    }
    (limits, None)
}
