//! compat-tests/cases.jsonl: realistic evolutions of every domain schema and focused resolution
//! cases, each with Java Avro 1.12.1's verdict (written by compat-tests/tools/make_cases.py from
//! the Java oracle) and the policy rules the change must trigger (written by hand).

use sc_events_schema::model::{parse_files, SchemaSet};
use sc_events_schema::rules::compat::{check_mode, Finding, IncompatibilityType, Mode, SchemaRef};
use sc_events_schema::rules::policy::{self, SubjectPolicy};
use sc_events_schema::source::SourceFile;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn apply(mut text: String, edits: &Value) -> String {
    for e in edits.as_array().into_iter().flatten() {
        let start = e["after"].as_str().map_or(0, |a| {
            text.find(a)
                .unwrap_or_else(|| panic!("anchor {a:?} missing"))
        });
        let find = e["find"].as_str().unwrap();
        let i = start
            + text[start..]
                .find(find)
                .unwrap_or_else(|| panic!("edit text {find:?} missing"));
        text.replace_range(i..i + find.len(), e["replace"].as_str().unwrap());
    }
    text
}

fn parse(name: &str, text: String, with_envelope: bool) -> SchemaSet {
    let mut files = Vec::new();
    if with_envelope {
        let env = root().join("schemas/envelope.avsc");
        files.push(SourceFile::new(
            &env,
            std::fs::read_to_string(&env).unwrap(),
        ));
    }
    files.push(SourceFile::new(name, text));
    parse_files(files).unwrap_or_else(|e| panic!("{name}: {}", e[0]))
}

fn last(s: &SchemaSet) -> SchemaRef<'_> {
    SchemaRef {
        set: s,
        root: s.roots.last().unwrap(),
    }
}

#[test]
fn every_case_matches_java_and_the_policy() {
    let text = std::fs::read_to_string(root().join("compat-tests/cases.jsonl")).unwrap();
    let (mut types, mut rules, mut modes, mut domains) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines() {
        let c: Value = serde_json::from_str(line).unwrap();
        let id = c["id"].as_str().unwrap();
        let (new, existing) = match c["base"].as_str() {
            Some(base) => {
                let text = std::fs::read_to_string(root().join("schemas").join(base)).unwrap();
                let new = parse("new.avsc", apply(text.clone(), &c["new"]), true);
                let ex: Vec<SchemaSet> = c["history"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .map(|(i, h)| parse(&format!("v{}.avsc", i + 1), apply(text.clone(), h), true))
                    .collect();
                (new, ex)
            }
            None => {
                let new = parse("new.avsc", c["new_schema"].to_string(), false);
                let ex = c["existing_schemas"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .map(|(i, s)| parse(&format!("v{}.avsc", i + 1), s.to_string(), false))
                    .collect();
                (new, ex)
            }
        };
        let mode: Mode = c["mode"].as_str().unwrap().parse().unwrap();
        let refs: Vec<SchemaRef> = existing.iter().map(last).collect();
        let got: Vec<Value> = check_mode(mode, last(&new), &refs)
            .iter()
            .map(Finding::to_json)
            .collect();
        let want = &c["expected"]["incompatibilities"];
        if &Value::Array(got.clone()) != want
            || got.is_empty() != c["expected"]["compatible"].as_bool().unwrap()
        {
            failures.push(format!("{id}: got {} want {want}", Value::Array(got)));
        }
        if let (Some(expected), Some(newest)) = (c["policy"].as_array(), refs.last()) {
            let got: BTreeSet<&str> = policy::check(*newest, last(&new), &SubjectPolicy::default())
                .iter()
                .map(|f| f.rule.id)
                .collect();
            let want: BTreeSet<&str> = expected.iter().filter_map(Value::as_str).collect();
            if got != want {
                failures.push(format!("{id}: policy got {got:?} want {want:?}"));
            }
            rules.extend(want.into_iter().map(str::to_string));
        }
        for i in want.as_array().unwrap() {
            types.insert(i["type"].as_str().unwrap().to_string());
        }
        modes.insert(c["mode"].as_str().unwrap().to_string());
        domains.insert(id.split('/').next().unwrap().to_string());
        n += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {n} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(n >= 150, "only {n} cases");
    for t in IncompatibilityType::ALL {
        assert!(types.contains(t.as_str()), "no case shows {t}");
    }
    for (r, _) in policy::RULES {
        assert!(
            rules.contains(r.id),
            "no case triggers policy rule {}",
            r.id
        );
    }
    for m in Mode::ALL {
        assert!(modes.contains(m.as_str()), "no case in mode {}", m.as_str());
    }
    for d in [
        "user",
        "supplier",
        "community",
        "product",
        "promotion",
        "post",
        "order",
        "semantics",
    ] {
        assert!(domains.contains(d), "no case for {d}");
    }
}
