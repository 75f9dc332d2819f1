//! The checker against the upstream corpus: 367 cases from Avro's and Confluent's test suites
//! with Java Avro 1.12.1's exact verdicts (types, locations, messages, order).

use super::*;
use crate::model::parse_files;
use crate::source::SourceFile;
use serde_json::Value;
use std::path::Path;

fn parse(v: &Value, name: &str) -> Result<crate::model::SchemaSet, String> {
    let text = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    parse_files(vec![SourceFile::new(name, text)]).map_err(|e| e[0].one_line())
}

#[test]
fn upstream_corpus_matches_java_avro_exactly() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../compat-tests/upstream/cases.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap().to_string();
        let mode: Mode = case["mode"].as_str().unwrap().parse().unwrap();
        let new = match parse(&case["new"], "new.avsc") {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{id}: new does not parse: {e}"));
                continue;
            }
        };
        let existing: Result<Vec<_>, _> = case["existing"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, v)| parse(v, &format!("existing{i}.avsc")))
            .collect();
        let existing = match existing {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{id}: existing does not parse: {e}"));
                continue;
            }
        };
        let new_ref = SchemaRef {
            set: &new,
            root: &new.roots[0],
        };
        let ex_refs: Vec<SchemaRef> = existing
            .iter()
            .map(|s| SchemaRef {
                set: s,
                root: &s.roots[0],
            })
            .collect();
        let got: Vec<Value> = check_mode(mode, new_ref, &ex_refs)
            .iter()
            .map(Finding::to_json)
            .collect();
        let oracle = &case["oracle"];
        let want = oracle["incompatibilities"].as_array().unwrap();
        if got.is_empty() != oracle["compatible"].as_bool().unwrap() || &got != want {
            failures.push(format!(
                "{id} ({}): got {} want {}",
                case["test"],
                Value::Array(got),
                Value::Array(want.clone())
            ));
        }
        n += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {n} cases disagree with Java Avro:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(n >= 360, "only {n} cases ran");
}
