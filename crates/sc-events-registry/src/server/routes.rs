//! The route table of Confluent's REST API and its handlers: each reads its request, makes
//! the registry calls and writes Confluent's answer.

use super::answers::{self, Answers};
use super::errors::{answer, bad, body, written, ApiError, CONTENT_TYPE};
use super::request::{id, level, page, version, ConfigBody, Flags, ModeBody, SchemaBody};
use crate::error::{ErrorKind, RegistryError};
use crate::types::{RegisterOptions, RegistryMode, Version};
use crate::Registry;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

/// The handlers' state.
#[derive(Clone)]
pub(super) struct App {
    pub(super) registry: Arc<dyn Registry>,
    pub(super) answers: Arc<Answers>,
}

type Answer = Result<Response, ApiError>;

fn ok(body: impl serde::Serialize) -> Answer {
    Ok(answer(StatusCode::OK, body))
}

/// A read answered from the answer cache while the registry is unchanged since the same
/// request (`key`; `None`: not cacheable) was answered; otherwise `read`'s answer, kept when
/// it succeeds.
async fn cached<T: serde::Serialize>(
    app: &App,
    key: Option<answers::Key>,
    read: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Answer {
    let Some(key) = key else {
        return ok(read.await?);
    };
    let (hit, at) = app.answers.get(app.registry.as_ref(), &key);
    if let Some(bytes) = hit {
        return Ok(written(StatusCode::OK, bytes));
    }
    let value = read.await?;
    let Ok(bytes) = serde_json::to_vec(&value) else {
        return ok(value); // the 500 that says why
    };
    let bytes = Bytes::from(bytes);
    app.answers.put(at, key, bytes.clone());
    Ok(written(StatusCode::OK, bytes))
}

/// The answer cache's key of a read: its route, its path segments (each as decoded, so a
/// `/` inside one cannot make two requests' keys equal), its query and its body.
fn read_key(
    route: &'static str,
    segments: &[&str],
    query: Option<String>,
    body: Bytes,
) -> answers::Key {
    answers::Key {
        route,
        segments: segments.iter().map(|s| s.to_string()).collect(),
        query: query.unwrap_or_default(),
        body,
    }
}

/// Every route of the API (without fallbacks or layers).
pub(super) fn routes() -> Router<App> {
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
}

async fn subjects(State(app): State<App>, Query(q): Query<Flags>) -> Answer {
    let deleted_only = q.flag("deletedOnly") || q.flag("deleted_only");
    let mut all = app
        .registry
        .subjects(q.flag("deleted") || deleted_only)
        .await?;
    if deleted_only {
        let live: std::collections::HashSet<String> =
            app.registry.subjects(false).await?.into_iter().collect();
        all.retain(|s| !live.contains(s));
    }
    if let Some(prefix) = q
        .get("subjectPrefix")
        .filter(|p| !p.is_empty() && *p != ":*:")
    {
        all.retain(|s| s.starts_with(prefix));
    }
    // Written straight from the names (a large registry's list is megabytes): no JSON tree.
    let body = serde_json::to_string(&page(all, &q))
        .map_err(|e| RegistryError::store(format!("cannot write the subject list: {e}")))?;
    Ok(raw(body))
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

async fn get_version(
    State(app): State<App>,
    Path((s, v)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    Query(q): Query<Flags>,
) -> Answer {
    let key = read_key("version", &[&s, &v], raw, Bytes::new());
    let read = async {
        let r = app
            .registry
            .version(&s, version(&v)?, q.flag("deleted"))
            .await?;
        Ok(r)
    };
    cached(&app, Some(key), read).await
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
    let req: SchemaBody = body(b).await?;
    let opts = RegisterOptions {
        normalize: q.flag("normalize"),
        id: req.id.filter(|id| *id > 0),
        version: req.version.filter(|v| *v > 0),
    };
    let def = req.into_def()?;
    let id = app.registry.register(&s, &def, opts).await?;
    let found = app.registry.lookup(&s, &def, opts.normalize, false).await;
    match found {
        Ok(r) => ok(r),
        Err(_) => ok(json!({"id": id})),
    }
}

async fn lookup(
    State(app): State<App>,
    Path(s): Path<String>,
    RawQuery(raw): RawQuery,
    Query(q): Query<Flags>,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    // A body that could not be read is refused below, never cached.
    let key = b
        .as_ref()
        .ok()
        .map(|bytes| read_key("lookup", &[&s], raw, bytes.clone()));
    let read = async {
        let req: SchemaBody = body(b).await?;
        let r = app
            .registry
            .lookup(&s, &req.into_def()?, q.flag("normalize"), q.flag("deleted"))
            .await?;
        Ok(r)
    };
    cached(&app, key, read).await
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

async fn schema_by_id(
    State(app): State<App>,
    Path(i): Path<String>,
    RawQuery(raw): RawQuery,
    Query(q): Query<Flags>,
) -> Answer {
    let key = read_key("schema_by_id", &[&i], raw, Bytes::new());
    let read = async {
        let def = app.registry.schema_by_id(id(&i)?, q.get("subject")).await?;
        Ok(def)
    };
    cached(&app, Some(key), read).await
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
    let req: SchemaBody = body(b).await?;
    let r = match app
        .registry
        .test_compatibility(s, &req.into_def()?, v)
        .await
    {
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
    let b: ConfigBody = body(b).await?;
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
    let req: ModeBody = body(b).await?;
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
