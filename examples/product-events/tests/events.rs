//! Product events built with the generated types carry the JSON Schema's constraints: a name
//! of 0 or 256 characters, a description over 1000, a negative price or quantity, a malformed
//! version, each is a typed error naming the field and the rule, before anything is sent. The
//! generated codec writes what apache-avro writes.

use product_events::event::{DomainEvent, ValidationError, WorkspaceCatalog as _};
use product_events::types::EventEnvelope;
use product_events::{product_event as product, Workspace};
use sc_events_runtime::codec;

pub fn created(name: &str, price_cents: i64, quantity: i64) -> product::ProductCreated {
    product::ProductCreated {
        product_id: uuid::Uuid::new_v4(),
        name: name.into(),
        description: "A lamp for desks".into(),
        price_cents,
        quantity,
        category: product::ProductCreatedDataCategory::Home,
        seller_id: uuid::Uuid::new_v4(),
        created_at: None,
    }
}

fn build(p: product::ProductCreated) -> Result<product::Event, ValidationError> {
    product::Event::new(
        EventEnvelope::new("catalog-service", uuid::Uuid::new_v4()),
        p,
    )
}

fn rule_of(e: ValidationError) -> (String, &'static str) {
    match e {
        ValidationError::Constraint { field, rule, .. } => (field, rule),
        other => panic!("not a constraint: {other:?}"),
    }
}

#[test]
fn the_json_schema_constraints_are_enforced_with_field_and_rule() {
    assert!(build(created("Desk lamp", 1999, 3)).is_ok());
    let cases = [
        (created("", 100, 1), ("data.name", "minLength")),
        (
            created(&"x".repeat(256), 100, 1),
            ("data.name", "maxLength"),
        ),
        (created("Lamp", -1, 1), ("data.priceCents", "minimum")),
        (created("Lamp", 100, -1), ("data.quantity", "minimum")),
    ];
    for (payload, (field, rule)) in cases {
        let (f, r) = rule_of(build(payload).expect_err("refused"));
        assert_eq!((f.as_str(), r), (field, rule));
    }
    let mut long = created("Lamp", 100, 1);
    long.description = "d".repeat(1001);
    assert_eq!(
        rule_of(build(long).expect_err("refused")),
        ("data.description".into(), "maxLength")
    );
    assert!(
        build(created(&"x".repeat(255), 0, 0)).is_ok(),
        "the limits themselves pass"
    );
}

#[test]
fn the_version_is_the_schemas_semver_and_checked_by_pattern() {
    let mut e = build(created("Lamp", 100, 1)).expect("valid");
    assert_eq!(e.version, product::Event::VERSION);
    assert_eq!(e.event_type, "ProductCreated");
    assert_eq!(e.key().as_deref(), Some(e.payload_id().as_str()));
    e.version = "1.1".into();
    assert!(matches!(
        e.validate(),
        Err(ValidationError::VersionMismatch { .. })
    ));
}

trait PayloadId {
    fn payload_id(&self) -> String;
}

impl PayloadId for product::Event {
    fn payload_id(&self) -> String {
        match &self.data {
            product::Data::ProductCreated(p) => p.product_id.to_string(),
            product::Data::ProductUpdated(p) => p.product_id.to_string(),
            product::Data::ProductDeleted(p) => p.product_id.to_string(),
            product::Data::LowStockWarning(p) => p.product_id.to_string(),
        }
    }
}

#[test]
fn every_event_type_encodes_like_apache_avro() {
    let env = || EventEnvelope::new("catalog-service", uuid::Uuid::new_v4());
    let id = uuid::Uuid::new_v4();
    let events = [
        build(created("Lamp", 1999, 3)).expect("valid"),
        product::Event::new(
            env(),
            product::ProductUpdated {
                product_id: id,
                changes: product::ProductUpdatedDataChanges {
                    name: None,
                    description: None,
                    price_cents: Some(1499),
                    quantity: None,
                    category: None,
                },
                previous_state: r#"{"price":1999}"#.into(),
                updated_at: Some(
                    chrono::DateTime::from_timestamp_millis(1_700_000_000_000).expect("time"),
                ),
            },
        )
        .expect("valid"),
        product::Event::new(
            env(),
            product::ProductDeleted {
                product_id: id,
                deleted_at: chrono::DateTime::from_timestamp_millis(1_700_000_000_000)
                    .expect("time"),
                reason: Some("discontinued".into()),
            },
        )
        .expect("valid"),
    ];
    for e in &events {
        let ours = codec::encode(e).expect("encode");
        assert_eq!(ours, codec::reference::encode(e).expect("apache-avro"));
        assert_eq!(&codec::decode::<product::Event>(&ours).expect("decode"), e);
    }
}

#[test]
fn the_subscribers_filter_by_event_type_with_their_own_retries_and_dlqs() {
    let n = Workspace::job("notifications").expect("job");
    assert!(n.handles("LowStockWarning") && !n.handles("ProductDeleted"));
    // The platform's retryConfig (maxRetries 3, delay * (0.5 + random * 0.5)) and the
    // queues' visibility timeouts (30 s, 60 s) as handler timeouts.
    assert_eq!(
        (n.dlq, n.retry.max_retries, n.handler_timeout_ms),
        ("notifications-dlq", 3, Some(30_000))
    );
    assert_eq!(
        (n.retry.jitter, n.retry.jitter_style),
        (0.5, sc_events_runtime::event::JitterStyle::Below)
    );
    for attempt in 1..=3 {
        let d = n.retry.base_delay(attempt);
        assert!(n.retry.delay(attempt, 0.0) >= d / 2 && n.retry.delay(attempt, 1.0) <= d);
    }
    let a = Workspace::job("analytics").expect("job");
    assert!(a.handles("ProductDeleted") && !a.handles("LowStockWarning"));
    assert_eq!(
        (
            a.dlq,
            a.retry.max_retries,
            a.dedup_capacity,
            a.handler_timeout_ms
        ),
        ("analytics-dlq", 3, Some(100_000), Some(60_000))
    );
}
