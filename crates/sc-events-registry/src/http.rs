//! A Confluent Schema Registry over HTTP (reqwest with rustls).
//!
//! Basic auth (`user:secret`, as Confluent's clients take it from
//! `SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO`, or in the URL) or a bearer token; an optional CA
//! bundle; connect and request timeouts; retries with exponential backoff and jitter on 5xx,
//! 408, 429, connection errors and timeouts only (never on another 4xx). Confluent's error
//! bodies become typed [`RegistryError`]s; answers are read up to [`MAX_ANSWER_BYTES`].
//! Credentials never appear in messages: the URL is kept without its user info and auth
//! headers are marked sensitive.

use crate::error::{clip, ErrorKind, RegistryError, Result};
use crate::types::*;
use crate::Registry;
use async_trait::async_trait;
use reqwest::{header, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

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

/// Retry policy; the defaults are the platform's: 3 retries, ×2 from 1 s, at most 30 s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub initial: Duration,
    pub multiplier: f64,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry `n` (0-based): exponential, capped, with jitter in [50%, 100%].
    pub fn delay(&self, n: u32) -> Duration {
        let base = self.initial.as_secs_f64() * self.multiplier.powi(n.min(64) as i32);
        let capped = base.min(self.max.as_secs_f64());
        Duration::from_secs_f64(capped * (0.5 + fastrand::f64() * 0.5))
    }
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

    /// The URL for path segments (each percent-encoded, `/` included) and a query.
    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> reqwest::Url {
        let mut url = self.base.clone();
        if let Ok(mut p) = url.path_segments_mut() {
            p.pop_if_empty();
            p.extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }

    /// One call, retried as the policy says; the JSON answer or a typed error.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<T> {
        // URL libraries drop `.` and `..` segments (reqwest's `Url` does), which would send
        // the request to another route; such a subject cannot be addressed over HTTP.
        if let Some(s) = segments.iter().find(|s| matches!(**s, "." | "..")) {
            return Err(RegistryError::api(
                ErrorKind::InvalidSubject,
                format!("the subject '{s}' cannot be sent in a URL path"),
            ));
        }
        let url = self.url(segments, query);
        let what = format!("{method} {}", url.path());
        let mut attempt = 0;
        loop {
            let outcome = self.attempt(method.clone(), url.clone(), body).await;
            let retry = match &outcome {
                Ok(_) => false,
                Err(Failure::Status(status, _)) => retryable(*status),
                Err(Failure::Transport(_) | Failure::Timeout(_)) => true,
                Err(Failure::Final(_) | Failure::TooLarge) => false,
            };
            if !retry || attempt >= self.retry.max_retries {
                return match outcome {
                    Ok(text) => serde_json::from_str(&text).map_err(|e| {
                        RegistryError::Malformed(format!("{what}: {e}: {}", clip(&text)))
                    }),
                    Err(f) => Err(f.into_error(&what, attempt)),
                };
            }
            tokio::time::sleep(self.retry.delay(attempt)).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        method: Method,
        url: reqwest::Url,
        body: Option<&Value>,
    ) -> std::result::Result<String, Failure> {
        let mut req = self.client.request(method, url).header(
            header::ACCEPT,
            "application/vnd.schemaregistry.v1+json, application/json",
        );
        if let Some(a) = &self.auth {
            req = req.header(header::AUTHORIZATION, a.clone());
        }
        if let Some(b) = body {
            req = req
                .header(
                    header::CONTENT_TYPE,
                    "application/vnd.schemaregistry.v1+json",
                )
                .body(b.to_string());
        }
        let resp = req.send().await.map_err(Failure::from_reqwest)?;
        let status = resp.status();
        let text = read_answer(resp).await?;
        if status.is_success() {
            return Ok(text);
        }
        Err(Failure::Status(status, text))
    }
}

/// The most bytes of an answer read: far above any registry answer, far below what would
/// exhaust memory when a broken server sends an endless body.
pub const MAX_ANSWER_BYTES: usize = 64 << 20;

/// The answer's body as text, at most [`MAX_ANSWER_BYTES`].
async fn read_answer(mut resp: reqwest::Response) -> std::result::Result<String, Failure> {
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(Failure::from_reqwest)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn sensitive(v: &str) -> Result<header::HeaderValue> {
    let mut h = header::HeaderValue::from_str(v)
        .map_err(|_| config("credentials contain characters not allowed in a header"))?;
    h.set_sensitive(true);
    Ok(h)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn retryable(s: StatusCode) -> bool {
    s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT || s == StatusCode::TOO_MANY_REQUESTS
}

/// One attempt's failure.
enum Failure {
    Status(StatusCode, String),
    Transport(String),
    Timeout(String),
    Final(String),
    /// An answer over [`MAX_ANSWER_BYTES`].
    TooLarge,
}

impl Failure {
    fn from_reqwest(e: reqwest::Error) -> Self {
        let (timeout, transport) = (
            e.is_timeout(),
            // A body cut off mid-answer is a decode error in reqwest: a connection failure too.
            e.is_connect() || e.is_request() || e.is_body() || e.is_decode(),
        );
        let m = error_chain(&e.without_url());
        if timeout {
            Failure::Timeout(m)
        } else if transport {
            Failure::Transport(m)
        } else {
            Failure::Final(m)
        }
    }

    fn into_error(self, what: &str, retries: u32) -> RegistryError {
        let after = if retries > 0 {
            format!(" (after {retries} retries)")
        } else {
            String::new()
        };
        match self {
            Failure::Status(status, text) => {
                let v: Option<Value> = serde_json::from_str(&text).ok();
                let code = v
                    .as_ref()
                    .and_then(|v| v.get("error_code"))
                    .and_then(Value::as_i64)
                    .and_then(|c| i32::try_from(c).ok())
                    .unwrap_or(i32::from(status.as_u16()));
                let message = v
                    .as_ref()
                    .and_then(|v| v.get("message"))
                    .and_then(Value::as_str)
                    .map_or_else(|| clip(&text), |m| m.to_string());
                RegistryError::from_answer(
                    status.as_u16(),
                    code,
                    format!("{what}: {message}{after}"),
                )
            }
            Failure::Transport(m) | Failure::Final(m) => {
                RegistryError::Transport(format!("{what}: {m}{after}"))
            }
            Failure::Timeout(m) => RegistryError::TimedOut(format!("{what}: {m}{after}")),
            Failure::TooLarge => RegistryError::Malformed(format!(
                "{what}: the answer is larger than {} MiB",
                MAX_ANSWER_BYTES >> 20
            )),
        }
    }
}

/// An error and its sources on one line (reqwest's top-level message alone says little).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn flag(name: &'static str, on: bool) -> Vec<(&'static str, String)> {
    if on {
        vec![(name, "true".to_string())]
    } else {
        Vec::new()
    }
}

fn schema_body(def: &SchemaDef) -> Value {
    let mut v = json!({"schema": def.schema});
    if def.schema_type != "AVRO" {
        v["schemaType"] = json!(def.schema_type);
    }
    if !def.references.is_empty() {
        v["references"] = json!(def.references);
    }
    if let Some(m) = &def.metadata {
        v["metadata"] = json!(m);
    }
    v
}

fn level(v: &Value, key: &str) -> Result<Compatibility> {
    let s = v.get(key).and_then(Value::as_str).unwrap_or_default();
    s.parse()
        .map_err(|_| RegistryError::Malformed(format!("unknown compatibility level '{}'", clip(s))))
}

fn mode_of(v: &Value) -> Result<RegistryMode> {
    let s = v.get("mode").and_then(Value::as_str).unwrap_or_default();
    s.parse().map_err(RegistryError::Malformed)
}

#[async_trait]
impl Registry for HttpRegistry {
    fn describe(&self) -> String {
        self.base.to_string()
    }

    async fn subjects(&self, deleted: bool) -> Result<Vec<String>> {
        self.call(Method::GET, &["subjects"], &flag("deleted", deleted), None)
            .await
    }

    async fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<i32>> {
        let q = flag("deleted", deleted);
        self.call(Method::GET, &["subjects", subject, "versions"], &q, None)
            .await
    }

    async fn version(&self, subject: &str, version: Version, deleted: bool) -> Result<Registered> {
        let v = version.to_string();
        let q = flag("deleted", deleted);
        self.call(
            Method::GET,
            &["subjects", subject, "versions", &v],
            &q,
            None,
        )
        .await
    }

    async fn schema_by_id(&self, id: i32, subject: Option<&str>) -> Result<SchemaDef> {
        let q: Vec<(&str, String)> = subject
            .map(|s| ("subject", s.to_string()))
            .into_iter()
            .collect();
        self.call(Method::GET, &["schemas", "ids", &id.to_string()], &q, None)
            .await
    }

    async fn id_versions(&self, id: i32) -> Result<Vec<(String, i32)>> {
        let v: Vec<Value> = self
            .call(
                Method::GET,
                &["schemas", "ids", &id.to_string(), "versions"],
                &[],
                None,
            )
            .await?;
        v.iter()
            .map(|e| {
                let s = e.get("subject").and_then(Value::as_str);
                let n = e
                    .get("version")
                    .and_then(Value::as_i64)
                    .and_then(|n| i32::try_from(n).ok());
                match (s, n) {
                    (Some(s), Some(n)) => Ok((s.to_string(), n)),
                    _ => Err(RegistryError::Malformed(format!("bad subject-version {e}"))),
                }
            })
            .collect()
    }

    async fn lookup(
        &self,
        subject: &str,
        schema: &SchemaDef,
        normalize: bool,
        deleted: bool,
    ) -> Result<Registered> {
        let mut q = flag("normalize", normalize);
        q.extend(flag("deleted", deleted));
        self.call(
            Method::POST,
            &["subjects", subject],
            &q,
            Some(&schema_body(schema)),
        )
        .await
    }

    async fn register(
        &self,
        subject: &str,
        schema: &SchemaDef,
        opts: RegisterOptions,
    ) -> Result<i32> {
        let mut body = schema_body(schema);
        if let Some(id) = opts.id {
            body["id"] = json!(id);
        }
        if let Some(v) = opts.version {
            body["version"] = json!(v);
        }
        let q = flag("normalize", opts.normalize);
        let v: Value = self
            .call(
                Method::POST,
                &["subjects", subject, "versions"],
                &q,
                Some(&body),
            )
            .await?;
        v.get("id")
            .and_then(Value::as_i64)
            .and_then(|id| i32::try_from(id).ok())
            .ok_or_else(|| {
                RegistryError::Malformed(format!("register answered {}", clip(&v.to_string())))
            })
    }

    async fn test_compatibility(
        &self,
        subject: &str,
        schema: &SchemaDef,
        version: Option<Version>,
    ) -> Result<CompatibilityResult> {
        let v = version.map(|v| v.to_string());
        let mut segs = vec!["compatibility", "subjects", subject, "versions"];
        if let Some(v) = &v {
            segs.push(v);
        }
        let q = flag("verbose", true);
        self.call(Method::POST, &segs, &q, Some(&schema_body(schema)))
            .await
    }

    async fn referenced_by(&self, subject: &str, version: Version) -> Result<Vec<i32>> {
        let v = version.to_string();
        self.call(
            Method::GET,
            &["subjects", subject, "versions", &v, "referencedby"],
            &[],
            None,
        )
        .await
    }

    async fn compatibility(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Compatibility> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let q = flag("defaultToGlobal", default_to_global && subject.is_some());
        let v: Value = self.call(Method::GET, &segs, &q, None).await?;
        level(&v, "compatibilityLevel")
    }

    async fn set_compatibility(&self, subject: Option<&str>, level: Compatibility) -> Result<()> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let body = json!({"compatibility": level.as_str()});
        let _: Value = self.call(Method::PUT, &segs, &[], Some(&body)).await?;
        Ok(())
    }

    async fn compatibility_group(&self, subject: Option<&str>) -> Result<Option<String>> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let q = flag("defaultToGlobal", subject.is_some());
        let v: Value = self.call(Method::GET, &segs, &q, None).await?;
        Ok(v.get("compatibilityGroup")
            .and_then(Value::as_str)
            .filter(|g| !g.is_empty())
            .map(str::to_string))
    }

    async fn set_compatibility_group(
        &self,
        subject: Option<&str>,
        property: Option<&str>,
    ) -> Result<()> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let body = json!({"compatibilityGroup": property.unwrap_or("")});
        let _: Value = self.call(Method::PUT, &segs, &[], Some(&body)).await?;
        Ok(())
    }

    async fn delete_compatibility(&self, subject: Option<&str>) -> Result<Compatibility> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let v: Value = self.call(Method::DELETE, &segs, &[], None).await?;
        level(&v, "compatibilityLevel").or_else(|_| level(&v, "compatibility"))
    }

    async fn mode(&self, subject: Option<&str>, default_to_global: bool) -> Result<RegistryMode> {
        let segs: Vec<&str> = std::iter::once("mode").chain(subject).collect();
        let q = flag("defaultToGlobal", default_to_global && subject.is_some());
        let v: Value = self.call(Method::GET, &segs, &q, None).await?;
        mode_of(&v)
    }

    async fn set_mode(&self, subject: Option<&str>, mode: RegistryMode, force: bool) -> Result<()> {
        let segs: Vec<&str> = std::iter::once("mode").chain(subject).collect();
        let body = json!({"mode": mode.as_str()});
        let _: Value = self
            .call(Method::PUT, &segs, &flag("force", force), Some(&body))
            .await?;
        Ok(())
    }

    async fn delete_mode(&self, subject: Option<&str>) -> Result<RegistryMode> {
        let segs: Vec<&str> = std::iter::once("mode").chain(subject).collect();
        let v: Value = self.call(Method::DELETE, &segs, &[], None).await?;
        mode_of(&v)
    }

    async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>> {
        let q = flag("permanent", permanent);
        self.call(Method::DELETE, &["subjects", subject], &q, None)
            .await
    }

    async fn delete_version(
        &self,
        subject: &str,
        version: Version,
        permanent: bool,
    ) -> Result<i32> {
        let v = version.to_string();
        let q = flag("permanent", permanent);
        self.call(
            Method::DELETE,
            &["subjects", subject, "versions", &v],
            &q,
            None,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let p = RetryPolicy::default();
        for n in 0..10 {
            let d = p.delay(n).as_secs_f64();
            let full = (2f64.powi(n as i32)).min(30.0);
            assert!(d >= full * 0.5 && d <= full, "retry {n}: {d}");
        }
    }

    #[test]
    fn user_info_in_the_url_becomes_basic_auth_and_leaves_the_url() {
        let r =
            HttpRegistry::new(HttpConfig::new("http://alice:s3cr%40t@127.0.0.1:1/base/")).unwrap();
        assert!(!r.describe().contains("s3cr"));
        assert!(!format!("{r:?}").contains("s3cr"));
        assert!(r.auth.is_some());
        let u = r.url(&["subjects", "a/b c", "versions"], &[]);
        assert_eq!(u.path(), "/base/subjects/a%2Fb%20c/versions");
    }

    #[test]
    fn only_5xx_408_429_are_retried() {
        assert!(retryable(StatusCode::SERVICE_UNAVAILABLE));
        assert!(retryable(StatusCode::REQUEST_TIMEOUT));
        assert!(retryable(StatusCode::TOO_MANY_REQUESTS));
        assert!(!retryable(StatusCode::UNAUTHORIZED));
        assert!(!retryable(StatusCode::CONFLICT));
        assert!(!retryable(StatusCode::NOT_FOUND));
    }
}
