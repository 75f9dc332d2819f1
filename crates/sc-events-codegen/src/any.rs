//! `AnyEvent`: one enum over every domain's event, for consumers of several topics. It
//! decodes by topic (each message through its own domain's registry-aware deserializer) and
//! answers the questions a consumer asks of any event (type, tier, id, envelope).

use crate::ident::{field_name, variant_name};
use sc_events_schema::layout::EnvelopeStyle;
use sc_events_schema::Catalog;
use std::fmt::Write as _;

pub fn generate(catalog: &Catalog, o: &mut String) {
    let domains: Vec<(String, String)> = catalog
        .domains
        .iter()
        .map(|d| (variant_name(&d.name), field_name(&d.name)))
        .collect();
    let _ = writeln!(
        o,
        "/// An event of any domain: what a consumer of several topics is handed."
    );
    let _ = writeln!(o, "#[derive(Debug, Clone, PartialEq, serde::Serialize)]\n#[serde(untagged)]\npub enum AnyEvent {{");
    for (v, m) in &domains {
        let _ = writeln!(o, "    {v}({m}::Event),");
    }
    let _ = writeln!(o, "}}\n");
    let _ = writeln!(o, "impl AnyEvent {{");
    if catalog.layout.section.envelope == EnvelopeStyle::Nested {
        let _ = writeln!(o, "    /// The shared envelope.\n    pub fn envelope(&self) -> &crate::types::Envelope {{\n        use crate::Enveloped as _;\n        match self {{");
        for (v, _) in &domains {
            let _ = writeln!(o, "            Self::{v}(e) => e.envelope(),");
        }
        let _ = writeln!(o, "        }}\n    }}");
    }
    let _ = writeln!(o, "    /// The event's unique id.\n    pub fn event_id(&self) -> uuid::Uuid {{\n        use __RUNTIME__::event::DomainEvent as _;\n        match self {{");
    for (v, _) in &domains {
        let _ = writeln!(o, "            Self::{v}(e) => e.event_id(),");
    }
    let _ = writeln!(o, "        }}\n    }}");
    let _ = writeln!(o, "    /// The payload's event type, tier and key.\n    pub fn payload(&self) -> __RUNTIME__::event::PayloadRef<'_> {{\n        use __RUNTIME__::event::DomainEvent as _;\n        match self {{");
    for (v, _) in &domains {
        let _ = writeln!(o, "            Self::{v}(e) => e.payload(),");
    }
    let _ = writeln!(o, "        }}\n    }}");
    let _ = writeln!(o, "    /// The topic the event belongs on.\n    pub fn topic(&self) -> &'static str {{\n        use __RUNTIME__::event::DomainEvent as _;\n        match self {{");
    for (v, m) in &domains {
        let _ = writeln!(o, "            Self::{v}(_) => <{m}::Event>::TOPIC,");
    }
    let _ = writeln!(o, "        }}\n    }}\n}}\n");
    let _ = writeln!(
        o,
        "/// One registry-aware deserializer per domain.\npub struct AnyDecoders {{"
    );
    for (_, m) in &domains {
        let _ = writeln!(o, "    {m}: __RUNTIME__::wire::Deserializer<{m}::Event>,");
    }
    let _ = writeln!(o, "}}\n");
    let _ = writeln!(
        o,
        "impl __RUNTIME__::wire::Consumable for AnyEvent {{\n    type Workspace = crate::Workspace;\n    type Decoders = AnyDecoders;"
    );
    let _ = writeln!(o, "    fn decoders(registry: std::sync::Arc<dyn __RUNTIME__::wire::Registry>) -> AnyDecoders {{\n        AnyDecoders {{");
    for (_, m) in &domains {
        let _ = writeln!(
            o,
            "            {m}: __RUNTIME__::wire::Deserializer::new(registry.clone()),"
        );
    }
    let _ = writeln!(o, "        }}\n    }}");
    let topics: Vec<String> = catalog
        .domains
        .iter()
        .map(|d| format!("{:?}", d.topic))
        .collect();
    let _ = writeln!(
        o,
        "    fn carries(topic: &str) -> bool {{\n        {}\n    }}",
        if topics.is_empty() {
            "let _ = topic;\n        false".to_string()
        } else {
            format!("matches!(topic, {})", topics.join(" | "))
        }
    );
    let _ = writeln!(o, "    fn decode<'a>(d: &'a AnyDecoders, topic: &'a str, message: &'a [u8]) -> impl std::future::Future<Output = Result<__RUNTIME__::wire::Decoded<Self>, __RUNTIME__::wire::WireError>> + Send + 'a {{\n        use __RUNTIME__::event::DomainEvent as _;\n        async move {{");
    for (v, m) in &domains {
        let _ = writeln!(o, "            if topic == <{m}::Event>::TOPIC {{\n                return d.{m}.deserialize(message).await.map(|x| x.map(Self::{v}));\n            }}");
    }
    let _ = writeln!(o, "            Err(__RUNTIME__::wire::WireError::NotRegistered {{ subject: format!(\"{{topic}} carries no event schema\") }})\n        }}\n    }}");
    let _ = writeln!(
        o,
        "    fn event_type(&self) -> &str {{\n        self.payload().event_type\n    }}"
    );
    let _ = writeln!(o, "    fn privacy_tier(&self) -> Option<__RUNTIME__::event::Tier> {{\n        self.payload().privacy_tier\n    }}");
    let _ = writeln!(
        o,
        "    fn event_id(&self) -> uuid::Uuid {{\n        AnyEvent::event_id(self)\n    }}\n}}\n"
    );
}
