//! Decoding any registry-framed Avro message to JSON without generated types: the writer
//! schema (and everything it references) fetched by id once, parsed with apache-avro, and the
//! datum read as a generic value. `tail` uses it for workspaces this binary was not built
//! from.

use crate::wire::framed::split;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::Schema;
use sc_events_registry::check::resolve;
use sc_events_registry::Registry;
use std::collections::HashMap;
use std::sync::Arc;

/// Writer schemas by id, each with the schemas it references.
pub struct GenericDecoder {
    registry: Arc<dyn Registry>,
    schemas: HashMap<u32, Arc<(Vec<Schema>, usize)>>,
}

/// At most this many writer schemas are kept (a topic has few; a hostile one many).
const MAX_CACHED: usize = 1024;

/// The largest single allocation apache-avro may make while decoding a message.
const MAX_ALLOCATION: usize = 64 * 1024 * 1024;

impl GenericDecoder {
    pub fn new(registry: Arc<dyn Registry>) -> Self {
        // A hostile length prefix in a message must not make apache-avro allocate more than a
        // message could hold (Kafka's default limit is 1 MiB); set once, for this process.
        apache_avro::util::max_allocation_bytes(MAX_ALLOCATION);
        GenericDecoder {
            registry,
            schemas: HashMap::new(),
        }
    }

    async fn schemas(&mut self, id: u32) -> Result<Arc<(Vec<Schema>, usize)>, String> {
        if let Some(s) = self.schemas.get(&id) {
            return Ok(s.clone());
        }
        let sid = i32::try_from(id).map_err(|_| format!("schema id {id} is out of range"))?;
        let def = self
            .registry
            .schema_by_id(sid, None)
            .await
            .map_err(|e| format!("schema {id}: {e}"))?;
        let resolved = resolve(self.registry.as_ref(), &format!("schema {id}"), &def)
            .await
            .map_err(|e| format!("schema {id}: {e}"))?;
        let mut texts: Vec<&str> = resolved
            .references
            .iter()
            .map(|(_, t)| t.as_str())
            .collect();
        texts.push(&resolved.text);
        let parsed = Schema::parse_list(texts).map_err(|e| format!("schema {id}: {e}"))?;
        let root = parsed.len().saturating_sub(1);
        let entry = Arc::new((parsed, root));
        if self.schemas.len() >= MAX_CACHED {
            self.schemas.clear();
        }
        self.schemas.insert(id, entry.clone());
        Ok(entry)
    }

    /// The message as JSON.
    pub async fn decode(&mut self, message: &[u8]) -> Result<serde_json::Value, String> {
        let (id, mut datum) = split(message).map_err(|e| e.to_string())?;
        let s = self.schemas(id).await?;
        let (all, root) = (&s.0, s.1);
        let fail = |e: apache_avro::Error| format!("schema {id}: {e}");
        let reader = GenericDatumReader::builder(&all[root])
            .writer_schemata(all.iter().collect())
            .map_err(fail)?
            .build()
            .map_err(fail)?;
        let value = reader.read_value(&mut datum).map_err(fail)?;
        serde_json::Value::try_from(value).map_err(|e| format!("schema {id}: {e}"))
    }
}
