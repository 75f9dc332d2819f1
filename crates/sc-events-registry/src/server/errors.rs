//! Confluent's error bodies for every refusal the server makes: a registry error, a request
//! body that cannot be read, an unknown route or method, and axum's own plain-text rejections,
//! all answered as `{"error_code", "message"}` with Confluent's HTTP statuses and content type.

use crate::error::{clip, ErrorKind, RegistryError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// Confluent's content type.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// An error answer.
pub(super) struct ApiError(pub(super) RegistryError);

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        ApiError(e)
    }
}

/// A JSON body with Confluent's content type, serialized straight into the response's bytes
/// (not through `Display`'s formatter, and with no `Value` tree built first). An answer that
/// cannot be serialized is a 500 with Confluent's error body.
pub(super) fn answer(status: StatusCode, body: impl serde::Serialize) -> Response {
    let (status, bytes) = match serde_json::to_vec(&body) {
        Ok(bytes) => (status, bytes),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error_code": 50001, "message": format!("the answer could not be written: {e}")})
                .to_string()
                .into_bytes(),
        ),
    };
    written(status, bytes)
}

/// An answer already written as JSON.
pub(super) fn written(status: StatusCode, bytes: impl Into<axum::body::Body>) -> Response {
    let mut r = (status, bytes.into()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self.0 {
            RegistryError::Api {
                status,
                code,
                message,
                ..
            } => (status, code, message),
            other => (500, 50001, other.to_string()),
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        answer(status, json!({"error_code": code, "message": message}))
    }
}

/// An error of `kind` with Confluent's code for it.
pub(super) fn bad(kind: ErrorKind, message: impl Into<String>) -> ApiError {
    ApiError(RegistryError::api(kind, message))
}

/// Bodies up to this size are parsed on the async worker; larger ones on the blocking pool.
const PARSE_INLINE_BYTES: usize = 64 << 10;

/// A JSON request body, within the size limit: an unreadable body (over the limit: 413) keeps
/// axum's status; JSON that does not parse is 400 and JSON of the wrong shape (a number where
/// a string belongs) is 422, as Confluent's Jackson mappers answer. A large body is parsed
/// off the async workers.
pub(super) async fn body<T: for<'de> Deserialize<'de> + Send + 'static>(
    b: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let b = b.map_err(|e| {
        let status = e.status();
        ApiError(RegistryError::from_answer(
            status.as_u16(),
            i32::from(status.as_u16()),
            format!("The request body could not be read: {}", e.body_text()),
        ))
    })?;
    let parsed = if b.len() <= PARSE_INLINE_BYTES {
        serde_json::from_slice(&b)
    } else {
        tokio::task::spawn_blocking(move || serde_json::from_slice(&b))
            .await
            .map_err(|e| {
                ApiError(RegistryError::store(format!(
                    "parsing the body failed: {e}"
                )))
            })?
    };
    parsed.map_err(|e| {
        let (status, what) = match e.classify() {
            serde_json::error::Category::Data => (422, "Unprocessable request body"),
            _ => (400, "Unrecognized request body"),
        };
        let message = format!(
            "{what} (line {}, column {}): {}",
            e.line(),
            e.column(),
            clip(&e.to_string())
        );
        ApiError(RegistryError::from_answer(
            status,
            i32::from(status),
            message,
        ))
    })
}

/// The answer to a path no route matches.
pub(super) async fn not_found() -> Response {
    bad(ErrorKind::NotFound, "HTTP 404 Not Found").into_response()
}

/// The answer to a method the route does not take: 405, except OPTIONS, answered 200 with
/// the route's methods in `Allow` (axum adds it; [`options`] names OPTIONS too), as Jersey
/// answers under Confluent. No CORS headers: a browser's preflight learns nothing it may use.
pub(super) async fn method_not_allowed(method: axum::http::Method) -> Response {
    if method == axum::http::Method::OPTIONS {
        return StatusCode::OK.into_response();
    }
    answer(
        StatusCode::METHOD_NOT_ALLOWED,
        json!({"error_code": 405, "message": "HTTP 405 Method Not Allowed"}),
    )
}

/// Adds OPTIONS to the `Allow` of an OPTIONS answer.
pub(super) async fn options(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let asked = req.method() == axum::http::Method::OPTIONS;
    let mut r = next.run(req).await;
    if asked && r.status() == StatusCode::OK {
        let allow = r
            .headers()
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .map(|a| format!("{a},OPTIONS"));
        if let Some(v) = allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
            r.headers_mut().insert(header::ALLOW, v);
        }
    }
    r
}

/// Axum's own rejections (a path segment that is not UTF-8 once decoded, ...) are plain text;
/// Confluent's clients expect `{"error_code", "message"}` on every error.
pub(super) async fn json_errors(r: Response) -> Response {
    let status = r.status();
    let confluent = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == CONTENT_TYPE);
    if confluent || !(status.is_client_error() || status.is_server_error()) {
        return r;
    }
    let text = axum::body::to_bytes(r.into_body(), 64 << 10)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let message = match text.trim() {
        "" => status.canonical_reason().unwrap_or("Error").to_string(),
        t => clip(t),
    };
    answer(
        status,
        json!({"error_code": status.as_u16(), "message": message}),
    )
}
