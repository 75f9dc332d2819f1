//! Building or serializing an event with a negative `*_cents`/`*_count`, a version below 1 or a
//! label that does not match its payload is a typed error, never bad bytes.

use sc_events::{
    codec, order, promotion, user, Actor, DomainEvent, Emitter, Enveloped, PrivacyTier,
    ValidationError,
};

/// Entity ids: MongoDB ObjectIds (24 hex digits), as the schemas require.
const O1: &str = "0000000000000000000000a1";
const P1: &str = "0000000000000000000000b1";
const U1: &str = "0000000000000000000000c1";
const C1: &str = "0000000000000000000000d1";
const I1: &str = "0000000000000000000000e1";
const S1: &str = "0000000000000000000000f1";
const PRODUCT: &str = "0000000000000000000000b2";
const SUPPLIER: &str = "0000000000000000000000f2";

fn emitter() -> Emitter {
    Emitter::new("test-service")
}

fn payment(amount_cents: i64) -> order::OrderPaymentSucceeded {
    order::OrderPaymentSucceeded {
        order_id: O1.into(),
        transaction_id: "tx1".into(),
        amount_cents,
        currency: "EUR".into(),
    }
}

#[test]
fn emitter_fills_every_derivable_envelope_field() {
    let ev = emitter()
        .event(payment(100), O1, 2, Actor::system())
        .unwrap();
    let env = ev.envelope();
    assert_eq!(env.event_type, "order.payment_succeeded");
    assert_eq!(env.entity_type, sc_events::EntityType::Order);
    assert_eq!(env.privacy_tier, PrivacyTier::Internal);
    assert_eq!(env.schema_version, 2);
    assert_eq!(env.producer, "test-service");
    assert_eq!(env.event_id.get_version_num(), 4);
    assert!(env.occurred_at.timestamp_millis() > 1_700_000_000_000);
    assert_eq!(ev.key().as_deref(), Some(O1));
    assert_eq!(<order::Event as DomainEvent>::TOPIC, "sc.domain.order");
}

#[test]
fn negative_cents_is_a_typed_error() {
    let err = emitter()
        .event(payment(-1), O1, 1, Actor::system())
        .unwrap_err();
    assert_eq!(
        err,
        ValidationError::Negative {
            field: "amount_cents".into(),
            value: -1
        }
    );
}

#[test]
fn negative_nested_count_and_cents_are_reported_with_their_path() {
    let ended = promotion::PromotionEnded {
        promotion_id: P1.into(),
        end_reason: sc_events::types::PromotionEndReason::EndDateReached,
        final_stats: sc_events::types::PromotionFinalStats {
            impression_count: -5,
            click_count: 1,
            conversion_count: 0,
            revenue_cents: 0,
            currency: "EUR".into(),
        },
    };
    let err = emitter()
        .event(ended, P1, 1, Actor::scheduler())
        .unwrap_err();
    assert_eq!(
        err,
        ValidationError::Negative {
            field: "final_stats.impression_count".into(),
            value: -5
        }
    );

    let mut confirmed = order::OrderConfirmed {
        order_id: O1.into(),
        confirmed_at: chrono::DateTime::from_timestamp_millis(1).unwrap(),
        item_snapshots: vec![],
    };
    confirmed
        .item_snapshots
        .push(sc_events::types::OrderItemSnapshot {
            item_id: I1.into(),
            product_id: PRODUCT.into(),
            variant_id: None,
            supplier_id: SUPPLIER.into(),
            product_name: "Mug".into(),
            quantity: 1,
            unit_price_cents: -10,
            currency: "EUR".into(),
            promotion_id: None,
        });
    let err = emitter()
        .event(confirmed, O1, 1, Actor::system())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "item_snapshots[0].unit_price_cents must be >= 0, got -10"
    );
}

#[test]
fn versions_below_one_are_rejected() {
    let err = emitter()
        .event(payment(1), O1, 0, Actor::system())
        .unwrap_err();
    assert_eq!(err, ValidationError::EntityVersion(0));
    let mut ev = emitter().event(payment(1), O1, 1, Actor::system()).unwrap();
    ev.envelope.schema_version = 0;
    assert!(matches!(
        codec::encode(&ev),
        Err(codec::CodecError::Invalid(ValidationError::SchemaVersion(
            0
        )))
    ));
}

#[test]
fn serializing_a_mislabelled_event_fails() {
    let mut ev = emitter()
        .event(
            user::UserReactivated { user_id: U1.into() },
            U1,
            1,
            Actor::admin("a"),
        )
        .unwrap();
    ev.envelope.event_type = "user.deleted".into();
    let err = codec::encode(&ev).unwrap_err();
    assert!(
        matches!(
            err,
            codec::CodecError::Invalid(ValidationError::EventTypeMismatch {
                payload: "user.reactivated",
                ..
            })
        ),
        "{err}"
    );

    ev.envelope.event_type = "user.reactivated".into();
    ev.envelope.privacy_tier = PrivacyTier::Restricted;
    assert!(matches!(
        codec::encode(&ev),
        Err(codec::CodecError::Invalid(
            ValidationError::PrivacyTierMismatch { .. }
        ))
    ));
}

#[test]
fn entity_id_must_match_the_payload_key() {
    let err = emitter()
        .event(payment(1), "other-order", 1, Actor::system())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ValidationError::EntityIdMismatch {
                key_field: "order_id",
                ..
            }
        ),
        "{err}"
    );
    let err = emitter()
        .event(payment(1), "", 1, Actor::system())
        .unwrap_err();
    assert!(matches!(
        err,
        ValidationError::EmptyEntityId | ValidationError::EntityIdMismatch { .. }
    ));
}

