//! `schemactl tail TOPIC`: a console consumer, as Confluent's `kafka-avro-console-consumer`.
//! Each message's value is decoded through the configured registry's writer schema (whatever
//! registered version wrote it, in any workspace) and printed as one line of Avro's JSON
//! encoding, as that tool prints it (unions tagged with their branch, logical types as their
//! underlying type); `--with-meta` wraps it with topic, partition, offset, timestamp, key and
//! headers. A dead letter keeps its original bytes, so it decodes the same way (a poison
//! message that does not decode is shown as `{"undecodable": why}`), and `--with-meta` shows
//! the parsed `kafka_dlt-*` headers. Undecodable messages of other topics go to stderr with
//! their position and the exit code becomes 1.
//!
//! The first connection is bounded: when no broker answers within `--timeout-ms` (30 s) it
//! says `cannot reach the Kafka cluster at HOST:PORT within Ns` and exits 2. Client errors
//! after that are warnings, each distinct one printed once.
//!
//! Without `--group` it reads with a throwaway group and commits nothing; with one it commits
//! what it printed (an undecodable message is reported, not committed), as the console
//! consumer does.

use super::config::{Create, Settings};
use super::runtime;
use super::topics::KafkaArgs;
use super::{out, report_load_errors};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use sc_events_runtime::kafka::dlq::DeadLetter;
use sc_events_runtime::wire::JsonDecoder;
use sc_events_schema::Format;
use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct TailArgs {
    /// The topic to read.
    pub topic: String,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Start at the earliest offset (default: only new messages), for a group without offsets.
    #[arg(long)]
    pub from_beginning: bool,
    /// Consumer group; its offsets are committed. Default: a throwaway group, no commits.
    #[arg(long)]
    pub group: Option<String>,
    /// Stop after this many messages.
    #[arg(long)]
    pub max_messages: Option<u64>,
    /// Stop when no message came for this many milliseconds (default: run until Ctrl-C).
    #[arg(long)]
    pub idle_timeout_ms: Option<u64>,
    /// Print each value inside {topic, partition, offset, timestamp, key, headers, value}.
    #[arg(long)]
    pub with_meta: bool,
    /// Registry to resolve writer schemas with; as for `check`.
    #[arg(long)]
    pub against: Option<String>,
}

pub fn run(args: TailArgs) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(tail(args))
}

