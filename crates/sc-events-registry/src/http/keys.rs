//! [`KeyRegistry`] over HTTP: Confluent's `/dek-registry/v1` calls.

use super::HttpRegistry;
use crate::error::Result;
use crate::keys::{Dek, Kek, KeyRegistry, NewDek, NewKek};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::json;

const ROOT: [&str; 3] = ["dek-registry", "v1", "keks"];

#[async_trait]
impl KeyRegistry for HttpRegistry {
    async fn kek(&self, name: &str, deleted: bool) -> Result<Kek> {
        let q = [("deleted", deleted.to_string())];
        self.call(Method::GET, &[&ROOT[..], &[name]].concat(), &q, None)
            .await
    }

    async fn register_kek(&self, kek: &NewKek) -> Result<Kek> {
        self.call(Method::POST, &ROOT, &[], Some(&json!(kek))).await
    }

    async fn dek(
        &self,
        kek: &str,
        subject: &str,
        version: Option<i32>,
        algorithm: &str,
        deleted: bool,
    ) -> Result<Dek> {
        let v = version.map_or_else(|| "latest".to_string(), |v| v.to_string());
        let path = [&ROOT[..], &[kek, "deks", subject, "versions", &v]].concat();
        let q = [
            ("algorithm", algorithm.to_string()),
            ("deleted", deleted.to_string()),
        ];
        self.call(Method::GET, &path, &q, None).await
    }

    async fn register_dek(&self, kek: &str, dek: &NewDek) -> Result<Dek> {
        let path = [&ROOT[..], &[kek, "deks", &dek.subject]].concat();
        self.call(Method::POST, &path, &[], Some(&json!(dek))).await
    }
}
