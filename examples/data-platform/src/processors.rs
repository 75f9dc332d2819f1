//! The bronze processor (consumer group `bronze-processor`): reads raw batches from
//! `connector.data.raw` and publishes each as cleaned on `bronze.data.cleaned`, in the same
//! organisation and pipeline run. Publishing failures are retried (the consumer's retry
//! policy), then dead-lettered to `connector.data.raw.dlq`; a batch with more dropped than
//! landed records is refused as fatal.

use crate::types::EventMetadata;
use crate::{bronze, connector};
use sc_events_runtime::kafka::{EventProducer, Handler, HandlerError, Meta};

/// What cleaning a batch yields (the real work happens in the lake; this is its report).
pub type Cleaner = dyn Fn(&connector::DataRaw) -> u64 + Send + Sync;

pub struct BronzeProcessor {
    producer: EventProducer,
    instance: String,
    /// How many malformed records cleaning drops from a batch.
    cleaner: Box<Cleaner>,
}

impl BronzeProcessor {
    pub fn new(producer: EventProducer, instance: &str, cleaner: Box<Cleaner>) -> Self {
        BronzeProcessor {
            producer,
            instance: instance.into(),
            cleaner,
        }
    }

    /// The cleaned-batch event for a raw one.
    pub fn cleaned(&self, raw: &connector::Event) -> Result<bronze::Event, HandlerError> {
        let r = &raw.payload;
        let dropped = (self.cleaner)(r);
        if dropped > r.record_count as u64 {
            return Err(HandlerError::fatal(format!(
                "batch {} drops {dropped} of {} records",
                r.batch_id, r.record_count
            )));
        }
        let mut meta = EventMetadata::new("bronze-processor", &self.instance, raw.org_id);
        meta.correlation_id = raw.correlation_id.or(Some(raw.event_id));
        bronze::Event::new(
            meta,
            bronze::DataCleaned {
                pipeline_id: r.pipeline_id.clone(),
                batch_id: r.batch_id.clone(),
                dataset: r.dataset.clone(),
                input_record_count: r.record_count,
                output_record_count: r.record_count - dropped as i64,
                dropped_record_count: dropped as i64,
                storage_uri: r.storage_uri.replacen("raw", "bronze", 1),
            },
        )
        .map_err(HandlerError::fatal)
    }
}

impl Handler<connector::Event> for BronzeProcessor {
    async fn handle(&mut self, raw: &connector::Event, _: &Meta<'_>) -> Result<(), HandlerError> {
        let cleaned = self.cleaned(raw)?;
        self.producer
            .send(&cleaned)
            .await
            .map(|_| ())
            .map_err(HandlerError::retryable)
    }
}
