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
//! Without `--group` it reads with a throwaway group and commits nothing; with one it commits
//! what it printed (an undecodable message is reported, not committed), as the console
//! consumer does.

use super::config::{Create, Settings};
use super::report_load_errors;
use super::runtime;
use super::topics::KafkaArgs;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use sc_events_runtime::kafka::dlq::DeadLetter;
use sc_events_runtime::wire::JsonDecoder;
use sc_events_schema::Format;
use std::io::Write as _;
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
    let target = ws.target(args.against.as_deref());
    let registry: Arc<dyn sc_events_registry::Registry> =
        match ws.open(&target, None, Create::Never).await {
            Ok(r) => Arc::from(r),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
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
            eprintln!(
                "error: cannot create a consumer for {}: {e}",
                args.kafka.bootstrap
            );
            return ExitCode::from(2);
        }
    };
    if let Err(e) = consumer.subscribe(&[args.topic.as_str()]) {
        eprintln!("error: cannot subscribe to {}: {e}", args.topic);
        return ExitCode::from(2);
    }
    // Every workspace's events decode the same way: through the registry's writer schemas.
    let mut decoder = JsonDecoder::new(registry);
    let mut printed = 0u64;
    let mut failed = false;
    let idle = args.idle_timeout_ms.map(Duration::from_millis);
    let stdout = std::io::stdout();
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
                eprintln!("warning: {e}");
                continue;
            }
        };
        let dead = m.headers().and_then(DeadLetter::parse);
        let value = decoder.decode(m.payload().unwrap_or_default()).await;
        let value = match value {
            Ok(v) => v,
            Err(e) if dead.is_some() => serde_json::json!({ "undecodable": e }).to_string(),
            Err(e) => {
                eprintln!(
                    "error: {}[{}]@{}: {e}",
                    m.topic(),
                    m.partition(),
                    m.offset()
                );
                failed = true;
                continue;
            }
        };
        let line = if args.with_meta {
            meta(&m, value, dead)
        } else {
            value
        };
        let mut out = stdout.lock();
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
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
