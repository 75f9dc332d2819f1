// The nested-envelope layout's API, generated around this workspace's own envelope record
// (`crate::types::Envelope`): `Payload` for every payload record, `Enveloped` for every
// domain's top-level record, and `Emitter`, which builds a complete, correctly labelled event
// in one call.

/// A payload record of the nested-envelope layout: one event type. Implemented by generated
/// code.
pub trait Payload: __RUNTIME__::event::CheckFields + Sized {
    const EVENT_TYPE: &'static str;
    /// Full Avro name of the payload record.
    const RECORD: &'static str;
    const PRIVACY_TIER: crate::types::PrivacyTier;
    /// Whether the key field carries exactly the envelope `entity_id`'s constraints: it must
    /// equal `entity_id`, so `validate_payload` checks them once, on the key.
    const KEY_CHECKS_ENTITY_ID: bool;
    /// The domain event this payload travels in.
    type Event: Enveloped;
    /// The value of the topic's key field in this payload.
    fn entity_key(&self) -> Option<&str>;
    /// Wraps the payload with an envelope (no checks; use [`Emitter::event`]).
    fn into_event(self, envelope: crate::types::Envelope) -> Self::Event;
}

/// A domain event of the nested-envelope layout: the shared `Envelope` plus a payload union.
pub trait Enveloped: __RUNTIME__::event::DomainEvent {
    const ENTITY_TYPE: crate::types::EntityType;
    const SCHEMA_VERSION: i32;
    fn envelope(&self) -> &crate::types::Envelope;
    fn envelope_mut(&mut self) -> &mut crate::types::Envelope;

    /// Checks the envelope against `p`, the payload it carries, and every validation rule of
    /// the envelope and the payload's fields (`DomainEvent::validate` calls it with `data`'s
    /// payload, so every comparison is against `P`'s constants).
    #[inline(always)]
    fn validate_payload<P: Payload>(&self, p: &P) -> Result<(), __RUNTIME__::event::ValidationError> {
        use __RUNTIME__::event::ValidationError;
        let env = self.envelope();
        if env.event_type != P::EVENT_TYPE {
            return Err(ValidationError::event_type_mismatch(&env.event_type, P::EVENT_TYPE));
        }
        if env.entity_type != Self::ENTITY_TYPE {
            return Err(ValidationError::EntityTypeMismatch {
                envelope: env.entity_type.as_str(),
                domain: Self::ENTITY_TYPE.as_str(),
            });
        }
        // The workspace's tiers map one to one onto `Tier`: the enums compare directly.
        if env.privacy_tier != P::PRIVACY_TIER {
            return Err(ValidationError::PrivacyTierMismatch {
                envelope: env.privacy_tier.into(),
                payload: Some(P::PRIVACY_TIER.into()),
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
        if let (Some(key), Some(field)) = (p.entity_key(), Self::KEY_FIELD) {
            if !__RUNTIME__::event::same_text(key, &env.entity_id) {
                return Err(ValidationError::entity_id_mismatch(&env.entity_id, field, key));
            }
        }
        // The envelope's own declared checks (its records' constraints: the actor's
        // present_when), with paths from the envelope (`actor.actor_id`).
        if P::KEY_CHECKS_ENTITY_ID {
            env.check_fields_but_entity_id()?;
        } else {
            __RUNTIME__::event::CheckFields::check_fields(env)?;
        }
        p.check_fields()
    }
}

impl From<crate::types::PrivacyTier> for __RUNTIME__::event::Tier {
    fn from(t: crate::types::PrivacyTier) -> Self {
        match t {
            crate::types::PrivacyTier::Public => Self::Public,
            crate::types::PrivacyTier::Internal => Self::Internal,
            crate::types::PrivacyTier::Restricted => Self::Restricted,
        }
    }
}

/// Builds events for one producing service. Everything derivable is filled in: a fresh v4
/// `event_id`, `occurred_at` = now, `event_type`, `entity_type`, `privacy_tier` and
/// `schema_version` from the payload's type, so an event cannot be mislabelled.
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
        actor: crate::types::Actor,
    ) -> Result<P::Event, __RUNTIME__::event::ValidationError> {
        self.event_traced(payload, entity_id, entity_version, actor, Tracing::default())
    }

    /// Like [`Emitter::event`], with trace and correlation ids.
    pub fn event_traced<P: Payload>(
        &self,
        payload: P,
        entity_id: impl Into<String>,
        entity_version: i64,
        actor: crate::types::Actor,
        tracing: Tracing,
    ) -> Result<P::Event, __RUNTIME__::event::ValidationError> {
        use __RUNTIME__::event::DomainEvent as _;
        let now = chrono::Utc::now();
        let envelope = crate::types::Envelope {
            event_id: uuid::Uuid::new_v4(),
            event_type: P::EVENT_TYPE.to_string(),
            entity_type: <P::Event as Enveloped>::ENTITY_TYPE,
            entity_id: entity_id.into(),
            entity_version,
            // Millisecond precision, as `timestamp-millis` keeps it: events round-trip exactly.
            occurred_at: chrono::DateTime::from_timestamp_millis(now.timestamp_millis())
                .unwrap_or(now),
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
