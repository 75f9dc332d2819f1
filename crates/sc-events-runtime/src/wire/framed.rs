//! Confluent's framing and the registry-aware serializer and deserializer.
//!
//! A framed message is magic byte 0, the schema id as 4 big-endian bytes, then the Avro datum.
//! The [`Serializer`] resolves its subject's schema id once (a lookup of the exact schema,
//! registering it only when asked) and then writes with no registry call and, into a reused
//! buffer, no allocation. The [`Deserializer`] fetches each writer schema once per id, compiles
//! a writer-to-reader plan for it and caches the plan; after that a decode is synchronous.

use super::binary::{self, DecodeError};
use super::resolve::{self, Plan};
use super::{Decode, Encode, HasView};
use crate::encrypt::fields::{self, RewriteError};
pub use crate::encrypt::Decryption;
use crate::encrypt::{Decryptor, EncryptRule, Encryptor, Kms, LocalKms, OnEncrypted};
use crate::event::{DomainEvent, ValidationError};
use sc_events_registry::subjects::{subjects, Naming, SubjectSchema};
use sc_events_registry::{check, ErrorKind, RegisterOptions, Registry, RegistryError, SchemaDef};
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

pub const MAGIC: u8 = 0;
/// Magic byte and schema id.
pub const HEADER_LEN: usize = 5;

/// Why a message could not be written or read.
#[derive(Debug)]
pub enum WireError {
    /// Fewer than the 5 header bytes.
    TooShort(usize),
    /// The first byte is not Confluent's magic byte 0.
    BadMagic(u8),
    /// The registry has no schema with this id.
    UnknownSchemaId(u32),
    /// `deserialize_cached` before the id's plan was fetched (call `deserialize` or `warm`).
    NotWarmed(u32),
    /// The writer schema cannot be read into this type: the first reason.
    Incompatible {
        schema_id: u32,
        reason: String,
    },
    /// The datum is not valid for its writer schema; the offset counts from the message start.
    Decode {
        schema_id: u32,
        error: DecodeError,
    },
    /// The subject's schema is not registered and auto-registration is off.
    NotRegistered {
        subject: String,
    },
    Registry(RegistryError),
    Invalid(ValidationError),
    /// Field encryption could not be set up (no KMS, no DEK registry, a key that does not
    /// unwrap), or failed on write.
    Encryption(String),
    /// The message has encrypted fields this reader was told to refuse.
    Encrypted {
        schema_id: u32,
        fields: Vec<String>,
    },
    /// An encrypted field did not decrypt (the offset counts from the datum's start).
    Decrypt {
        schema_id: u32,
        offset: usize,
        reason: String,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::TooShort(n) => write!(f, "message of {n} bytes is shorter than the 5-byte Confluent header"),
            WireError::BadMagic(b) => write!(f, "at byte 0: magic byte {b}, expected 0 (not a Confluent-framed Avro message)"),
            WireError::UnknownSchemaId(id) => write!(f, "at byte 1: schema id {id} is not in the registry"),
            WireError::NotWarmed(id) => write!(f, "schema id {id} is not loaded yet; deserialize it once asynchronously"),
            WireError::Incompatible { schema_id, reason } => write!(f, "writer schema {schema_id} cannot be read into this type: {reason}"),
            WireError::Decode { schema_id, error } => write!(f, "message with schema id {schema_id}: {error}"),
            WireError::NotRegistered { subject } => write!(f, "the schema of subject {subject} is not registered; run `schemactl publish` or enable auto-registration"),
            WireError::Registry(e) => write!(f, "{e}"),
            WireError::Invalid(e) => write!(f, "invalid event: {e}"),
            WireError::Encryption(e) => write!(f, "field encryption: {e}"),
            WireError::Encrypted { schema_id, fields } => write!(f, "message with schema id {schema_id} has encrypted fields ({}) and this reader refuses ciphertext", fields.join(", ")),
            WireError::Decrypt { schema_id, offset, reason } => write!(f, "message with schema id {schema_id}: the encrypted field at datum byte {offset} does not decrypt: {reason}"),
        }
    }
}

