//! The deserializer: Confluent-framed messages into `E`, whatever registered version wrote
//! them (resolution, or an upcast from an older major), decrypting encrypted fields when it
//! holds the key.

use super::plans::IdTable;
use super::{keys_of, split, subject_of, WireError, CLEAR, HEADER_LEN};
use crate::event::DomainEvent;
use crate::wire::binary::{self, DecodeError};
use crate::wire::encrypt::fields;
use crate::wire::encrypt::fields::RewriteError;
use crate::wire::encrypt::{Decryption, Decryptor, EncryptRule, OnEncrypted};
use crate::wire::resolve::{self, Plan};
use crate::wire::upcast::{self, UpcastPlan, Upcasters};
use crate::wire::{Decode, HasView};
use sc_events_registry::subjects::Naming;
use sc_events_registry::{check, ErrorKind, Registry, SchemaDef};
use std::marker::PhantomData;
use std::sync::Arc;

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

/// How one writer schema is read: its resolution plan (or, for an older major, its upcast)
/// and what to do with encrypted fields.
#[derive(Debug)]
struct ReadPlan {
    plan: Reading,
    crypt: Crypt,
}

#[derive(Debug)]
enum Reading {
    Plan(Plan),
    Upcast(UpcastPlan),
}

#[derive(Debug)]
enum Crypt {
    /// No field is encrypted, or the reader takes ciphertext as it is.
    None,
    Decrypt(Decryptor),
    Refuse(Vec<String>),
}

/// What a reader does beyond resolution: decrypt encrypted fields, upcast older majors.
#[derive(Debug, Clone, Default)]
pub struct ReaderOptions {
    pub decryption: Decryption,
    pub upcasters: Upcasters,
}

/// Decodes Confluent-framed messages into `E`, whatever registered version wrote them.
pub struct Deserializer<E> {
    registry: Arc<dyn Registry>,
    decryption: Decryption,
    upcasters: Upcasters,
    plans: IdTable<ReadPlan>,
    _e: PhantomData<fn() -> E>,
}

impl<E: DomainEvent + resolve::Resolve> Deserializer<E> {
    pub fn new(registry: Arc<dyn Registry>) -> Self {
        Self::with_decryption(registry, Decryption::default())
    }

    /// A deserializer treating encrypted fields as `decryption` says.
    pub fn with_decryption(registry: Arc<dyn Registry>, decryption: Decryption) -> Self {
        Self::with_options(
            registry,
            ReaderOptions {
                decryption,
                ..ReaderOptions::default()
            },
        )
    }

    /// A deserializer with these options (decryption, upcasting).
    pub fn with_options(registry: Arc<dyn Registry>, options: ReaderOptions) -> Self {
        Deserializer {
            registry,
            decryption: options.decryption,
            upcasters: options.upcasters,
            plans: IdTable::default(),
            _e: PhantomData,
        }
    }

    /// The same, reading an older major's data through `upcasters` (and the reader schema's
    /// declared `"upcast"`) where resolution cannot.
    pub fn with_upcasters(mut self, upcasters: Upcasters) -> Self {
        self.upcasters = upcasters;
        self
    }

