//! Property test of the generated codec: random events of all 76 types (random strings,
//! unicode and empty ones included, full-range numbers, random symbols, optionals present or
//! not, arrays and maps of random length). For each: the generated encoder writes exactly
//! apache-avro's bytes, decode(encode(e)) == e, the borrowed view turns back into e, and every
//! truncation is an error at an offset inside the input. Then each is written in two older
//! layouts (tests/support/older.rs) and read back: the single-pass resolving decoder gives
//! back e (or, where the older writer lacks the defaulted fields, exactly what the
//! transcoder's route gives), and the transcoder gives back today's bytes.
//! `SC_WIRE_CASES` sets the number of events per type (default 20).

#[path = "support/older.rs"]
mod older;

use sc_events::wire::resolve::{self, read, Outcome};
use sc_events::{codec, wire, DomainEvent, EVENTS};
use sc_events_schema::model::{Body, Kind, Node, SchemaSet, TypeId};
use serde_json::{json, Map, Value};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn string(&mut self) -> String {
        match self.below(6) {
            0 => String::new(),
            1 => "é☃😀 ünïcödé".repeat(1 + self.below(3) as usize),
            2 => "x".repeat(self.below(300) as usize),
            3 => format!("{:024x}", self.next()),
            4 => "\0\u{7f}\"\\\n".into(),
            _ => format!("value-{}", self.next()),
        }
    }

    fn long(&mut self) -> i64 {
        match self.below(4) {
            0 => i64::MIN,
            1 => i64::MAX,
            2 => self.next() as i64,
            _ => self.below(1000) as i64 - 500,
        }
    }
}

fn value(set: &SchemaSet, n: &Node, rng: &mut Rng) -> Value {
    match &n.kind {
        Kind::Null => Value::Null,
        Kind::Boolean => json!(rng.below(2) == 0),
        Kind::Int => json!(rng.long() as i32),
        // chrono's range: about ±262,000 years in milliseconds.
        Kind::Long if n.logical_type.as_deref() == Some("timestamp-millis") => {
            json!(
                (rng.long() % 8_000_000_000_000_000).abs() * if rng.below(2) == 0 { 1 } else { -1 }
            )
        }
        Kind::Long => json!(rng.long()),
        Kind::Float | Kind::Double => json!(rng.below(1000) as f64 / 8.0),
        Kind::Bytes => json!((0..rng.below(8))
            .map(|_| rng.below(256))
            .collect::<Vec<_>>()),
        Kind::String if n.logical_type.as_deref() == Some("uuid") => {
            json!(uuid::Uuid::from_u64_pair(rng.next(), rng.next()).to_string())
        }
        Kind::String => json!(rng.string()),
        Kind::Array(i) => Value::Array((0..rng.below(5)).map(|_| value(set, i, rng)).collect()),
        Kind::Map(v) => Value::Object(
            (0..rng.below(4))
                .map(|k| (format!("k{k}-{}", rng.string()), value(set, v, rng)))
                .collect(),
        ),
        Kind::Union(_) => match n.nullable_inner() {
            Some(inner) if rng.below(2) == 0 => value(set, inner, rng),
            Some(_) => Value::Null,
            None => panic!("only optionals and the data union are unions here"),
        },
        Kind::Named(id) => named(set, *id, rng),
    }
}

fn named(set: &SchemaSet, id: TypeId, rng: &mut Rng) -> Value {
    match &set.types[id].body {
        Body::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|f| (f.name.clone(), value(set, &f.ty, rng)))
                .collect::<Map<_, _>>(),
        ),
        Body::Enum(e) => json!(e.symbols[rng.below(e.symbols.len() as u64) as usize]),
        Body::Fixed { size, .. } => json!((0..*size).map(|_| rng.below(256)).collect::<Vec<_>>()),
    }
}

/// Today's bytes written through `v.down` and read back through `v.up`: the single-pass
/// value, and the transcoder's route (bytes in today's layout, decoded).
fn through_older<E: read::Resolve>(v: &older::Versions, bytes: &[u8], what: &str) -> (E, Vec<u8>) {
    let Ok(Outcome::Value(old)) = resolve::transcode(&v.down, bytes) else {
        panic!("{what}: today's data fits the older layout")
    };
    let single: E = read::datum(&v.up, &old).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let Ok(Outcome::Value(back)) = resolve::transcode(&v.up, &old) else {
        panic!("{what}: the older layout transcodes back")
    };
    (single, back)
}

