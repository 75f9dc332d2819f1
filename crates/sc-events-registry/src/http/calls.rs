//! The [`Registry`] trait over HTTP: one method, one Confluent REST call, with the request
//! body and query Confluent expects and its answer read back into the crate's types.

use super::HttpRegistry;
use crate::error::{clip, RegistryError, Result};
use crate::types::*;
use crate::Registry;
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

fn flag(name: &'static str, on: bool) -> Vec<(&'static str, String)> {
    if on {
        vec![(name, "true".to_string())]
    } else {
        Vec::new()
    }
}

fn schema_body(def: &SchemaDef) -> Value {
    let mut v = json!({"schema": def.schema});
    if def.schema_type != "AVRO" {
        v["schemaType"] = json!(def.schema_type);
    }
    if !def.references.is_empty() {
        v["references"] = json!(def.references);
    }
    if let Some(m) = &def.metadata {
        v["metadata"] = json!(m);
    }
    if let Some(r) = &def.rule_set {
        v["ruleSet"] = json!(r);
    }
    v
}

fn level(v: &Value, key: &str) -> Result<Compatibility> {
    let s = v.get(key).and_then(Value::as_str).unwrap_or_default();
    s.parse()
        .map_err(|_| RegistryError::Malformed(format!("unknown compatibility level '{}'", clip(s))))
}

fn mode_of(v: &Value) -> Result<RegistryMode> {
    let s = v.get("mode").and_then(Value::as_str).unwrap_or_default();
    s.parse().map_err(RegistryError::Malformed)
}

#[async_trait]
impl Registry for HttpRegistry {
    fn describe(&self) -> String {
        self.base.to_string()
    }

    fn keys(&self) -> Option<&dyn crate::keys::KeyRegistry> {
        Some(self)
    }

    async fn subjects(&self, deleted: bool) -> Result<Vec<String>> {
        self.call(Method::GET, &["subjects"], &flag("deleted", deleted), None)
            .await
    }

    async fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<i32>> {
        let q = flag("deleted", deleted);
        self.call(Method::GET, &["subjects", subject, "versions"], &q, None)
            .await
    }

    async fn version(&self, subject: &str, version: Version, deleted: bool) -> Result<Registered> {
        let v = version.to_string();
        let q = flag("deleted", deleted);
        self.call(
            Method::GET,
            &["subjects", subject, "versions", &v],
            &q,
            None,
        )
        .await
    }

    async fn schema_by_id(&self, id: i32, subject: Option<&str>) -> Result<SchemaDef> {
        let q: Vec<(&str, String)> = subject
            .map(|s| ("subject", s.to_string()))
            .into_iter()
            .collect();
        self.call(Method::GET, &["schemas", "ids", &id.to_string()], &q, None)
            .await
    }

    async fn id_versions(&self, id: i32) -> Result<Vec<(String, i32)>> {
        let v: Vec<Value> = self
            .call(
                Method::GET,
                &["schemas", "ids", &id.to_string(), "versions"],
                &[],
                None,
            )
            .await?;
        v.iter()
            .map(|e| {
                let s = e.get("subject").and_then(Value::as_str);
                let n = e
                    .get("version")
                    .and_then(Value::as_i64)
                    .and_then(|n| i32::try_from(n).ok());
                match (s, n) {
                    (Some(s), Some(n)) => Ok((s.to_string(), n)),
                    _ => Err(RegistryError::Malformed(format!("bad subject-version {e}"))),
                }
            })
            .collect()
    }

    async fn lookup(
        &self,
        subject: &str,
        schema: &SchemaDef,
        normalize: bool,
        deleted: bool,
    ) -> Result<Registered> {
        let mut q = flag("normalize", normalize);
        q.extend(flag("deleted", deleted));
        self.call(
            Method::POST,
            &["subjects", subject],
            &q,
            Some(&schema_body(schema)),
        )
        .await
    }

