//! The typed consumer: one consuming job of the catalog, at-least-once.
//!
//! For every message, in partition order:
//! 1. an `event_type` header the catalog does not know (a newer producer) is logged and
//!    skipped; one above the job's `max_tier` is refused and counted, never decoded for or
//!    handed to the handler; one the job does not handle is skipped;
//! 2. the value is decoded (any registered writer version into today's type); an undecodable
//!    one is dead-lettered, an unknown payload branch without a header is skipped as in 1;
//! 3. the decoded event is checked again (type and tier come from the payload itself), then
//!    de-duplicated by `event_id` when the job asks for it;
//! 4. the handler runs; a retryable failure is retried with exponential backoff and jitter
//!    (the job's [`crate::event::RetryPolicy`]); what still fails, or fails fatally, is
//!    dead-lettered ([`super::dlq`]);
//! 5. only then is the offset stored (`enable.auto.offset.store=false`), so a crash at any
//!    point redelivers the message instead of losing it. Stored offsets are committed every
//!    `commit_interval_ms` and on shutdown.

use super::dedup::Dedup;
use super::dlq::{dead_letter_headers, dead_letter_key, ErrorClass};
use super::metrics::{handler_histogram, JobCollector, LagContext, Metrics};
use super::stats::bump;
pub use super::stats::{Stats, StatsSnapshot};
use super::{headers, Consumable, KafkaConfig};
use crate::event::{ConsumerInfo, Tier, WorkspaceCatalog};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use sc_events_registry::Registry;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Where a message came from and which attempt this is.
#[derive(Debug, Clone)]
pub struct Meta<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<&'a [u8]>,
    /// 1 for the first call, 2 for the first retry, ...
    pub attempt: u32,
}

/// A handler's failure: retry it, or give up at once.
pub enum HandlerError {
    /// Transient (a database timeout): retried with backoff, dead-lettered when retries run out.
    Retryable(Box<dyn std::error::Error + Send + Sync>),
    /// Permanent (the event makes no sense to this job): dead-lettered without retrying.
    Fatal(Box<dyn std::error::Error + Send + Sync>),
}

impl HandlerError {
    pub fn retryable(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        HandlerError::Retryable(e.into())
    }
    pub fn fatal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        HandlerError::Fatal(e.into())
    }
}

/// Any error converts to a retryable failure, so handlers can use `?`.
impl<E: Into<Box<dyn std::error::Error + Send + Sync>>> From<E> for HandlerError {
    fn from(e: E) -> Self {
        HandlerError::Retryable(e.into())
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::Retryable(e) => write!(f, "{e}"),
            HandlerError::Fatal(e) => write!(f, "fatal: {e}"),
        }
    }
}

