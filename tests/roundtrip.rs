//! Every one of the 76 event types: a realistic sample is built through the typed API, encoded
//! against the canonical `.avsc` text, decoded back to an equal value, and read by apache-avro's
//! generic reader to prove the bytes are standard Avro; the generated codec must write the
//! same bytes and read them back, and fail cleanly on every truncation.

mod support;

use apache_avro::types::Value;
use sc_events::{codec, wire, DomainEvent, EVENTS};
use sc_events_schema::model::Kind;
use serde_json::json;

/// apache-avro's generic value as plain JSON (union and enum indices dropped).
fn plain(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => json!(null),
        Value::Boolean(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Long(l) | Value::TimestampMillis(l) => json!(l),
        Value::Float(f) => json!(f),
        Value::Double(d) => json!(d),
        Value::String(s) | Value::Enum(_, s) => json!(s),
        Value::Uuid(u) => json!(u.to_string()),
        Value::Bytes(b) | Value::Fixed(_, b) => json!(b),
        Value::Union(_, inner) => plain(inner),
        Value::Array(items) => json!(items.iter().map(plain).collect::<Vec<_>>()),
        Value::Map(m) => json!(m
            .iter()
            .map(|(k, v)| (k.clone(), plain(v)))
            .collect::<serde_json::Map<_, _>>()),
        Value::Record(fields) => json!(fields
            .iter()
            .map(|(k, v)| (k.clone(), plain(v)))
            .collect::<serde_json::Map<_, _>>()),
        other => panic!("unexpected value {other:?}"),
    }
}

fn round_trip<E>(event_type: &str, branch: usize, index: u64)
where
    E: DomainEvent
        + PartialEq
        + std::fmt::Debug
        + wire::Encode
        + for<'a> wire::Decode<'a>
        + wire::HasView,
{
    let catalog = sc_events::workspace::load_workspace::<sc_events::Workspace>().unwrap();
    let (domain, ev) = catalog
        .events()
        .find(|(_, e)| e.event_type == event_type)
        .unwrap();
    let set = &catalog.set;
    let payload = support::sample::record(set, ev.record, index * 7 + 1);
    let name = set.types[ev.record].name.name.clone();
    let key = catalog.topic(&domain.topic).unwrap().key.clone().unwrap();
    let entity_id = payload[&key]
        .as_str()
        .unwrap_or("64f1c2b7e0d3a4c5deadbeef")
        .to_string();
    let envelope = json!({
        "event_id": "0b7e5a52-3f7c-4b55-8d2b-5f0e6c1d9a10",
        "event_type": event_type,
        "entity_type": domain.entity_type,
        "entity_id": entity_id,
        "entity_version": 3,
        "occurred_at": 1_732_000_000_123_i64,
        "trace_id": "a3c9d2e1-7b4f-4e8a-9c1d-2f3e4a5b6c7d",
        "correlation_id": null,
        "producer": "social-commerce-api",
        "actor": {"actor_type": "USER", "actor_id": "64f1c2b7e0d3a4c5aaaaaaaa"},
        "schema_version": domain.schema_version,
        "privacy_tier": ev.tier_or_public().as_str(),
    });
    let typed: E =
        serde_json::from_value(json!({"envelope": envelope, "data": {name.clone(): payload}}))
            .unwrap_or_else(|e| {
                panic!("{event_type}: sample does not fit the generated type: {e}")
            });
    typed
        .validate()
        .unwrap_or_else(|e| panic!("{event_type}: {e}"));

    let bytes =
        codec::reference::encode(&typed).unwrap_or_else(|e| panic!("{event_type}: encode: {e}"));
    let back: E =
        codec::reference::decode(&bytes).unwrap_or_else(|e| panic!("{event_type}: decode: {e}"));
    assert_eq!(back, typed, "{event_type}: typed round trip");
    assert_eq!(
        codec::encode(&typed).unwrap(),
        bytes,
        "{event_type}: codec::encode"
    );

    // The generated codec writes exactly apache-avro's bytes and reads them back.
    let mut fast = Vec::new();
    wire::Encode::encode(&typed, &mut fast);
    assert_eq!(fast, bytes, "{event_type}: generated encoder = apache-avro");
    let back: E = wire::binary::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{event_type}: generated decoder: {e}"));
    assert_eq!(back, typed, "{event_type}: generated decoder");
    let view: E::View<'_> = wire::binary::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{event_type}: borrowed decoder: {e}"));
    assert_eq!(E::from_view(&view), typed, "{event_type}: borrowed view");
    for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
        let e = wire::binary::from_slice::<E>(&bytes[..cut]).unwrap_err();
        assert!(e.offset <= cut, "{event_type}: truncated at {cut}: {e}");
    }

    let generic =
        codec::reference::decode_value_in::<sc_events::Workspace>(E::RECORD, &bytes).unwrap();
    let Value::Record(fields) = &generic else {
        panic!("{event_type}: not a record")
    };
    let Value::Union(index, data) = &fields[1].1 else {
        panic!("{event_type}: data is not a union")
    };
    assert_eq!(*index as usize, branch, "{event_type}: union branch");
    assert_eq!(
        plain(data),
        payload,
        "{event_type}: generic reader sees the payload"
    );
    assert_eq!(
        plain(&fields[0].1),
        envelope,
        "{event_type}: generic reader sees the envelope"
    );
}

#[test]
fn every_event_type_round_trips() {
    let catalog = sc_events::workspace::load_workspace::<sc_events::Workspace>().unwrap();
    let mut done = 0;
    for (i, info) in EVENTS.iter().enumerate() {
        let (domain, ev) = catalog
            .events()
            .find(|(_, e)| e.event_type == info.event_type)
            .unwrap();
        let Kind::Union(branches) = &catalog.set.fields(domain.record)[1].ty.kind else {
            unreachable!()
        };
        let branch = branches
            .iter()
            .position(|b| b.kind == Kind::Named(ev.record))
            .unwrap();
        let f = match info.topic {
            "sc.domain.user" => round_trip::<sc_events::user::Event>,
            "sc.domain.supplier" => round_trip::<sc_events::supplier::Event>,
            "sc.domain.community" => round_trip::<sc_events::community::Event>,
            "sc.domain.product" => round_trip::<sc_events::product::Event>,
            "sc.domain.promotion" => round_trip::<sc_events::promotion::Event>,
            "sc.domain.post" => round_trip::<sc_events::post::Event>,
            "sc.domain.order" => round_trip::<sc_events::order::Event>,
            t => panic!("no domain type for topic {t}"),
        };
        f(info.event_type, branch, i as u64);
        done += 1;
    }
    assert_eq!(done, 76);
}