    /// What becomes of the encrypted fields of writer schema `def` (read side), `writer`
    /// being it resolved and parsed.
    async fn crypt(
        &self,
        id: u32,
        def: &SchemaDef,
        writer: &check::Parsed,
    ) -> Result<Crypt, WireError> {
        let Some(rule) =
            EncryptRule::of(def.rule_set.as_ref(), false).map_err(WireError::Encryption)?
        else {
            return Ok(Crypt::None);
        };
        let Some(program) =
            fields::compile(writer.root(), &rule.tags).map_err(WireError::Encryption)?
        else {
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
        if self.plans.contains(id) {
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
        // Before the plan, which may keep the parsed writer.
        let crypt = self.crypt(id, &def, &writer).await?;
        let catalog = <E::Workspace as crate::workspace::WorkspaceCatalog>::catalog();
        // An older major's data is read through its migration (what made it a major is what
        // resolution cannot read); any other version through resolution.
        let plan = match upcast::older_major(catalog, E::RECORD, &writer) {
            Some(majors) => upcast::plan(catalog, E::RECORD, writer, majors, &self.upcasters)
                .map(Reading::Upcast)
                .map_err(|why| WireError::Incompatible {
                    schema_id: id,
                    reason: format!(
                        "the writer is of major {}, this reader of {}: {why}",
                        majors.0, majors.1
                    ),
                })?,
            None => resolve::compile(catalog, &writer, E::RECORD)
                .map(Reading::Plan)
                .map_err(|reason| WireError::Incompatible {
                    schema_id: id,
                    reason,
                })?,
        };
        self.plans.insert(id, ReadPlan { plan, crypt });
        Ok(())
    }

    /// Decodes a message, fetching its writer schema first if this id is new.
    pub async fn deserialize(&self, message: &[u8]) -> Result<Decoded<E>, WireError> {
        let (id, _) = split(message)?;
        self.warm(id).await?;
        self.deserialize_cached(message)
    }

    /// Decodes a message whose schema id was seen before; never touches the registry.
    pub fn deserialize_cached(&self, message: &[u8]) -> Result<Decoded<E>, WireError> {
        // The common cases first, nothing encrypted (no scratch): the reader's own schema, or
        // another writer's read in one pass.
        let (id, datum) = split(message)?;
        let common = self.plans.with(id, |plan| match plan {
            Some(ReadPlan {
                plan: Reading::Plan(Plan::Same),
                crypt: Crypt::None,
            }) => Some(
                binary::from_slice(datum)
                    .map(Decoded::Event)
                    .map_err(|e| decode_error(id, e)),
            ),
            Some(ReadPlan {
                plan: Reading::Plan(Plan::Resolve(program)),
                crypt: Crypt::None,
            }) => Some(single_pass(id, program, datum, &mut Vec::new())),
            _ => None,
        });
        if let Some(decoded) = common {
            return decoded;
        }
        SCRATCH.with(|s| self.decode_as::<E>(message, &mut s.borrow_mut(), single_pass::<E>))
    }

    /// Every plan's decoding (beside [`Self::deserialize_cached`]'s shortcut for the two
    /// commonest): the generated decoder of `T` over the datum, or, for another writer
    /// version, `resolved` (in one pass, or through the reader's layout in `scratch`); upcasts
    /// and decryption first where the plan has them.
    fn decode_as<'b, T: Decode<'b>>(
        &self,
        message: &'b [u8],
        scratch: &'b mut Vec<u8>,
        resolved: impl for<'d> Fn(
            u32,
            &resolve::Program,
            &'d [u8],
            &'b mut Vec<u8>,
        ) -> Result<Decoded<T>, WireError>,
    ) -> Result<Decoded<T>, WireError> {
        let (id, datum) = split(message)?;
        self.plans.with(id, |plan| {
            let plan = plan.ok_or(WireError::NotWarmed(id))?;
            let at = |error: DecodeError| decode_error(id, error);
            let decrypt_error = |e: RewriteError| match e {
                RewriteError::Decode(e) => at(e),
                RewriteError::Field { offset, reason } => WireError::Decrypt {
                    schema_id: id,
                    offset,
                    reason,
                },
            };
            let upcast_error = |reason: String| WireError::Incompatible {
                schema_id: id,
                reason: format!("upcast: {reason}"),
            };
            let program = match &plan.plan {
                Reading::Plan(p) => p,
                Reading::Upcast(u) => {
                    let decoded = |scratch: &'b mut Vec<u8>| {
                        binary::from_slice(scratch.as_slice())
                            .map(Decoded::Event)
                            .map_err(|e| {
                                upcast_error(format!("the upcast datum does not decode: {e}"))
                            })
                    };
                    return match &plan.crypt {
                        Crypt::Refuse(fields) => Err(WireError::Encrypted {
                            schema_id: id,
                            fields: fields.clone(),
                        }),
                        Crypt::None => {
                            scratch.clear();
                            u.run(datum, scratch).map_err(upcast_error)?;
                            decoded(scratch)
                        }
                        Crypt::Decrypt(d) => {
                            CLEAR.with(|b| {
                                let mut clear = b.borrow_mut();
                                clear.clear();
                                d.decrypt(datum, &mut clear).map_err(decrypt_error)?;
                                scratch.clear();
                                u.run(&clear, scratch).map_err(upcast_error)
                            })?;
                            decoded(scratch)
                        }
                    };
                }
            };
            match (program, &plan.crypt) {
                (_, Crypt::Refuse(fields)) => Err(WireError::Encrypted {
                    schema_id: id,
                    fields: fields.clone(),
                }),
                (Plan::Same, Crypt::None) => {
                    binary::from_slice(datum).map(Decoded::Event).map_err(at)
                }
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
        })
    }
}

/// Reads `datum` through `program` straight into the owned reader type, in one pass.
#[inline]
fn single_pass<T: resolve::Resolve>(
    id: u32,
    program: &resolve::Program,
    datum: &[u8],
    _: &mut Vec<u8>,
) -> Result<Decoded<T>, WireError> {
    outcome(id, resolve::read::datum(program, datum).map(Decoded::Event))
}

/// Reads `datum` through `program` into the reader's layout (in `scratch`), then decodes it
/// (the route of borrowed views, whose strings point into `scratch`).
fn transcoded<'b, T: Decode<'b>>(
    id: u32,
    program: &resolve::Program,
    datum: &[u8],
    scratch: &'b mut Vec<u8>,
) -> Result<Decoded<T>, WireError> {
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
        Err(e) => outcome(id, Err(e)),
    }
}

/// A datum's decoding error, its offset counted from the start of the message.
fn decode_error(id: u32, mut error: DecodeError) -> WireError {
    error.offset += HEADER_LEN;
    WireError::Decode {
        schema_id: id,
        error,
    }
}

/// A resolution's result as the deserializer reports it.
#[inline]
fn outcome<T>(
    id: u32,
    run: Result<Decoded<T>, resolve::RunError>,
) -> Result<Decoded<T>, WireError> {
    match run {
        Ok(v) => Ok(v),
        Err(resolve::RunError::UnknownEventType(event_type)) => Ok(Decoded::UnknownEventType {
            schema_id: id,
            event_type,
        }),
        Err(resolve::RunError::Decode(error)) => Err(decode_error(id, error)),
        Err(resolve::RunError::Unresolvable(reason)) => Err(WireError::Incompatible {
            schema_id: id,
            reason,
        }),
    }
}

thread_local! {
    /// Where resolved datums of owned decodes go, reused across messages.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl<E: DomainEvent + HasView + resolve::Resolve> Deserializer<E> {
    /// Decodes a message of a warm schema id into a borrowed view: strings and bytes point into
    /// `message`, or, for an older writer version, into `scratch`, which receives the resolved
    /// bytes (reuse it across messages and nothing is allocated for them).
    pub fn deserialize_view<'b>(
        &self,
        message: &'b [u8],
        scratch: &'b mut Vec<u8>,
    ) -> Result<Decoded<E::View<'b>>, WireError> {
        self.decode_as::<E::View<'b>>(message, scratch, transcoded::<E::View<'b>>)
    }
}
