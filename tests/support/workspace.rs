//! For the example workspaces' crates: a tansu broker with a workspace's topics and an
//! embedded registry holding its subjects, and the consumer settings tests use. Included with
//! `#[path]` next to `broker.rs` (as the crate's `broker` module).

use crate::broker::Broker;
use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::subjects::{subjects, Naming};
use sc_events_registry::types::RegisterOptions;
use sc_events_registry::Registry;
use sc_events_runtime::event::{ConsumerInfo, WorkspaceCatalog};
use sc_events_runtime::kafka::admin::{Admin, TopicSpec};
use sc_events_runtime::kafka::consumer::ConsumerOptions;
use sc_events_runtime::kafka::KafkaConfig;
use std::sync::Arc;
use std::time::Duration;

pub struct Stack {
    pub broker: Broker,
    pub registry: Arc<dyn Registry>,
}

/// Registers every subject of `W` (references first) in `registry`; returns them.
pub async fn publish<W: WorkspaceCatalog>(registry: &dyn Registry) -> Vec<String> {
    let mut done = Vec::new();
    for s in subjects(W::catalog(), &Naming::default()) {
        let def = s.def(&vec![1; s.references.len()]);
        registry
            .register(&s.subject, &def, RegisterOptions::default())
            .await
            .unwrap_or_else(|e| panic!("register {}: {e}", s.subject));
        done.push(s.subject);
    }
    done
}

impl Stack {
    /// A broker with `W`'s topics; with `published`, a registry holding `W`'s subjects, else
    /// an empty one (producers auto-register).
    pub async fn start<W: WorkspaceCatalog>(published: bool) -> Stack {
        let broker = Broker::start();
        let registry = EmbeddedRegistry::open(":memory:").expect("in-memory registry");
        if published {
            publish::<W>(&registry).await;
        }
        let stack = Stack {
            broker,
            registry: Arc::new(registry),
        };
        let admin = Admin::new(&stack.kafka(), Duration::from_secs(30)).expect("admin client");
        let created = admin
            .create(&TopicSpec::from_workspace::<W>(1))
            .await
            .expect("create topics");
        for (name, r) in created {
            r.unwrap_or_else(|e| panic!("create {name}: {e}\n{}", stack.broker.log_tail()));
        }
        stack
    }

    pub fn kafka(&self) -> KafkaConfig {
        KafkaConfig::new(self.broker.bootstrap())
    }
}

/// `W`'s job `name` with retries in milliseconds instead of seconds.
pub fn fast_job<W: WorkspaceCatalog>(name: &str) -> ConsumerInfo {
    let mut j = *W::job(name).expect("job in the catalog");
    j.retry.initial_backoff_ms = 20;
    j.retry.max_backoff_ms = 100;
    j
}

/// Consumer settings for tests: quick commits, a short session.
pub fn options() -> ConsumerOptions {
    ConsumerOptions {
        commit_interval_ms: 200,
        session_timeout_ms: 6_000,
        ..ConsumerOptions::default()
    }
}

/// Waits until `done` holds, at most `limit`.
pub async fn until(limit: Duration, done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() && start.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
