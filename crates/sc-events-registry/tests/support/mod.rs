//! Helpers shared by the HTTP client tests: the schemas they register, clients with fast
//! retries, and two servers: ours over an embedded registry (`real`) and a misbehaving one
//! that counts requests (`fake`).
// Each test file uses a part of these helpers.
#![allow(dead_code)]

pub mod fake;
#[cfg(all(feature = "embedded", feature = "server"))]
pub mod real;

use sc_events_registry::http::{Auth, HttpConfig, HttpRegistry, RetryPolicy};
use sc_events_registry::{ErrorKind, RegistryError};
use std::time::Duration;

pub const V1: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"}]}"#;
pub const V2: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;
/// Adds a field without a default: BACKWARD-incompatible with V1 and V2.
pub const BAD: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int"}]}"#;

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Retries after about 10, 20, 40 ms (at most 50 ms), ±20 %.
pub fn fast_retry(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff_ms: 10,
        multiplier: 2.0,
        max_backoff_ms: 50,
        jitter: 0.2,
        jitter_style: Default::default(),
    }
}

pub fn client_with(url: &str, auth: Auth, retry: RetryPolicy, timeout: Duration) -> HttpRegistry {
    let mut cfg = HttpConfig::new(url);
    cfg.auth = auth;
    cfg.retry = retry;
    cfg.connect_timeout = ms(1000);
    cfg.request_timeout = timeout;
    HttpRegistry::new(cfg).unwrap()
}

pub fn client(url: &str, max_retries: u32) -> HttpRegistry {
    client_with(url, Auth::None, fast_retry(max_retries), ms(2000))
}

/// `(kind, status, code)` of an API error; panics on any other error.
pub fn api(e: &RegistryError) -> (ErrorKind, u16, i32) {
    match e {
        RegistryError::Api {
            kind, status, code, ..
        } => (*kind, *status, *code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}
