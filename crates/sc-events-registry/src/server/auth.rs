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

/// Reads a list of `user:secret` pairs (comma-separated, spaces around them ignored). Set
/// but unusable is an error, never "no auth": a blank value, an entry without `:`, or one
/// with an empty user or secret. The message names the entry by position, never its text.
pub fn parse_users(value: &str) -> Result<Vec<String>, String> {
    let mut users = Vec::new();
    for (i, entry) in value.split(',').map(str::trim).enumerate() {
        let n = i + 1;
        if entry.is_empty() {
            return Err(format!("entry {n} is empty"));
        }
        match entry.split_once(':') {
            None => return Err(format!("entry {n} is not user:secret (no ':')")),
            Some(("", _)) => return Err(format!("entry {n} has an empty user")),
            Some((_, "")) => return Err(format!("entry {n} has an empty secret")),
            Some(_) => users.push(entry.to_string()),
        }
    }
    Ok(users)
}

/// The credentials of an `Authorization: Basic …` header; the scheme is matched without
/// regard to case (RFC 7617 via RFC 9110).
fn credentials(value: &str) -> Option<Vec<u8>> {
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
}

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
        .and_then(credentials);
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
    use super::{credentials, parse_users, same};

    #[test]
    fn a_set_but_unusable_user_list_is_an_error_that_quotes_no_secret() {
        assert_eq!(
            parse_users(" alice:pw , bob:x").unwrap(),
            ["alice:pw", "bob:x"]
        );
        for (bad, why) in [
            (" ", "entry 1 is empty"),
            (",", "entry 1 is empty"),
            ("alice:pw,", "entry 2 is empty"),
            ("alice", "no ':'"),
            ("alice:", "empty secret"),
            (":", "empty user"),
            (":pw", "empty user"),
        ] {
            let e = parse_users(bad).unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
            assert!(!e.contains("pw"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn the_basic_scheme_is_case_insensitive() {
        for h in ["Basic YTpi", "basic YTpi", "BASIC  YTpi "] {
            assert_eq!(credentials(h).as_deref(), Some(&b"a:b"[..]), "{h}");
        }
        assert_eq!(credentials("Bearer YTpi"), None);
    }

    #[test]
    fn same_compares_whole_secrets() {
        assert!(same(b"alice:secret", b"alice:secret"));
        assert!(!same(b"alice:secret", b"alice:secreT"));
        assert!(!same(b"alice:secret", b"alice:secret2"));
        assert!(!same(b"", b"x"));
    }
}