/// Today's schemas and the two older versions (all fields; without the defaulted ones) of
/// the event's domain.
struct Older<'a> {
    set: &'a SchemaSet,
    all: older::Versions,
    undefaulted: older::Versions,
    in_order: older::Versions,
    verbatim: older::Versions,
}

fn check<E>(o: &Older<'_>, envelope: TypeId, record: TypeId, rng: &mut Rng, cases: u64)
where
    E: DomainEvent + PartialEq + std::fmt::Debug + wire::Encode + read::Resolve + wire::HasView,
{
    let set = o.set;
    let name = set.types[record].name.name.clone();
    for case in 0..cases {
        let json = json!({"envelope": named(set, envelope, rng), "data": {name.clone(): named(set, record, rng)}});
        let e: E = serde_json::from_value(json.clone())
            .unwrap_or_else(|err| panic!("{name} case {case}: {err}: {json}"));
        let mut bytes = Vec::new();
        e.encode(&mut bytes);
        let reference = codec::reference::encode(&e).unwrap();
        assert_eq!(
            bytes, reference,
            "{name} case {case}: bytes differ from apache-avro's"
        );
        let back: E = wire::binary::from_slice(&bytes).unwrap();
        assert_eq!(back, e, "{name} case {case}");
        let view: E::View<'_> = wire::binary::from_slice(&bytes).unwrap();
        assert_eq!(E::from_view(&view), e, "{name} case {case}: view");
        let cut = rng.below(bytes.len() as u64) as usize;
        let err = wire::binary::from_slice::<E>(&bytes[..cut]).unwrap_err();
        assert!(err.offset <= cut, "{name} case {case}: {err}");

        for (v, order) in [
            (&o.all, "reordered"),
            (&o.in_order, "in order"),
            (&o.verbatim, "in order and as today"),
        ] {
            let what = format!("{name} case {case}, older writer, fields {order}");
            let (single, back) = through_older::<E>(v, &bytes, &what);
            assert_eq!(single, e, "{what}: single pass");
            assert_eq!(back, bytes, "{what}: transcoded");
        }
        let what = format!("{name} case {case}, older writer without the defaulted fields");
        let (single, back) = through_older::<E>(&o.undefaulted, &bytes, &what);
        let transcoded: E = wire::binary::from_slice(&back).unwrap();
        assert_eq!(single, transcoded, "{what}");
    }
}

#[test]
fn random_events_of_every_type_round_trip_and_match_apache_avro() {
    let cases: u64 = std::env::var("SC_WIRE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let catalog = sc_events::workspace::load_workspace::<sc_events::Workspace>().unwrap();
    let set = &catalog.set;
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let all = older::older_set(set, false, true, true);
    let undefaulted = older::older_set(set, true, true, true);
    let in_order = older::older_set(set, false, false, true);
    let verbatim = older::older_set(set, false, false, false);
    let mut domains = std::collections::HashMap::new();
    let mut types = 0;
    for info in EVENTS {
        let (_, ev) = catalog
            .events()
            .find(|(_, e)| e.event_type == info.event_type)
            .unwrap();
        let f = match info.topic {
            "sc.domain.user" => check::<sc_events::user::Event>,
            "sc.domain.supplier" => check::<sc_events::supplier::Event>,
            "sc.domain.community" => check::<sc_events::community::Event>,
            "sc.domain.product" => check::<sc_events::product::Event>,
            "sc.domain.promotion" => check::<sc_events::promotion::Event>,
            "sc.domain.post" => check::<sc_events::post::Event>,
            "sc.domain.order" => check::<sc_events::order::Event>,
            t => panic!("no domain type for topic {t}"),
        };
        let o = domains.entry(info.topic).or_insert_with(|| {
            let d = catalog
                .domains
                .iter()
                .find(|d| d.topic == info.topic)
                .unwrap();
            Older {
                set,
                all: older::versions(set, &all, d.file),
                undefaulted: older::versions(set, &undefaulted, d.file),
                in_order: older::versions(set, &in_order, d.file),
                verbatim: older::versions(set, &verbatim, d.file),
            }
        });
        f(o, catalog.envelope, ev.record, &mut rng, cases);
        types += 1;
    }
    assert_eq!(types, 76);
}
