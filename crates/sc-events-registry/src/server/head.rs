//! The header-read timeout: a connection wrapper that starts a clock at the first byte of a
//! request head and fails the connection's reads once the clock passes the limit before the
//! head's end (the blank line) arrived. hyper's own timer bounds the wait from the
//! connection's start or its last answer to a complete head (the idle timeout); this one
//! bounds a head that trickles in (slowloris) more tightly.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Where the connection is in its current request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request (hyper's idle timer runs).
    Idle,
    /// Inside a request head; `matched` bytes of `\r\n\r\n` seen so far.
    Head { matched: u8 },
    /// The head is complete: the body and the answer.
    Rest,
}

/// A stream whose request heads must arrive within `limit` of their first byte.
pub struct HeadDeadline<S> {
    inner: S,
    limit: Duration,
    phase: Phase,
    deadline: Pin<Box<Sleep>>,
}

impl<S> HeadDeadline<S> {
    pub fn new(inner: S, limit: Duration) -> Self {
        HeadDeadline {
            inner,
            limit,
            phase: Phase::Idle,
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }

    /// Follows the bytes read: the first starts the clock, `\r\n\r\n` stops it.
    fn saw(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match self.phase {
                Phase::Rest => return,
                Phase::Idle => {
                    self.deadline.as_mut().reset(Instant::now() + self.limit);
                    self.phase = Phase::Head { matched: 0 };
                    self.step(b);
                }
                Phase::Head { .. } => self.step(b),
            }
        }
    }

    fn step(&mut self, b: u8) {
        let Phase::Head { matched } = self.phase else {
            return;
        };
        let want = b"\r\n\r\n"[usize::from(matched)];
        let matched = if b == want {
            matched + 1
        } else if b == b'\r' {
            1
        } else {
            0
        };
        self.phase = if matched == 4 {
            Phase::Rest
        } else {
            Phase::Head { matched }
        };
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if self.phase != Phase::Rest {
                    self.saw(&buf.filled()[before..]);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if matches!(self.phase, Phase::Head { .. }) => {
                if self.deadline.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the request head did not arrive within the header-read timeout",
                    )));
                }
                Poll::Pending
            }
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        // An answer (not an interim `100 Continue`) ends the request: the next byte read
        // starts the next head.
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) && !data.starts_with(b"HTTP/1.1 100") {
            self.phase = Phase::Idle;
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let interim = bufs.first().is_some_and(|b| b.starts_with(b"HTTP/1.1 100"));
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) && !interim {
            self.phase = Phase::Idle;
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::{HeadDeadline, Phase};
    use std::time::Duration;

    #[tokio::test]
    async fn the_clock_runs_from_the_first_byte_to_the_blank_line() {
        let (a, _b) = tokio::io::duplex(64);
        let mut h = HeadDeadline::new(a, Duration::from_secs(1));
        assert_eq!(h.phase, Phase::Idle);
        h.saw(b"GET / HTTP/1.1\r\nHost: x\r");
        assert!(matches!(h.phase, Phase::Head { matched: 1 }));
        h.saw(b"\n\r");
        assert!(matches!(h.phase, Phase::Head { matched: 3 }));
        h.saw(b"\nbody");
        assert_eq!(h.phase, Phase::Rest);
        h.phase = Phase::Idle;
        h.saw(b"\r\r\n\r\n");
        assert_eq!(h.phase, Phase::Rest);
    }
}
