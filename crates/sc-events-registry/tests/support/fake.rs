//! A hand-rolled HTTP/1.1 server that misbehaves on request: any status and body, a hang, a
//! dropped connection, a truncated or endless answer; it records when each request arrived.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the fake server does with request number `n` (0-based).
#[derive(Clone)]
pub enum Reply {
    /// Answer with this status, content type and body.
    Http(u16, &'static str, String),
    /// Read the request, never answer (until the client goes away).
    Hang,
    /// Close the connection without answering.
    Close,
    /// Announce `Content-Length: len` and send only `body`, then close.
    Truncated(u16, usize, String),
    /// A 200 whose body never ends: chunked, or with an announced length of 1 TiB.
    Endless { chunked: bool },
}

pub fn reply_json(status: u16, body: &str) -> Reply {
    Reply::Http(
        status,
        "application/vnd.schemaregistry.v1+json",
        body.to_string(),
    )
}

pub fn confluent_error(status: u16, code: i32) -> Reply {
    reply_json(
        status,
        &format!(r#"{{"error_code":{code},"message":"fake error {code}"}}"#),
    )
}

pub struct Fake {
    pub url: String,
    /// When each request arrived.
    hits: Arc<Mutex<Vec<Instant>>>,
    task: JoinHandle<()>,
}

impl Fake {
    pub async fn start(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let h = Arc::clone(&hits);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (h, script) = (Arc::clone(&h), Arc::clone(&script));
                tokio::spawn(async move {
                    let _ = connection(stream, &h, &*script).await;
                });
            }
        });
        Fake {
            url: format!("http://{addr}"),
            hits,
            task,
        }
    }

    pub fn count(&self) -> usize {
        self.hits.lock().unwrap().len()
    }

    /// Gaps between consecutive requests.
    pub fn gaps(&self) -> Vec<Duration> {
        let h = self.hits.lock().unwrap();
        h.windows(2).map(|w| w[1] - w[0]).collect()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request (head and `Content-Length` body); `None` at end of stream.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Option<()>> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let total = end + 4 + len;
            while buf.len() < total {
                let mut chunk = [0u8; 8192];
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..total);
            return Ok(Some(()));
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn connection(
    mut stream: TcpStream,
    hits: &Mutex<Vec<Instant>>,
    script: &(dyn Fn(usize) -> Reply + Send + Sync),
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    while read_request(&mut stream, &mut buf).await?.is_some() {
        let n = {
            let mut h = hits.lock().unwrap();
            h.push(Instant::now());
            h.len() - 1
        };
        match script(n) {
            Reply::Http(status, ctype, body) => {
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
                    reason(status),
                    body.len()
                );
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(body.as_bytes()).await?;
                stream.flush().await?;
            }
            Reply::Hang => {
                // Until the client gives up and closes.
                let mut sink = [0u8; 1024];
                while stream.read(&mut sink).await? > 0 {}
                return Ok(());
            }
            Reply::Close => return Ok(()),
            Reply::Endless { chunked } => {
                let framing = if chunked {
                    "Transfer-Encoding: chunked".to_string()
                } else {
                    format!("Content-Length: {}", 1u64 << 40)
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
                );
                stream.write_all(head.as_bytes()).await?;
                let block = vec![b' '; 1 << 16];
                loop {
                    // Until the client hangs up.
                    if chunked {
                        stream.write_all(b"10000\r\n").await?;
                        stream.write_all(&block).await?;
                        stream.write_all(b"\r\n").await?;
                    } else {
                        stream.write_all(&block).await?;
                    }
                }
            }
            Reply::Truncated(status, len, body) => {
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n{body}",
                    reason(status)
                );
                stream.write_all(head.as_bytes()).await?;
                stream.flush().await?;
                return Ok(());
            }
        }
    }
    Ok(())
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Whatever")
}