async fn tail(args: TailArgs) -> ExitCode {
    let ws = match super::workspace_layout().and_then(|_| Settings::load()) {
        Ok(ws) => ws,
        Err(e) => return report_load_errors(&e, Format::Human),
    };
    // The topic file's registry, when no flag, variable or schemactl.toml names one (only
    // then is the catalog read: tail decodes any topic without it).
    let hinted = match (&args.against, super::load_catalog(None)) {
        (None, Ok(c)) => c.registry.url.clone(),
        _ => None,
    };
    let target = ws.target(args.against.as_deref(), hinted.as_deref());
    let registry: Arc<dyn sc_events_registry::Registry> =
        match ws.open(&target, None, Create::Never).await {
            Ok(r) => Arc::from(r),
            Err(e) => {
                out::error(e);
                return ExitCode::from(2);
            }
        };
    out::detail(format_args!(
        "registry {}, cluster {}",
        registry.describe(),
        args.kafka.bootstrap
    ));
    let throwaway = args.group.is_none();
    let group = args
        .group
        .clone()
        .unwrap_or_else(|| format!("schemactl-tail-{}", uuid::Uuid::new_v4()));
    let reset = if args.from_beginning {
        "earliest"
    } else {
        "latest"
    };
    let consumer: StreamConsumer = match args
        .kafka
        .config()
        .client(&[
            ("group.id", group),
            ("enable.auto.commit", (!throwaway).to_string()),
            // Offsets are stored after a message is printed, so a group commits what it showed.
            ("enable.auto.offset.store", "false".into()),
            ("auto.offset.reset", reset.into()),
            ("enable.partition.eof", "false".into()),
        ])
        .create()
    {
        Ok(c) => c,
        Err(e) => {
            out::error(format_args!(
                "cannot create a consumer for {}: {e}",
                args.kafka.bootstrap
            ));
            return ExitCode::from(2);
        }
    };
    // The first connection is bounded: librdkafka would otherwise retry forever, each failure
    // arriving on recv() as another AllBrokersDown.
    let first = Duration::from_millis(args.kafka.timeout_ms);
    let reached =
        tokio::task::block_in_place(|| consumer.fetch_metadata(Some(args.topic.as_str()), first));
    if let Err(e) = reached {
        out::error(format_args!("{}: {e}", args.kafka.unreachable()));
        return ExitCode::from(2);
    }
    out::detail(format_args!("connected to {}", args.kafka.bootstrap));
    if let Err(e) = consumer.subscribe(&[args.topic.as_str()]) {
        out::error(format_args!("cannot subscribe to {}: {e}", args.topic));
        return ExitCode::from(2);
    }
    // Every workspace's events decode the same way: through the registry's writer schemas.
    let mut decoder = JsonDecoder::new(registry);
    let mut printed = 0u64;
    let mut failed = false;
    let idle = args.idle_timeout_ms.map(Duration::from_millis);
    let mut warned: HashSet<String> = HashSet::new();
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        if args.max_messages.is_some_and(|n| printed >= n) {
            break;
        }
        let next = async {
            match idle {
                Some(d) => tokio::time::timeout(d, consumer.recv()).await.ok(),
                None => Some(consumer.recv().await),
            }
        };
        let m = tokio::select! {
            _ = &mut interrupted => break,
            m = next => match m {
                None => break,
                Some(m) => m,
            },
        };
        let m = match m {
            Ok(m) => m,
            Err(e) => {
                let text = e.to_string();
                if warned.len() < 100 && warned.insert(text.clone()) {
                    out::warn(text);
                }
                continue;
            }
        };
        let dead = m.headers().and_then(DeadLetter::parse);
        let value = decoder.decode(m.payload().unwrap_or_default()).await;
        let value = match value {
            Ok(v) => v,
            Err(e) if dead.is_some() => serde_json::json!({ "undecodable": e }).to_string(),
            Err(e) => {
                out::error(format_args!(
                    "{}[{}]@{}: {e}",
                    m.topic(),
                    m.partition(),
                    m.offset()
                ));
                failed = true;
                continue;
            }
        };
        let line = if args.with_meta {
            meta(&m, value, dead)
        } else {
            value
        };
        if !out::println(&line) {
            break; // stdout closed (piped into head)
        }
        printed += 1;
        if !throwaway {
            let _ = consumer.store_offset_from_message(&m);
        }
    }
    if !throwaway {
        let _ = consumer.commit_consumer_state(CommitMode::Sync);
    }
    out::detail(format_args!("printed {printed} message(s)"));
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One `--with-meta` line: the message's coordinates around its value, which stays the
/// decoder's text (record fields in schema order).
#[derive(serde::Serialize)]
struct MetaLine<'a> {
    topic: &'a str,
    partition: i32,
    offset: i64,
    timestamp: Option<i64>,
    key: Option<String>,
    headers: serde_json::Map<String, serde_json::Value>,
    value: &'a serde_json::value::RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    dead_letter: Option<DeadLetter>,
}

fn meta(m: &BorrowedMessage<'_>, value: String, dead: Option<DeadLetter>) -> String {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut headers = serde_json::Map::new();
    if let Some(h) = m.headers() {
        for x in h.iter().filter(|x| !x.key.starts_with("kafka_dlt-")) {
            headers.insert(x.key.to_string(), x.value.map(text).into());
        }
    }
    let raw = match serde_json::value::RawValue::from_string(value) {
        Ok(raw) => raw,
        Err(e) => return serde_json::json!({ "undecodable": e.to_string() }).to_string(),
    };
    let line = MetaLine {
        topic: m.topic(),
        partition: m.partition(),
        offset: m.offset(),
        timestamp: m.timestamp().to_millis(),
        key: m.key().map(text),
        headers,
        value: &raw,
        dead_letter: dead,
    };
    serde_json::to_string(&line)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
}
