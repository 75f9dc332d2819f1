//! The gate and the registry at realistic sizes: `schemactl check` of the whole workspace
//! against an embedded registry holding 50 versions per subject (BACKWARD_TRANSITIVE, so every
//! version is read, resolved and checked), cold (every registered text parsed, as one
//! `schemactl check` process does) and warm (the parses kept, as in a long-lived process), and schema lookups per second through
//! `registry serve` (Confluent's REST API over loopback) next to the same lookup in-process:
//! from one client through `HttpRegistry`, and from eight keep-alive connections at once
//! sending prepared requests (what `wrk -c8` does), the load beside the server on the same cores.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::http::{HttpConfig, HttpRegistry};
use sc_events_registry::parsed_cache;
use sc_events_registry::server::{serve, ServeOptions};
use sc_events_registry::subjects::{subjects, SubjectSchema};
use sc_events_registry::{Compatibility, RegisterOptions, Registry};
use schemactl::config::Settings;
use schemactl::gate;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const VERSIONS: i32 = 50;

/// The allocator the `schemactl` binary runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The subject's text with one more optional top-level field: an older, compatible version.
fn variant(s: &SubjectSchema, k: i32) -> String {
    let at = s.text.find("\"fields\"").expect("a record");
    let open = at + s.text[at..].find('[').expect("a field list") + 1;
    format!(
        "{}{{\"name\": \"bench_extra_{k}\", \"type\": [\"null\", \"string\"], \"default\": null}},{}",
        &s.text[..open],
        &s.text[open..]
    )
}

fn populated(rt: &tokio::runtime::Runtime, path: &std::path::Path) -> EmbeddedRegistry {
    let catalog = sc_events::workspace::load_workspace::<sc_events::Workspace>().expect("catalog");
    let reg = EmbeddedRegistry::open(path).expect("registry");
    rt.block_on(async {
        reg.set_compatibility(None, Compatibility::None)
            .await
            .unwrap();
        for s in subjects(&catalog, &Settings::default().naming()) {
            let refs = vec![VERSIONS; s.references.len()];
            for k in 1..VERSIONS {
                let mut def = s.def(&refs);
                def.schema = variant(&s, k);
                reg.register(&s.subject, &def, RegisterOptions::default())
                    .await
                    .unwrap();
            }
            reg.register(&s.subject, &s.def(&refs), RegisterOptions::default())
                .await
                .unwrap();
        }
        reg.set_compatibility(None, Compatibility::BackwardTransitive)
            .await
            .unwrap();
    });
    reg
}

/// Concurrent keep-alive connections of the through-serve load rows.
const CLIENTS: u64 = 8;

/// One prepared HTTP/1.1 request, as a load generator sends it.
fn request(method: &str, path: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends `req` `n` times on one connection, reading each whole response (status 200 asserted).
async fn send_all(addr: std::net::SocketAddr, req: Arc<Vec<u8>>, n: u64) {
    let mut conn = TcpStream::connect(addr).await.expect("connect");
    conn.set_nodelay(true).expect("nodelay");
    let mut buf = Vec::with_capacity(64 * 1024);
    for _ in 0..n {
        conn.write_all(&req).await.expect("send");
        buf.clear();
        let (head, body_len) = loop {
            let mut chunk = [0u8; 16 * 1024];
            let got = conn.read(&mut chunk).await.expect("read");
            assert!(got > 0, "the server closed the connection");
            buf.extend_from_slice(&chunk[..got]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buf[..end])
                    .expect("head")
                    .to_ascii_lowercase();
                assert!(head.starts_with("http/1.1 200"), "{head}");
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .expect("content-length");
                break (end + 4, len);
            }
        };
        while buf.len() < head + body_len {
            let mut chunk = [0u8; 16 * 1024];
            let got = conn.read(&mut chunk).await.expect("read");
            assert!(got > 0, "the server closed the connection");
            buf.extend_from_slice(&chunk[..got]);
        }
    }
}

