//! `HttpRegistry` against (a) our own REST server over an embedded registry, in process, and
//! (b) a hand-rolled misbehaving HTTP/1.1 server that counts requests: typed errors, exact
//! subject round trips, basic auth without leaks, and which failures are retried and how.

use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::http::{Auth, HttpConfig, HttpRegistry, RetryPolicy, Secret};
use sc_events_registry::server::{self, ServeOptions};
use sc_events_registry::{
    Compatibility, ErrorKind, RegisterOptions, Registry, RegistryError, RegistryMode, SchemaDef,
    Version,
};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const V1: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;
/// Adds a field without a default: BACKWARD-incompatible with V1 and V2.
const BAD: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int"}]}"#;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fast_retry(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial: ms(10),
        multiplier: 2.0,
        max: ms(50),
    }
}

fn client_with(url: &str, auth: Auth, retry: RetryPolicy, timeout: Duration) -> HttpRegistry {
    let mut cfg = HttpConfig::new(url);
    cfg.auth = auth;
    cfg.retry = retry;
    cfg.connect_timeout = ms(1000);
    cfg.request_timeout = timeout;
    HttpRegistry::new(cfg).unwrap()
}

fn client(url: &str, max_retries: u32) -> HttpRegistry {
    client_with(url, Auth::None, fast_retry(max_retries), ms(2000))
}

