//! What a browser on another origin could make the server do, refused: a write whose body
//! is not JSON (415, as Confluent answers: a cross-origin `text/plain` POST needs no CORS
//! preflight, so without this check any web page could register a schema), and a request
//! whose `Host` is not one of the names the server answers to (DNS rebinding: an attacker's
//! name resolved to 127.0.0.1 reaches a loopback server from a browser).

use super::errors::answer;
use crate::error::clip;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;
use std::sync::Arc;

/// The media types a write may carry (Confluent's).
pub const JSON_TYPES: [&str; 3] = [
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
];

/// Whether a `Content-Type` value names a JSON type this API reads (parameters such as
/// `charset` aside).
fn is_json(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    JSON_TYPES.iter().any(|t| essence.eq_ignore_ascii_case(t))
}

/// 415 for a POST or PUT whose body is not declared JSON.
pub(super) async fn media_type(req: Request, next: Next) -> Response {
    let writes = matches!(*req.method(), Method::POST | Method::PUT);
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if writes && !declared.is_some_and(is_json) {
        return answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"error_code": 415, "message": format!("HTTP 415 Unsupported Media Type: send the body as {}", JSON_TYPES[0])}),
        );
    }
    next.run(req).await
}

/// The host names (and addresses) the server answers to; empty: any.
pub(super) type Hosts = Arc<Vec<String>>;

/// The host of a `Host` header value, without its port (`[::1]:8081` → `::1`).
fn host_part(value: &str) -> &str {
    let v = value.trim();
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match v.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => v,
    }
}

/// 421 for a request whose `Host` is not served here (a request without one, HTTP/1.0, passes).
pub(super) async fn host(State(hosts): State<Hosts>, req: Request, next: Next) -> Response {
    if hosts.is_empty() {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(header::HOST)
        .map(|v| v.to_str().map(host_part));
    match given {
        None => next.run(req).await,
        Some(Ok(h)) if hosts.iter().any(|a| a.eq_ignore_ascii_case(h)) => next.run(req).await,
        Some(h) => answer(
            StatusCode::MISDIRECTED_REQUEST,
            json!({"error_code": 421, "message": format!(
                "Host '{}' is not served here; start the server with --allowed-host for that name",
                clip(h.unwrap_or("?"))
            )}),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{host_part, is_json};

    #[test]
    fn json_types_and_host_parts() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("Application/VND.schemaregistry.v1+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert_eq!(host_part("localhost:8081"), "localhost");
        assert_eq!(host_part("[::1]:8081"), "::1");
        assert_eq!(host_part("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_part("evil.example:80"), "evil.example");
    }
}
