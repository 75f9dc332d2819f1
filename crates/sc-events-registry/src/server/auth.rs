//! Basic auth over every route: a request passes only with one of the configured
//! `user:secret` pairs, compared in constant time; otherwise Confluent's 401 with a
//! `WWW-Authenticate` challenge.

use super::errors::answer;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use serde_json::json;
use std::sync::Arc;

/// The accepted `user:secret` pairs; empty means no auth.
pub(super) type Users = Arc<Vec<String>>;

/// Compares without an early exit, so timing does not tell how much of a secret matched.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The middleware: passes the request on, or answers 401.
pub(super) async fn basic(
    State(users): State<Users>,
    headers: HeaderMap,
    req: Request,
    next: Next,
) -> Response {
    if users.is_empty() {
        return next.run(req).await;
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .ok()
        });
    let allowed = given.is_some_and(|g| users.iter().any(|u| same(u.as_bytes(), &g)));
    if allowed {
        return next.run(req).await;
    }
    let mut r = answer(
        StatusCode::UNAUTHORIZED,
        json!({"error_code": 401, "message": "Unauthorized"}),
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"schema-registry\""),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn same_compares_whole_secrets() {
        assert!(same(b"alice:secret", b"alice:secret"));
        assert!(!same(b"alice:secret", b"alice:secreT"));
        assert!(!same(b"alice:secret", b"alice:secret2"));
        assert!(!same(b"", b"x"));
    }
}
