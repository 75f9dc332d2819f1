//! The serializer: `E` in Confluent's framing, with a schema id resolved once and, where the
//! subject's rule set says so, its tagged fields encrypted.

use super::{field_program, keys_of, subject_of, write_header, WireError, CLEAR};
use crate::event::DomainEvent;
use crate::wire::encrypt::fields::RewriteError;
use crate::wire::encrypt::{EncryptRule, Encryptor, Kms, LocalKms};
use crate::wire::Encode;
use sc_events_registry::subjects::Naming;
use sc_events_registry::{ErrorKind, RegisterOptions, Registry, RegistryError, SchemaDef};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// How a serializer finds its schema id.
#[derive(Debug, Clone, Default)]
pub struct SerializerConfig {
    /// Register the schema (and the envelope it references) when it is not registered yet.
    /// Off by default: schemas are published by the gate (`schemactl publish`).
    pub auto_register: bool,
    /// The subject; default TopicNameStrategy, `<topic>-value`.
    pub subject: Option<String>,
    pub naming: Naming,
    pub normalize: bool,
    /// The KMS holding the key-encryption key of subjects whose rule set encrypts fields;
    /// `None`: Confluent's local KMS when `LOCAL_SECRET` is set.
    pub kms: Option<Arc<dyn Kms>>,
}

/// The encryptor of `subject`'s writes, when its rule set encrypts fields of its schema.
async fn encryptor(
    registry: &dyn Registry,
    subject: &str,
    def: &SchemaDef,
    kms: Option<&Arc<dyn Kms>>,
) -> Result<Option<Arc<Encryptor>>, WireError> {
    let Some(rule) = EncryptRule::of(def.rule_set.as_ref(), true).map_err(WireError::Encryption)?
    else {
        return Ok(None);
    };
    let Some(program) = field_program(registry, subject, def, &rule).await? else {
        return Ok(None);
    };
    let local;
    let kms: &dyn Kms = match kms {
        Some(k) => k.as_ref(),
        None => match LocalKms::from_env() {
            Some(k) => {
                local = k;
                &local
            }
            None => {
                // Events without a tagged value can still be written.
                let why = format!(
                    "subject {subject} encrypts {} with KEK '{}': no KMS holds it (set {} for the local KMS, or give the serializer a KMS)",
                    program.fields.join(", "),
                    rule.kek_name,
                    crate::wire::encrypt::LOCAL_SECRET_VAR
                );
                return Ok(Some(Arc::new(Encryptor::without_key(program, why))));
            }
        },
    };
    let keys = keys_of(registry)?;
    Encryptor::prepare(keys, kms, subject, &rule, program)
        .await
        .map(|e| Some(Arc::new(e)))
        .map_err(|e| WireError::Encryption(format!("subject {subject}: {e}")))
}

/// Encodes `E` in Confluent's framing with a schema id resolved once.
pub struct Serializer<E> {
    id: u32,
    crypt: Option<Arc<Encryptor>>,
    _e: PhantomData<fn(&E)>,
}

impl<E: DomainEvent + Encode> Serializer<E> {
    /// Finds (or, with `auto_register`, registers) the schema of `E` and its references.
    pub async fn new(
        registry: &dyn Registry,
        config: &SerializerConfig,
    ) -> Result<Self, WireError> {
        let chain = subject_of::<E>(&config.naming)?;
        let mut versions: HashMap<String, i32> = HashMap::new();
        let mut id = 0;
        let mut crypt = None;
        for (i, s) in chain.iter().enumerate() {
            let refs: Vec<i32> = s
                .references
                .iter()
                .map(|(_, subj)| versions.get(subj).copied().unwrap_or(1))
                .collect();
            let def = s.def(&refs);
            let subject = match (&config.subject, i + 1 == chain.len()) {
                (Some(custom), true) => custom.clone(),
                _ => s.subject.clone(),
            };
            let found = match registry
                .lookup(&subject, &def, config.normalize, false)
                .await
            {
                Ok(r) => Some(r),
                Err(e) if e.is(ErrorKind::SubjectNotFound) || e.is(ErrorKind::SchemaNotFound) => {
                    None
                }
                Err(e) => return Err(e.into()),
            };
            let reg = match found {
                Some(r) => r,
                None if config.auto_register => {
                    let opts = RegisterOptions {
                        normalize: config.normalize,
                        ..RegisterOptions::default()
                    };
                    registry.register(&subject, &def, opts).await?;
                    registry
                        .lookup(&subject, &def, config.normalize, false)
                        .await?
                }
                None => return Err(WireError::NotRegistered { subject }),
            };
            versions.insert(s.subject.clone(), reg.version);
            id = reg.id;
            if i + 1 == chain.len() {
                crypt = encryptor(registry, &subject, &def, config.kms.as_ref()).await?;
            }
        }
        let id = u32::try_from(id).map_err(|_| {
            WireError::Registry(RegistryError::Malformed(format!(
                "schema id {id} is negative"
            )))
        })?;
        Ok(Serializer {
            id,
            crypt,
            _e: PhantomData,
        })
    }

    /// A serializer for a known schema id (no registry involved).
    pub fn with_id(id: u32) -> Self {
        Serializer {
            id,
            crypt: None,
            _e: PhantomData,
        }
    }

    /// The same, encrypting fields with `crypt` (another serializer's [`Serializer::encryptor`]).
    pub fn with_encryptor(mut self, crypt: Option<Arc<Encryptor>>) -> Self {
        self.crypt = crypt;
        self
    }

    /// What encrypts this subject's tagged fields, if its rule set says so.
    pub fn encryptor(&self) -> Option<&Arc<Encryptor>> {
        self.crypt.as_ref()
    }

    pub fn schema_id(&self) -> u32 {
        self.id
    }

    /// Validates `event` and appends the framed message to `w`.
    #[inline]
    pub fn serialize(&self, event: &E, w: &mut Vec<u8>) -> Result<(), WireError> {
        if self.crypt.is_some() {
            event.validate().map_err(WireError::Invalid)?;
            return self.serialize_unchecked(event, w);
        }
        let start = w.len();
        write_header(self.id, w);
        event.encode_validated(w).map_err(|e| {
            w.truncate(start);
            WireError::Invalid(e)
        })
    }

    /// Appends the framed message without validating (for events already validated). Fails
    /// only where fields are encrypted.
    #[inline]
    pub fn serialize_unchecked(&self, event: &E, w: &mut Vec<u8>) -> Result<(), WireError> {
        write_header(self.id, w);
        let Some(crypt) = &self.crypt else {
            event.encode(w);
            return Ok(());
        };
        CLEAR.with(|b| {
            let mut clear = b.borrow_mut();
            clear.clear();
            event.encode(&mut clear);
            crypt.encrypt(&clear, w).map_err(|e| match e {
                RewriteError::Field { reason, .. } => WireError::Encryption(reason),
                RewriteError::Decode(e) => {
                    WireError::Encryption(format!("the encoded event does not re-read: {e}"))
                }
            })
        })
    }
}
