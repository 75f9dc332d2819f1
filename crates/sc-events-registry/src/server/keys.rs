//! Confluent's DEK registry endpoints (`/dek-registry/v1/keks…`) over a [`KeyRegistry`]: what
//! Confluent's client-side field encryption calls to find and store the key-encryption key
//! and the wrapped data keys of a subject.

use super::errors::{answer, bad, body, ApiError};
use super::request::Flags;
use crate::error::ErrorKind;
use crate::keys::{KeyRegistry, NewDek, NewKek};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use std::sync::Arc;

pub(super) type Keys = Arc<dyn KeyRegistry>;
type Answer = Result<Response, ApiError>;

pub(super) fn routes(keys: Keys) -> Router {
    Router::new()
        .route("/dek-registry/v1/keks", post(register_kek))
        .route("/dek-registry/v1/keks/{kek}", get(get_kek))
        .route("/dek-registry/v1/keks/{kek}/deks", post(register_dek_body))
        .route(
            "/dek-registry/v1/keks/{kek}/deks/{subject}",
            get(latest_dek).post(register_dek),
        )
        .route(
            "/dek-registry/v1/keks/{kek}/deks/{subject}/versions/{version}",
            get(get_dek),
        )
        .with_state(keys)
}

async fn register_kek(State(keys): State<Keys>, b: Result<Bytes, BytesRejection>) -> Answer {
    let new: NewKek = body(b).await?;
    Ok(answer(
        StatusCode::OK,
        json!(keys.register_kek(&new).await?),
    ))
}

async fn get_kek(
    State(keys): State<Keys>,
    Path(kek): Path<String>,
    Query(q): Query<Flags>,
) -> Answer {
    Ok(answer(
        StatusCode::OK,
        json!(keys.kek(&kek, q.flag("deleted")).await?),
    ))
}

async fn register_dek(
    State(keys): State<Keys>,
    Path((kek, subject)): Path<(String, String)>,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    let mut new: NewDek = body(b).await?;
    if new.subject != subject {
        if !new.subject.is_empty() {
            return Err(bad(
                ErrorKind::BadRequest,
                "the body's subject differs from the path's",
            ));
        }
        new.subject = subject;
    }
    Ok(answer(
        StatusCode::OK,
        json!(keys.register_dek(&kek, &new).await?),
    ))
}

async fn register_dek_body(
    State(keys): State<Keys>,
    Path(kek): Path<String>,
    b: Result<Bytes, BytesRejection>,
) -> Answer {
    let new: NewDek = body(b).await?;
    Ok(answer(
        StatusCode::OK,
        json!(keys.register_dek(&kek, &new).await?),
    ))
}

async fn latest_dek(
    State(keys): State<Keys>,
    Path((kek, subject)): Path<(String, String)>,
    Query(q): Query<Flags>,
) -> Answer {
    dek(&keys, &kek, &subject, None, &q).await
}

async fn get_dek(
    State(keys): State<Keys>,
    Path((kek, subject, version)): Path<(String, String, String)>,
    Query(q): Query<Flags>,
) -> Answer {
    let v = match version.as_str() {
        "latest" | "-1" => None,
        n => match n.parse::<i32>() {
            Ok(v) if v >= 1 => Some(v),
            _ => {
                return Err(bad(
                    ErrorKind::InvalidVersion,
                    format!(
                        "'{}' is not a DEK version (a number from 1, or latest)",
                        crate::error::clip(n)
                    ),
                ))
            }
        },
    };
    dek(&keys, &kek, &subject, v, &q).await
}

async fn dek(keys: &Keys, kek: &str, subject: &str, version: Option<i32>, q: &Flags) -> Answer {
    let algorithm = q.get("algorithm").unwrap_or("AES256_GCM");
    let d = keys
        .dek(kek, subject, version, algorithm, q.flag("deleted"))
        .await?;
    Ok(answer(StatusCode::OK, json!(d)))
}
