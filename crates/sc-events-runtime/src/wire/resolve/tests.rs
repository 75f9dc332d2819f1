//! Resolution rules on small schemas, byte for byte.

use super::*;
use crate::wire::binary;
use sc_events_schema::model::parse_files;
use sc_events_schema::source::SourceFile;

fn set(text: &str) -> SchemaSet {
    parse_files(vec![SourceFile::new("t.avsc", text)]).unwrap()
}

fn program(writer: &str, reader: &str) -> Program {
    let (w, r) = (set(writer), set(reader));
    let plan = compile_between(
        SchemaRef {
            set: &w,
            root: &w.roots[0],
        },
        SchemaRef {
            set: &r,
            root: &r.roots[0],
        },
    )
    .unwrap();
    match plan {
        Plan::Resolve(p) => p,
        Plan::Same => panic!("expected a resolution"),
    }
}

fn run(p: &Program, bytes: &[u8]) -> Vec<u8> {
    match transcode(p, bytes) {
        Ok(Outcome::Value(v)) => v,
        Ok(Outcome::UnknownEventType(e)) => panic!("unknown event type {e}"),
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn promotions_follow_the_spec() {
    let p = program(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"float"},{"name":"c","type":"string"},{"name":"d","type":"long"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"double"},{"name":"c","type":"bytes"},{"name":"d","type":"double"}]}"#,
    );
    let mut w = Vec::new();
    binary::put_int(&mut w, -300);
    binary::put_float(&mut w, 1.5);
    binary::put_str(&mut w, "hé");
    binary::put_long(&mut w, 1 << 40);
    let mut expect = Vec::new();
    binary::put_long(&mut expect, -300);
    binary::put_double(&mut expect, 1.5);
    binary::put_bytes(&mut expect, "hé".as_bytes());
    binary::put_double(&mut expect, (1u64 << 40) as f64);
    assert_eq!(run(&p, &w), expect);
}

#[test]
fn fields_reorder_skip_and_take_defaults() {
    let p = program(
        r#"{"type":"record","name":"R","fields":[{"name":"old","type":{"type":"array","items":"string"}},{"name":"b","type":"int"},{"name":"a","type":"string"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"n","type":["null","long"],"default":null},{"name":"bee","aliases":["b"],"type":"int"},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]},"default":"Y"}]}"#,
    );
    let mut w = Vec::new();
    binary::put_block_count(&mut w, 2);
    binary::put_str(&mut w, "skip me");
    binary::put_str(&mut w, "me too");
    binary::end_blocks(&mut w);
    binary::put_int(&mut w, 7);
    binary::put_str(&mut w, "A");
    let mut expect = Vec::new();
    binary::put_str(&mut expect, "A");
    binary::put_long(&mut expect, 0); // null branch
    binary::put_int(&mut expect, 7);
    binary::put_int(&mut expect, 1); // Y
    assert_eq!(run(&p, &w), expect);
}

#[test]
fn unknown_enum_symbols_take_the_readers_default_or_fail() {
    let p = program(
        r#"{"type":"enum","name":"E","symbols":["A","B","NEW"]}"#,
        r#"{"type":"enum","name":"E","symbols":["UNKNOWN","B","A"],"default":"UNKNOWN"}"#,
    );
    let mut w = Vec::new();
    binary::put_int(&mut w, 2);
    assert_eq!(run(&p, &w), vec![0]);
    let mut w = Vec::new();
    binary::put_int(&mut w, 0);
    assert_eq!(run(&p, &w), vec![4]); // A is index 2 in the reader
    let p = program(
        r#"{"type":"enum","name":"E","symbols":["A","NEW"]}"#,
        r#"{"type":"enum","name":"E","symbols":["A"]}"#,
    );
    assert!(matches!(transcode(&p, &[2]), Err(RunError::Unresolvable(m)) if m.contains("NEW")));
}

#[test]
fn union_branches_match_by_name_and_new_event_types_are_reported() {
    let writer = r#"[{"type":"record","name":"Gifted","event_type":"order.gifted","fields":[{"name":"x","type":"string"}]},{"type":"record","name":"Created","fields":[{"name":"id","type":"string"}]}]"#;
    let reader = r#"[{"type":"record","name":"Paid","fields":[{"name":"p","type":"int"}]},{"type":"record","name":"Created","fields":[{"name":"id","type":"string"}]}]"#;
    let p = program(writer, reader);
    let mut w = Vec::new();
    binary::put_long(&mut w, 1);
    binary::put_str(&mut w, "o-1");
    let mut expect = Vec::new();
    binary::put_long(&mut expect, 1);
    binary::put_str(&mut expect, "o-1");
    assert_eq!(run(&p, &w), expect);
    let mut w = Vec::new();
    binary::put_long(&mut w, 0);
    binary::put_str(&mut w, "gift");
    assert_eq!(
        transcode(&p, &w).unwrap(),
        Outcome::UnknownEventType("order.gifted".into())
    );
    // A writer long read into a reader union of [null, double]: promoted into branch 1.
    let p = program(r#""long""#, r#"["null","double"]"#);
    let mut w = Vec::new();
    binary::put_long(&mut w, 5);
    let mut expect = vec![2];
    binary::put_double(&mut expect, 5.0);
    assert_eq!(run(&p, &w), expect);
}

#[test]
fn unresolvable_writers_are_refused_when_compiled() {
    let (w, r) = (
        set(r#"{"type":"record","name":"R","fields":[]}"#),
        set(r#"{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}"#),
    );
    let e = compile_between(
        SchemaRef {
            set: &w,
            root: &w.roots[0],
        },
        SchemaRef {
            set: &r,
            root: &r.roots[0],
        },
    )
    .unwrap_err();
    assert!(e.contains("no default"), "{e}");
}

#[test]
fn hostile_data_is_bounded() {
    let p = program(
        r#"{"type":"array","items":"null"}"#,
        r#"{"type":"array","items":["null","int"]}"#,
    );
    let mut w = Vec::new();
    binary::put_long(&mut w, i64::MAX / 2);
    assert!(matches!(transcode(&p, &w), Err(RunError::Decode(_))));
    let mut w = Vec::new();
    binary::put_long(&mut w, 3);
    let e = transcode(&p, &w);
    assert!(
        matches!(&e, Err(RunError::Decode(e)) if matches!(e.kind, binary::DecodeErrorKind::LengthBeyondInput { .. })),
        "{e:?}"
    );
}
