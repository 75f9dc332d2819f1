//! FlowOps events built, checked and encoded with the generated types: the constructor labels
//! the event from its payload, constraints are typed errors naming the field, the generated
//! codec writes exactly what apache-avro writes, and the registry framing reads back equal.

use flowops_events::event::{DomainEvent, ValidationError, WorkspaceCatalog as _};
use flowops_events::types::EventEnvelope;
use flowops_events::{order, wire, Workspace};
use sc_events_runtime::codec;

fn created(order_id: &str, qty: i32) -> order::OrderCreated {
    order::OrderCreated {
        order_id: order_id.into(),
        items: vec![
            order::OrderItem {
                sku: "SKU-1".into(),
                qty,
            },
            order::OrderItem {
                sku: "SKU-2".into(),
                qty: 1,
            },
        ],
    }
}

#[test]
fn the_constructor_labels_the_event_and_keys_it_by_order_id() {
    let e = order::Event::new(EventEnvelope::now(), created("ORD-123", 2)).expect("valid");
    assert_eq!(e.event_type, "ORDER_CREATED");
    assert_eq!(e.key().as_deref(), Some("ORD-123"));
    assert_eq!(e.payload().event_type, "ORDER_CREATED");
    assert_eq!(e.payload().privacy_tier, None);
    let c = order::Event::new(
        EventEnvelope::now(),
        order::OrderCancelled {
            order_id: "ORD-123".into(),
        },
    )
    .expect("valid");
    assert_eq!(c.event_type, "ORDER_CANCELLED");
    assert_eq!(order::EVENT_TYPES, ["ORDER_CREATED", "ORDER_CANCELLED"]);
}

#[test]
fn constraints_and_labels_are_typed_errors() {
    let e = order::Event::new(EventEnvelope::now(), created("ORD-1", 0)).expect_err("qty 0");
    match e {
        ValidationError::Constraint { field, rule, .. } => {
            assert_eq!(field, "payload.items[0].qty");
            assert_eq!(rule, "minimum");
        }
        other => panic!("{other:?}"),
    }
    let empty = order::OrderCreated {
        order_id: "ORD-1".into(),
        items: Vec::new(),
    };
    let e = order::Event::new(EventEnvelope::now(), empty).expect_err("no items");
    assert!(
        matches!(
            e,
            ValidationError::Constraint {
                rule: "minItems",
                ..
            }
        ),
        "{e:?}"
    );
    let mut ok = order::Event::new(EventEnvelope::now(), created("ORD-1", 1)).expect("valid");
    ok.event_type = "ORDER_CANCELLED".into();
    assert!(matches!(
        ok.validate(),
        Err(ValidationError::EventTypeMismatch {
            payload: "ORDER_CREATED",
            ..
        })
    ));
}

#[test]
fn the_generated_codec_writes_what_apache_avro_writes_and_reads_it_back() {
    let e = order::Event::new(EventEnvelope::now(), created("ORD-9", 3)).expect("valid");
    let ours = codec::encode(&e).expect("encode");
    let reference = codec::reference::encode(&e).expect("apache-avro");
    assert_eq!(ours, reference);
    let back: order::Event = codec::decode(&ours).expect("decode");
    assert_eq!(back, e);
    let generic =
        codec::reference::decode_value_in::<Workspace>("flowops.events.OrderEvent", &ours)
            .expect("apache-avro reads it");
    assert!(format!("{generic:?}").contains("ORD-9"));
}

#[test]
fn the_catalog_has_the_topic_its_dlq_and_the_inventory_job() {
    let t = Workspace::topic("order-events").expect("topic");
    assert_eq!(
        (t.partitions, t.key, t.replication_factor),
        (1, Some("orderId"), Some(3))
    );
    assert_eq!(
        Workspace::topic("order-events.dlq").map(|t| t.category),
        Some("dlq")
    );
    let job = Workspace::job("inventory-service").expect("job");
    assert_eq!(job.dlq, "order-events.dlq");
    assert!(job.handles("ORDER_CREATED") && job.handles("ORDER_CANCELLED"));
    assert_eq!(
        Workspace::event_info("ORDER_CREATED").map(|e| e.privacy_tier),
        Some(None)
    );
}

#[tokio::test]
async fn registry_framing_round_trips_through_the_published_subject() {
    let reg = sc_events_registry::embedded::EmbeddedRegistry::open(":memory:").expect("registry");
    for s in sc_events_registry::subjects::subjects(
        Workspace::catalog(),
        &sc_events_registry::subjects::Naming::default(),
    ) {
        use sc_events_registry::Registry as _;
        reg.register(
            &s.subject,
            &s.def(&vec![1; s.references.len()]),
            Default::default(),
        )
        .await
        .expect("register");
    }
    let reg: std::sync::Arc<dyn sc_events_registry::Registry> = std::sync::Arc::new(reg);
    let ser =
        wire::Serializer::<order::Event>::new(reg.as_ref(), &wire::SerializerConfig::default())
            .await
            .expect("registered");
    let e = order::Event::new(EventEnvelope::now(), created("ORD-5", 1)).expect("valid");
    let mut buf = Vec::new();
    ser.serialize(&e, &mut buf).expect("serialize");
    assert_eq!(buf[0], 0);
    let de = wire::Deserializer::<order::Event>::new(reg);
    match de.deserialize(&buf).await.expect("decode") {
        wire::Decoded::Event(back) => assert_eq!(back, e),
        other => panic!("{other:?}"),
    }
}
