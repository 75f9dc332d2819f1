//! Building and checking events: the traits the generated glue implements (for any workspace:
//! [`Workspace`], [`DomainEvent`], [`CheckFields`]), the static catalog entries, the typed
//! validation errors, and for the social-commerce workspace's nested envelope [`Enveloped`],
//! [`Payload`] and [`Emitter`], which turns a payload into a complete, correctly labelled
//! event in one call.

use crate::types::{Actor, ActorType, EntityType, Envelope, PrivacyTier};
use std::borrow::Cow;
use std::fmt;

/// For generated constraint checks (`"pattern"` with a full regular expression).
#[doc(hidden)]
pub use regex;

/// The privacy tier the runtime compares (every workspace's; the generated `PrivacyTier`
/// enums convert into it).
pub use sc_events_schema::PrivacyTier as Tier;

/// One workspace's generated catalog, implemented by the unit struct `Workspace` the build
/// generates beside the types: every table, and the schemas parsed once as the reader side
/// of schema resolution.
pub trait Workspace: Send + Sync + 'static {
    const SCHEMAS: &'static [SchemaInfo];
    const TOPICS: &'static [TopicInfo];
    const EVENTS: &'static [EventInfo];
    const CONSUMERS: &'static [ConsumerInfo];
    /// The workspace's `schemactl.toml` text (empty without one): its layout.
    const CONFIG: &'static str;
    /// The topic file: its name (`topics.toml`, `topic-config.yaml`) and text.
    const TOPIC_FILE: (&'static str, &'static str);

    /// The catalog entry of a consuming job by name.
    fn job(name: &str) -> Option<&'static ConsumerInfo> {
        Self::CONSUMERS.iter().find(|c| c.name == name)
    }

    /// The catalog entry of an event type.
    fn event_info(event_type: &str) -> Option<&'static EventInfo> {
        Self::EVENTS.iter().find(|e| e.event_type == event_type)
    }

    fn topic(name: &str) -> Option<&'static TopicInfo> {
        Self::TOPICS.iter().find(|t| t.name == name)
    }

    /// The workspace's schemas as a checked catalog, parsed once per process.
    fn catalog() -> &'static sc_events_schema::Catalog {
        crate::wire::resolve::catalog_of::<Self>()
    }
}

/// Static facts about one topic (from `schemas/topics.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicInfo {
    pub name: &'static str,
    pub category: &'static str,
    pub partitions: u32,
    /// The replication factor the catalog fixes, if any.
    pub replication_factor: Option<u32>,
    pub key: Option<&'static str>,
    pub retention_ms: u64,
    pub cleanup_policy: &'static str,
    pub description: &'static str,
    /// Full name of the record the topic carries, if it has a schema.
    pub value_schema: Option<&'static str>,
}

/// Static facts about one event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventInfo {
    pub event_type: &'static str,
    pub topic: &'static str,
    pub record: &'static str,
    /// `None` where the workspace has no privacy tiers.
    pub privacy_tier: Option<Tier>,
    /// The domain's entity type, where the workspace has them.
    pub entity_type: Option<&'static str>,
}

/// Static facts about one consuming job (`[[consumer]]` of `schemas/topics.toml`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsumerInfo {
    pub name: &'static str,
    pub group_id: &'static str,
    pub description: &'static str,
    pub topics: &'static [&'static str],
    /// Exact event types or `*` patterns.
    pub event_types: &'static [&'static str],
    /// The most sensitive tier the job may read (RESTRICTED where the workspace has none).
    pub max_tier: Tier,
    pub dlq: &'static str,
    /// Topics the job writes its projection to.
    pub output: &'static [&'static str],
    pub retry: RetryPolicy,
    /// How many recent event ids to remember for de-duplication, if any.
    pub dedup_capacity: Option<usize>,
}

impl ConsumerInfo {
    /// Whether the job handles `event_type`.
    pub fn handles(&self, event_type: &str) -> bool {
        self.event_types
            .iter()
            .any(|p| sc_events_schema::rules::glob_match(p, event_type))
    }
}

