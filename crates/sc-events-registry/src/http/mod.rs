//! A Confluent Schema Registry over HTTP (reqwest with rustls): the client's configuration and
//! how it is built.
//!
//! Basic auth (`user:secret`, as Confluent's clients take it from
//! `SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO`, or in the URL) or a bearer token; an optional CA
//! bundle; connect and request timeouts; retries with exponential backoff and jitter
//! ([`RetryPolicy`]) on 5xx, 408, 429, connection errors and timeouts only (never on another
//! 4xx). Confluent's error bodies become typed [`RegistryError`]s; answers are read up to
//! [`MAX_ANSWER_BYTES`]. Credentials never appear in messages: the URL is kept without its user
//! info and auth headers are marked sensitive.
//!
//! The requests themselves (retries, error mapping) are in `transport`; the Confluent calls,
//! one per [`Registry`](crate::Registry) method, in `calls`.

mod calls;
mod keys;
mod transport;

use crate::error::{RegistryError, Result};
use reqwest::header;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The retry policy of the client, shared with the engine's consuming jobs; the defaults are
/// the platform's: 3 retries, ×2 from 1 s, at most 30 s, ±20 % jitter.
pub use sc_events_schema::RetryPolicy;

/// The most bytes of an answer read: far above any registry answer, far below what would
/// exhaust memory when a broken server sends an endless body.
pub const MAX_ANSWER_BYTES: usize = 64 << 20;

/// A credential that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How requests authenticate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    #[default]
    None,
    /// HTTP basic auth; `user_info` is `user:secret`.
    Basic(Secret),
    Bearer(Secret),
}

/// Where and how to reach a registry.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub url: String,
    pub auth: Auth,
    /// PEM file of CA certificates to trust besides the built-in roots.
    pub ca_bundle: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

impl HttpConfig {
    pub fn new(url: impl Into<String>) -> Self {
        HttpConfig {
            url: url.into(),
            auth: Auth::None,
            ca_bundle: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

/// A Confluent Schema Registry client.
#[derive(Clone)]
pub struct HttpRegistry {
    client: reqwest::Client,
    /// Base URL without user info or trailing slash.
    base: reqwest::Url,
    auth: Option<header::HeaderValue>,
    retry: RetryPolicy,
}

impl fmt::Debug for HttpRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRegistry")
            .field("url", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

fn config(m: impl Into<String>) -> RegistryError {
    RegistryError::Config(m.into())
}

impl HttpRegistry {
    pub fn new(cfg: HttpConfig) -> Result<Self> {
        let mut url = reqwest::Url::parse(&cfg.url)
            .map_err(|e| config(format!("invalid registry URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(config(format!(
                "registry URL must be http or https, not {}",
                url.scheme()
            )));
        }
        let mut auth = cfg.auth.clone();
        if !url.username().is_empty() {
            let user = percent_decode(url.username());
            let pass = url.password().map(percent_decode).unwrap_or_default();
            if auth == Auth::None {
                auth = Auth::Basic(Secret::new(format!("{user}:{pass}")));
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        let path = url.path().trim_end_matches('/').to_string();
        url.set_path(&path);
        url.set_query(None);
        let auth = match auth {
            Auth::None => None,
            Auth::Basic(s) => {
                if !s.expose().contains(':') {
                    return Err(config(
                        "basic auth user info must be user:secret (SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO)",
                    ));
                }
                use base64::Engine;
                let token = base64::engine::general_purpose::STANDARD.encode(s.expose());
                Some(sensitive(&format!("Basic {token}"))?)
            }
            Auth::Bearer(s) => Some(sensitive(&format!("Bearer {}", s.expose()))?),
        };
        let mut builder = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .user_agent(concat!("sc-events/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &cfg.ca_bundle {
            let pem = std::fs::read(path)
                .map_err(|e| config(format!("cannot read CA bundle {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| config(format!("CA bundle {} is not PEM: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(config(format!(
                    "CA bundle {} holds no PEM certificate",
                    path.display()
                )));
            }
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        let client = builder
            .build()
            .map_err(|e| config(format!("cannot build the HTTP client: {}", e.without_url())))?;
        Ok(HttpRegistry {
            client,
            base: url,
            auth,
            retry: cfg.retry,
        })
    }
}

fn sensitive(v: &str) -> Result<header::HeaderValue> {
    let mut h = header::HeaderValue::from_str(v)
        .map_err(|_| config("credentials contain characters not allowed in a header"))?;
    h.set_sensitive(true);
    Ok(h)
}

/// A user or password from a URL, percent-decoded (invalid escapes are kept as written).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}
