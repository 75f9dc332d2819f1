//! Schema registries for the sc-events gate.
//!
//! One async trait, [`Registry`], shaped after Confluent Schema Registry's REST API, and three
//! implementations:
//! - [`http::HttpRegistry`]: a Confluent Schema Registry (or anything speaking its API) over
//!   HTTP, with auth, timeouts and retries;
//! - [`embedded::EmbeddedRegistry`]: the default, a SQLite file with Confluent's semantics
//!   (global ids, versions per subject, references, compatibility, modes, soft and permanent
//!   delete), served over Confluent's REST API by [`server`];
//! - [`git::GitRegistry`]: the workspace's schemas at a git ref, read-only (a baseline).
//!
//! Schemas are checked by `sc-events-schema` (Java Avro 1.12's validity and compatibility);
//! [`check`] is the glue between registered texts and that checker.
//!
//! Cargo features choose the implementations: `client` ([`http`]), `embedded` ([`embedded`]
//! and [`git`]) and `server` ([`server`]), all on by default. Without any, the crate is the
//! trait, its types and errors, the checker glue and the workspace's subject naming: what a
//! runtime service needs to talk to a registry through an implementation chosen elsewhere.

pub mod canonical;
pub mod check;
pub mod contracts;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod error;
#[cfg(feature = "embedded")]
pub mod git;
#[cfg(feature = "client")]
pub mod http;
pub mod keys;
mod memo;
pub mod parsed_cache;
#[cfg(feature = "server")]
pub mod server;
pub mod subjects;
pub mod types;

pub use error::{ErrorKind, RegistryError, Result};
pub use types::{
    Compatibility, CompatibilityResult, Metadata, Reference, RegisterOptions, Registered,
    RegistryMode, SchemaDef, Version,
};

use async_trait::async_trait;

/// A schema registry with Confluent's semantics. Every method maps to one Confluent REST call.
#[async_trait]
pub trait Registry: Send + Sync {
    /// Where this registry is, for messages (never with credentials).
    fn describe(&self) -> String;

    /// Its DEK registry (`/dek-registry/v1`), when it has one: field encryption's keys.
    fn keys(&self) -> Option<&dyn keys::KeyRegistry> {
        None
    }

    /// A number that moves with every change of what the registry holds (by this process or
    /// any other), when the registry can tell: while it stays the same, a read gives the same
    /// answer, so `registry serve` may send the answer it gave before. `None` (the default):
    /// unknown, nothing is reused.
    fn generation(&self) -> Option<u64> {
        None
    }

    /// `GET /subjects[?deleted=true]`
    async fn subjects(&self, deleted: bool) -> Result<Vec<String>>;

    /// `GET /subjects/{subject}/versions[?deleted=true]`
    async fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<i32>>;

    /// `GET /subjects/{subject}/versions/{version}[?deleted=true]`
    async fn version(&self, subject: &str, version: Version, deleted: bool) -> Result<Registered>;

    /// `GET /schemas/ids/{id}[?subject=]`
    async fn schema_by_id(&self, id: i32, subject: Option<&str>) -> Result<SchemaDef>;

    /// `GET /schemas/ids/{id}/versions`: every (subject, version) registered with this id.
    async fn id_versions(&self, id: i32) -> Result<Vec<(String, i32)>>;

    /// `POST /subjects/{subject}[?normalize=&deleted=]`: the version holding exactly this schema.
    async fn lookup(
        &self,
        subject: &str,
        schema: &SchemaDef,
        normalize: bool,
        deleted: bool,
    ) -> Result<Registered>;

    /// `POST /subjects/{subject}/versions[?normalize=]`: registers (or finds) the schema and
    /// returns its global id.
    async fn register(
        &self,
        subject: &str,
        schema: &SchemaDef,
        opts: RegisterOptions,
    ) -> Result<i32>;

    /// `POST /compatibility/subjects/{subject}/versions[/{version}]?verbose=true`: against the
    /// given version, or (`None`) against every version the subject's level asks for.
    async fn test_compatibility(
        &self,
        subject: &str,
        schema: &SchemaDef,
        version: Option<Version>,
    ) -> Result<CompatibilityResult>;

    /// `GET /subjects/{subject}/versions/{version}/referencedby`: ids of schemas referencing it.
    async fn referenced_by(&self, subject: &str, version: Version) -> Result<Vec<i32>>;

    /// `GET /config[/{subject}][?defaultToGlobal=]`
    async fn compatibility(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Compatibility>;

    /// `PUT /config[/{subject}]`
    async fn set_compatibility(&self, subject: Option<&str>, level: Compatibility) -> Result<()>;

    /// The `compatibilityGroup` of `GET /config[/{subject}]?defaultToGlobal=true`: the metadata
    /// property whose value partitions the subject's history for compatibility checks.
    async fn compatibility_group(&self, subject: Option<&str>) -> Result<Option<String>>;

    /// `PUT /config[/{subject}]` with `{"compatibilityGroup": property}` (`None`: removed).
    async fn set_compatibility_group(
        &self,
        subject: Option<&str>,
        property: Option<&str>,
    ) -> Result<()>;

    /// `DELETE /config[/{subject}]` (back to the global level, or the global one back to
    /// BACKWARD); returns the level it had.
    async fn delete_compatibility(&self, subject: Option<&str>) -> Result<Compatibility>;

    /// `GET /mode[/{subject}][?defaultToGlobal=]`
    async fn mode(&self, subject: Option<&str>, default_to_global: bool) -> Result<RegistryMode>;

    /// `PUT /mode[/{subject}][?force=]`
    async fn set_mode(&self, subject: Option<&str>, mode: RegistryMode, force: bool) -> Result<()>;

    /// `DELETE /mode[/{subject}]`; returns the mode it had.
    async fn delete_mode(&self, subject: Option<&str>) -> Result<RegistryMode>;

    /// `DELETE /subjects/{subject}[?permanent=true]`: the versions deleted.
    async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>>;

    /// `DELETE /subjects/{subject}/versions/{version}[?permanent=true]`: the version deleted.
    async fn delete_version(&self, subject: &str, version: Version, permanent: bool)
        -> Result<i32>;
}