/// `(kind, status, code)` of an API error; panics on any other error.
fn api(e: &RegistryError) -> (ErrorKind, u16, i32) {
    match e {
        RegistryError::Api {
            kind, status, code, ..
        } => (*kind, *status, *code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

// ---------------------------------------------------------------------------------------------
// (a) Our own server over an embedded registry.
// ---------------------------------------------------------------------------------------------

/// Our REST server over a fresh embedded registry in a tempdir, on an ephemeral port.
struct Real {
    url: String,
    /// Requests that reached the HTTP layer (counted outside the auth check).
    hits: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Real {
    /// Runs `server::serve` itself (no request counting).
    async fn serve(opts: ServeOptions) -> Real {
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
    async fn counted(opts: ServeOptions) -> Real {
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

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Graceful stop; the server must return `Ok` promptly.
    async fn stop(mut self) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_against_our_server() {
    let srv = Real::serve(ServeOptions::default()).await;
    let r = client(&srv.url, 0);
    let s = "sc.domain.order-value";

    assert_eq!(r.subjects(false).await.unwrap(), Vec::<String>::new());
    let id1 = r
        .register(s, &SchemaDef::avro(V1), RegisterOptions::default())
        .await
        .unwrap();
    // Identical (formatting aside) re-registration: same id, no new version.
    let pretty = "{\n  \"type\" : \"record\", \"name\": \"Order\",\n  \"namespace\":\"sc.test\",\n  \"fields\": [ {\"name\": \"id\", \"type\": \"string\"} ]\n}\n";
    assert_eq!(json(pretty), json(V1));
    let again = r
        .register(s, &SchemaDef::avro(pretty), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(again, id1);
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1]);

    let id2 = r
        .register(s, &SchemaDef::avro(V2), RegisterOptions::default())
        .await
        .unwrap();
    assert_ne!(id1, id2);
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1, 2]);
    assert_eq!(r.subjects(false).await.unwrap(), vec![s.to_string()]);

    let latest = r.version(s, Version::Latest, false).await.unwrap();
    assert_eq!(
        (latest.subject.as_str(), latest.version, latest.id),
        (s, 2, id2)
    );
    assert_eq!(json(&latest.schema.schema), json(V2));
    let first = r.version(s, Version::Number(1), false).await.unwrap();
    assert_eq!((first.version, first.id), (1, id1));

    let found = r
        .lookup(s, &SchemaDef::avro(V1), false, false)
        .await
        .unwrap();
    assert_eq!(
        (found.subject.as_str(), found.version, found.id),
        (s, 1, id1)
    );
    assert_eq!(
        json(&r.schema_by_id(id2, None).await.unwrap().schema),
        json(V2)
    );
    assert_eq!(r.id_versions(id1).await.unwrap(), vec![(s.to_string(), 1)]);

    // The same schema under another subject keeps its id.
    let other = "sc.domain.order-key";
    let shared = r
        .register(other, &SchemaDef::avro(V1), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(shared, id1);
    assert_eq!(
        r.id_versions(id1).await.unwrap(),
        vec![(other.to_string(), 1), (s.to_string(), 1)]
    );

    // Compatibility: verbose test, then a refused registration (409).
    let verdict = r
        .test_compatibility(s, &SchemaDef::avro(BAD), None)
        .await
        .unwrap();
    assert!(!verdict.is_compatible);
    assert!(
        verdict
            .messages
            .iter()
            .any(|m| m.contains("READER_FIELD_MISSING_DEFAULT_VALUE")),
        "{:?}",
        verdict.messages
    );
    let ok = r
        .test_compatibility(s, &SchemaDef::avro(V1), Some(Version::Latest))
        .await
        .unwrap();
    assert!(ok.is_compatible, "{:?}", ok.messages);
    let e = r
        .register(s, &SchemaDef::avro(BAD), RegisterOptions::default())
        .await
        .unwrap_err();
    let (kind, status, code) = api(&e);
    assert_eq!(kind, ErrorKind::Incompatible, "{e}");
    assert_eq!(status, 409);
    assert!(code == 409 || code == 40901, "{e}");
    assert!(
        e.to_string().contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{e}"
    );

    // Typed errors.
    let e = r.versions("no-such-subject", false).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::SubjectNotFound, 404, 40401), "{e}");
    let e = r
        .version("no-such-subject", Version::Latest, false)
        .await
        .unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::SubjectNotFound, "{e}");
    let e = r.version(s, Version::Number(99), false).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::VersionNotFound, 404, 40402), "{e}");
    let e = r.schema_by_id(999_999, None).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::SchemaNotFound, 404, 40403), "{e}");
    let e = r
        .lookup(s, &SchemaDef::avro(BAD), false, false)
        .await
        .unwrap_err();
    assert_eq!(api(&e), (ErrorKind::SchemaNotFound, 404, 40403), "{e}");
    let e = r
        .register(
            s,
            &SchemaDef::avro(r#"{"type":"record","name":"X"}"#),
            RegisterOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(api(&e), (ErrorKind::InvalidSchema, 422, 42201), "{e}");
    let e = r
        .register(
            s,
            &SchemaDef::avro("not json at all"),
            RegisterOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(api(&e), (ErrorKind::InvalidSchema, 422, 42201), "{e}");

    // Compatibility levels, global and per subject.
    assert_eq!(
        r.compatibility(None, false).await.unwrap(),
        Compatibility::Backward
    );
    let e = r.compatibility(Some(s), false).await.unwrap_err();
    assert_eq!(
        api(&e),
        (ErrorKind::SubjectCompatibilityNotConfigured, 404, 40408),
        "{e}"
    );
    assert_eq!(
        r.compatibility(Some(s), true).await.unwrap(),
        Compatibility::Backward
    );
    r.set_compatibility(Some(s), Compatibility::None)
        .await
        .unwrap();
    assert_eq!(
        r.compatibility(Some(s), false).await.unwrap(),
        Compatibility::None
    );
    // Under NONE the incompatible schema registers.
    let id3 = r
        .register(s, &SchemaDef::avro(BAD), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1, 2, 3]);
    assert_eq!(
        r.delete_compatibility(Some(s)).await.unwrap(),
        Compatibility::None
    );
    r.set_compatibility(None, Compatibility::FullTransitive)
        .await
        .unwrap();
    assert_eq!(
        r.compatibility(Some(s), true).await.unwrap(),
        Compatibility::FullTransitive
    );
    assert_eq!(
        r.delete_compatibility(None).await.unwrap(),
        Compatibility::FullTransitive
    );
    assert_eq!(
        r.compatibility(None, false).await.unwrap(),
        Compatibility::Backward
    );

    // Modes.
    assert_eq!(r.mode(None, false).await.unwrap(), RegistryMode::ReadWrite);
    let e = r.mode(Some(s), false).await.unwrap_err();
    assert_eq!(
        api(&e),
        (ErrorKind::SubjectModeNotConfigured, 404, 40409),
        "{e}"
    );
    r.set_mode(Some(s), RegistryMode::ReadOnly, false)
        .await
        .unwrap();
    assert_eq!(
        r.mode(Some(s), false).await.unwrap(),
        RegistryMode::ReadOnly
    );
    let e = r
        .register(
            s,
            &SchemaDef::avro(r#"{"type":"string"}"#),
            RegisterOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        api(&e),
        (ErrorKind::OperationNotPermitted, 422, 42205),
        "{e}"
    );
    assert_eq!(
        r.delete_mode(Some(s)).await.unwrap(),
        RegistryMode::ReadOnly
    );
    assert_eq!(
        r.mode(Some(s), true).await.unwrap(),
        RegistryMode::ReadWrite
    );

    // Deletes: soft version, soft subject, permanent subject.
    assert_eq!(
        r.delete_version(s, Version::Number(3), false)
            .await
            .unwrap(),
        3
    );
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1, 2]);
    assert_eq!(r.versions(s, true).await.unwrap(), vec![1, 2, 3]);
    let e = r.version(s, Version::Number(3), false).await.unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::VersionNotFound, "{e}");
    assert_eq!(
        r.version(s, Version::Number(3), true).await.unwrap().id,
        id3
    );
    let e = r.delete_subject(s, true).await.unwrap_err();
    assert_eq!(
        api(&e),
        (ErrorKind::SubjectNotSoftDeleted, 404, 40405),
        "{e}"
    );
    assert_eq!(r.delete_subject(s, false).await.unwrap(), vec![1, 2]);
    assert_eq!(r.subjects(false).await.unwrap(), vec![other.to_string()]);
    assert_eq!(
        r.subjects(true).await.unwrap(),
        vec![other.to_string(), s.to_string()]
    );
    let e = r.delete_subject(s, false).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::SubjectSoftDeleted, 404, 40404), "{e}");
    assert_eq!(r.delete_subject(s, true).await.unwrap(), vec![1, 2, 3]);
    let e = r.versions(s, true).await.unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::SubjectNotFound, "{e}");
    // id1 lives on in the other subject; id2 is gone with the subject.
    assert_eq!(
        json(&r.schema_by_id(id1, None).await.unwrap().schema),
        json(V1)
    );
    let e = r.schema_by_id(id2, None).await.unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::SchemaNotFound, "{e}");
    // Re-registering after a permanent delete starts again at version 1; the schema keeps its
    // id (one schema, one id) and a new schema never gets an id that was handed out before.
    let again = r
        .register(s, &SchemaDef::avro(V2), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(again, id2);
    assert_eq!(r.versions(s, false).await.unwrap(), vec![1]);
    let fresh = r
        .register(
            "fresh",
            &SchemaDef::avro(r#"{"type":"fixed","name":"F","size":4}"#),
            RegisterOptions::default(),
        )
        .await
        .unwrap();
    assert!(fresh > id3, "ids are never reused: {fresh} after {id3}");

    srv.stop().await;
}

/// Subjects that are awkward in a URL path.
const AWKWARD: &[&str] = &[
    "a/b",
    "/leading-slash",
    "trailing-slash/",
    "a//b",
    "a/../b",
    "../x",
    "x/..",
    "...",
    "a..b",
    ".hidden",
    "%2F",
    "a%2Fb",
    "%252F",
    "100%",
    "with space",
    " leading and trailing ",
    "plus+sign",
    "q?x=1&y=2#frag",
    "semi;colon,comma",
    "back\\slash",
    "quote\"and'apostrophe",
    "<angle>{brace}[bracket]|pipe^caret`tick",
    "ünïcödé-ß",
    "日本語/주문/заказ",
    "emoji-🦀-crab",
    "nbsp\u{a0}and\u{2028}line-separator",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_subject_names_round_trip_exactly() {
    let srv = Real::counted(ServeOptions::default()).await;
    let r = client(&srv.url, 0);
    let def = SchemaDef::avro(V1);
    let mut id = None;
    for s in AWKWARD {
        let got = r
            .register(s, &def, RegisterOptions::default())
            .await
            .unwrap_or_else(|e| panic!("register {s:?}: {e}"));
        assert_eq!(*id.get_or_insert(got), got, "{s:?}");
        assert_eq!(r.versions(s, false).await.unwrap(), vec![1], "{s:?}");
        let v = r.version(s, Version::Latest, false).await.unwrap();
        assert_eq!(v.subject, *s);
        let l = r.lookup(s, &def, false, false).await.unwrap();
        assert_eq!(l.subject, *s);
        r.set_compatibility(Some(s), Compatibility::Full)
            .await
            .unwrap();
        assert_eq!(
            r.compatibility(Some(s), false).await.unwrap(),
            Compatibility::Full,
            "{s:?}"
        );
        let c = r
            .test_compatibility(s, &SchemaDef::avro(V2), Some(Version::Number(1)))
            .await
            .unwrap();
        assert!(c.is_compatible, "{s:?}: {:?}", c.messages);
    }
    let mut want: Vec<String> = AWKWARD.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(r.subjects(false).await.unwrap(), want);
    let mut by_id: Vec<String> = r
        .id_versions(id.unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|(s, v)| {
            assert_eq!(v, 1);
            s
        })
        .collect();
    by_id.sort();
    assert_eq!(by_id, want);
    // A subject that only differs by encoding is a different subject.
    let e = r.versions("a%2Fb%2F", false).await.unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::SubjectNotFound, "{e}");
    for s in AWKWARD {
        assert_eq!(r.delete_subject(s, false).await.unwrap(), vec![1], "{s:?}");
        assert_eq!(r.delete_subject(s, true).await.unwrap(), vec![1], "{s:?}");
    }
    assert!(r.subjects(true).await.unwrap().is_empty());

    // `.` and `..` cannot travel as a URL path segment (every URL library removes them), so
    // the client refuses them without sending anything rather than hitting another route.
    let before = srv.hits();
    for s in [".", ".."] {
        let e = r
            .register(s, &def, RegisterOptions::default())
            .await
            .unwrap_err();
        assert_eq!(api(&e).0, ErrorKind::InvalidSubject, "{s:?}: {e}");
        let e = r.versions(s, false).await.unwrap_err();
        assert_eq!(api(&e).0, ErrorKind::InvalidSubject, "{s:?}: {e}");
        let e = r.delete_subject(s, false).await.unwrap_err();
        assert_eq!(api(&e).0, ErrorKind::InvalidSubject, "{s:?}: {e}");
    }
    assert_eq!(srv.hits(), before, "nothing is sent for `.` or `..`");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_works_and_refusals_are_not_retried_nor_leaked() {
    const RIGHT: &str = "alice:s3cr3t-RIGHT-8d1f";
    const WRONG_PASS: &str = "WR0NG-pa55-77e2";
    let srv = Real::counted(ServeOptions {
        users: vec!["bob:other".to_string(), RIGHT.to_string()],
        ..ServeOptions::default()
    })
    .await;
    let retry = fast_retry(3);

    let good = client_with(&srv.url, Auth::Basic(Secret::new(RIGHT)), retry, ms(2000));
    let id = good
        .register("s", &SchemaDef::avro(V1), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(good.subjects(false).await.unwrap(), vec!["s".to_string()]);
    assert_eq!(
        json(&good.schema_by_id(id, None).await.unwrap().schema),
        json(V1)
    );

    let wrong = format!("alice:{WRONG_PASS}");
    let wrong_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&wrong)
    };
    let right_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(RIGHT)
    };
    let no_leak = |what: &str, text: &str| {
        for secret in [
            WRONG_PASS,
            wrong_b64.as_str(),
            "s3cr3t-RIGHT",
            right_b64.as_str(),
        ] {
            assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
        }
    };

    let mut cfg_wrong = HttpConfig::new(srv.url.clone());
    cfg_wrong.auth = Auth::Basic(Secret::new(wrong.clone()));
    cfg_wrong.retry = retry;
    no_leak("HttpConfig Debug", &format!("{cfg_wrong:?}"));
    no_leak("client Debug", &format!("{good:?}"));
    no_leak("client describe", &good.describe());

    let clients = [
        ("wrong secret", HttpRegistry::new(cfg_wrong).unwrap()),
        (
            "secret in the URL",
            client_with(
                &srv.url
                    .replace("http://", &format!("http://alice:{WRONG_PASS}@")),
                Auth::None,
                retry,
                ms(2000),
            ),
        ),
        ("no credentials", client(&srv.url, 3)),
        (
            "bearer",
            client_with(
                &srv.url,
                Auth::Bearer(Secret::new(WRONG_PASS)),
                retry,
                ms(2000),
            ),
        ),
    ];
    for (what, c) in &clients {
        no_leak(what, &format!("{c:?}"));
        no_leak(what, &c.describe());
        let before = srv.hits();
        let e = c.subjects(false).await.unwrap_err();
        assert_eq!(api(&e), (ErrorKind::Unauthorized, 401, 401), "{what}: {e}");
        assert_eq!(srv.hits() - before, 1, "{what}: a 401 is never retried");
        no_leak(what, &e.to_string());
        no_leak(what, &format!("{e:?}"));
        let before = srv.hits();
        let e = c
            .register("s", &SchemaDef::avro(V2), RegisterOptions::default())
            .await
            .unwrap_err();
        assert!(e.is(ErrorKind::Unauthorized), "{what}: {e}");
        assert_eq!(srv.hits() - before, 1, "{what}");
        no_leak(what, &e.to_string());
        no_leak(what, &format!("{e:?}"));
    }
    // Nothing was registered by the refused clients.
    assert_eq!(good.versions("s", false).await.unwrap(), vec![1]);
    srv.stop().await;
}

