//! One Confluent call on the wire: the URL from path segments, the request with its headers
//! (auth, content type), the retries with backoff, the answer read within its limit, and a
//! failed answer mapped to a typed [`RegistryError`].

use super::{HttpRegistry, RetryPolicy, MAX_ANSWER_BYTES};
use crate::error::{clip, ErrorKind, RegistryError, Result};
use reqwest::{header, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;

/// The pause before retry `retry` (1-based): the policy's delay with a fresh jitter draw.
fn pause(policy: &RetryPolicy, retry: u32) -> Duration {
    policy.delay(retry, fastrand::f64())
}

impl HttpRegistry {
    /// The URL for path segments (each percent-encoded, `/` included) and a query.
    pub(super) fn url(&self, segments: &[&str], query: &[(&str, String)]) -> reqwest::Url {
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
    pub(super) async fn call<T: DeserializeOwned>(
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
        let mut retries = 0;
        loop {
            let outcome = self.attempt(method.clone(), url.clone(), body).await;
            let retry = match &outcome {
                Ok(_) => false,
                Err(Failure::Status(status, _)) => retryable(*status),
                Err(Failure::Transport(_) | Failure::Timeout(_)) => true,
                Err(Failure::Final(_) | Failure::TooLarge) => false,
            };
            if !retry || retries >= self.retry.max_retries {
                return match outcome {
                    Ok(text) => serde_json::from_str(&text).map_err(|e| {
                        RegistryError::Malformed(format!("{what}: {e}: {}", clip(&text)))
                    }),
                    Err(f) => Err(f.into_error(&what, retries)),
                };
            }
            // `retries` retries are done; the next one is retry `retries + 1` (1-based).
            tokio::time::sleep(pause(&self.retry, retries + 1)).await;
            retries += 1;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HttpConfig;
    use crate::Registry;

    #[test]
    fn backoff_grows_jitters_within_bounds_and_never_passes_the_cap() {
        let p = RetryPolicy::default();
        let cap = Duration::from_millis(p.max_backoff_ms);
        for retry in 1..=12 {
            let d = p.base_delay(retry).as_secs_f64();
            let (lo, hi) = (d * (1.0 - p.jitter), d * (1.0 + p.jitter));
            let mut seen = Vec::new();
            for _ in 0..200 {
                let pause = pause(&p, retry);
                let s = pause.as_secs_f64();
                assert!(
                    s >= lo - 1e-9 && s <= hi + 1e-9,
                    "retry {retry}: {s} outside [{lo}, {hi}]"
                );
                assert!(pause <= cap, "retry {retry}: {pause:?} over the cap");
                seen.push(s);
            }
            let spread = seen.iter().fold(f64::MIN, |m, s| m.max(*s))
                - seen.iter().fold(f64::MAX, |m, s| m.min(*s));
            assert!(spread > 0.0, "retry {retry}: no jitter");
        }
        // The first retry waits about `initial_backoff_ms`, the second twice that.
        assert_eq!(p.base_delay(1), Duration::from_millis(1000));
        assert_eq!(p.base_delay(2), Duration::from_millis(2000));
        assert!(pause(&p, u32::MAX) <= cap);
    }

    #[test]
    fn user_info_in_the_url_becomes_basic_auth_and_leaves_the_url() {
        let r =
            HttpRegistry::new(HttpConfig::new("http://alice:s3cr%40t@127.0.0.1:1/base/")).unwrap();
        assert!(!r.describe().contains("s3cr"));
        assert!(!format!("{r:?}").contains("s3cr"));
        let auth = r.auth.as_ref().map(|h| h.as_bytes().to_vec());
        // base64("alice:s3cr@t"): the password is percent-decoded.
        assert_eq!(auth.as_deref(), Some(&b"Basic YWxpY2U6czNjckB0"[..]));
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