#[test]
fn the_data_union_knows_its_event_type_and_tier() {
    let ev = emitter().event(payment(5), O1, 1, Actor::system()).unwrap();
    assert_eq!(ev.data.event_type(), "order.payment_succeeded");
    assert_eq!(ev.data.privacy_tier(), PrivacyTier::Internal);
    let data: order::Data = payment(5).into();
    assert!(matches!(data, order::Data::OrderPaymentSucceeded(_)));
    assert_eq!(order::EVENT_TYPES.len(), 12);
    assert_eq!(order::EVENT_TYPES[0], "order.created");
    assert_eq!(user::EVENT_TYPES.len(), 12);
}

#[test]
fn declared_constraints_are_enforced_when_building_and_serializing() {
    // `currency` carries {"pattern": "^[A-Z]{3}$"} in every schema.
    let mut bad = payment(100);
    bad.currency = "eur".into();
    let err = emitter().event(bad, O1, 1, Actor::system()).unwrap_err();
    assert_eq!(
        err,
        ValidationError::Constraint {
            field: "currency".into(),
            rule: "pattern",
            limit: "^[A-Z]{3}$",
            found: "\"eur\"".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "currency breaks its constraint pattern ^[A-Z]{3}$: \"eur\""
    );
    for (currency, ok) in [
        ("USD", true),
        ("EURO", false),
        ("EU", false),
        ("ÉUR", false),
        // Two bytes of one character: checked on bytes, the count still refuses it.
        ("EÉ", false),
        ("ＥUR", false),
        ("", false),
    ] {
        let mut p = payment(1);
        p.currency = currency.into();
        assert_eq!(
            emitter().event(p, O1, 1, Actor::system()).is_ok(),
            ok,
            "{currency:?}"
        );
    }
    // OrderCreated's item_count carries {"minimum": 1}; checked again when serializing.
    let mut ev = emitter()
        .event(
            order::OrderCreated {
                order_id: O1.into(),
                order_number: "N1".into(),
                customer_id: C1.into(),
                item_count: 1,
                total_cents: 100,
                currency: "EUR".into(),
                status: sc_events::types::OrderStatus::Pending,
            },
            O1,
            1,
            Actor::system(),
        )
        .unwrap();
    if let order::Data::OrderCreated(p) = &mut ev.data {
        p.item_count = 0;
    }
    let err = codec::encode(&ev).unwrap_err();
    assert!(
        matches!(
            &err,
            codec::CodecError::Invalid(ValidationError::Constraint { field, rule: "minimum", limit: "1", found })
                if field == "item_count" && found == "0"
        ),
        "{err}"
    );
}

/// The envelope's Actor record declares `present_when`: a user, supplier or admin has an id,
/// the system and a scheduler have none.
#[test]
fn an_actor_has_an_id_exactly_when_it_is_a_user_supplier_or_admin() {
    use sc_events::ActorType;
    let with = |actor_type, actor_id: Option<&str>| sc_events::Actor {
        actor_type,
        actor_id: actor_id.map(str::to_string),
    };
    for ok in [
        with(ActorType::User, Some(U1)),
        with(ActorType::Admin, Some("a-1")),
        with(ActorType::System, None),
        with(ActorType::Scheduler, None),
    ] {
        let e = emitter().event(payment(100), O1, 1, ok.clone());
        assert!(e.is_ok(), "{ok:?}: {e:?}");
    }
    for (bad, found) in [
        (with(ActorType::Supplier, None), "null"),
        (with(ActorType::System, Some(S1)), "set"),
    ] {
        let err = emitter()
            .event(payment(100), O1, 1, bad.clone())
            .unwrap_err();
        assert_eq!(
            err,
            ValidationError::Constraint {
                field: "actor.actor_id".into(),
                rule: "present_when",
                limit: "actor_type in USER, SUPPLIER, ADMIN",
                found: found.into(),
            },
            "{bad:?}"
        );
    }
}

/// The serializer checks while it encodes (one pass over the payload union, each payload
/// against its own type's constants): a valid event's bytes are the unchecked encoder's, a
/// refused one leaves the buffer exactly as it was, and an entity id equal to its key but
/// malformed is still refused (its pattern is checked once, on the key field).
#[test]
fn the_serializer_checks_while_encoding_and_leaves_a_refused_event_unwritten() {
    let ser = sc_events::wire::Serializer::<order::Event>::with_id(7);
    let ev = emitter().event(payment(5), O1, 1, Actor::system()).unwrap();
    let (mut checked, mut unchecked) = (b"kept".to_vec(), b"kept".to_vec());
    ser.serialize(&ev, &mut checked).unwrap();
    ser.serialize_unchecked(&ev, &mut unchecked).unwrap();
    assert_eq!(checked, unchecked);
    assert!(checked.len() > 9 && checked.starts_with(b"kept\0\0\0\0\x07"));

    let refuse = |ev: &order::Event| {
        let mut buf = b"kept".to_vec();
        let err = ser.serialize(ev, &mut buf).unwrap_err();
        assert_eq!(buf, b"kept", "{err}");
        err.to_string()
    };
    let mut bad = ev.clone();
    bad.envelope.event_type = "order.created".into();
    assert!(refuse(&bad).contains("does not match"));
    // The same malformed text in both places: equal, so only the key's pattern can refuse it.
    let mut bad = ev.clone();
    bad.envelope.entity_id = "not-an-object-id".into();
    if let order::Data::OrderPaymentSucceeded(p) = &mut bad.data {
        p.order_id = "not-an-object-id".into();
    }
    assert!(
        refuse(&bad).contains("order_id breaks its constraint pattern ^[0-9a-f]{24}$"),
        "{}",
        refuse(&bad)
    );
    let mut bad = ev.clone();
    bad.envelope.entity_id = P1.into();
    assert!(refuse(&bad).contains("differs from the payload's order_id"));
}