    async fn register(
        &self,
        subject: &str,
        schema: &SchemaDef,
        opts: RegisterOptions,
    ) -> Result<i32> {
        let mut body = schema_body(schema);
        if let Some(id) = opts.id {
            body["id"] = json!(id);
        }
        if let Some(v) = opts.version {
            body["version"] = json!(v);
        }
        let q = flag("normalize", opts.normalize);
        let v: Value = self
            .call(
                Method::POST,
                &["subjects", subject, "versions"],
                &q,
                Some(&body),
            )
            .await?;
        v.get("id")
            .and_then(Value::as_i64)
            .and_then(|id| i32::try_from(id).ok())
            .ok_or_else(|| {
                RegistryError::Malformed(format!("register answered {}", clip(&v.to_string())))
            })
    }

    async fn test_compatibility(
        &self,
        subject: &str,
        schema: &SchemaDef,
        version: Option<Version>,
    ) -> Result<CompatibilityResult> {
        let v = version.map(|v| v.to_string());
        let mut segs = vec!["compatibility", "subjects", subject, "versions"];
        if let Some(v) = &v {
            segs.push(v);
        }
        let q = flag("verbose", true);
        self.call(Method::POST, &segs, &q, Some(&schema_body(schema)))
            .await
    }

    async fn referenced_by(&self, subject: &str, version: Version) -> Result<Vec<i32>> {
        let v = version.to_string();
        self.call(
            Method::GET,
            &["subjects", subject, "versions", &v, "referencedby"],
            &[],
            None,
        )
        .await
    }

    async fn compatibility(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Compatibility> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let q = flag("defaultToGlobal", default_to_global && subject.is_some());
        let v: Value = self.call(Method::GET, &segs, &q, None).await?;
        level(&v, "compatibilityLevel")
    }

    async fn set_compatibility(&self, subject: Option<&str>, level: Compatibility) -> Result<()> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let body = json!({"compatibility": level.as_str()});
        let _: Value = self.call(Method::PUT, &segs, &[], Some(&body)).await?;
        Ok(())
    }

    async fn compatibility_group(&self, subject: Option<&str>) -> Result<Option<String>> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let q = flag("defaultToGlobal", subject.is_some());
        let v: Value = self.call(Method::GET, &segs, &q, None).await?;
        Ok(v.get("compatibilityGroup")
            .and_then(Value::as_str)
            .filter(|g| !g.is_empty())
            .map(str::to_string))
    }

    async fn set_compatibility_group(
        &self,
        subject: Option<&str>,
        property: Option<&str>,
    ) -> Result<()> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let body = json!({"compatibilityGroup": property.unwrap_or("")});
        let _: Value = self.call(Method::PUT, &segs, &[], Some(&body)).await?;
        Ok(())
    }

    async fn delete_compatibility(&self, subject: Option<&str>) -> Result<Compatibility> {
        let segs: Vec<&str> = std::iter::once("config").chain(subject).collect();
        let v: Value = self.call(Method::DELETE, &segs, &[], None).await?;
        level(&v, "compatibilityLevel").or_else(|_| level(&v, "compatibility"))
    }

    async fn mode(&self, subject: Option<&str>, default_to_global: bool) -> Result<RegistryMode> {
        let segs: Vec<&str> = std::iter::once("mode").chain(subject).collect();
        let q = flag("defaultToGlobal", default_to_global && subject.is_some());
        let v: Value = self.call(Method::GET, &segs, &q, None).await?;
        mode_of(&v)
    }

    async fn set_mode(&self, subject: Option<&str>, mode: RegistryMode, force: bool) -> Result<()> {
        let segs: Vec<&str> = std::iter::once("mode").chain(subject).collect();
        let body = json!({"mode": mode.as_str()});
        let _: Value = self
            .call(Method::PUT, &segs, &flag("force", force), Some(&body))
            .await?;
        Ok(())
    }

    async fn delete_mode(&self, subject: Option<&str>) -> Result<RegistryMode> {
        let segs: Vec<&str> = std::iter::once("mode").chain(subject).collect();
        let v: Value = self.call(Method::DELETE, &segs, &[], None).await?;
        mode_of(&v)
    }

    async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>> {
        let q = flag("permanent", permanent);
        self.call(Method::DELETE, &["subjects", subject], &q, None)
            .await
    }

    async fn delete_version(
        &self,
        subject: &str,
        version: Version,
        permanent: bool,
    ) -> Result<i32> {
        let v = version.to_string();
        let q = flag("permanent", permanent);
        self.call(
            Method::DELETE,
            &["subjects", subject, "versions", &v],
            &q,
            None,
        )
        .await
    }
}