/// `iters` requests spread over [`CLIENTS`] connections; the time until the last answer.
fn load(
    rt: &tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
    req: &Arc<Vec<u8>>,
    iters: u64,
) -> Duration {
    rt.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let n = iters / CLIENTS + u64::from(i < iters % CLIENTS);
                tokio::spawn(send_all(addr, req.clone(), n))
            })
            .collect();
        for t in tasks {
            t.await.expect("client");
        }
        start.elapsed()
    })
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = populated(&rt, &dir.path().join("registry.db"));
    let catalog = sc_events::workspace::load_workspace::<sc_events::Workspace>().expect("catalog");
    let ws = Settings::default();

    let mut g = c.benchmark_group("gate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(8 * VERSIONS as u64));
    let check = || {
        let report = rt.block_on(gate::run(&ws, &catalog, &reg, false)).unwrap();
        assert!(report.compatible);
    };
    // Cold: every registered text parsed, as one `schemactl check` process does.
    parsed_cache::keep(false);
    // `SC_BENCH_CHECKS=n`: only n cold checks, then exit; for instruction counts that do
    // not move with the machine's load (`valgrind --tool=callgrind`, n = 2 minus n = 1; the
    // last check's history may still be being freed on its own thread at the exit, the same
    // part of it in both runs).
    if let Some(n) = std::env::var("SC_BENCH_CHECKS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        (0..n).for_each(|_: u32| check());
        std::process::exit(0);
    }
    g.bench_function("check/8_subjects_x_50_versions/embedded", |b| b.iter(check));
    // Warm: the registered versions' parses kept, as a long-lived process (`registry serve`,
    // `schemactl lsp`) has them from its earlier checks.
    parsed_cache::keep(true);
    g.bench_function("check/8_subjects_x_50_versions/embedded_warm", |b| {
        b.iter(check)
    });
    parsed_cache::keep(false);
    g.finish();

    let order = subjects(&catalog, &ws.naming())
        .into_iter()
        .find(|s| s.subject == "sc.domain.order-value")
        .expect("order subject");
    let def = order.def(&[VERSIONS]);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let url = format!("http://{addr}");
    let shared: Arc<dyn Registry> = Arc::new(reg.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(serve(listener, shared, ServeOptions::default(), async {
        let _ = stopped.await;
    }));
    let client = HttpRegistry::new(HttpConfig::new(url)).expect("client");

    let mut g = c.benchmark_group("registry");
    g.throughput(Throughput::Elements(1));
    g.bench_function("json_parse/order", |b| {
        b.iter(|| sc_events_schema::json::parse(&def.schema).unwrap())
    });
    g.bench_function("canonical/order", |b| {
        let n = sc_events_schema::json::parse(&def.schema).unwrap();
        b.iter(|| sc_events_registry::canonical::canonical(&n))
    });
    g.bench_function("lookup/order/embedded", |b| {
        b.iter(|| {
            rt.block_on(reg.lookup("sc.domain.order-value", &def, false, false))
                .unwrap()
        })
    });
    g.bench_function("lookup/order/registry_serve_http", |b| {
        b.iter(|| {
            rt.block_on(client.lookup("sc.domain.order-value", &def, false, false))
                .unwrap()
        })
    });
    g.bench_function("version/order_latest/registry_serve_http", |b| {
        b.iter(|| {
            rt.block_on(client.version(
                "sc.domain.order-value",
                sc_events_registry::Version::Latest,
                false,
            ))
            .unwrap()
        })
    });
    let lookup = serde_json::to_string(&def).expect("json");
    let id = rt
        .block_on(reg.lookup("sc.domain.order-value", &def, false, false))
        .unwrap()
        .id;
    let rows = [
        (
            "lookup/order/registry_serve_8_connections",
            request("POST", "/subjects/sc.domain.order-value", &lookup),
        ),
        (
            "schema_by_id/order/registry_serve_8_connections",
            request("GET", &format!("/schemas/ids/{id}"), ""),
        ),
        (
            "version/order_latest/registry_serve_8_connections",
            request("GET", "/subjects/sc.domain.order-value/versions/latest", ""),
        ),
    ];
    for (id, req) in rows {
        let req = Arc::new(req);
        g.bench_function(id, |b| b.iter_custom(|iters| load(&rt, addr, &req, iters)));
    }
    g.finish();
    let _ = stop.send(());
    let _ = rt.block_on(server);
}

criterion_group!(benches, bench);
criterion_main!(benches);
