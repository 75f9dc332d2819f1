//! Confluent Schema Registry's REST API over any [`Registry`] (axum): what `schemactl registry
//! serve` runs, so Confluent's own clients and serializers work against the embedded registry.
//!
//! Answers are `application/vnd.schemaregistry.v1+json`; errors are Confluent's
//! `{"error_code", "message"}` with its HTTP statuses. Request bodies are bounded
//! ([`ServeOptions::max_body_bytes`]); optional basic auth guards every route.

use crate::error::{ErrorKind, RegistryError};
use crate::types::{Compatibility, Reference, RegisterOptions, RegistryMode, SchemaDef, Version};
use crate::Registry;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// Confluent's content type.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
/// Default request body limit.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 << 20;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub max_body_bytes: usize,
    /// `user:secret` pairs accepted by basic auth; empty means no auth.
    pub users: Vec<String>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            users: Vec::new(),
        }
    }
}

#[derive(Clone)]
struct App {
    registry: Arc<dyn Registry>,
    users: Arc<Vec<String>>,
}

/// An error answer.
struct ApiError(RegistryError);

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        ApiError(e)
    }
}

fn answer(status: StatusCode, body: Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
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

type Answer = Result<Response, ApiError>;

fn ok(body: Value) -> Answer {
    Ok(answer(StatusCode::OK, body))
}

fn bad(kind: ErrorKind, message: impl Into<String>) -> ApiError {
    ApiError(RegistryError::api(kind, message))
}

/// Query flags (`?deleted=true&normalize=false&...`), read leniently like Confluent does.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
struct Flags(HashMap<String, String>);

impl Flags {
    fn flag(&self, name: &str) -> bool {
        self.0
            .get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

fn version(s: &str) -> Result<Version, ApiError> {
    s.parse()
        .map_err(|m: String| bad(ErrorKind::InvalidVersion, m))
}

/// A JSON request body, within the size limit.
fn body<T: for<'de> Deserialize<'de>>(b: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let b = b.map_err(|e| {
        let status = e.status();
        ApiError(RegistryError::from_answer(
            status.as_u16(),
            i32::from(status.as_u16()),
            format!("The request body could not be read: {}", e.body_text()),
        ))
    })?;
    serde_json::from_slice(&b).map_err(|e| {
        bad(
            ErrorKind::BadRequest,
            format!(
                "Unrecognized request body (line {}, column {}): {}",
                e.line(),
                e.column(),
                crate::error::clip(&e.to_string())
            ),
        )
    })
}

#[derive(Deserialize)]
struct SchemaBody {
    schema: Option<String>,
    #[serde(rename = "schemaType")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Option<Vec<Reference>>,
    #[serde(default)]
    metadata: Option<crate::types::Metadata>,
    id: Option<i32>,
    version: Option<i32>,
}

impl SchemaBody {
    fn def(&self) -> Result<SchemaDef, ApiError> {
        let Some(schema) = &self.schema else {
            return Err(bad(
                ErrorKind::InvalidSchema,
                "Invalid schema: the request has no \"schema\"",
            ));
        };
        Ok(SchemaDef {
            schema: schema.clone(),
            schema_type: self
                .schema_type
                .clone()
                .map_or_else(|| "AVRO".to_string(), |t| t.to_ascii_uppercase()),
            references: self.references.clone().unwrap_or_default(),
            metadata: self.metadata.clone().filter(|m| !m.properties.is_empty()),
        })
    }
}

/// Builds the router over `registry`.
pub fn router(registry: Arc<dyn Registry>, opts: &ServeOptions) -> Router {
    let app = App {
        registry,
        users: Arc::new(opts.users.clone()),
    };
    Router::new()
        .route("/", get(|| async { ok(json!({})) }))
        .route("/subjects", get(subjects))
        .route("/subjects/{subject}", post(lookup).delete(delete_subject))
        .route("/subjects/{subject}/versions", get(versions).post(register))
        .route(
            "/subjects/{subject}/versions/{version}",
            get(get_version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(version_schema),
        )
        .route(
            "/subjects/{subject}/versions/{version}/referencedby",
            get(referenced_by),
        )
        .route("/schemas/types", get(|| async { ok(json!(["AVRO"])) }))
        .route("/schemas/ids/{id}", get(schema_by_id))
        .route("/schemas/ids/{id}/schema", get(raw_schema_by_id))
        .route("/schemas/ids/{id}/versions", get(id_versions))
        .route("/schemas/ids/{id}/subjects", get(id_subjects))
        .route(
            "/compatibility/subjects/{subject}/versions",
            post(compat_all),
        )
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(compat_version),
        )
        .route(
            "/config",
            get(get_config).put(put_config).delete(delete_config),
        )
        .route(
            "/config/{subject}",
            get(get_config).put(put_config).delete(delete_config),
        )
        .route("/mode", get(get_mode).put(put_mode).delete(delete_mode))
        .route(
            "/mode/{subject}",
            get(get_mode).put(put_mode).delete(delete_mode),
        )
        .fallback(|| async { bad(ErrorKind::NotFound, "HTTP 404 Not Found").into_response() })
        .method_not_allowed_fallback(|| async {
            answer(
                StatusCode::METHOD_NOT_ALLOWED,
                json!({"error_code": 405, "message": "HTTP 405 Method Not Allowed"}),
            )
        })
        .layer(middleware::map_response(json_errors))
        .layer(middleware::from_fn_with_state(app.clone(), auth))
        .layer(axum::extract::DefaultBodyLimit::max(opts.max_body_bytes))
        .with_state(app)
}

/// How long [`serve`] waits, after the shutdown signal, for the requests in flight.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Serves until `shutdown` resolves, then finishes the requests in flight, waiting at most
/// [`SHUTDOWN_GRACE`]: a client that stalls mid-request cannot hold the shutdown up.
pub async fn serve(
    listener: tokio::net::TcpListener,
    registry: Arc<dyn Registry>,
    opts: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    let server =
        axum::serve(listener, router(registry, &opts)).with_graceful_shutdown(async move {
            shutdown.await;
            let _ = signalled.send(());
        });
    let deadline = async move {
        match on_signal.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        r = std::future::IntoFuture::into_future(server) => r,
        () = deadline => Ok(()),
    }
}

/// Axum's own rejections (a path segment that is not UTF-8 once decoded, ...) are plain text;
/// Confluent's clients expect `{"error_code", "message"}` on every error.
async fn json_errors(r: Response) -> Response {
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
        t => crate::error::clip(t),
    };
    answer(
        status,
        json!({"error_code": status.as_u16(), "message": message}),
    )
}

/// Compares without an early exit, so timing does not tell how much of a secret matched.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn auth(State(app): State<App>, headers: HeaderMap, req: Request, next: Next) -> Response {
    if app.users.is_empty() {
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
    let allowed = given.is_some_and(|g| app.users.iter().any(|u| same(u.as_bytes(), &g)));
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

async fn subjects(State(app): State<App>, Query(q): Query<Flags>) -> Answer {
    let deleted_only = q.flag("deletedOnly") || q.flag("deleted_only");
    let mut all = app
        .registry
        .subjects(q.flag("deleted") || deleted_only)
        .await?;
    if deleted_only {
        let live = app.registry.subjects(false).await?;
        all.retain(|s| !live.contains(s));
    }
    if let Some(prefix) = q
        .get("subjectPrefix")
        .filter(|p| !p.is_empty() && *p != ":*:")
    {
        all.retain(|s| s.starts_with(prefix));
    }
    ok(json!(page(all, &q)))
}

async fn versions(State(app): State<App>, Path(s): Path<String>, Query(q): Query<Flags>) -> Answer {
    let deleted_only = q.flag("deletedOnly") || q.flag("deleted_only");
    let all = app
        .registry
        .versions(
            &s,
            q.flag("deleted") || deleted_only || q.flag("deletedAsNegative"),
        )
        .await?;
    let shown: Vec<i32> = if deleted_only || q.flag("deletedAsNegative") {
        let live = app.registry.versions(&s, false).await.unwrap_or_default();
        all.into_iter()
            .filter_map(|v| match (live.contains(&v), deleted_only) {
                (true, true) => None,
                (true, false) => Some(v),
                (false, true) => Some(v),
                (false, false) => Some(-v),
            })
            .collect()
    } else {
        all
    };
    ok(json!(page(shown, &q)))
}

/// Confluent's `offset` and `limit` (-1: no limit) over a list.
fn page<T>(items: Vec<T>, q: &Flags) -> Vec<T> {
    let offset = q
        .get("offset")
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0);
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<i64>().ok())
        .filter(|l| *l >= 0)
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    items.into_iter().skip(offset).take(limit).collect()
}

async fn get_version(
    State(app): State<App>,
    Path((s, v)): Path<(String, String)>,
    Query(q): Query<Flags>,
) -> Answer {
    let r = app
        .registry
        .version(&s, version(&v)?, q.flag("deleted"))
        .await?;
    ok(json!(r))
}

async fn version_schema(
    State(app): State<App>,
    Path((s, v)): Path<(String, String)>,
    Query(q): Query<Flags>,
) -> Answer {
    let r = app
        .registry
        .version(&s, version(&v)?, q.flag("deleted"))
        .await?;
    Ok(raw(r.schema.schema))
}

/// A stored schema text, verbatim, as the body.
fn raw(text: String) -> Response {
    let mut r = (StatusCode::OK, text).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    r
}

async fn referenced_by(State(app): State<App>, Path((s, v)): Path<(String, String)>) -> Answer {
    ok(json!(app.registry.referenced_by(&s, version(&v)?).await?))
}

async fn register(
    State(app): State<App>,
    Path(s): Path<String>,
    Query(q): Query<Flags>,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    let req: SchemaBody = body(b)?;
    let def = req.def()?;
    let opts = RegisterOptions {
        normalize: q.flag("normalize"),
        id: req.id.filter(|id| *id > 0),
        version: req.version.filter(|v| *v > 0),
    };
    let id = app.registry.register(&s, &def, opts).await?;
    let found = app.registry.lookup(&s, &def, opts.normalize, false).await;
    match found {
        Ok(r) => ok(json!(r)),
        Err(_) => ok(json!({"id": id})),
    }
}

async fn lookup(
    State(app): State<App>,
    Path(s): Path<String>,
    Query(q): Query<Flags>,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    let req: SchemaBody = body(b)?;
    let r = app
        .registry
        .lookup(&s, &req.def()?, q.flag("normalize"), q.flag("deleted"))
        .await?;
    ok(json!(r))
}

async fn delete_subject(
    State(app): State<App>,
    Path(s): Path<String>,
    Query(q): Query<Flags>,
) -> Answer {
    ok(json!(
        app.registry.delete_subject(&s, q.flag("permanent")).await?
    ))
}

async fn delete_version(
    State(app): State<App>,
    Path((s, v)): Path<(String, String)>,
    Query(q): Query<Flags>,
) -> Answer {
    ok(json!(
        app.registry
            .delete_version(&s, version(&v)?, q.flag("permanent"))
            .await?
    ))
}

fn id(s: &str) -> Result<i32, ApiError> {
    s.parse::<i32>()
        .map_err(|_| ApiError(RegistryError::schema_not_found(crate::error::clip(s))))
}

async fn schema_by_id(
    State(app): State<App>,
    Path(i): Path<String>,
    Query(q): Query<Flags>,
) -> Answer {
    let def = app.registry.schema_by_id(id(&i)?, q.get("subject")).await?;
    ok(json!(def))
}

async fn raw_schema_by_id(State(app): State<App>, Path(i): Path<String>) -> Answer {
    let def = app.registry.schema_by_id(id(&i)?, None).await?;
    Ok(raw(def.schema))
}

async fn id_versions(State(app): State<App>, Path(i): Path<String>) -> Answer {
    let v = app.registry.id_versions(id(&i)?).await?;
    ok(Value::Array(
        v.into_iter()
            .map(|(subject, version)| json!({"subject": subject, "version": version}))
            .collect(),
    ))
}

async fn id_subjects(State(app): State<App>, Path(i): Path<String>) -> Answer {
    let mut subjects: Vec<String> = app
        .registry
        .id_versions(id(&i)?)
        .await?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    subjects.dedup();
    ok(json!(subjects))
}

async fn compat(
    app: &App,
    s: &str,
    v: Option<Version>,
    q: &Flags,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    let req: SchemaBody = body(b)?;
    let r = match app.registry.test_compatibility(s, &req.def()?, v).await {
        Err(RegistryError::Api {
            kind: ErrorKind::InvalidSchema,
            message,
            ..
        }) if q.flag("verbose") => {
            return ok(json!({"is_compatible": false, "messages": [message]}));
        }
        other => other?,
    };
    if q.flag("verbose") {
        ok(json!({"is_compatible": r.is_compatible, "messages": r.messages}))
    } else {
        ok(json!({"is_compatible": r.is_compatible}))
    }
}

async fn compat_all(
    State(app): State<App>,
    Path(s): Path<String>,
    Query(q): Query<Flags>,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    compat(&app, &s, None, &q, b).await
}

async fn compat_version(
    State(app): State<App>,
    Path((s, v)): Path<(String, String)>,
    Query(q): Query<Flags>,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    let v = version(&v)?;
    compat(&app, &s, Some(v), &q, b).await
}

#[derive(Deserialize)]
struct ConfigBody {
    compatibility: Option<String>,
    #[serde(rename = "compatibilityLevel")]
    compatibility_level: Option<String>,
    /// `""` removes the group.
    #[serde(rename = "compatibilityGroup")]
    compatibility_group: Option<String>,
}

#[derive(Deserialize)]
struct ModeBody {
    mode: Option<String>,
}

fn level(b: &ConfigBody) -> Result<Compatibility, ApiError> {
    let s = b
        .compatibility
        .clone()
        .or_else(|| b.compatibility_level.clone())
        .unwrap_or_default();
    s.to_ascii_uppercase().parse().map_err(|_| {
        bad(
            ErrorKind::InvalidCompatibility,
            format!(
                "Invalid compatibility level '{}'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive",
                crate::error::clip(&s)
            ),
        )
    })
}

/// `/config` and `/config/{subject}` share handlers: the subject is optional.
type Subject = Option<Path<String>>;

fn subject(s: &Subject) -> Option<&str> {
    s.as_ref().map(|Path(s)| s.as_str())
}

async fn get_config(State(app): State<App>, s: Subject, Query(q): Query<Flags>) -> Answer {
    let s = subject(&s);
    let l = app
        .registry
        .compatibility(s, s.is_none() || q.flag("defaultToGlobal"))
        .await?;
    let mut answer = json!({"compatibilityLevel": l.as_str()});
    if let Some(g) = app.registry.compatibility_group(s).await? {
        answer["compatibilityGroup"] = json!(g);
    }
    ok(answer)
}

async fn put_config(
    State(app): State<App>,
    s: Subject,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    let b: ConfigBody = body(b)?;
    let mut answer = json!({});
    if let Some(g) = &b.compatibility_group {
        let g = Some(g.as_str()).filter(|g| !g.is_empty());
        app.registry.set_compatibility_group(subject(&s), g).await?;
        answer["compatibilityGroup"] = json!(g.unwrap_or_default());
        if b.compatibility.is_none() && b.compatibility_level.is_none() {
            return ok(answer);
        }
    }
    let l = level(&b)?;
    app.registry.set_compatibility(subject(&s), l).await?;
    answer["compatibility"] = json!(l.as_str());
    ok(answer)
}

async fn delete_config(State(app): State<App>, s: Subject) -> Answer {
    let l = app.registry.delete_compatibility(subject(&s)).await?;
    ok(json!({"compatibilityLevel": l.as_str()}))
}

async fn get_mode(State(app): State<App>, s: Subject, Query(q): Query<Flags>) -> Answer {
    let s = subject(&s);
    let m = app
        .registry
        .mode(s, s.is_none() || q.flag("defaultToGlobal"))
        .await?;
    ok(json!({"mode": m.as_str()}))
}

async fn put_mode(
    State(app): State<App>,
    s: Subject,
    Query(q): Query<Flags>,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    let req: ModeBody = body(b)?;
    let m: RegistryMode = req
        .mode
        .unwrap_or_default()
        .parse()
        .map_err(|e: String| bad(ErrorKind::InvalidMode, e))?;
    app.registry
        .set_mode(subject(&s), m, q.flag("force"))
        .await?;
    ok(json!({"mode": m.as_str()}))
}

async fn delete_mode(State(app): State<App>, s: Subject) -> Answer {
    let m = app.registry.delete_mode(subject(&s)).await?;
    ok(json!({"mode": m.as_str()}))
}
