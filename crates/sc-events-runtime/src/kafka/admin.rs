//! Topic provisioning: the catalog's topics compared with a cluster (`plan`) and the missing
//! ones created (`apply`) with their partitions, replication factor, `retention.ms` and
//! `cleanup.policy`. Existing topics are never changed: a different partition count or config
//! is reported as drift for a person to decide (adding partitions remaps keys, so it breaks
//! per-key ordering; shrinking is impossible).

use super::KafkaConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use serde::Serialize;
use std::time::Duration;

/// One topic as the catalog wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: i32,
    pub replication_factor: i32,
    /// Topic configs set at creation (`retention.ms`, `cleanup.policy`).
    pub configs: Vec<(String, String)>,
}

impl TopicSpec {
    pub fn new(
        name: &str,
        partitions: u32,
        cleanup_policy: &str,
        retention_ms: u64,
        replication_factor: i32,
    ) -> TopicSpec {
        TopicSpec {
            name: name.into(),
            partitions: i32::try_from(partitions).unwrap_or(i32::MAX),
            replication_factor,
            configs: vec![
                ("cleanup.policy".into(), cleanup_policy.into()),
                ("retention.ms".into(), retention_ms.to_string()),
            ],
        }
    }

    /// A workspace's topics, each with `replication_factor`.
    pub fn from_workspace<W: crate::workspace::WorkspaceCatalog>(
        replication_factor: i32,
    ) -> Vec<TopicSpec> {
        W::TOPICS
            .iter()
            .map(|t| {
                TopicSpec::new(
                    t.name,
                    t.partitions,
                    t.cleanup_policy,
                    t.retention_ms,
                    replication_factor,
                )
            })
            .collect()
    }
}

/// How an existing topic differs from the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub topic: String,
    /// `partitions`, `replication_factor` or a config name.
    pub setting: String,
    pub catalog: String,
    pub cluster: String,
}

/// The comparison of catalog and cluster.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// Topics the cluster lacks.
    pub create: Vec<TopicSpec>,
    /// Topics present with other settings.
    pub drift: Vec<Drift>,
    /// Topics present as the catalog says.
    pub in_sync: Vec<String>,
}

/// Talks to the cluster's controller.
pub struct Admin {
    client: AdminClient<DefaultClientContext>,
    timeout: Duration,
}

impl Admin {
    pub fn new(kafka: &KafkaConfig, timeout: Duration) -> Result<Self, KafkaError> {
        let client = kafka.client(&[]).create()?;
        Ok(Admin { client, timeout })
    }

    fn options(&self) -> AdminOptions {
        AdminOptions::new().request_timeout(Some(self.timeout))
    }

    /// Compares `wanted` with the cluster.
    pub async fn plan(&self, wanted: &[TopicSpec]) -> Result<Plan, KafkaError> {
        let metadata = self.client.inner().fetch_metadata(None, self.timeout)?;
        let mut plan = Plan::default();
        let mut existing = Vec::new();
        for spec in wanted {
            let Some(t) = metadata.topics().iter().find(|t| t.name() == spec.name) else {
                plan.create.push(spec.clone());
                continue;
            };
            let mut drift = Vec::new();
            let partitions = t.partitions().len() as i32;
            if partitions != spec.partitions {
                drift.push((
                    "partitions".to_string(),
                    spec.partitions.to_string(),
                    partitions.to_string(),
                ));
            }
            let rf = t
                .partitions()
                .first()
                .map_or(0, |p| p.replicas().len() as i32);
            if rf != 0 && rf != spec.replication_factor {
                drift.push((
                    "replication_factor".into(),
                    spec.replication_factor.to_string(),
                    rf.to_string(),
                ));
            }
            existing.push((spec, drift));
        }
        let specifiers: Vec<ResourceSpecifier<'_>> = existing
            .iter()
            .map(|(s, _)| ResourceSpecifier::Topic(&s.name))
            .collect();
        let configs = if specifiers.is_empty() {
            Vec::new()
        } else {
            self.client
                .describe_configs(&specifiers, &self.options())
                .await?
        };
        for (i, (spec, mut drift)) in existing.into_iter().enumerate() {
            match configs.get(i) {
                Some(Ok(resource)) => {
                    for (key, want) in &spec.configs {
                        let have = resource
                            .get(key)
                            .and_then(|e| e.value.clone())
                            .unwrap_or_else(|| "(unset)".into());
                        if &have != want {
                            drift.push((key.clone(), want.clone(), have));
                        }
                    }
                }
                Some(Err(code)) => drift.push((
                    "configs".into(),
                    "readable".into(),
                    format!("describe failed: {code}"),
                )),
                None => drift.push(("configs".into(), "readable".into(), "not described".into())),
            }
            if drift.is_empty() {
                plan.in_sync.push(spec.name.clone());
            }
            plan.drift
                .extend(drift.into_iter().map(|(setting, catalog, cluster)| Drift {
                    topic: spec.name.clone(),
                    setting,
                    catalog,
                    cluster,
                }));
        }
        Ok(plan)
    }

    /// Creates `topics`; each result is the topic and `Ok` or the broker's error. A topic that
    /// appeared meanwhile counts as created.
    pub async fn create(
        &self,
        topics: &[TopicSpec],
    ) -> Result<Vec<(String, Result<(), String>)>, KafkaError> {
        if topics.is_empty() {
            return Ok(Vec::new());
        }
        let news: Vec<NewTopic<'_>> = topics
            .iter()
            .map(|t| {
                let mut n = NewTopic::new(
                    &t.name,
                    t.partitions,
                    TopicReplication::Fixed(t.replication_factor),
                );
                for (k, v) in &t.configs {
                    n = n.set(k, v);
                }
                n
            })
            .collect();
        let results = self.client.create_topics(&news, &self.options()).await?;
        Ok(results
            .into_iter()
            .map(|r| match r {
                Ok(name) => (name, Ok(())),
                Err((name, RDKafkaErrorCode::TopicAlreadyExists)) => (name, Ok(())),
                Err((name, code)) => (name, Err(code.to_string())),
            })
            .collect())
    }
}
