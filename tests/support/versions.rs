//! Schema versions for the wire tests and benches: the workspace published to a registry, and
//! an older writer version of the order subject (OrderCreated with a field since removed, and a
//! data branch this build does not know), with messages written in it.
#![allow(dead_code)]

use sc_events::wire::resolve::{self, compile_between, Outcome, Plan, Program};
use sc_events::wire::Encode;
use sc_events_registry::subjects::{subjects, Naming};
use sc_events_registry::{
    check, Compatibility, Reference, RegisterOptions, Registry, SchemaDef, Version,
};
use sc_events_schema::rules::compat::SchemaRef;

pub const ORDER: &str = "sc.domain.order-value";
pub const ENVELOPE: &str = "sc.events.common.Envelope";

/// Registers every subject of the workspace, as `schemactl publish` does.
pub async fn publish(reg: &dyn Registry) {
    for s in subjects(
        sc_events::workspace::catalog_of::<sc_events::Workspace>(),
        &Naming::default(),
    ) {
        let def = s.def(&vec![1; s.references.len()]);
        reg.register(&s.subject, &def, RegisterOptions::default())
            .await
            .expect("register");
    }
}

fn order_text() -> String {
    let now = sc_events::workspace::catalog_of::<sc_events::Workspace>();
    let d = now
        .domains
        .iter()
        .find(|d| d.topic == "sc.domain.order")
        .expect("order domain");
    now.set.files[d.file].text.clone()
}

/// The older version: OrderCreated has `legacy_code` (default "L"), and the data union has a
/// 13th branch, OrderGifted (`order.gifted`).
pub fn older_order_text() -> String {
    let text = order_text();
    let at = text.find(r#"{"name": "currency""#).expect("currency field");
    let mut old = format!(
        "{}{}{}",
        &text[..at],
        r#"{"name": "legacy_code", "type": "string", "default": "L", "doc": "Gone since."},
          "#,
        &text[at..]
    );
    // The data union closes with the bracket before the one closing the record's fields.
    let fields_close = old.rfind(']').expect("fields");
    let close = old[..fields_close].rfind(']').expect("data union");
    old.insert_str(
        close,
        r#", {"type": "record", "name": "OrderGifted", "event_type": "order.gifted", "privacy_tier": "INTERNAL", "doc": "A gift.", "fields": [{"name": "order_id", "type": "string", "doc": "Id."}]}"#,
    );
    old
}

/// Registers the older version (compatibility NONE on the subject) and returns its id and the
/// plan that rewrites today's bytes in its layout.
pub async fn register_older_order(reg: &dyn Registry) -> (u32, Program) {
    reg.set_compatibility(Some(ORDER), Compatibility::None)
        .await
        .expect("config");
    let env = reg
        .version(ENVELOPE, Version::Latest, false)
        .await
        .expect("envelope");
    let old_def = SchemaDef::avro(older_order_text()).with_references(vec![Reference {
        name: ENVELOPE.into(),
        subject: env.subject.clone(),
        version: env.version,
    }]);
    let id = reg
        .register(ORDER, &old_def, RegisterOptions::default())
        .await
        .expect("register old");
    let resolved = check::resolve(reg, "old", &old_def).await.expect("resolve");
    let old = check::parse(&resolved).expect("parse old");
    let now = sc_events::workspace::catalog_of::<sc_events::Workspace>();
    let d = now
        .domains
        .iter()
        .find(|d| d.topic == "sc.domain.order")
        .expect("order domain");
    let now_ref = SchemaRef {
        set: &now.set,
        root: &now.set.roots[d.file],
    };
    let Plan::Resolve(down) = compile_between(now_ref, old.root()).expect("compile") else {
        panic!("the versions differ")
    };
    (id as u32, down)
}

/// A framed message of `e` as the older writer version writes it.
pub fn older_message(down: &Program, id: u32, e: &impl Encode) -> Vec<u8> {
    let mut today = Vec::new();
    e.encode(&mut today);
    let Ok(Outcome::Value(old)) = resolve::transcode(down, &today) else {
        panic!("today's data fits the older layout")
    };
    let mut m = vec![0];
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&old);
    m
}

/// The order schema with the envelope inlined: one self-contained schema, for libraries
/// without schema references.
pub fn standalone_order_schema() -> String {
    let envelope = sc_events::SCHEMAS
        .iter()
        .find(|s| s.record == ENVELOPE)
        .expect("envelope schema")
        .text;
    order_text().replacen(&format!("\"{ENVELOPE}\""), envelope, 1)
}
