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

    // Java accepts an identical redefinition (doc and aliases aside), not a different one.
    set(&[
        r#"{"type":"record","name":"R","fields":[]}"#,
        r#"{"type":"record","name":"R","doc":"d","aliases":["Q"],"fields":[]}"#,
    ])
    .unwrap();
    let e = set(&[
        r#"{"type":"record","name":"R","fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
    ])
    .unwrap_err();
    assert!(e[0].message.contains("can't redefine"), "{}", e[0].message);
}

#[test]
fn java_validity_rules() {
    let ok = |t: &str| set(&[t]).map(|_| ()).map_err(|e| e[0].message.clone());
    // Unicode letters (Java's Character.isLetter), not marks, not outside the BMP.
    assert!(ok(r#"{"type":"record","name":"名前","fields":[{"name":"é","type":"int"}]}"#).is_ok());
    assert!(ok("{\"type\":\"record\",\"name\":\"a\u{301}\",\"fields\":[]}").is_err());
    assert!(ok(r#"{"type":"record","name":"𝐀","fields":[]}"#).is_err());
    // A namespace that is not a string is ignored; ".R" is R in no namespace.
    assert!(ok(r#"{"type":"record","name":"R","namespace":5,"fields":[]}"#).is_ok());
    assert!(ok(r#"{"type":"record","name":".R","fields":[]}"#).is_ok());
    assert!(ok(r#"{"type":"record","name":"R","namespace":"a..b","fields":[]}"#).is_err());
    // order, nested type objects, fixed sizes, enum defaults.
    assert!(ok(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"Ignore"}]}"#
    )
    .is_ok());
    assert!(ok(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"bogus"}]}"#
    )
    .is_err());
    assert!(ok(r#"{"type":{"type":"int"}}"#).is_err());
    assert!(ok(r#"{"type":"fixed","name":"F","size":2147483639}"#).is_ok());
    assert!(ok(r#"{"type":"fixed","name":"F","size":2147483640}"#).is_err());
    assert!(ok(r#"{"type":"fixed","name":"F","size":3.0}"#).is_err());
    assert!(ok(r#"{"type":"enum","name":"E","symbols":["A"],"default":5}"#).is_ok());
    // Defaults: Double.parseDouble strings, forward references as placeholders, recursion.
    assert!(ok(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":" 0x1p3 "}]}"#).is_ok());
    assert!(ok(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":"inf"}]}"#
    )
    .is_err());
    assert!(ok(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"E","default":"A"},{"name":"b","type":{"type":"enum","name":"E","symbols":["A"]}}]}"#).is_err());
    assert!(ok(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"S","default":{}},{"name":"b","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]}}]}"#).is_err());
    assert!(ok(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"S","default":{"x":1}},{"name":"b","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]}}]}"#).is_ok());
    assert!(ok(r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","R"],"default":{"a":null}}]}"#).is_err());
    // A forward reference resolves by its full name only.
    assert!(ok(r#"{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"X"},{"name":"b","type":{"type":"record","name":"X","namespace":"","fields":[]}}]}"#).is_err());
    // Trailing comments are dangling content for Avro.
    assert!(ok("\"int\" // c").is_err());
}

#[test]
fn recursive_records_parse() {
    let s = set(&[r#"{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"],"default":null}]}"#]).unwrap();
    let l = s.lookup("L").unwrap();
    assert_eq!(s.fields(l)[0].ty.non_null().kind, Kind::Named(l));
}

/// Behaviours of Java Avro 1.12.1 found by the validity differential
/// (`tests/validity_differential.rs`), each checked against the jar.
#[test]
fn java_validity_rules_found_by_the_differential() {
    let ok = |t: &str| set(&[t]).map(|_| ()).map_err(|e| e[0].message.clone());
    let twice = |a: &str, b: &str| {
        format!(
            r#"{{"type":"record","name":"R","fields":[{{"name":"a","type":{a}}},{{"name":"b","type":{b}}}]}}"#
        )
    };
    let e = |extra: &str| format!(r#"{{"type":"enum","name":"E","symbols":["A","B"]{extra}}}"#);
    // EnumSchema.equals ignores the enum default.
    assert!(ok(&twice(&e(r#","default":"A""#), &e(r#","default":"B""#))).is_ok());
    // Lone surrogates are distinct characters; "\ud800\u0041" is "\ud800A".
    assert!(ok(&twice(&e(r#","x":"\ud800""#), &e(r#","x":"\ud801""#))).is_err());
    assert!(ok(&twice(
        &e(r#","x":"\ud800A""#),
        &e(r#","x":"\ud800\u0041""#)
    ))
    .is_ok());
    assert!(ok(&twice(&e(r#","\ud800":1"#), &e(r#","\udc00":1"#))).is_err());
    // Double.parseDouble values of hexadecimal defaults decide equality.
    let s = |d: &str| {
        format!(
            r#"{{"type":"record","name":"S","fields":[{{"name":"x","type":"double","default":{d}}}]}}"#
        )
    };
    assert!(ok(&twice(&s(r#""0x1p3""#), &s(r#""0x1p4""#))).is_err());
    assert!(ok(&twice(&s(r#""0x1p3""#), &s(r#""8""#))).is_ok());
    // Resolution copies records, arrays and maps with their properties through
    // JacksonUtils.toObject, which turns a big integer into null ("Can't set a property to
    // null"); primitives and fields keep theirs.
    let big = "123456789012345678901234567890";
    assert!(ok(&format!(
        r#"{{"type":"record","name":"R","x":{big},"fields":[]}}"#
    ))
    .is_err());
    assert!(ok(&format!(
        r#"{{"type":"array","items":"int","x":[1,{{"y":{big}}}]}}"#
    ))
    .is_err());
    assert!(ok(&format!(r#"{{"type":"int","x":{big}}}"#)).is_ok());
    assert!(ok(&format!(
        r#"{{"type":"record","name":"R","fields":[{{"name":"a","type":"int","x":{big}}}]}}"#
    ))
    .is_ok());
    // A map default with a repeated key is read as Jackson keeps it: the last value.
    assert!(ok(r#"{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":{"type":"map","values":"string"}},"default":{"k":null,"k":{}}}]}"#).is_ok());
    // Jackson: a // comment ends at CR; control characters in comments are refused.
    assert!(ok("{\"type\":\"enum\",// c\r\"name\":\"E\",\"symbols\":[]}").is_ok());
    assert!(ok("{\"type\":\"enum\",/* \u{1} */\"name\":\"E\",\"symbols\":[]}").is_err());
}

#[test]
fn mistakes_get_a_did_you_mean_and_a_first_definition() {
    let msg = |texts: &[&str]| set(texts).unwrap_err()[0].message.clone();
    // A misspelt primitive, and a misspelt name of a type defined in another file.
    let m = msg(&[r#"{"type":"record","name":"R","fields":[{"name":"a","type":"strng"}]}"#]);
    assert!(
        m.contains("unknown type \"strng\"; did you mean \"string\"?"),
        "{m}"
    );
    // Inside a namespace too: the name as written is what is compared.
    let m = msg(&[
        r#"{"type":"record","name":"R","namespace":"sc.events.order","fields":[{"name":"a","type":"strng"}]}"#,
    ]);
    assert!(m.contains("did you mean \"string\"?"), "{m}");
    let m = msg(&[
        r#"{"type":"record","name":"R","namespace":"sc.events.order","fields":[{"name":"s","type":{"type":"enum","name":"OrderStatus","symbols":["A"]}},{"name":"t","type":"OrderStatu"}]}"#,
    ]);
    assert!(m.contains("did you mean \"OrderStatus\"?"), "{m}");
    let m = msg(&[
        r#"{"type":"record","name":"Envelope","namespace":"sc","fields":[]}"#,
        r#"{"type":"record","name":"E","namespace":"sc","fields":[{"name":"e","type":"sc.Envelop"}]}"#,
    ]);
    assert!(m.contains("did you mean \"sc.Envelope\"?"), "{m}");
    // An enum default that is a near miss of a symbol.
    let m = msg(&[r#"{"type":"enum","name":"S","symbols":["UNKNOWN","OK"],"default":"UNKNOW"}"#]);
    assert!(m.contains("did you mean \"UNKNOWN\"?"), "{m}");
    // A duplicate field says where the first one is.
    let m = msg(&["{\"type\":\"record\",\"name\":\"R\",\"fields\":[\n{\"name\":\"a\",\"type\":\"int\"},\n{\"name\":\"a\",\"type\":\"long\"}]}"]);
    assert!(
        m.contains("duplicate field \"a\": first defined here at line 2, column 9"),
        "{m}"
    );
    // Nothing close: no suggestion.
    let m = msg(&[r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Zebra"}]}"#]);
    assert!(!m.contains("did you mean"), "{m}");
}

/// Everything a parse produced, comparable across two parses (the name index sorted).
fn outcome(r: &Result<SchemaSet, Vec<Diagnostic>>) -> String {
    match r {
        Ok(s) => {
            let mut names: Vec<_> = s.by_name.iter().collect();
            names.sort();
            let files: Vec<_> = s.files.iter().map(|f| (&f.path, &f.text)).collect();
            format!("{files:?}\n{:?}\n{:?}\n{names:?}", s.roots, s.types)
        }
        Err(d) => d
            .iter()
            .map(Diagnostic::one_line)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn sharing_the_common_files_parses_each_set_as_parse_files_does() {
    let env = r#"{"type":"record","name":"Env","namespace":"a","fields":[
        {"name":"id","type":"string"},{"name":"p","type":["null","a.Later"],"default":null}]}"#;
    let env_prop = env.replacen("\"fields\"", "\"owner\": \"x\", \"fields\"", 1);
    let env_default = env.replacen(
        "\"type\":\"string\"}",
        "\"type\":\"string\",\"default\":\"d\"}",
        1,
    );
    assert!(env_prop != env && env_default != env);
    let file = |i: usize, t: &str| SourceFile::new(format!("f{i}.avsc"), t);
    let rests: Vec<Vec<&str>> = vec![
        // Uses the common type; defines the one the common file refers to ahead.
        vec![
            r#"{"type":"record","name":"Later","namespace":"a","fields":[{"name":"e","type":"Env"}]}"#,
        ],
        // The common type again, identical (Java accepts it), then different (refused).
        vec![
            env,
            r#"{"type":"record","name":"Later","namespace":"a","fields":[]}"#,
        ],
        vec![r#"{"type":"record","name":"Env","namespace":"a","fields":[]}"#],
        // An identical redefinition of a type of the second common set (accepted: Java
        // compares the JSON of both), and one with another property (refused).
        vec![r#"{"type":"enum","name":"E","symbols":["A"]}"#],
        vec![r#"{"type":"enum","name":"E","symbols":["A"],"x":1}"#],
        // Redefinitions that differ only in what the JSON says (a property, a default).
        vec![
            &env_prop,
            r#"{"type":"record","name":"Later","namespace":"a","fields":[]}"#,
        ],
        vec![
            &env_default,
            r#"{"type":"record","name":"Later","namespace":"a","fields":[]}"#,
        ],
        // Not JSON; an unknown type; a bad default.
        vec!["{\"type\": "],
        vec![
            r#"{"type":"record","name":"Later","namespace":"a","fields":[{"name":"x","type":"Nope"}]}"#,
        ],
        vec![
            r#"{"type":"record","name":"Later","namespace":"a","fields":[{"name":"x","type":"int","default":"s"}]}"#,
        ],
    ];
    for common in [
        vec![env],
        vec![env, r#"{"type":"enum","name":"E","symbols":["A"]}"#],
        vec!["[oops"],
    ] {
        let common_files: Vec<SourceFile> =
            common.iter().enumerate().map(|(i, t)| file(i, t)).collect();
        let rest_files = |rest: &[&str]| -> Vec<SourceFile> {
            rest.iter()
                .enumerate()
                .map(|(i, t)| file(common.len() + i, t))
                .collect()
        };
        let shared = parse_files_sharing(
            common_files.clone(),
            rests.iter().map(|r| rest_files(r)).collect(),
        );
        assert_eq!(shared.len(), rests.len());
        for (rest, got) in rests.iter().zip(&shared) {
            let all = common_files
                .iter()
                .cloned()
                .chain(rest_files(rest))
                .collect();
            assert_eq!(
                outcome(got),
                outcome(&parse_files(all)),
                "{common:?} + {rest:?}"
            );
        }
    }
}
