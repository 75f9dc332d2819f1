//! Our REST server over a fresh embedded registry in a temporary directory, on an ephemeral
//! loopback port, optionally counting every request that reaches it.

use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::server::{self, ServeOptions};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Our REST server over a fresh embedded registry in a tempdir, on an ephemeral port.
pub struct Real {
    pub url: String,
    /// Requests that reached the HTTP layer (counted outside the auth check).
    hits: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Real {
    /// Runs `server::serve` itself (no request counting).
    pub async fn serve(opts: ServeOptions) -> Real {
        let dir = tempfile::tempdir().unwrap();
        let registry = Arc::new(EmbeddedRegistry::open(dir.path().join("r.db")).unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, registry, opts, async {
            let _ = rx.await;
        }));
        Real {
            url: format!("http://{addr}"),
            hits: Arc::new(AtomicUsize::new(0)),
            stop: Some(tx),
            task: Some(task),
            _dir: dir,
        }
    }

    /// `server::router` with a layer counting every request, auth refusals included.
    pub async fn counted(opts: ServeOptions) -> Real {
        let dir = tempfile::tempdir().unwrap();
        let registry = Arc::new(EmbeddedRegistry::open(dir.path().join("r.db")).unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let app = server::router(registry, &opts).layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                counter.fetch_add(1, Ordering::SeqCst);
                next.run(req)
            },
        ));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        Real {
            url: format!("http://{addr}"),
            hits,
            stop: Some(tx),
            task: Some(task),
            _dir: dir,
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Graceful stop; the server must return `Ok` promptly.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let r = tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("the server did not stop within 10 s");
            r.unwrap().unwrap();
        }
    }
}

impl Drop for Real {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