impl std::error::Error for WireError {}

impl From<RegistryError> for WireError {
    fn from(e: RegistryError) -> Self {
        WireError::Registry(e)
    }
}

/// Writes the 5-byte header.
#[inline]
pub fn write_header(id: u32, w: &mut Vec<u8>) {
    w.push(MAGIC);
    w.extend_from_slice(&id.to_be_bytes());
}

/// Splits a framed message into its schema id and Avro datum.
#[inline]
pub fn split(message: &[u8]) -> Result<(u32, &[u8]), WireError> {
    if message.len() < HEADER_LEN {
        return Err(WireError::TooShort(message.len()));
    }
    if message[0] != MAGIC {
        return Err(WireError::BadMagic(message[0]));
    }
    let id = u32::from_be_bytes([message[1], message[2], message[3], message[4]]);
    Ok((id, &message[HEADER_LEN..]))
}

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

/// The field program of `def`'s rule for `write`, over the schema as the registry holds it.
async fn field_program(
    registry: &dyn Registry,
    label: &str,
    def: &SchemaDef,
    rule: &EncryptRule,
) -> Result<Option<fields::FieldProgram>, WireError> {
    let resolved = check::resolve(registry, label, def).await?;
    let parsed = check::parse(&resolved).map_err(WireError::Encryption)?;
    fields::compile(parsed.root(), &rule.tags).map_err(WireError::Encryption)
}

