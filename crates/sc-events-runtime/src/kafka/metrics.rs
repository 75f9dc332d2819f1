//! Prometheus metrics of a service's producers and consuming jobs (feature `metrics`,
//! prometheus-client), in the OpenMetrics text a `/metrics` endpoint serves:
//!
//! - `sc_events_produced_total{topic}`, `sc_events_produce_failed_total{topic}`;
//! - `sc_events_consumed_total{job, outcome}`: `outcome` one of received, handled, retried,
//!   dead_lettered, refused_tier, filtered, unknown_type, duplicate, timed_out;
//! - `sc_events_handler_duration_seconds{job}`: a histogram of handler attempts;
//! - `sc_events_consumer_lag{job, topic, partition}`: messages behind the partition's end, as
//!   librdkafka reports it in its statistics (every `statistics.interval.ms`, 5 s by default
//!   here), for the partitions the job is assigned.
//!
//! One [`Metrics`] per process: `EventConsumer::register_metrics` and
//! `EventProducer::register_metrics` add a job or a producer, [`Metrics::encode`] renders.

use super::stats::{Stats, StatsSnapshot};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The metrics of one process.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics {
            registry: Mutex::new(Registry::default()),
        })
    }

    /// The OpenMetrics text of everything registered (`# EOF`-terminated).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Ok(r) = self.registry.lock() {
            // Writing to a String cannot fail.
            let _ = prometheus_client::encoding::text::encode(&mut out, &r);
        }
        out
    }

    pub(crate) fn add(&self, c: Box<dyn Collector>) {
        if let Ok(mut r) = self.registry.lock() {
            r.register_collector(c);
        }
    }
}

/// Partition lags a consumer's librdkafka statistics last reported: `(topic, partition)`.
pub(crate) type Lags = Arc<Mutex<BTreeMap<(String, i32), i64>>>;

/// The consumer's rdkafka context: keeps the lag of every partition librdkafka's statistics
/// report as consumed (`consumer_lag` >= 0; -1 means unknown and is left out).
#[derive(Debug, Default, Clone)]
pub(crate) struct LagContext {
    pub lags: Lags,
}

impl rdkafka::ClientContext for LagContext {
    fn stats(&self, statistics: rdkafka::Statistics) {
        let Ok(mut lags) = self.lags.lock() else {
            return;
        };
        lags.clear();
        for (topic, t) in statistics.topics {
            for (partition, p) in t.partitions {
                if partition >= 0 && p.consumer_lag >= 0 {
                    lags.insert((topic.clone(), partition), p.consumer_lag);
                }
            }
        }
    }
}

impl rdkafka::consumer::ConsumerContext for LagContext {}

/// The histogram of handler attempt durations: 1 ms to about 30 s.
pub(crate) fn handler_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// A consuming job's metrics, read at each scrape.
#[derive(Debug)]
pub(crate) struct JobCollector {
    pub job: &'static str,
    pub stats: Arc<Stats>,
    pub lags: Lags,
    pub handler: Histogram,
}

fn outcomes(s: &StatsSnapshot) -> [(&'static str, u64); 9] {
    [
        ("received", s.received),
        ("handled", s.handled),
        ("retried", s.retries),
        ("dead_lettered", s.dead_lettered),
        ("refused_tier", s.refused_tier),
        ("filtered", s.filtered),
        ("unknown_type", s.unknown_type),
        ("duplicate", s.duplicates),
        ("timed_out", s.timed_out),
    ]
}

impl Collector for JobCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let snap = self.stats.snapshot();
        let counter = ConstCounter::new(0u64);
        let mut family = encoder.encode_descriptor(
            "sc_events_consumed",
            "Messages a consuming job received, by what became of them",
            None,
            counter.metric_type(),
        )?;
        for (outcome, n) in outcomes(&snap) {
            let labels = [("job", self.job), ("outcome", outcome)];
            ConstCounter::new(n).encode(family.encode_family(&labels)?)?;
        }
        let mut family = encoder.encode_descriptor(
            "sc_events_handler_duration_seconds",
            "Handler attempts of a consuming job",
            None,
            self.handler.metric_type(),
        )?;
        self.handler
            .encode(family.encode_family(&[("job", self.job)])?)?;
        let lags: Vec<((String, i32), i64)> = self
            .lags
            .lock()
            .map(|l| l.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        let gauge = ConstGauge::new(0i64);
        let mut family = encoder.encode_descriptor(
            "sc_events_consumer_lag",
            "Messages between a job's position and the end of each assigned partition",
            None,
            gauge.metric_type(),
        )?;
        for ((topic, partition), lag) in lags {
            let p = partition.to_string();
            let labels = [
                ("job", self.job),
                ("topic", topic.as_str()),
                ("partition", p.as_str()),
            ];
            ConstGauge::new(lag).encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

/// A producer's counts per topic.
#[derive(Debug, Default)]
pub(crate) struct ProducerCounts {
    /// Per topic: delivered, failed.
    counts: Mutex<BTreeMap<&'static str, (u64, u64)>>,
}

impl ProducerCounts {
    /// Counts one delivery (`ok`) or failure on `topic`.
    pub fn record(&self, topic: &'static str, ok: bool) {
        let Ok(mut m) = self.counts.lock() else {
            return;
        };
        let (sent, failed) = m.entry(topic).or_default();
        *(if ok { sent } else { failed }) += 1;
    }
}

/// A producer's metrics, read at each scrape.
#[derive(Debug)]
pub(crate) struct ProducerCollector(pub Arc<ProducerCounts>);

impl Collector for ProducerCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let rows: Vec<(&'static str, u64, u64)> = self
            .0
            .counts
            .lock()
            .map(|m| m.iter().map(|(t, (s, f))| (*t, *s, *f)).collect())
            .unwrap_or_default();
        for (name, help, pick) in [
            (
                "sc_events_produced",
                "Events a producer delivered, by topic",
                0,
            ),
            (
                "sc_events_produce_failed",
                "Events a producer could not deliver, by topic",
                1,
            ),
        ] {
            let counter = ConstCounter::new(0u64);
            let mut family = encoder.encode_descriptor(name, help, None, counter.metric_type())?;
            for (topic, sent, failed) in &rows {
                let n = if pick == 0 { *sent } else { *failed };
                ConstCounter::new(n).encode(family.encode_family(&[("topic", *topic)])?)?;
            }
        }
        Ok(())
    }
}