/// What the job does with each event it may see.
pub trait Handler<E>: Send {
    fn handle(
        &mut self,
        event: &E,
        meta: &Meta<'_>,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

/// A synchronous closure is a handler.
impl<E, F> Handler<E> for F
where
    E: Sync,
    F: FnMut(&E, &Meta<'_>) -> Result<(), HandlerError> + Send,
{
    fn handle(
        &mut self,
        event: &E,
        meta: &Meta<'_>,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        std::future::ready(self(event, meta))
    }
}

/// Tuning beyond the job's catalog entry.
#[derive(Debug, Clone)]
pub struct ConsumerOptions {
    /// `auto.offset.reset` for a group with no committed offset.
    pub auto_offset_reset: String,
    /// How often stored offsets are committed.
    pub commit_interval_ms: u32,
    /// `session.timeout.ms`: how soon a dead member's partitions move to another.
    pub session_timeout_ms: u32,
    /// How long one dead-letter write (queueing and delivery) may take before it is retried.
    pub dlq_timeout: Duration,
    /// The KMS of a job whose catalog entry says `encrypted_fields = "decrypt"`; `None`:
    /// Confluent's local KMS when `LOCAL_SECRET` is set.
    pub kms: Option<Arc<dyn crate::wire::encrypt::Kms>>,
    /// Steps reading an older major's backlog into today's types (with the reader schema's
    /// declared `"upcast"`).
    pub upcasters: crate::wire::upcast::Upcasters,
}

impl Default for ConsumerOptions {
    fn default() -> Self {
        ConsumerOptions {
            auto_offset_reset: "earliest".into(),
            commit_interval_ms: 5_000,
            session_timeout_ms: 10_000,
            dlq_timeout: Duration::from_secs(30),
            kms: None,
            upcasters: Default::default(),
        }
    }
}

/// Why the consumer could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    #[error("consumer {job}: {message}")]
    Config { job: String, message: String },
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
}

/// Runs one job; see the module docs for what happens to each message.
pub struct EventConsumer<E: Consumable> {
    job: ConsumerInfo,
    consumer: StreamConsumer<LagContext>,
    dlq: FutureProducer,
    /// Handler attempt durations, for [`EventConsumer::register_metrics`].
    handler_seconds: prometheus_client::metrics::histogram::Histogram,
    /// The DLQ topic is keyed by the workspace's event id field (its catalog `key`).
    dlq_by_event_id: bool,
    decoders: E::Decoders,
    dedup: Option<std::sync::Mutex<Dedup>>,
    stats: Arc<Stats>,
    options: ConsumerOptions,
}

/// Whether the catalog keys `dlq` by the workspace's event id field.
fn dlq_keyed_by_event_id<W: WorkspaceCatalog>(dlq: &str) -> bool {
    let Some(key) = W::topic(dlq).and_then(|t| t.key) else {
        return false;
    };
    key == W::catalog().layout.section.event_id_field
}

/// What became of one message.
enum Outcome {
    /// Done (handled, skipped or dead-lettered): store its offset.
    Done,
    /// Shutdown came first: leave the offset, the message is redelivered.
    Interrupted,
}

impl<E: Consumable> EventConsumer<E> {
    /// Subscribes `job`'s group to its topics. Every topic must decode to `E`.
    pub fn new(
        kafka: &KafkaConfig,
        registry: Arc<dyn Registry>,
        job: &ConsumerInfo,
        options: ConsumerOptions,
    ) -> Result<Self, ConsumerError> {
        if let Some(t) = job.topics.iter().find(|t| !E::carries(t)) {
            return Err(ConsumerError::Config {
                job: job.name.into(),
                message: format!(
                    "reads {t}, which this event type does not carry; use the workspace's generated AnyEvent"
                ),
            });
        }
        let decryption =
            crate::wire::encrypt::Decryption::for_job(job.encrypted_fields, options.kms.clone())
                .map_err(|message| ConsumerError::Config {
                    job: job.name.into(),
                    message,
                })?;
        let lag = LagContext::default();
        let consumer: StreamConsumer<LagContext> = kafka
            .client(&[
                ("group.id", job.group_id.into()),
                ("enable.auto.commit", "true".into()),
                ("enable.auto.offset.store", "false".into()),
                (
                    "auto.commit.interval.ms",
                    options.commit_interval_ms.to_string(),
                ),
                ("auto.offset.reset", options.auto_offset_reset.clone()),
                ("session.timeout.ms", options.session_timeout_ms.to_string()),
                // One message may wait through every retry and a dead-letter write before the
                // next poll: the group must not evict the member meanwhile.
                (
                    "max.poll.interval.ms",
                    max_poll_interval_ms(job, &options).to_string(),
                ),
                ("enable.partition.eof", "false".into()),
                // Partition lags for the metrics (LagContext).
                ("statistics.interval.ms", "5000".into()),
            ])
            .create_with_context(lag)?;
        consumer.subscribe(job.topics)?;
        let dlq: FutureProducer = kafka
            .client(&[
                ("enable.idempotence", "true".into()),
                ("acks", "all".into()),
                ("linger.ms", "0".into()),
                // The whole delivery, broker retries included, within one write attempt.
                (
                    "message.timeout.ms",
                    options.dlq_timeout.as_millis().max(1).to_string(),
                ),
            ])
            .create()?;
        Ok(EventConsumer {
            job: *job,
            consumer,
            dlq,
            handler_seconds: handler_histogram(),
            dlq_by_event_id: dlq_keyed_by_event_id::<E::Workspace>(job.dlq),
            decoders: E::decoders(
                registry,
                &crate::wire::ReaderOptions {
                    decryption,
                    upcasters: options.upcasters.clone(),
                },
            ),
            dedup: job
                .dedup_capacity
                .map(|n| std::sync::Mutex::new(Dedup::new(n))),
            stats: Arc::new(Stats::default()),
            options,
        })
    }

    pub fn stats(&self) -> Arc<Stats> {
        self.stats.clone()
    }

    /// Adds this job's counts, handler latency and partition lags to `metrics`.
    pub fn register_metrics(&self, metrics: &Metrics) {
        metrics.add(Box::new(JobCollector {
            job: self.job.name,
            stats: self.stats.clone(),
            lags: self.consumer.context().lags.clone(),
            handler: self.handler_seconds.clone(),
        }));
    }

    /// Consumes until `shutdown` completes, then commits what was processed.
    pub async fn run<H: Handler<E>>(
        &mut self,
        handler: &mut H,
        shutdown: impl Future<Output = ()>,
    ) -> Result<StatsSnapshot, ConsumerError> {
        tokio::pin!(shutdown);
        let result = loop {
            let m = tokio::select! {
                biased;
                _ = &mut shutdown => break Ok(()),
                m = self.consumer.recv() => m,
            };
            let m = match m {
                Ok(m) => m,
                Err(e) if fatal(&e) => break Err(ConsumerError::Kafka(e)),
                Err(e) => {
                    log::warn!("consumer {}: {e}", self.job.name);
                    continue;
                }
            };
            bump(&self.stats.received);
            match self.process(&m, handler, &mut shutdown).await {
                Outcome::Done => {
                    if let Err(e) = self.consumer.store_offset_from_message(&m) {
                        log::warn!("consumer {}: cannot store offset: {e}", self.job.name);
                    }
                }
                Outcome::Interrupted => break Ok(()),
            }
        };
        self.commit();
        result.map(|()| self.stats.snapshot())
    }

    /// Commits the stored offsets now (also done on drop by librdkafka's close).
    pub fn commit(&self) {
        match self.consumer.commit_consumer_state(CommitMode::Sync) {
            Ok(()) => {}
            Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
            Err(e) => log::warn!("consumer {}: commit failed: {e}", self.job.name),
        }
    }

    async fn process<H: Handler<E>>(
        &self,
        m: &BorrowedMessage<'_>,
        handler: &mut H,
        shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    ) -> Outcome {
        let job = self.job;
        if let Some(et) = header(m, headers::EVENT_TYPE) {
            match <E::Workspace as WorkspaceCatalog>::event_info(et) {
                None => {
                    log::info!(
                        "consumer {}: skipping unknown event type {et:?} at {}",
                        job.name,
                        at(m)
                    );
                    bump(&self.stats.unknown_type);
                    return Outcome::Done;
                }
                Some(info) if info.privacy_tier.unwrap_or(Tier::Public) > job.max_tier => {
                    bump(&self.stats.refused_tier);
                    return Outcome::Done;
                }
                Some(_) if !job.handles(et) => {
                    bump(&self.stats.filtered);
                    return Outcome::Done;
                }
                Some(_) => {}
            }
        }
        let value = m.payload().unwrap_or_default();
        let event = match E::decode(&self.decoders, m.topic(), value).await {
            Ok(crate::wire::Decoded::Event(e)) => e,
            Ok(crate::wire::Decoded::UnknownEventType { event_type, .. }) => {
                log::info!(
                    "consumer {}: skipping unknown event type {event_type:?} at {}",
                    job.name,
                    at(m)
                );
                bump(&self.stats.unknown_type);
                return Outcome::Done;
            }
            Err(e) => {
                return self
                    .dead_letter(m, ErrorClass::Decode, &e.to_string(), shutdown)
                    .await
            }
        };
        if event.privacy_tier().unwrap_or(Tier::Public) > job.max_tier {
            bump(&self.stats.refused_tier);
            return Outcome::Done;
        }
        if !job.handles(event.event_type()) {
            bump(&self.stats.filtered);
            return Outcome::Done;
        }
        let id = event.event_id();
        let seen = |id: &uuid::Uuid| {
            self.dedup
                .as_ref()
                .is_some_and(|d| d.lock().is_ok_and(|d| d.contains(id)))
        };
        if seen(&id) {
            bump(&self.stats.duplicates);
            return Outcome::Done;
        }
        let mut attempt = 1;
        loop {
            let meta = Meta {
                topic: m.topic(),
                partition: m.partition(),
                offset: m.offset(),
                key: m.key(),
                attempt,
            };
            let failure = match self.attempt(handler, &event, &meta).await {
                Ok(()) => {
                    if let Some(Ok(mut d)) = self.dedup.as_ref().map(|d| d.lock()) {
                        d.insert(id);
                    }
                    bump(&self.stats.handled);
                    return Outcome::Done;
                }
                Err(HandlerError::Fatal(e)) => (ErrorClass::HandlerFatal, e),
                Err(HandlerError::Retryable(e)) if attempt > job.retry.max_retries => {
                    (ErrorClass::HandlerExhausted, e)
                }
                Err(HandlerError::Retryable(e)) => {
                    let delay = job.retry.delay(attempt, fastrand::f64());
                    log::warn!(
                        "consumer {}: attempt {attempt} at {} failed ({e}); retrying in {delay:?}",
                        job.name,
                        at(m)
                    );
                    bump(&self.stats.retries);
                    tokio::select! {
                        biased;
                        _ = shutdown.as_mut() => return Outcome::Interrupted,
                        _ = tokio::time::sleep(delay) => {}
                    }
                    attempt += 1;
                    continue;
                }
            };
            let (class, e) = failure;
            let text = format!("after {attempt} attempt(s): {e}");
            return self.dead_letter(m, class, &text, shutdown).await;
        }
    }

    /// One handler attempt, abandoned after the job's `handler_timeout_ms` (at the handler's
    /// next await: a synchronous handler cannot be interrupted) as a retryable failure.
    async fn attempt<H: Handler<E>>(
        &self,
        handler: &mut H,
        event: &E,
        meta: &Meta<'_>,
    ) -> Result<(), HandlerError> {
        let started = std::time::Instant::now();
        let result = match self.job.handler_timeout_ms {
            None => handler.handle(event, meta).await,
            Some(ms) => {
                let attempt = handler.handle(event, meta);
                match tokio::time::timeout(Duration::from_millis(ms), attempt).await {
                    Ok(r) => r,
                    Err(_) => {
                        bump(&self.stats.timed_out);
                        Err(HandlerError::retryable(format!(
                            "the handler took longer than its {ms} ms timeout"
                        )))
                    }
                }
            }
        };
        self.handler_seconds
            .observe(started.elapsed().as_secs_f64());
        result
    }

    /// Writes `m` to the job's DLQ, retrying the write until it succeeds or shutdown comes.
    async fn dead_letter(
        &self,
        m: &BorrowedMessage<'_>,
        class: ErrorClass,
        message: &str,
        shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    ) -> Outcome {
        let mut attempt = 1;
        loop {
            let key = dead_letter_key(m, self.dlq_by_event_id);
            let rekeyed = key != m.key();
            let h = dead_letter_headers(m, self.job.group_id, class, message, rekeyed);
            let mut record: FutureRecord<'_, [u8], [u8]> =
                FutureRecord::to(self.job.dlq).headers(h);
            if let Some(k) = key {
                record = record.key(k);
            }
            if let Some(v) = m.payload() {
                record = record.payload(v);
            }
            let sent = tokio::select! {
                biased;
                _ = shutdown.as_mut() => return Outcome::Interrupted,
                r = self.dlq.send(record, Timeout::After(self.options.dlq_timeout)) => r,
            };
            match sent {
                Ok(_) => {
                    log::warn!(
                        "consumer {}: dead-lettered {} to {}: {message}",
                        self.job.name,
                        at(m),
                        self.job.dlq
                    );
                    bump(&self.stats.dead_lettered);
                    return Outcome::Done;
                }
                Err((e, _)) => {
                    let delay = self.job.retry.delay(attempt.min(10), fastrand::f64());
                    log::error!(
                        "consumer {}: cannot write to {} ({e}); retrying in {delay:?}",
                        self.job.name,
                        self.job.dlq
                    );
                    tokio::select! {
                        biased;
                        _ = shutdown.as_mut() => return Outcome::Interrupted,
                        _ = tokio::time::sleep(delay) => {}
                    }
                    attempt += 1;
                }
            }
        }
    }
}

/// The longest one message can hold the loop (every retry at its longest delay, then a
/// dead-letter write), doubled, at least librdkafka's default of 5 minutes and at most its limit
/// of a day.
fn max_poll_interval_ms(job: &ConsumerInfo, options: &ConsumerOptions) -> u64 {
    let r = &job.retry;
    let retries: f64 = (1..=r.max_retries)
        .map(|a| r.base_delay(a).as_secs_f64() * (1.0 + r.jitter))
        .sum();
    let attempts = f64::from(r.max_retries) + 1.0;
    let handler = job
        .handler_timeout_ms
        .map_or(0.0, |ms| ms as f64 * attempts);
    let worst = retries * 1000.0 + handler + options.dlq_timeout.as_millis() as f64;
    (2.0 * worst).clamp(300_000.0, 86_400_000.0) as u64
}

fn header<'a>(m: &'a BorrowedMessage<'_>, key: &str) -> Option<&'a str> {
    let h = m.headers()?;
    h.iter()
        .find(|x| x.key == key)
        .and_then(|x| x.value)
        .and_then(|v| std::str::from_utf8(v).ok())
}

fn at(m: &BorrowedMessage<'_>) -> String {
    format!("{}[{}]@{}", m.topic(), m.partition(), m.offset())
}

/// Errors after which the consumer cannot go on.
fn fatal(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::Fatal
                | RDKafkaErrorCode::Authentication
                | RDKafkaErrorCode::GroupAuthorizationFailed
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poll_interval_covers_the_worst_retry_sequence_within_librdkafkas_bounds() {
        let job = ConsumerInfo {
            name: "proj-order-summaries",
            group_id: "proj-order-summaries",
            description: "",
            topics: &["orders"],
            event_types: &["order.*"],
            max_tier: Tier::Internal,
            dlq: "orders.dlq",
            output: &[],
            retry: crate::event::RetryPolicy::default(),
            dedup_capacity: None,
            handler_timeout_ms: None,
            encrypted_fields: crate::event::EncryptedFields::Ciphertext,
        };
        let opts = ConsumerOptions::default();
        // 1 + 2 + 4 s at +20 % plus a 30 s DLQ write, doubled: under the 5-minute floor.
        assert_eq!(max_poll_interval_ms(&job, &opts), 300_000);
        let mut slow = job;
        slow.retry.max_retries = 10;
        slow.retry.max_backoff_ms = 60_000;
        // 1+2+4+8+16+32 s then 4 × 60 s = 303 s, ×1.2 = 363.6 s, + 30 s, ×2.
        assert_eq!(max_poll_interval_ms(&slow, &opts), 787_200);
        // Eleven attempts that may each take the 60 s handler timeout: 660 s more, ×2.
        let mut timed = slow;
        timed.handler_timeout_ms = Some(60_000);
        assert_eq!(max_poll_interval_ms(&timed, &opts), 787_200 + 1_320_000);
        slow.retry.max_retries = 100;
        slow.retry.max_backoff_ms = 3_600_000;
        assert_eq!(max_poll_interval_ms(&slow, &opts), 86_400_000);
    }
}
