//! The router in process (`tower::ServiceExt::oneshot`, no socket) over an embedded registry
//! in a temporary file: each route's status, Confluent error code, content type and body.

use super::{router, ServeOptions, CONTENT_TYPE};
use crate::embedded::EmbeddedRegistry;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

const V1: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"}]}"#;
/// Adds an optional field: BACKWARD-compatible with V1.
const V2: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;
/// Adds a required field: BACKWARD-incompatible with V1.
const BAD: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int"}]}"#;

/// The router over a fresh embedded registry; the directory lives as long as the router is used.
fn app(opts: &ServeOptions) -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let registry = EmbeddedRegistry::open(dir.path().join("registry.db")).unwrap();
    (dir, router(Arc::new(registry), opts))
}

/// One request through the router; the status and the JSON body. Every answer, error or not,
/// must carry Confluent's content type.
async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let what = format!("{} {}", req.method(), req.uri());
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    assert_eq!(
        resp.headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes()),
        Some(CONTENT_TYPE.as_bytes()),
        "{what}: content type"
    );
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{what}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, body)
}

fn request(method: Method, uri: &str, body: Option<&Value>) -> Request<Body> {
    let b = Request::builder().method(method).uri(uri);
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, CONTENT_TYPE)
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Value) {
    send(app, request(Method::GET, uri, None)).await
}

async fn post(app: &Router, uri: &str, body: Value) -> (StatusCode, Value) {
    send(app, request(Method::POST, uri, Some(&body))).await
}

