//! Parser tests: valid sets, cross-file and recursive references, and positioned errors.
use super::*;

fn set(texts: &[&str]) -> Result<SchemaSet, Vec<Diagnostic>> {
    parse_files(
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| SourceFile::new(format!("f{i}.avsc"), *t))
            .collect(),
    )
}

#[test]
fn parses_records_enums_and_cross_file_references() {
    let s = set(&[
        r#"{"type":"enum","name":"E","namespace":"a","symbols":["X","Y"],"default":"X"}"#,
        r#"{"type":"record","name":"R","namespace":"a","event_type":"r.x","fields":[
            {"name":"e","type":"E"},{"name":"o","type":["null","b.F"],"default":null}]}"#,
        r#"{"type":"fixed","name":"b.F","size":4}"#,
    ])
    .unwrap();
    let r = s.lookup("a.R").unwrap();
    assert_eq!(s.named(r).attr("event_type").unwrap().as_str(), Some("r.x"));
    let f = s.fields(r);
    assert_eq!(f[0].ty.kind, Kind::Named(s.lookup("a.E").unwrap()));
    assert_eq!(
        f[1].ty.non_null().kind,
        Kind::Named(s.lookup("b.F").unwrap())
    );
}

#[test]
fn reports_errors_with_positions() {
    let e = set(&[
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[\n{\"name\":\"a\",\"type\":\"Nope\"}]}",
    ])
    .unwrap_err();
    assert_eq!(e[0].line, 2);
    assert!(
        e[0].message.contains("unknown type \"Nope\""),
        "{}",
        e[0].message
    );

    let e = set(&[
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
    ])
    .unwrap_err();
    assert!(e[0].message.contains("invalid default"), "{}", e[0].message);

    let e = set(&[r#"{"type":"enum","name":"E","symbols":["A","A"]}"#]).unwrap_err();
    assert!(e[0].message.contains("duplicate enum symbol"));

    let e = set(&[r#"["int","int"]"#]).unwrap_err();
    assert!(e[0].message.contains("duplicate \"int\" in union"));

    let e = set(&[
        r#"{"type":"record","name":"R","fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[]}"#,
    ])
    .unwrap_err();
    assert!(e[0].message.contains("defined twice"));
}

#[test]
fn recursive_records_parse() {
    let s = set(&[r#"{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"],"default":null}]}"#]).unwrap();
    let l = s.lookup("L").unwrap();
    assert_eq!(s.fields(l)[0].ty.non_null().kind, Kind::Named(l));
}