/// How a failing handler is retried before its event is dead-lettered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub max_retries: u32,
    pub initial_backoff_ms: u64,
    pub multiplier: f64,
    pub max_backoff_ms: u64,
    /// Each delay is drawn from `[d * (1 - jitter), d * (1 + jitter)]`.
    pub jitter: f64,
}

impl RetryPolicy {
    /// The delay before retry `attempt` (1-based) without jitter, capped at `max_backoff_ms`.
    pub fn base_delay(&self, attempt: u32) -> std::time::Duration {
        let exp = self
            .multiplier
            .powi(attempt.saturating_sub(1).min(64) as i32);
        let ms = (self.initial_backoff_ms as f64 * exp).min(self.max_backoff_ms as f64);
        std::time::Duration::from_millis(ms.max(0.0) as u64)
    }

    /// The delay before retry `attempt` with jitter; `unit` is a uniform draw from `[0, 1)`.
    pub fn delay(&self, attempt: u32, unit: f64) -> std::time::Duration {
        let base = self.base_delay(attempt).as_secs_f64();
        let factor = 1.0 + self.jitter * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        std::time::Duration::from_secs_f64((base * factor).max(0.0))
    }
}

/// One canonical schema file, embedded at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaInfo {
    pub file: &'static str,
    pub record: &'static str,
    pub text: &'static str,
}

/// Why an event may not be built or serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationError {
    /// A `*_cents` or `*_count` field is negative. `field` is a path like
    /// `item_snapshots[2].unit_price_cents`.
    Negative { field: String, value: i64 },
    /// A field's value breaks one of its declared `"constraints"` (`rule` is the JSON Schema
    /// keyword: `maxLength`, `pattern`, `minimum`, ...; `limit` its value).
    Constraint {
        field: String,
        rule: &'static str,
        limit: &'static str,
        found: String,
    },
    /// `entity_version` below 1.
    EntityVersion(i64),
    /// `schema_version` below 1.
    SchemaVersion(i32),
    /// The envelope's `event_type` is not the payload's.
    EventTypeMismatch {
        envelope: String,
        payload: &'static str,
    },
    /// The envelope's version field is not the schema's version.
    VersionMismatch {
        envelope: String,
        schema: &'static str,
    },
    /// The envelope's `entity_type` is not the domain's.
    EntityTypeMismatch {
        envelope: EntityType,
        domain: EntityType,
    },
    /// The envelope's `privacy_tier` is not the payload's.
    PrivacyTierMismatch {
        envelope: PrivacyTier,
        payload: PrivacyTier,
    },
    /// `entity_id` is empty.
    EmptyEntityId,
    /// `entity_id` differs from the payload's key field (e.g. `user_id`).
    EntityIdMismatch {
        entity_id: String,
        key_field: &'static str,
        payload: String,
    },
}

