//! The typed producer: `send(&event)` goes to the event's topic from the catalog, keyed by its
//! entity id (the topic's partition key), framed by the registry-aware serializer, with
//! `event_type`, `event_id` and `privacy_tier` headers. The partition of a keyed message is
//! the topic's `partitioner` ([`crate::partition`]): by default `murmur2`, the Java client's,
//! over the partition count the cluster reports when the event type is first prepared (a
//! partition added later is seen by the next producer), so Java and Rust producers of one
//! topic put a key on the same partition. Idempotent (`enable.idempotence=true`,
//! `acks=all`), so librdkafka's own retries never duplicate or reorder a partition.
//!
//! `send` waits for the broker's acknowledgement; [`EventProducer::enqueue`] returns the
//! delivery future at once so many events can be in flight (batched by `linger.ms` and
//! `batch.size`). [`EventProducer::flush`] waits for everything queued; call it on shutdown.

use super::metrics::{Metrics, ProducerCollector, ProducerCounts};
use super::{headers, KafkaConfig};
use crate::event::{DomainEvent, ValidationError};
use crate::partition::partition;
use crate::wire::{Encode, Serializer, SerializerConfig, WireError};
use crate::workspace::{Partitioner, WorkspaceCatalog};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::util::Timeout;
use sc_events_registry::Registry;
use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(1024));
}

/// Producer tuning; defaults suit a service sending events one by one.
#[derive(Debug, Clone)]
pub struct ProducerOptions {
    /// `linger.ms`: how long to wait to fill a batch.
    pub linger_ms: u32,
    /// `batch.size` in bytes.
    pub batch_bytes: u32,
    /// `compression.type` (`none`, `lz4`, `zstd`, ...).
    pub compression: String,
    /// `message.timeout.ms`: give up on a message after this long (retries included).
    pub delivery_timeout_ms: u32,
    /// How the serializer finds its schema ids. Auto-registration is off unless this turns
    /// it on or the workspace's topic file does (`schema_registry.auto_register: true`).
    pub serializer: SerializerConfig,
}

impl Default for ProducerOptions {
    fn default() -> Self {
        ProducerOptions {
            linger_ms: 5,
            batch_bytes: 1 << 20,
            compression: "none".into(),
            delivery_timeout_ms: 30_000,
            serializer: SerializerConfig::default(),
        }
    }
}

/// Where a message landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub partition: i32,
    pub offset: i64,
}

/// Why an event was not sent.
#[derive(Debug)]
pub enum SendError {
    /// The event breaks a validation rule; nothing was sent.
    Invalid(ValidationError),
    /// The schema id could not be found (or registered).
    Schema(WireError),
    /// The broker refused or the delivery timed out.
    Kafka(KafkaError),
    /// The producer was dropped before the delivery report came.
    Cancelled,
    /// The topic's partition count is not known (the cluster's metadata had no such topic or
    /// could not be fetched, or `enqueue` came before `prepare`).
    Partitions { topic: String, reason: String },
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Invalid(e) => write!(f, "invalid event, not sent: {e}"),
            SendError::Schema(e) => write!(f, "no schema id for the event: {e}"),
            SendError::Kafka(e) => write!(f, "delivery failed: {e}"),
            SendError::Cancelled => write!(f, "the producer closed before the delivery report"),
            SendError::Partitions { topic, reason } => {
                write!(f, "no partition count for topic {topic}: {reason}")
            }
        }
    }
}

impl std::error::Error for SendError {}

/// Sends catalog events; cheap to share (`Arc`) across tasks.
pub struct EventProducer {
    inner: FutureProducer,
    registry: Arc<dyn Registry>,
    options: ProducerOptions,
    prepared: RwLock<HashMap<TypeId, Prepared>>,
    /// Deliveries and failures per topic, for [`EventProducer::register_metrics`].
    counts: Arc<ProducerCounts>,
}

