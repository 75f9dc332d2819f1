//! `schemactl topics plan|apply`: the catalog's topics against a Kafka cluster. `plan` prints
//! what is missing and what drifted; `apply` creates the missing topics (partitions,
//! replication factor, retention, cleanup policy) and changes nothing that exists. Exit 0 when
//! the cluster matches the catalog afterwards, 1 when topics are missing (plan) or drift
//! remains, 2 when the cluster cannot be reached or a creation fails.

use super::report::json;
use super::runtime;
use super::{load_catalog, out, report_load_errors};
use sc_events_runtime::kafka::admin::{Admin, Plan, TopicSpec};
use sc_events_runtime::kafka::KafkaConfig;
use sc_events_schema::Format;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Where the brokers are.
#[derive(Debug, Clone, clap::Args)]
pub struct KafkaArgs {
    /// Bootstrap servers, `HOST:PORT[,HOST:PORT...]`.
    #[arg(
        long,
        env = "KAFKA_BOOTSTRAP_SERVERS",
        default_value = "127.0.0.1:9092"
    )]
    pub bootstrap: String,
    /// Give up on the cluster after this many milliseconds when no broker answers (and on
    /// each admin request).
    #[arg(long, default_value_t = 30_000)]
    pub timeout_ms: u64,
}

impl KafkaArgs {
    /// `cannot reach the Kafka cluster at HOST:PORT within Ns`.
    pub fn unreachable(&self) -> String {
        let ms = self.timeout_ms;
        let secs = if ms.is_multiple_of(1000) {
            format!("{}", ms / 1000)
        } else {
            format!("{:.1}", ms as f64 / 1000.0)
        };
        format!(
            "cannot reach the Kafka cluster at {} within {secs}s",
            self.bootstrap
        )
    }

    pub fn config(&self) -> KafkaConfig {
        KafkaConfig {
            client_id: "schemactl".into(),
            ..KafkaConfig::new(&self.bootstrap)
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct TopicsArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Replication factor of created topics (and the one expected of existing ones); default:
    /// each topic's own in the catalog, else 1.
    #[arg(long)]
    pub replication_factor: Option<i32>,
    /// Schema directory; default as for `lint`.
    #[arg(long)]
    pub schemas: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = TopicsFormat::Human)]
    pub format: TopicsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TopicsFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Subcommand)]
pub enum TopicsCommand {
    /// Compare the catalog's topics with the cluster; change nothing.
    Plan(TopicsArgs),
    /// Create the catalog's missing topics; report drift of existing ones without touching them.
    Apply(TopicsArgs),
}

#[derive(Debug, Serialize)]
struct Report {
    bootstrap: String,
    applied: bool,
    #[serde(flatten)]
    plan: Plan,
    created: Vec<String>,
    failed: Vec<(String, String)>,
}

pub fn run(command: TopicsCommand) -> ExitCode {
    let (args, apply) = match command {
        TopicsCommand::Plan(a) => (a, false),
        TopicsCommand::Apply(a) => (a, true),
    };
    let catalog = match load_catalog(args.schemas.as_deref()) {
        Ok(c) => c,
        Err(e) => return report_load_errors(&e, Format::Human),
    };
    let wanted: Vec<TopicSpec> = catalog
        .topics
        .iter()
        .map(|t| {
            TopicSpec::new(
                t.name.get_ref(),
                t.partitions,
                &t.cleanup_policy,
                t.retention_ms,
                args.replication_factor
                    .or_else(|| t.replication_factor.and_then(|r| i32::try_from(r).ok()))
                    .unwrap_or(1),
            )
        })
        .collect();
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let timeout = Duration::from_millis(args.kafka.timeout_ms);
    out::detail(format_args!(
        "cluster {} (timeout {} ms), {} topic(s) in the catalog",
        args.kafka.bootstrap,
        args.kafka.timeout_ms,
        wanted.len()
    ));
    let result = rt.block_on(async {
        let admin = Admin::new(&args.kafka.config(), timeout)?;
        let plan = admin.plan(&wanted).await?;
        let mut report = Report {
            bootstrap: args.kafka.bootstrap.clone(),
            applied: apply,
            created: Vec::new(),
            failed: Vec::new(),
            plan,
        };
        if apply {
            for (name, r) in admin.create(&report.plan.create).await? {
                match r {
                    Ok(()) => report.created.push(name),
                    Err(e) => report.failed.push((name, e)),
                }
            }
        }
        Ok::<_, rdkafka::error::KafkaError>(report)
    });
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            out::error(format_args!("{}: {e}", args.kafka.unreachable()));
            return ExitCode::from(2);
        }
    };
    match args.format {
        TopicsFormat::Json => out::print(&json(&report)),
        TopicsFormat::Human => out::print(&human(&report, out::quiet())),
    };
    if !report.failed.is_empty() {
        ExitCode::from(2)
    } else if !report.plan.drift.is_empty() || (!apply && !report.plan.create.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The human report; `quiet`: only what makes the exit code non-zero (topics a plan would
/// create, failures, drift), no `created` lines and no summary.
fn human(r: &Report, quiet: bool) -> String {
    let mut o = String::new();
    for t in &r.plan.create {
        let verb = if !r.applied {
            "would create"
        } else if r.created.contains(&t.name) {
            if quiet {
                continue;
            }
            "created"
        } else {
            "FAILED to create"
        };
        let configs: Vec<String> = t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(
            o,
            "{verb} {} (partitions {}, replication factor {}, {})",
            t.name,
            t.partitions,
            t.replication_factor,
            configs.join(", ")
        );
    }
    for (name, e) in &r.failed {
        let _ = writeln!(o, "error: {name}: {e}");
    }
    for d in &r.plan.drift {
        let _ = writeln!(
            o,
            "drift: {} {}: catalog {}, cluster {} (left as it is)",
            d.topic, d.setting, d.catalog, d.cluster
        );
    }
    if quiet {
        return o;
    }
    let _ = writeln!(
        o,
        "{} topic(s) in sync, {} {}, {} drifted, on {}",
        r.plan.in_sync.len(),
        if r.applied {
            r.created.len()
        } else {
            r.plan.create.len()
        },
        if r.applied { "created" } else { "to create" },
        r.plan
            .drift
            .iter()
            .map(|d| &d.topic)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        r.bootstrap
    );
    o
}