/// Asserts a Confluent error answer: status and `error_code`, and a message.
fn refused(answer: &(StatusCode, Value), status: u16, code: i64) {
    let (s, body) = answer;
    assert_eq!(s.as_u16(), status, "{body}");
    assert_eq!(body["error_code"], json!(code), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn a_registered_schema_reads_back_by_id_by_version_and_by_lookup() {
    let (_dir, app) = app(&ServeOptions::default());
    let (status, reg) = post(
        &app,
        "/subjects/orders-value/versions",
        json!({"schema": V1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reg}");
    let id = reg["id"].as_i64().expect("an id");
    assert!(id >= 1, "{reg}");

    // Registering the same schema again is idempotent: same id, no new version.
    let (status, again) = post(
        &app,
        "/subjects/orders-value/versions",
        json!({"schema": V1}),
    )
    .await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &json!(id)));

    let (status, by_id) = get(&app, &format!("/schemas/ids/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id["schema"], json!(V1), "{by_id}");

    let (status, v1) = get(&app, "/subjects/orders-value/versions/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&v1["subject"], &v1["version"], &v1["id"], &v1["schema"]),
        (&json!("orders-value"), &json!(1), &json!(id), &json!(V1)),
        "{v1}"
    );
    let (_, latest) = get(&app, "/subjects/orders-value/versions/latest").await;
    assert_eq!(latest, v1);
    let (_, versions) = get(&app, "/subjects/orders-value/versions").await;
    assert_eq!(versions, json!([1]));

    let (status, found) = post(&app, "/subjects/orders-value", json!({"schema": V1})).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!((&found["id"], &found["version"]), (&json!(id), &json!(1)));

    // A valid schema that is not registered under the subject: 40403.
    let lookup = post(&app, "/subjects/orders-value", json!({"schema": V2})).await;
    refused(&lookup, 404, 40403);
}

#[tokio::test]
async fn compatibility_checks_answer_yes_or_no_and_an_incompatible_registration_is_409() {
    let (_dir, app) = app(&ServeOptions::default());
    post(
        &app,
        "/subjects/orders-value/versions",
        json!({"schema": V1}),
    )
    .await;
    let uri = "/compatibility/subjects/orders-value/versions/latest";

    let (status, yes) = post(&app, uri, json!({"schema": V2})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(yes, json!({"is_compatible": true}));

    let (status, no) = post(&app, uri, json!({"schema": BAD})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(no, json!({"is_compatible": false}));

    let (status, verbose) =
        post(&app, &format!("{uri}?verbose=true"), json!({"schema": BAD})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verbose["is_compatible"], json!(false));
    let messages = verbose["messages"].as_array().expect("messages");
    assert!(
        messages.iter().any(|m| m
            .as_str()
            .is_some_and(|m| m.contains("READER_FIELD_MISSING_DEFAULT_VALUE"))),
        "{verbose}"
    );

    let refusal = post(
        &app,
        "/subjects/orders-value/versions",
        json!({"schema": BAD}),
    )
    .await;
    refused(&refusal, 409, 409);
    // Nothing was registered.
    let (_, versions) = get(&app, "/subjects/orders-value/versions").await;
    assert_eq!(versions, json!([1]));
}

#[tokio::test]
async fn what_is_not_there_is_404_with_confluents_codes() {
    let (_dir, app) = app(&ServeOptions::default());
    refused(&get(&app, "/subjects/nothing/versions").await, 404, 40401);
    refused(&get(&app, "/subjects/nothing/versions/1").await, 404, 40401);
    post(
        &app,
        "/subjects/orders-value/versions",
        json!({"schema": V1}),
    )
    .await;
    refused(
        &get(&app, "/subjects/orders-value/versions/7").await,
        404,
        40402,
    );
    refused(&get(&app, "/schemas/ids/999").await, 404, 40403);
    refused(&get(&app, "/no/such/route").await, 404, 404);
    let put_on_versions = send(
        &app,
        request(Method::PUT, "/subjects/orders-value/versions", None),
    )
    .await;
    refused(&put_on_versions, 405, 405);
}

#[tokio::test]
async fn invalid_input_is_422_or_400() {
    let (_dir, app) = app(&ServeOptions::default());
    let not_avro =
        json!({"schema": r#"{"type": "record", "name": "A", "fields": [{"name": "x"}]}"#});
    refused(
        &post(&app, "/subjects/s/versions", not_avro).await,
        422,
        42201,
    );
    let not_json = json!({"schema": "{not json"});
    refused(
        &post(&app, "/subjects/s/versions", not_json).await,
        422,
        42201,
    );
    refused(
        &post(&app, "/subjects/s/versions", json!({})).await,
        422,
        42201,
    );
    refused(&get(&app, "/subjects/s/versions/zero").await, 422, 42202);
    let bad_level = send(
        &app,
        request(
            Method::PUT,
            "/config",
            Some(&json!({"compatibility": "SIDEWAYS"})),
        ),
    )
    .await;
    refused(&bad_level, 422, 42203);
    // A body that is not JSON at all.
    let garbage = Request::builder()
        .method(Method::POST)
        .uri("/subjects/s/versions")
        .header(header::CONTENT_TYPE, CONTENT_TYPE)
        .body(Body::from("{{{"))
        .unwrap();
    refused(&send(&app, garbage).await, 400, 400);
}

#[tokio::test]
async fn basic_auth_refuses_without_the_right_credentials() {
    let opts = ServeOptions {
        users: vec!["alice:secret".to_string()],
        ..ServeOptions::default()
    };
    let (_dir, app) = app(&opts);
    let with = |user_info: Option<&str>| {
        let mut b = Request::builder().uri("/subjects");
        if let Some(u) = user_info {
            let token = base64::engine::general_purpose::STANDARD.encode(u);
            b = b.header(header::AUTHORIZATION, format!("Basic {token}"));
        }
        b.body(Body::empty()).unwrap()
    };

    let resp = app.clone().oneshot(with(None)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.headers()
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.as_bytes()),
        Some(&b"Basic realm=\"schema-registry\""[..])
    );
    refused(&send(&app, with(None)).await, 401, 401);
    refused(&send(&app, with(Some("alice:wrong"))).await, 401, 401);
    refused(&send(&app, with(Some("alice:secret2"))).await, 401, 401);
    // Unknown routes are refused before they are looked up.
    let unknown = Request::builder()
        .uri("/nowhere")
        .body(Body::empty())
        .unwrap();
    refused(&send(&app, unknown).await, 401, 401);

    let (status, subjects) = send(&app, with(Some("alice:secret"))).await;
    assert_eq!((status, subjects), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_registers_nothing() {
    let opts = ServeOptions {
        max_body_bytes: 1024,
        ..ServeOptions::default()
    };
    let (_dir, app) = app(&opts);
    let doc = "x".repeat(2048);
    let big = format!(
        r#"{{"type":"record","name":"Order","doc":"{doc}","fields":[{{"name":"id","type":"string"}}]}}"#
    );
    refused(
        &post(&app, "/subjects/s/versions", json!({"schema": big})).await,
        413,
        413,
    );
    refused(&get(&app, "/subjects/s/versions").await, 404, 40401);
    // Under the limit, the same route works.
    let (status, _) = post(&app, "/subjects/s/versions", json!({"schema": V1})).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let (_dir, app) = app(&ServeOptions::default());
    let reg = json!({"schema": V1});
    for subject in ["orders-value", "payments-value"] {
        let uri = format!("/subjects/{subject}/versions");
        let (s, _) = send(&app, request(Method::POST, &uri, Some(&reg))).await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, _) = send(&app, request(Method::GET, "/subjects", None)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(&app, request(Method::GET, "/no/such/route", None)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let resp = app
        .clone()
        .oneshot(request(Method::GET, "/metrics", None))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let kind = resp.headers().get(header::CONTENT_TYPE).cloned();
    assert_eq!(
        kind.as_ref().map(|v| v.as_bytes()),
        Some(&b"application/openmetrics-text; version=1.0.0; charset=utf-8"[..])
    );
    let text = String::from_utf8(
        axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    // The template, never the subject: two subjects, one series.
    for line in [
        r#"schema_registry_http_requests_total{method="POST",route="/subjects/{subject}/versions",status="200"} 2"#,
        r#"schema_registry_http_requests_total{method="GET",route="/subjects",status="200"} 1"#,
        r#"schema_registry_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"schema_registry_http_request_duration_seconds_count{method="POST",route="/subjects/{subject}/versions",status="200"} 2"#,
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
    assert!(!text.contains("orders-value"), "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[tokio::test]
async fn metrics_are_behind_the_same_basic_auth() {
    let opts = ServeOptions {
        users: vec!["ops:secret".into()],
        ..ServeOptions::default()
    };
    let (_dir, app) = app(&opts);
    let (s, _) = send(&app, request(Method::GET, "/metrics", None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// Repeated reads are answered from the answer cache; every write, through the server or by
/// another connection to the same file (another process), is seen by the next read.
#[tokio::test]
async fn repeated_reads_see_every_write_whoever_makes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    let app = router(
        Arc::new(EmbeddedRegistry::open(&path).unwrap()),
        &ServeOptions::default(),
    );
    let (_, reg) = post(&app, "/subjects/o-value/versions", json!({"schema": V1})).await;
    let id = reg["id"].clone();
    for _ in 0..3 {
        let (_, latest) = get(&app, "/subjects/o-value/versions/latest").await;
        assert_eq!(latest["version"], json!(1), "{latest}");
        let (status, found) = post(&app, "/subjects/o-value", json!({"schema": V1})).await;
        assert_eq!((status, &found["id"]), (StatusCode::OK, &id), "{found}");
    }
    // A write through the server.
    post(&app, "/subjects/o-value/versions", json!({"schema": V2})).await;
    let (_, latest) = get(&app, "/subjects/o-value/versions/latest").await;
    assert_eq!(latest["version"], json!(2), "{latest}");

    // A write by another connection to the file: the soft delete of version 1.
    let other = EmbeddedRegistry::open(&path).unwrap();
    crate::Registry::delete_version(&other, "o-value", crate::Version::Number(1), false)
        .await
        .unwrap();
    refused(&get(&app, "/subjects/o-value/versions/1").await, 404, 40402);
    refused(
        &post(&app, "/subjects/o-value", json!({"schema": V1})).await,
        404,
        40403,
    );
    // Still there with ?deleted=true (another query is another read).
    let (status, v1) = get(&app, "/subjects/o-value/versions/1?deleted=true").await;
    assert_eq!((status, &v1["id"]), (StatusCode::OK, &id), "{v1}");
}

/// The answer cache keys a read by its decoded path segments: a subject holding `/` and a
/// version holding it are different reads.
#[tokio::test]
async fn a_slash_inside_a_path_segment_is_no_other_read() {
    let (_dir, app) = app(&ServeOptions::default());
    let (status, reg) = post(&app, "/subjects/a%2Fb/versions", json!({"schema": V1})).await;
    assert_eq!(status, StatusCode::OK, "{reg}");
    let (status, v1) = get(&app, "/subjects/a%2Fb/versions/1").await;
    assert_eq!(
        (status, &v1["subject"]),
        (StatusCode::OK, &json!("a/b")),
        "{v1}"
    );
    let other = get(&app, "/subjects/a/versions/b%2F1").await;
    assert_ne!(other.0, StatusCode::OK, "{}", other.1);
}