fn keys_of(
    registry: &dyn Registry,
) -> Result<&dyn sc_events_registry::keys::KeyRegistry, WireError> {
    registry.keys().ok_or_else(|| {
        WireError::Encryption(format!(
            "{} has no DEK registry to hold the data keys",
            registry.describe()
        ))
    })
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
                    crate::encrypt::LOCAL_SECRET_VAR
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

/// The workspace subject of `E`, from the schemas built into this crate.
fn subject_of<E: DomainEvent>(naming: &Naming) -> Result<Vec<SubjectSchema>, WireError> {
    let catalog = <E::Workspace as crate::workspace::WorkspaceCatalog>::catalog();
    let all = subjects(catalog, naming);
    let Some(me) = all
        .iter()
        .position(|s| s.topic.as_deref() == Some(E::TOPIC))
    else {
        return Err(WireError::NotRegistered {
            subject: format!("{}-value", E::TOPIC),
        });
    };
    // The referenced subjects first, then E's.
    let mut chain: Vec<SubjectSchema> = all
        .iter()
        .filter(|s| all[me].references.iter().any(|(_, r)| *r == s.subject))
        .cloned()
        .collect();
    chain.push(all[me].clone());
    Ok(chain)
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
        event.validate().map_err(WireError::Invalid)?;
        self.serialize_unchecked(event, w)
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

/// What a message decoded to.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded<E> {
    Event(E),
    /// A newer producer's event type this build does not know: log and skip it.
    UnknownEventType {
        schema_id: u32,
        event_type: String,
    },
}

impl<E> Decoded<E> {
    /// Maps the decoded event (for enums over several domains).
    pub fn map<F>(self, f: impl FnOnce(E) -> F) -> Decoded<F> {
        match self {
            Decoded::Event(e) => Decoded::Event(f(e)),
            Decoded::UnknownEventType {
                schema_id,
                event_type,
            } => Decoded::UnknownEventType {
                schema_id,
                event_type,
            },
        }
    }
}

/// How one writer schema is read: its resolution plan and what to do with encrypted fields.
#[derive(Debug)]
struct ReadPlan {
    plan: Plan,
    crypt: Crypt,
}

#[derive(Debug)]
enum Crypt {
    /// No field is encrypted, or the reader takes ciphertext as it is.
    None,
    Decrypt(Decryptor),
    Refuse(Vec<String>),
}

/// Decodes Confluent-framed messages into `E`, whatever registered version wrote them.
pub struct Deserializer<E> {
    registry: Arc<dyn Registry>,
    decryption: Decryption,
    plans: RwLock<HashMap<u32, Arc<ReadPlan>>>,
    _e: PhantomData<fn() -> E>,
}

impl<E: DomainEvent + for<'a> Decode<'a>> Deserializer<E> {
    pub fn new(registry: Arc<dyn Registry>) -> Self {
        Self::with_decryption(registry, Decryption::default())
    }

    /// A deserializer treating encrypted fields as `decryption` says.
    pub fn with_decryption(registry: Arc<dyn Registry>, decryption: Decryption) -> Self {
        Deserializer {
            registry,
            decryption,
            plans: RwLock::new(HashMap::new()),
            _e: PhantomData,
        }
    }

    /// What becomes of the encrypted fields of writer schema `def` (read side).
    async fn crypt(&self, id: u32, def: &SchemaDef) -> Result<Crypt, WireError> {
        let Some(rule) =
            EncryptRule::of(def.rule_set.as_ref(), false).map_err(WireError::Encryption)?
        else {
            return Ok(Crypt::None);
        };
        let label = format!("schema {id}");
        let Some(program) = field_program(self.registry.as_ref(), &label, def, &rule).await? else {
            return Ok(Crypt::None);
        };
        let Some(kms) = &self.decryption.kms else {
            return Ok(match self.decryption.on_encrypted {
                OnEncrypted::Ciphertext => Crypt::None,
                OnEncrypted::Refuse => Crypt::Refuse(program.fields.clone()),
            });
        };
        let chain = subject_of::<E>(&Naming::default())?;
        let subject = chain.last().map(|s| s.subject.clone()).unwrap_or_default();
        let keys = keys_of(self.registry.as_ref())?;
        Decryptor::prepare(keys, kms.as_ref(), &subject, &rule, program)
            .await
            .map(Crypt::Decrypt)
            .map_err(|e| WireError::Encryption(format!("schema {id} (subject {subject}): {e}")))
    }

    /// Fetches the writer schema of `id` (with its references) and compiles its plan.
    pub async fn warm(&self, id: u32) -> Result<(), WireError> {
        if self.plan(id).is_some() {
            return Ok(());
        }
        let signed = i32::try_from(id).map_err(|_| WireError::UnknownSchemaId(id))?;
        let def: SchemaDef = match self.registry.schema_by_id(signed, None).await {
            Ok(d) => d,
            Err(e) if e.is(ErrorKind::SchemaNotFound) => {
                return Err(WireError::UnknownSchemaId(id))
            }
            Err(e) => return Err(e.into()),
        };
        let label = format!("schema {id}");
        let resolved = check::resolve(self.registry.as_ref(), &label, &def).await?;
        let writer = check::parse(&resolved).map_err(|reason| WireError::Incompatible {
            schema_id: id,
            reason,
        })?;
        let plan = resolve::compile(
            <E::Workspace as crate::workspace::WorkspaceCatalog>::catalog(),
            &writer,
            E::RECORD,
        )
        .map_err(|reason| WireError::Incompatible {
            schema_id: id,
            reason,
        })?;
        let crypt = self.crypt(id, &def).await?;
        if let Ok(mut plans) = self.plans.write() {
            plans.insert(id, Arc::new(ReadPlan { plan, crypt }));
        }
        Ok(())
    }

    fn plan(&self, id: u32) -> Option<Arc<ReadPlan>> {
        self.plans.read().ok().and_then(|p| p.get(&id).cloned())
    }

    /// Decodes a message, fetching its writer schema first if this id is new.
    pub async fn deserialize(&self, message: &[u8]) -> Result<Decoded<E>, WireError> {
        let (id, _) = split(message)?;
        self.warm(id).await?;
        self.deserialize_cached(message)
    }

    /// Decodes a message whose schema id was seen before; never touches the registry.
    pub fn deserialize_cached(&self, message: &[u8]) -> Result<Decoded<E>, WireError> {
        SCRATCH.with(|s| self.decode_as::<E>(message, &mut s.borrow_mut()))
    }

    /// The one decoding path: the generated decoder of `T` over the datum, or over its
    /// resolution into the reader's layout (written to `scratch`) for another writer version.
    fn decode_as<'b, T: Decode<'b>>(
        &self,
        message: &'b [u8],
        scratch: &'b mut Vec<u8>,
    ) -> Result<Decoded<T>, WireError> {
        let (id, datum) = split(message)?;
        // The read guard is held while decoding: no reference count to touch per message.
        let plans = self.plans.read().map_err(|_| WireError::NotWarmed(id))?;
        let plan = plans.get(&id).ok_or(WireError::NotWarmed(id))?;
        let at = |mut error: DecodeError| {
            error.offset += HEADER_LEN;
            WireError::Decode {
                schema_id: id,
                error,
            }
        };
        let decrypt_error = |e: RewriteError| match e {
            RewriteError::Decode(e) => at(e),
            RewriteError::Field { offset, reason } => WireError::Decrypt {
                schema_id: id,
                offset,
                reason,
            },
        };
        match (&plan.plan, &plan.crypt) {
            (_, Crypt::Refuse(fields)) => Err(WireError::Encrypted {
                schema_id: id,
                fields: fields.clone(),
            }),
            (Plan::Same, Crypt::None) => binary::from_slice(datum).map(Decoded::Event).map_err(at),
            (Plan::Same, Crypt::Decrypt(d)) => {
                scratch.clear();
                d.decrypt(datum, scratch).map_err(decrypt_error)?;
                binary::from_slice(scratch.as_slice())
                    .map(Decoded::Event)
                    .map_err(at)
            }
            (Plan::Resolve(program), Crypt::None) => resolved(id, program, datum, scratch),
            (Plan::Resolve(program), Crypt::Decrypt(d)) => CLEAR.with(|b| {
                let mut clear = b.borrow_mut();
                clear.clear();
                d.decrypt(datum, &mut clear).map_err(decrypt_error)?;
                resolved(id, program, &clear, scratch)
            }),
        }
    }
}

/// Reads `datum` through `program` into the reader's layout (in `scratch`), then decodes it.
fn resolved<'b, T: Decode<'b>>(
    id: u32,
    program: &resolve::Program,
    datum: &[u8],
    scratch: &'b mut Vec<u8>,
) -> Result<Decoded<T>, WireError> {
    let at = |mut error: DecodeError| {
        error.offset += HEADER_LEN;
        WireError::Decode {
            schema_id: id,
            error,
        }
    };
    {
        match resolve::transcode_into(program, datum, scratch) {
            Ok(Some(event_type)) => Ok(Decoded::UnknownEventType {
                schema_id: id,
                event_type,
            }),
            Ok(None) => binary::from_slice(scratch.as_slice())
                .map(Decoded::Event)
                .map_err(|e| WireError::Incompatible {
                    schema_id: id,
                    reason: format!("the resolved datum does not decode: {e}"),
                }),
            Err(resolve::RunError::Decode(e)) => Err(at(e)),
            Err(resolve::RunError::Unresolvable(reason)) => Err(WireError::Incompatible {
                schema_id: id,
                reason,
            }),
        }
    }
}

thread_local! {
    /// Cleartext datums of encrypting writes and decrypting reads, reused across messages.
    static CLEAR: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Where resolved datums of owned decodes go, reused across messages.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl<E: DomainEvent + HasView + for<'a> Decode<'a>> Deserializer<E> {
    /// Decodes a message of a warm schema id into a borrowed view: strings and bytes point into
    /// `message`, or, for an older writer version, into `scratch`, which receives the resolved
    /// bytes (reuse it across messages and nothing is allocated for them).
    pub fn deserialize_view<'b>(
        &self,
        message: &'b [u8],
        scratch: &'b mut Vec<u8>,
    ) -> Result<Decoded<E::View<'b>>, WireError> {
        self.decode_as::<E::View<'b>>(message, scratch)
    }
}