/// What `prepare` learns once per event type.
#[derive(Debug, Clone)]
struct Prepared {
    schema_id: u32,
    /// Encrypts the subject's tagged fields, where its rule set says so.
    crypt: Option<Arc<crate::wire::encrypt::Encryptor>>,
    partitioner: Partitioner,
    /// The topic's partition count in the cluster; `None` where librdkafka partitions.
    partitions: Option<u32>,
}

impl EventProducer {
    pub fn new(
        kafka: &KafkaConfig,
        registry: Arc<dyn Registry>,
        options: ProducerOptions,
    ) -> Result<Self, KafkaError> {
        let inner: FutureProducer = kafka
            .client(&[
                ("enable.idempotence", "true".into()),
                ("acks", "all".into()),
                ("linger.ms", options.linger_ms.to_string()),
                ("batch.size", options.batch_bytes.to_string()),
                ("compression.type", options.compression.clone()),
                (
                    "message.timeout.ms",
                    options.delivery_timeout_ms.to_string(),
                ),
            ])
            .create()?;
        Ok(EventProducer {
            inner,
            registry,
            options,
            prepared: RwLock::new(HashMap::new()),
            counts: Arc::default(),
        })
    }

    /// Looks up (or registers, if configured) the schema id of `E` once, and the partition
    /// count of its topic where the topic's partitioner needs it; later sends reuse both.
    pub async fn prepare<E: DomainEvent + Encode + 'static>(&self) -> Result<u32, SendError> {
        if let Some(p) = self.cached::<E>() {
            return Ok(p.schema_id);
        }
        // A workspace whose topic file asks producers to register (the data platform's
        // `schema_registry.auto_register: true`) gets it without asking again.
        let mut config = self.options.serializer.clone();
        config.auto_register |= <E::Workspace as WorkspaceCatalog>::catalog()
            .registry
            .auto_register;
        let ser = Serializer::<E>::new(self.registry.as_ref(), &config)
            .await
            .map_err(SendError::Schema)?;
        let partitioner = <E::Workspace as WorkspaceCatalog>::topic(E::TOPIC)
            .map_or(Partitioner::default(), |t| t.partitioner);
        let partitions = match (partitioner, E::KEY_FIELD) {
            (Partitioner::ConsistentRandom, _) | (_, None) => None,
            _ => Some(self.partition_count(E::TOPIC).await?),
        };
        let p = Prepared {
            schema_id: ser.schema_id(),
            crypt: ser.encryptor().cloned(),
            partitioner,
            partitions,
        };
        let id = p.schema_id;
        if let Ok(mut prepared) = self.prepared.write() {
            prepared.insert(TypeId::of::<E>(), p);
        }
        Ok(id)
    }

    fn cached<E: 'static>(&self) -> Option<Prepared> {
        self.prepared
            .read()
            .ok()
            .and_then(|p| p.get(&TypeId::of::<E>()).cloned())
    }

    /// The number of partitions the cluster reports for `topic` (a blocking metadata request,
    /// off the async threads, bounded by the delivery timeout).
    async fn partition_count(&self, topic: &'static str) -> Result<u32, SendError> {
        let fail = |reason: String| SendError::Partitions {
            topic: topic.to_string(),
            reason,
        };
        let producer = self.inner.clone();
        let timeout = Duration::from_millis(u64::from(self.options.delivery_timeout_ms));
        let metadata = tokio::task::spawn_blocking(move || {
            producer
                .client()
                .fetch_metadata(Some(topic), Timeout::After(timeout))
        })
        .await
        .map_err(|e| fail(format!("the metadata request did not finish: {e}")))?
        .map_err(|e| fail(format!("cannot fetch the cluster's metadata: {e}")))?;
        let t = metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .ok_or_else(|| fail("the cluster does not list it".into()))?;
        if let Some(e) = t.error() {
            return Err(fail(format!("the cluster says {e:?}")));
        }
        u32::try_from(t.partitions().len())
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| fail("the cluster lists no partitions".into()))
    }

    /// Validates, encodes and sends `event`, and waits for the broker's acknowledgement.
    pub async fn send<E: DomainEvent + Encode + 'static>(
        &self,
        event: &E,
    ) -> Result<Delivered, SendError> {
        self.prepare::<E>().await?;
        self.enqueue(event)?.await
    }

    /// Validates, encodes and queues `event` now; the future resolves on delivery. Needs the
    /// schema id already known ([`EventProducer::prepare`] or an earlier `send`).
    pub fn enqueue<E: DomainEvent + Encode + 'static>(
        &self,
        event: &E,
    ) -> Result<impl Future<Output = Result<Delivered, SendError>> + Send + 'static, SendError>
    {
        event.validate().map_err(SendError::Invalid)?;
        let prepared = self.cached::<E>().ok_or_else(|| {
            SendError::Schema(WireError::NotRegistered {
                subject: format!("{}-value (call prepare first)", E::TOPIC),
            })
        })?;
        let id = prepared.schema_id;
        let payload = event.payload();
        let key = event.key();
        let partition = match (key.as_deref(), prepared.partitions) {
            (Some(k), Some(n)) => partition(prepared.partitioner, k, E::KEY_TYPE, n),
            _ => None,
        };
        let mut id_text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let event_id: &str = event.event_id().hyphenated().encode_lower(&mut id_text);
        let hdrs = OwnedHeaders::new_with_capacity(3)
            .insert(Header {
                key: headers::EVENT_TYPE,
                value: Some(payload.event_type),
            })
            .insert(Header {
                key: headers::EVENT_ID,
                value: Some(event_id),
            });
        // Workspaces without privacy tiers send no tier header.
        let hdrs = match payload.privacy_tier {
            Some(t) => hdrs.insert(Header {
                key: headers::PRIVACY_TIER,
                value: Some(t.as_str()),
            }),
            None => hdrs,
        };
        // librdkafka copies key and value when the message is queued, so one buffer per
        // thread serves every send.
        let fut = BUFFER.with(|b| {
            let mut value = b.borrow_mut();
            value.clear();
            Serializer::<E>::with_id(id)
                .with_encryptor(prepared.crypt.clone())
                .serialize_unchecked(event, &mut value)
                .map_err(SendError::Schema)?;
            let record = FutureRecord::to(E::TOPIC)
                .payload(value.as_slice())
                .headers(hdrs);
            let record = match key.as_deref() {
                Some(k) => record.key(k),
                None => record,
            };
            let record = match partition {
                Some(p) => record.partition(p),
                None => record,
            };
            self.inner
                .send_result(record)
                .map_err(|(e, _)| SendError::Kafka(e))
        });
        let fut = match fut {
            Ok(f) => f,
            Err(e) => {
                self.counts.record(E::TOPIC, false);
                return Err(e);
            }
        };
        let counts = self.counts.clone();
        Ok(async move {
            let result = match fut.await {
                Ok(Ok(d)) => Ok(Delivered {
                    partition: d.partition,
                    offset: d.offset,
                }),
                Ok(Err((e, _))) => Err(SendError::Kafka(e)),
                Err(_) => Err(SendError::Cancelled),
            };
            counts.record(E::TOPIC, result.is_ok());
            result
        })
    }

    /// Adds this producer's deliveries and failures per topic to `metrics`.
    pub fn register_metrics(&self, metrics: &Metrics) {
        metrics.add(Box::new(ProducerCollector(self.counts.clone())));
    }

    /// Waits until every queued message is delivered (or `timeout` passes).
    pub fn flush(&self, timeout: Duration) -> Result<(), KafkaError> {
        self.inner.flush(Timeout::After(timeout))
    }

    /// The underlying rdkafka producer (for tools and benches).
    pub fn raw(&self) -> &FutureProducer {
        &self.inner
    }
}

impl Drop for EventProducer {
    /// Delivers what is still queued (bounded by the delivery timeout) before closing.
    fn drop(&mut self) {
        let timeout = Duration::from_millis(u64::from(self.options.delivery_timeout_ms));
        let _ = self.inner.flush(Timeout::After(timeout));
    }
}