// ---------------------------------------------------------------------------------------------
// (b) A misbehaving server.
// ---------------------------------------------------------------------------------------------

/// What the fake server does with request number `n` (0-based).
#[derive(Clone)]
enum Reply {
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

fn reply_json(status: u16, body: &str) -> Reply {
    Reply::Http(
        status,
        "application/vnd.schemaregistry.v1+json",
        body.to_string(),
    )
}

fn confluent_error(status: u16, code: i32) -> Reply {
    reply_json(
        status,
        &format!(r#"{{"error_code":{code},"message":"fake error {code}"}}"#),
    )
}

struct Fake {
    url: String,
    /// When each request arrived.
    hits: Arc<Mutex<Vec<Instant>>>,
    task: JoinHandle<()>,
}

impl Fake {
    async fn start(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Fake {
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

    fn count(&self) -> usize {
        self.hits.lock().unwrap().len()
    }

    /// Gaps between consecutive requests.
    fn gaps(&self) -> Vec<Duration> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_is_retried_exactly_max_retries_times() {
    for retries in [0, 1, 3] {
        let fake = Fake::start(|_| confluent_error(500, 50001)).await;
        let e = client(&fake.url, retries)
            .subjects(false)
            .await
            .unwrap_err();
        assert_eq!(api(&e), (ErrorKind::Store, 500, 50001), "{e}");
        assert_eq!(fake.count(), 1 + retries as usize, "{e}");
        if retries > 0 {
            assert!(
                e.to_string().contains(&format!("after {retries} retries")),
                "{e}"
            );
        }
        assert!(e.to_string().contains("GET /subjects"), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_then_success_succeeds_on_the_second_attempt() {
    let fake = Fake::start(|n| match n {
        0 => Reply::Http(503, "text/plain", "try later".into()),
        _ => reply_json(200, r#"["a","b"]"#),
    })
    .await;
    let got = client(&fake.url, 3).subjects(false).await.unwrap();
    assert_eq!(got, vec!["a".to_string(), "b".to_string()]);
    assert_eq!(fake.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_request_timeouts_are_retried() {
    for status in [429, 408, 502, 504] {
        let fake = Fake::start(move |n| match n {
            0 | 1 => confluent_error(status, i32::from(status)),
            _ => reply_json(200, r#"{"id": 7}"#),
        })
        .await;
        let id = client(&fake.url, 3)
            .register("s", &SchemaDef::avro(V1), RegisterOptions::default())
            .await
            .unwrap();
        assert_eq!(id, 7);
        assert_eq!(fake.count(), 3, "HTTP {status}");
    }
    // Retried but still failing: the last answer, typed by its status.
    let fake = Fake::start(|_| confluent_error(429, 429)).await;
    let e = client(&fake.url, 2).subjects(false).await.unwrap_err();
    assert_eq!(api(&e).1, 429, "{e}");
    assert_eq!(fake.count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_errors_are_not_retried() {
    let cases: &[(u16, i32, ErrorKind)] = &[
        (404, 40401, ErrorKind::SubjectNotFound),
        (404, 40402, ErrorKind::VersionNotFound),
        (404, 40403, ErrorKind::SchemaNotFound),
        (409, 409, ErrorKind::Incompatible),
        (409, 40901, ErrorKind::Incompatible),
        (422, 42201, ErrorKind::InvalidSchema),
        (422, 42208, ErrorKind::InvalidSubject),
        (401, 40101, ErrorKind::Unauthorized),
        (403, 40301, ErrorKind::Forbidden),
        (400, 400, ErrorKind::BadRequest),
        (413, 413, ErrorKind::BadRequest),
    ];
    for &(status, code, kind) in cases {
        let fake = Fake::start(move |_| confluent_error(status, code)).await;
        let e = client(&fake.url, 3)
            .register("s", &SchemaDef::avro(V1), RegisterOptions::default())
            .await
            .unwrap_err();
        assert_eq!(api(&e), (kind, status, code), "{e}");
        assert!(e.to_string().contains(&format!("fake error {code}")), "{e}");
        assert!(!e.to_string().contains("retries"), "{e}");
        assert_eq!(
            fake.count(),
            1,
            "HTTP {status} / {code} must not be retried"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hang_past_the_request_timeout_times_out_after_the_retries() {
    let fake = Fake::start(|_| Reply::Hang).await;
    let r = client_with(&fake.url, Auth::None, fast_retry(2), ms(150));
    let start = Instant::now();
    let e = r.subjects(false).await.unwrap_err();
    let took = start.elapsed();
    assert!(matches!(e, RegistryError::TimedOut(_)), "{e:?}");
    assert!(e.is(ErrorKind::Timeout));
    assert!(e.to_string().contains("after 2 retries"), "{e}");
    assert_eq!(fake.count(), 3);
    // 3 × 150 ms plus two short pauses; far below anything like the 30 s default.
    assert!(took >= ms(450), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_is_a_transport_error() {
    let addr: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let r = client(&format!("http://{addr}"), 2);
    let start = Instant::now();
    let e = r.subjects(false).await.unwrap_err();
    assert!(matches!(e, RegistryError::Transport(_)), "{e:?}");
    assert!(e.to_string().contains("after 2 retries"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(3));
    let e = r
        .register("s", &SchemaDef::avro(V1), RegisterOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Transport(_)), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_or_truncated_answer_is_a_transport_error_and_retried() {
    let fake = Fake::start(|_| Reply::Close).await;
    let e = client(&fake.url, 2).subjects(false).await.unwrap_err();
    assert!(matches!(e, RegistryError::Transport(_)), "{e:?}");
    assert_eq!(fake.count(), 3);

    let fake = Fake::start(|n| match n {
        0 => Reply::Truncated(200, 100, r#"["a","#.into()),
        _ => reply_json(200, r#"["a","b"]"#),
    })
    .await;
    let got = client(&fake.url, 2).subjects(false).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(fake.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_answer_is_cut_off_not_buffered() {
    use sc_events_registry::http::MAX_ANSWER_BYTES;
    for chunked in [false, true] {
        let fake = Fake::start(move |_| Reply::Endless { chunked }).await;
        let r = client_with(&fake.url, Auth::None, fast_retry(3), ms(20_000));
        let start = Instant::now();
        let e = r.subjects(false).await.unwrap_err();
        assert!(
            matches!(e, RegistryError::Malformed(_)),
            "chunked={chunked}: {e:?}"
        );
        assert!(
            e.to_string()
                .contains(&format!("larger than {} MiB", MAX_ANSWER_BYTES >> 20)),
            "{e}"
        );
        // Cut off at the limit, long before the request timeout; and not retried.
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(fake.count(), 1, "chunked={chunked}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_success_answer_is_malformed_and_not_retried() {
    type Call = fn(&HttpRegistry) -> futures_like::BoxFut<'_>;
    let cases: Vec<(&str, &str, Call)> = vec![
        ("not json", "subjects", |r| {
            Box::pin(async move { r.subjects(false).await.map(drop) })
        }),
        (r#"{"a":1}"#, "subjects", |r| {
            Box::pin(async move { r.subjects(false).await.map(drop) })
        }),
        ("[1,2]", "subjects", |r| {
            Box::pin(async move { r.subjects(false).await.map(drop) })
        }),
        ("", "versions", |r| {
            Box::pin(async move { r.versions("s", false).await.map(drop) })
        }),
        (r#"{"version":1}"#, "register", |r| {
            Box::pin(async move {
                r.register("s", &SchemaDef::avro(V1), RegisterOptions::default())
                    .await
                    .map(drop)
            })
        }),
        (r#"{"id":"seven"}"#, "register", |r| {
            Box::pin(async move {
                r.register("s", &SchemaDef::avro(V1), RegisterOptions::default())
                    .await
                    .map(drop)
            })
        }),
        (r#"{"id":99999999999}"#, "register", |r| {
            Box::pin(async move {
                r.register("s", &SchemaDef::avro(V1), RegisterOptions::default())
                    .await
                    .map(drop)
            })
        }),
        (r#"{"subject":"s","version":1}"#, "version", |r| {
            Box::pin(async move { r.version("s", Version::Latest, false).await.map(drop) })
        }),
        (r#"{"compatibilityLevel":"SIDEWAYS"}"#, "config", |r| {
            Box::pin(async move { r.compatibility(None, false).await.map(drop) })
        }),
        (r#"{"mode":5}"#, "mode", |r| {
            Box::pin(async move { r.mode(None, false).await.map(drop) })
        }),
        (r#"[{"subject":1,"version":"x"}]"#, "id_versions", |r| {
            Box::pin(async move { r.id_versions(1).await.map(drop) })
        }),
        (r#"{"is_compatible":"maybe"}"#, "test_compatibility", |r| {
            Box::pin(async move {
                r.test_compatibility("s", &SchemaDef::avro(V1), None)
                    .await
                    .map(drop)
            })
        }),
    ];
    for (body, what, call) in cases {
        let body = body.to_string();
        let fake = Fake::start(move |_| reply_json(200, &body)).await;
        let r = client(&fake.url, 3);
        let e = call(&r).await.unwrap_err();
        assert!(
            matches!(e, RegistryError::Malformed(_)),
            "{what}: expected Malformed, got {e:?}"
        );
        assert_eq!(fake.count(), 1, "{what}: a malformed answer is not retried");
    }
}

/// A boxed future without the `futures` crate.
mod futures_like {
    pub type BoxFut<'a> = std::pin::Pin<
        Box<dyn std::future::Future<Output = sc_events_registry::Result<()>> + Send + 'a>,
    >;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_json_error_page_is_typed_by_its_status() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
    let fake = Fake::start(move |_| Reply::Http(502, "text/html", html.to_string())).await;
    let e = client(&fake.url, 1).subjects(false).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::Other, 502, 502), "{e}");
    assert!(e.to_string().contains("502 Bad Gateway"), "{e}");
    assert!(e.to_string().contains("after 1 retries"), "{e}");
    assert_eq!(fake.count(), 2);

    let page = "x".repeat(100_000);
    let cases: Vec<(u16, ErrorKind)> = vec![
        (404, ErrorKind::NotFound),
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (409, ErrorKind::Incompatible),
        (400, ErrorKind::BadRequest),
    ];
    for (status, kind) in cases {
        let page = page.clone();
        let fake = Fake::start(move |_| Reply::Http(status, "text/html", page.clone())).await;
        let e = client(&fake.url, 3).subjects(false).await.unwrap_err();
        assert_eq!(api(&e), (kind, status, i32::from(status)), "{e}");
        // A huge error page is clipped in the message.
        assert!(e.to_string().len() < 2_000, "{} bytes", e.to_string().len());
        assert_eq!(fake.count(), 1, "HTTP {status}");
    }

    // JSON, but not Confluent's shape: still typed by the status.
    let fake = Fake::start(|_| reply_json(409, r#"{"detail":"conflict"}"#)).await;
    let e = client(&fake.url, 3).subjects(false).await.unwrap_err();
    assert_eq!(api(&e), (ErrorKind::Incompatible, 409, 409), "{e}");
    assert_eq!(fake.count(), 1);
}

#[test]
fn retry_delays_are_exponential_capped_and_jittered() {
    let p = RetryPolicy {
        max_retries: 10,
        initial: ms(100),
        multiplier: 3.0,
        max: ms(2000),
    };
    for n in 0..12u32 {
        let full = (0.1 * 3f64.powi(n as i32)).min(2.0);
        let mut seen = Vec::new();
        for _ in 0..200 {
            let d = p.delay(n).as_secs_f64();
            assert!(
                d >= full * 0.5 - 1e-9 && d <= full + 1e-9,
                "retry {n}: {d} outside [{}, {full}]",
                full * 0.5
            );
            seen.push(d);
        }
        let (lo, hi) = seen
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), d| (lo.min(*d), hi.max(*d)));
        assert!(hi - lo > full * 0.1, "retry {n}: no jitter ({lo}..{hi})");
    }
    // Huge retry numbers neither overflow nor exceed the cap.
    assert!(p.delay(u32::MAX) <= ms(2000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_pauses_grow_between_attempts() {
    let fake = Fake::start(|_| confluent_error(503, 503)).await;
    let policy = RetryPolicy {
        max_retries: 3,
        initial: ms(40),
        multiplier: 2.0,
        max: ms(1000),
    };
    let r = client_with(&fake.url, Auth::None, policy, ms(2000));
    let e = r.subjects(false).await.unwrap_err();
    assert_eq!(api(&e).1, 503);
    let gaps = fake.gaps();
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    // Pause n is in [50%, 100%] of 40 ms × 2^n; the gap adds one request's round trip.
    for (n, gap) in gaps.iter().enumerate() {
        let full = 40.0 * 2f64.powi(n as i32);
        let g = gap.as_secs_f64() * 1000.0;
        assert!(
            g >= full * 0.5 - 1.0,
            "pause {n}: {g} ms < {} ms",
            full * 0.5
        );
        assert!(g <= full + 250.0, "pause {n}: {g} ms ≫ {full} ms");
    }
    // The shortest possible third pause (80 ms) exceeds the longest possible first (40 ms).
    assert!(gaps[2] > gaps[0], "{gaps:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compatibility_groups_and_schema_metadata_go_over_the_wire() {
    let srv = Real::serve(ServeOptions::default()).await;
    let r = client(&srv.url, 0);
    let s = "product-events-value";
    let group = "application.major.version";
    let with_major = |text: &str, major: &str| {
        SchemaDef::avro(text)
            .with_metadata(Some(sc_events_registry::Metadata::property(group, major)))
    };
    assert_eq!(r.compatibility_group(Some(s)).await.unwrap(), None);
    r.set_compatibility_group(Some(s), Some(group))
        .await
        .unwrap();
    assert_eq!(
        r.compatibility_group(Some(s)).await.unwrap().as_deref(),
        Some(group)
    );
    // Setting the group leaves the level alone.
    assert_eq!(
        r.compatibility(Some(s), true).await.unwrap(),
        Compatibility::Backward
    );
    r.register(s, &with_major(V1, "1"), RegisterOptions::default())
        .await
        .unwrap();
    // A new required field breaks BACKWARD within major 1, not as the first of major 2.
    let breaking = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"},{"name":"total","type":"long"}]}"#;
    let e = r
        .register(s, &with_major(breaking, "1"), RegisterOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), sc_events_registry::ErrorKind::Incompatible, "{e}");
    let id = r
        .register(s, &with_major(breaking, "2"), RegisterOptions::default())
        .await
        .unwrap();
    let got = r.version(s, Version::Latest, false).await.unwrap();
    assert_eq!((got.id, got.schema.property(group)), (id, Some("2")));
    r.set_compatibility_group(Some(s), None).await.unwrap();
    assert_eq!(r.compatibility_group(Some(s)).await.unwrap(), None);
}
