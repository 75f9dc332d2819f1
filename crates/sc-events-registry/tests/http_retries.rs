//! `HttpRegistry` against a misbehaving server that counts requests: which failures are
//! retried (5xx, 408, 429, transport errors, timeouts) and how often, with which pauses, and
//! how each failure is typed (a malformed, endless or non-JSON answer).
#![cfg(feature = "client")]

mod support;

use sc_events_registry::http::{Auth, HttpRegistry, RetryPolicy};
use sc_events_registry::{ErrorKind, RegisterOptions, Registry, RegistryError, SchemaDef, Version};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use support::fake::{confluent_error, reply_json, Fake, Reply};
use support::*;

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
        initial_backoff_ms: 100,
        multiplier: 3.0,
        max_backoff_ms: 2000,
        jitter: 0.25,
        jitter_style: Default::default(),
    };
    let cap = ms(2000);
    // Retries are numbered from 1: retry n waits d = 100 ms × 3^(n-1) up to the cap, jittered
    // within [d × 0.75, d × 1.25], and never more than the cap.
    for n in 1..=12u32 {
        let d = (0.1 * 3f64.powi(n as i32 - 1)).min(2.0);
        let (lo, hi) = (d * 0.75, (d * 1.25).min(2.0));
        let mut seen = Vec::new();
        for unit in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 1.0] {
            let pause = p.delay(n, unit);
            let s = pause.as_secs_f64();
            assert!(
                s >= lo - 1e-9 && s <= hi + 1e-9,
                "retry {n}, unit {unit}: {s} outside [{lo}, {hi}]"
            );
            assert!(pause <= cap, "retry {n}: {pause:?} over the cap");
            seen.push(s);
        }
        let spread = seen.iter().fold(f64::MIN, |m, s| m.max(*s))
            - seen.iter().fold(f64::MAX, |m, s| m.min(*s));
        assert!(spread > (hi - lo) * 0.8, "retry {n}: no jitter ({seen:?})");
    }
    assert_eq!(p.delay(1, 0.5), ms(100));
    assert_eq!(p.delay(2, 0.5), ms(300));
    // Huge retry numbers neither overflow nor exceed the cap, whatever the draw.
    assert!(p.delay(u32::MAX, 1.0) <= cap);
    assert_eq!(p.delay(u32::MAX, 0.5), cap);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_pauses_grow_between_attempts() {
    let fake = Fake::start(|_| confluent_error(503, 503)).await;
    let policy = RetryPolicy {
        max_retries: 3,
        initial_backoff_ms: 40,
        multiplier: 2.0,
        max_backoff_ms: 1000,
        jitter: 0.2,
        jitter_style: Default::default(),
    };
    let r = client_with(&fake.url, Auth::None, policy, ms(2000));
    let e = r.subjects(false).await.unwrap_err();
    assert_eq!(api(&e).1, 503);
    let gaps = fake.gaps();
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    // The pause before retry n (1-based) is 40 ms × 2^(n-1) ± 20 %; the gap adds one
    // request's round trip.
    for (i, gap) in gaps.iter().enumerate() {
        let full = 40.0 * 2f64.powi(i as i32);
        let g = gap.as_secs_f64() * 1000.0;
        assert!(
            g >= full * 0.8 - 1.0,
            "pause {}: {g} ms < {} ms",
            i + 1,
            full * 0.8
        );
        assert!(
            g <= full * 1.2 + 250.0,
            "pause {}: {g} ms ≫ {full} ms",
            i + 1
        );
    }
    // The shortest possible third pause (128 ms) exceeds the longest possible first (48 ms).
    assert!(gaps[2] > gaps[0], "{gaps:?}");
}