impl ValidationError {
    /// Prefixes the field path of a nested error (`within("final_stats")`).
    pub fn within(self, outer: &str) -> Self {
        match self {
            ValidationError::Negative { field, value } => ValidationError::Negative {
                field: format!("{outer}.{field}"),
                value,
            },
            ValidationError::Constraint {
                field,
                rule,
                limit,
                found,
            } => ValidationError::Constraint {
                field: format!("{outer}.{field}"),
                rule,
                limit,
                found,
            },
            other => other,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Negative { field, value } => {
                write!(f, "{field} must be >= 0, got {value}")
            }
            Self::Constraint {
                field,
                rule,
                limit,
                found,
            } => write!(f, "{field} breaks its constraint {rule} {limit}: {found}"),
            Self::EntityVersion(v) => write!(f, "entity_version must be >= 1, got {v}"),
            Self::SchemaVersion(v) => write!(f, "schema_version must be >= 1, got {v}"),
            Self::EventTypeMismatch { envelope, payload } => write!(
                f,
                "envelope event_type {envelope:?} does not match the payload's {payload:?}"
            ),
            Self::VersionMismatch { envelope, schema } => write!(
                f,
                "envelope version {envelope:?} is not the schema's {schema:?}"
            ),
            Self::EntityTypeMismatch { envelope, domain } => write!(
                f,
                "envelope entity_type {envelope:?} does not match the domain's {domain:?}"
            ),
            Self::PrivacyTierMismatch { envelope, payload } => write!(
                f,
                "envelope privacy_tier {envelope:?} does not match the payload's {payload:?}"
            ),
            Self::EmptyEntityId => write!(f, "entity_id must not be empty"),
            Self::EntityIdMismatch {
                entity_id,
                key_field,
                payload,
            } => write!(
                f,
                "entity_id {entity_id:?} differs from the payload's {key_field} {payload:?}"
            ),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Implemented (by generated code) for every record: rejects negative `*_cents`/`*_count` and
/// values outside a field's declared `"constraints"`.
pub trait CheckFields {
    fn check_fields(&self) -> Result<(), ValidationError>;
}

/// What an event knows about its payload, for validation.
pub struct PayloadRef<'a> {
    pub event_type: &'static str,
    /// `None` where the workspace has no privacy tiers.
    pub privacy_tier: Option<Tier>,
    /// The payload's key field value (e.g. `user_id`), when it has one.
    pub entity_key: Option<&'a str>,
    pub check: &'a dyn CheckFields,
}

/// A payload record of the nested-envelope layout: one event type. Implemented by generated
/// code.
pub trait Payload: CheckFields + Sized {
    const EVENT_TYPE: &'static str;
    /// Full Avro name of the payload record.
    const RECORD: &'static str;
    const PRIVACY_TIER: PrivacyTier;
    /// The domain event this payload travels in.
    type Event: Enveloped;
    /// The value of the topic's key field in this payload.
    fn entity_key(&self) -> Option<&str>;
    /// Wraps the payload with an envelope (no checks; use [`Emitter::event`]).
    fn into_event(self, envelope: Envelope) -> Self::Event;
}

/// A domain's top-level event record, in any workspace layout. Implemented by generated code.
pub trait DomainEvent: serde::Serialize + serde::de::DeserializeOwned + Sized {
    /// The workspace whose catalog the event belongs to.
    type Workspace: Workspace;
    const TOPIC: &'static str;
    const KEY_FIELD: Option<&'static str>;
    /// Full Avro name of the record.
    const RECORD: &'static str;
    /// The canonical `.avsc` text (references shared types by name).
    const SCHEMA: &'static str;
    fn payload(&self) -> PayloadRef<'_>;
    /// The event's unique id.
    fn event_id(&self) -> uuid::Uuid;
    /// The Kafka message key: the value of the topic's key field (`None`: a keyless topic).
    fn key(&self) -> Option<Cow<'_, str>>;
    /// Every check the event must pass before it is serialized.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// A domain event of the nested-envelope layout (the social-commerce one): the shared
/// [`Envelope`] plus a payload union.
pub trait Enveloped: DomainEvent {
    const ENTITY_TYPE: EntityType;
    const SCHEMA_VERSION: i32;
    fn envelope(&self) -> &Envelope;
    fn envelope_mut(&mut self) -> &mut Envelope;

    /// Checks the envelope against the payload and every validation rule of the envelope and
    /// the payload's fields.
    fn validate_envelope(&self) -> Result<(), ValidationError> {
        let env = self.envelope();
        let p = self.payload();
        if env.event_type != p.event_type {
            return Err(ValidationError::EventTypeMismatch {
                envelope: env.event_type.clone(),
                payload: p.event_type,
            });
        }
        if env.entity_type != Self::ENTITY_TYPE {
            return Err(ValidationError::EntityTypeMismatch {
                envelope: env.entity_type,
                domain: Self::ENTITY_TYPE,
            });
        }
        if Some(Tier::from(env.privacy_tier)) != p.privacy_tier {
            return Err(ValidationError::PrivacyTierMismatch {
                envelope: env.privacy_tier,
                payload: p
                    .privacy_tier
                    .map_or(PrivacyTier::Restricted, PrivacyTier::from),
            });
        }
        if env.entity_version < 1 {
            return Err(ValidationError::EntityVersion(env.entity_version));
        }
        if env.schema_version < 1 {
            return Err(ValidationError::SchemaVersion(env.schema_version));
        }
        if env.entity_id.is_empty() {
            return Err(ValidationError::EmptyEntityId);
        }
        if let (Some(key), Some(field)) = (p.entity_key, Self::KEY_FIELD) {
            if key != env.entity_id {
                return Err(ValidationError::EntityIdMismatch {
                    entity_id: env.entity_id.clone(),
                    key_field: field,
                    payload: key.to_string(),
                });
            }
        }
        p.check.check_fields()
    }
}

impl From<PrivacyTier> for Tier {
    fn from(t: PrivacyTier) -> Tier {
        match t {
            PrivacyTier::Public => Tier::Public,
            PrivacyTier::Internal => Tier::Internal,
            PrivacyTier::Restricted => Tier::Restricted,
        }
    }
}

impl From<Tier> for PrivacyTier {
    fn from(t: Tier) -> PrivacyTier {
        match t {
            Tier::Public => PrivacyTier::Public,
            Tier::Internal => PrivacyTier::Internal,
            Tier::Restricted => PrivacyTier::Restricted,
        }
    }
}

impl Actor {
    pub fn user(id: impl Into<String>) -> Self {
        Self::with_id(ActorType::User, id)
    }
    pub fn supplier(id: impl Into<String>) -> Self {
        Self::with_id(ActorType::Supplier, id)
    }
    pub fn admin(id: impl Into<String>) -> Self {
        Self::with_id(ActorType::Admin, id)
    }
    pub fn system() -> Self {
        Actor {
            actor_type: ActorType::System,
            actor_id: None,
        }
    }
    pub fn scheduler() -> Self {
        Actor {
            actor_type: ActorType::Scheduler,
            actor_id: None,
        }
    }
    fn with_id(actor_type: ActorType, id: impl Into<String>) -> Self {
        Actor {
            actor_type,
            actor_id: Some(id.into()),
        }
    }
}

/// Builds events for one producing service. Everything derivable is filled in: a fresh v4
/// `event_id`, `occurred_at` = now, `event_type`, `entity_type`, `privacy_tier` and
/// `schema_version` from the payload's type, so an event cannot be mislabelled.
///
/// ```
/// use sc_events::{Actor, Emitter, user};
/// let emitter = Emitter::new("social-commerce-api");
/// let event = emitter.event(
///     user::UserReactivated { user_id: "u1".into() },
///     "u1", 4, Actor::admin("admin7"),
/// ).unwrap();
/// assert_eq!(event.envelope.event_type, "user.reactivated");
/// ```
#[derive(Debug, Clone)]
pub struct Emitter {
    producer: String,
}

/// Optional tracing ids for [`Emitter::event_traced`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Tracing {
    pub trace_id: Option<uuid::Uuid>,
    pub correlation_id: Option<uuid::Uuid>,
}

impl Emitter {
    pub fn new(producer: impl Into<String>) -> Self {
        Emitter {
            producer: producer.into(),
        }
    }

    /// A complete, validated event from a payload, the entity id and version, and the actor.
    pub fn event<P: Payload>(
        &self,
        payload: P,
        entity_id: impl Into<String>,
        entity_version: i64,
        actor: Actor,
    ) -> Result<P::Event, ValidationError> {
        self.event_traced(
            payload,
            entity_id,
            entity_version,
            actor,
            Tracing::default(),
        )
    }

    /// Like [`Emitter::event`], with trace and correlation ids.
    pub fn event_traced<P: Payload>(
        &self,
        payload: P,
        entity_id: impl Into<String>,
        entity_version: i64,
        actor: Actor,
        tracing: Tracing,
    ) -> Result<P::Event, ValidationError> {
        let envelope = Envelope {
            event_id: uuid::Uuid::new_v4(),
            event_type: P::EVENT_TYPE.to_string(),
            entity_type: <P::Event as Enveloped>::ENTITY_TYPE,
            entity_id: entity_id.into(),
            entity_version,
            occurred_at: now_millis(),
            trace_id: tracing.trace_id,
            correlation_id: tracing.correlation_id,
            producer: self.producer.clone(),
            actor,
            schema_version: <P::Event as Enveloped>::SCHEMA_VERSION,
            privacy_tier: P::PRIVACY_TIER,
        };
        let event = payload.into_event(envelope);
        event.validate()?;
        Ok(event)
    }
}

/// Now, at the millisecond precision `timestamp-millis` keeps (so events round-trip exactly).
fn now_millis() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}
