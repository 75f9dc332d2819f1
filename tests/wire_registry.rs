//! The registry-framed serializer and deserializer over a real embedded registry: ids resolved
//! once, an older writer version read into today's type, a newer producer's unknown event
//! type reported as such, and bad messages refused with their byte offset.

mod support;

use sc_events::types::OrderStatus;
use sc_events::wire::{Decoded, Deserializer, HasView, Serializer, SerializerConfig, WireError};
use sc_events::{order, Actor, Emitter};
use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::{Registry, Version};
use sc_events_schema::model::parse_files;
use sc_events_schema::source::SourceFile;
use std::sync::Arc;
use support::versions::{self, ORDER};

fn event(n: i64) -> order::Event {
    Emitter::new("checkout")
        .event(
            order::OrderCreated {
                order_id: support::kafka::oid(0x0a, n),
                order_number: format!("N{n}"),
                customer_id: support::kafka::oid(0x0c, 1),
                item_count: 2,
                total_cents: 4_999 + n,
                currency: "EUR".into(),
                status: OrderStatus::Pending,
            },
            support::kafka::oid(0x0a, n),
            1,
            Actor::system(),
        )
        .unwrap()
}

/// Publishes the workspace (as `schemactl publish` does) and returns the registry.
async fn published(dir: &std::path::Path) -> EmbeddedRegistry {
    let reg = EmbeddedRegistry::open(dir.join("r.db")).unwrap();
    versions::publish(&reg).await;
    reg
}

#[tokio::test]
async fn serializer_and_deserializer_round_trip_through_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let reg = published(dir.path()).await;
    let ser = Serializer::<order::Event>::new(&reg, &SerializerConfig::default())
        .await
        .unwrap();
    let registered = reg.version(ORDER, Version::Latest, false).await.unwrap();
    assert_eq!(ser.schema_id() as i32, registered.id);
    let mut buf = Vec::new();
    let e = event(1);
    ser.serialize(&e, &mut buf).unwrap();
    assert_eq!(buf[0], 0);
    assert_eq!(
        u32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]),
        ser.schema_id()
    );
    let de = Deserializer::<order::Event>::new(Arc::new(reg));
    assert!(matches!(
        de.deserialize_cached(&buf),
        Err(WireError::NotWarmed(_))
    ));
    assert_eq!(
        de.deserialize(&buf).await.unwrap(),
        Decoded::Event(e.clone())
    );
    // Warm: synchronous from now on.
    assert_eq!(
        de.deserialize_cached(&buf).unwrap(),
        Decoded::Event(e.clone())
    );
    let mut scratch = Vec::new();
    match de.deserialize_view(&buf, &mut scratch).unwrap() {
        Decoded::Event(v) => {
            assert_eq!(order::Event::from_view(&v), e);
            // The strings point into the message.
            let range = buf.as_ptr_range();
            assert!(range.contains(&v.envelope.producer.as_ptr()));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn without_auto_register_an_unpublished_schema_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let reg = EmbeddedRegistry::open(dir.path().join("r.db")).unwrap();
    let e = Serializer::<order::Event>::new(&reg, &SerializerConfig::default())
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("schemactl publish"), "{e}");
    let config = SerializerConfig {
        auto_register: true,
        ..Default::default()
    };
    let ser = Serializer::<order::Event>::new(&reg, &config)
        .await
        .unwrap();
    assert_eq!(reg.versions(ORDER, false).await.unwrap(), vec![1]);
    assert_eq!(
        reg.versions("sc.events.common.Envelope", false)
            .await
            .unwrap(),
        vec![1]
    );
    assert!(ser.schema_id() > 0);
}

#[tokio::test]
async fn an_older_writer_is_read_into_todays_type_and_new_event_types_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let reg = published(dir.path()).await;
    let (old_id, down) = versions::register_older_order(&reg).await;
    let e = event(2);
    let message = versions::older_message(&down, old_id, &e);
    assert!(
        message.windows(2).any(|w| w == [2, b'L']),
        "the old layout carries legacy_code"
    );

    let de = Deserializer::<order::Event>::new(Arc::new(reg.clone()));
    assert_eq!(
        de.deserialize(&message).await.unwrap(),
        Decoded::Event(e.clone())
    );

    // The old writer's OrderGifted: branch 12 of its data union.
    let mut gifted = vec![0];
    gifted.extend_from_slice(&old_id.to_be_bytes());
    sc_events::wire::Encode::encode(&e.envelope, &mut gifted);
    sc_events::wire::binary::put_long(&mut gifted, 12);
    sc_events::wire::binary::put_str(&mut gifted, "o-2");
    assert_eq!(
        de.deserialize_cached(&gifted).unwrap(),
        Decoded::UnknownEventType {
            schema_id: old_id,
            event_type: "order.gifted".into()
        }
    );
}

#[tokio::test]
async fn bad_messages_are_refused_with_where_and_what() {
    let dir = tempfile::tempdir().unwrap();
    let reg = published(dir.path()).await;
    let ser = Serializer::<order::Event>::new(&reg, &SerializerConfig::default())
        .await
        .unwrap();
    let de = Deserializer::<order::Event>::new(Arc::new(reg));
    let mut good = Vec::new();
    ser.serialize(&event(3), &mut good).unwrap();
    de.deserialize(&good).await.unwrap();

    assert!(matches!(
        de.deserialize(&[0, 0, 0]).await,
        Err(WireError::TooShort(3))
    ));
    let mut bad = good.clone();
    bad[0] = 1;
    assert!(matches!(
        de.deserialize(&bad).await,
        Err(WireError::BadMagic(1))
    ));
    let mut unknown = good.clone();
    unknown[1..5].copy_from_slice(&9999u32.to_be_bytes());
    assert!(matches!(
        de.deserialize(&unknown).await,
        Err(WireError::UnknownSchemaId(9999))
    ));
    for cut in [6, good.len() / 2, good.len() - 1] {
        match de.deserialize_cached(&good[..cut]) {
            Err(WireError::Decode { error, .. }) => {
                assert!(error.offset >= 5 && error.offset <= cut, "{error}")
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let mut trailing = good.clone();
    trailing.push(0);
    let e = de.deserialize_cached(&trailing).unwrap_err();
    assert!(e.to_string().contains("left after"), "{e}");
}

#[test]
fn the_older_version_is_a_valid_schema() {
    let text = versions::older_order_text();
    let set = parse_files(vec![
        SourceFile::new("envelope.avsc", sc_events::SCHEMAS[0].text),
        SourceFile::new("old.avsc", text),
    ]);
    assert!(
        set.is_ok(),
        "the older version is a valid schema: {:?}",
        set.err()
    );
}
