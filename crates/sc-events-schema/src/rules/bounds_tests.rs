//! The checker stays polynomial: shared named types along exponentially many paths, 200k enum
//! symbols, 50k union branches; and schemas at Jackson's maximum depth (1000) run on an 8 MiB
//! stack, one level more being refused. Both the compatibility checker and the policy diff
//! are held to this, so the test sits above both.

use super::compat::{check, check_java_list, check_mode, IncompatibilityType, Mode, SchemaRef};
use super::policy;
use crate::model::{parse_files, SchemaSet};
use crate::source::SourceFile;

fn set(text: String) -> SchemaSet {
    parse_files(vec![SourceFile::new("t.avsc", text)]).unwrap()
}

fn root(s: &SchemaSet) -> SchemaRef<'_> {
    SchemaRef {
        set: s,
        root: &s.roots[0],
    }
}

/// T0 has fields a, b of type T1, ... T{n-1} has a leaf of type `leaf`: 2^n paths to the leaf.
fn shared(n: usize, leaf: &str) -> String {
    let mut t =
        format!(r#"{{"type":"record","name":"T{n}","fields":[{{"name":"x","type":"{leaf}"}}]}}"#);
    for i in (0..n).rev() {
        t = format!(
            r#"{{"type":"record","name":"T{i}","fields":[{{"name":"a","type":{t}}},{{"name":"b","type":"T{}"}}]}}"#,
            i + 1
        );
    }
    t
}

#[test]
fn shared_named_types_report_each_incompatibility_once() {
    let (r, w) = (set(shared(40, "int")), set(shared(40, "string")));
    assert!(r.files[0].text.len() < 4096);
    let incs = check(root(&r), root(&w));
    assert_eq!(incs.len(), 1, "{incs:?}");
    assert_eq!(incs[0].kind, IncompatibilityType::TypeMismatch);
    assert_eq!(incs[0].occurrences, 1 << 40);
    assert_eq!(
        incs[0].location,
        format!("/{}fields/0/type", "fields/0/type/".repeat(40))
    );
    let findings = check_mode(Mode::FullTransitive, root(&r), &[root(&w)]);
    assert_eq!(findings.len(), 2);
    // Java's list itself, cut: the same incompatibility again and again.
    assert_eq!(check_java_list(root(&r), root(&w), 5).len(), 5);
}

#[test]
fn big_enums_and_unions_are_linear() {
    let syms = |n: usize| {
        (0..n)
            .map(|i| format!("\"S{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let e = |n| {
        set(format!(
            r#"{{"type":"enum","name":"E","symbols":[{}]}}"#,
            syms(n)
        ))
    };
    let (r, w) = (e(199_999), e(200_000));
    let incs = check(root(&r), root(&w));
    assert_eq!(incs.len(), 1);
    assert_eq!(incs[0].message, "[S199999]");
    let policy = policy::SubjectPolicy::default();
    let found = policy::check(root(&w), root(&r), &policy);
    assert_eq!(found.len(), 1, "{found:?}");

    let branches = |n: usize, skip: usize| {
        let b: Vec<String> = (0..n)
            .filter(|&i| i != skip)
            .map(|i| format!(r#"{{"type":"record","name":"R{i}","fields":[]}}"#))
            .collect();
        set(format!("[\"null\",\"int\",{}]", b.join(",")))
    };
    let (r, w) = (branches(50_000, 777), branches(50_000, usize::MAX));
    let incs = check(root(&r), root(&w));
    assert_eq!(incs.len(), 1, "{:?}", &incs[..incs.len().min(3)]);
    assert_eq!(incs[0].location, "/779");
    assert_eq!(incs[0].message, "reader union lacking writer type: RECORD");
    assert!(check(root(&w), root(&r)).is_empty());
    let found = policy::check(root(&w), root(&r), &policy);
    assert_eq!(found.len(), 1, "{found:?}");
}

/// The deepest JSON nesting of a text (schemas here have no brackets inside strings).
fn json_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0);
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth -= 1,
            _ => {}
        }
    }
    max
}

/// The worst shapes at Jackson's maximum depth (1000): nested arrays, nested unions of
/// records, nested records; the deepest field's type is `leaf`.
fn max_depth_schemas(leaf: &str) -> Vec<String> {
    let record = |name: &str, ty: &str, default: &str| {
        format!(
            r#"{{"type":"record","name":"{name}","fields":[{{"name":"x","type":{ty}{default}}}]}}"#
        )
    };
    let leaf_record = record("L", &format!("\"{leaf}\""), ""); // 3 levels
    let array = |items: &str| format!(r#"{{"type":"array","items":{items}}}"#);
    let mut arrays = leaf_record.clone();
    for _ in 0..997 {
        arrays = array(&arrays);
    }
    // ["null", record] is 4 levels.
    let mut unions = format!(r#"["null",{leaf_record}]"#);
    for i in 0..249 {
        let inner = record(&format!("U{i}"), &unions, r#","default":null"#);
        unions = format!(r#"["null",{inner}]"#);
    }
    let mut records = leaf_record;
    for i in 0..332 {
        records = record(&format!("R{i}"), &records, "");
    }
    let records = array(&records);
    vec![arrays, unions, records]
}

/// Parsing, compatibility both ways (FULL, FULL_TRANSITIVE, identical schemas), Java's list
/// and the policy on the schemas at the maximum depth, on a thread with `stack` bytes.
fn run_max_depth(stack: usize) -> Vec<(usize, usize, usize, usize, usize)> {
    let run = || {
        let mut out = Vec::new();
        for (old, new) in max_depth_schemas("long")
            .into_iter()
            .zip(max_depth_schemas("string"))
        {
            assert_eq!((json_depth(&old), json_depth(&new)), (1000, 1000));
            let (old, new) = (set(old), set(new));
            let full = check_mode(Mode::Full, root(&new), &[root(&old)]);
            let transitive =
                check_mode(Mode::FullTransitive, root(&old), &[root(&new), root(&old)]);
            let same = check_mode(Mode::Full, root(&new), &[root(&new)]);
            let policy = policy::SubjectPolicy::default();
            let found = policy::check(root(&old), root(&new), &policy);
            let java = check_java_list(root(&new), root(&old), 10);
            out.push((
                full.len(),
                transitive.len(),
                same.len(),
                found.len(),
                java.len(),
            ));
        }
        out
    };
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(run)
        .expect("spawn")
        .join()
        .expect("no stack overflow at depth 1000")
}

/// The server parses on tokio threads with 8 MiB stacks, the CLI on its 8 MiB main thread.
#[test]
fn max_depth_schemas_run_on_an_8_mib_stack() {
    for (full, transitive, same, policy, java) in run_max_depth(8 << 20) {
        // long → string fails both ways; identical schemas pass.
        assert_eq!((full, transitive, same), (2, 2, 0));
        assert!(policy >= 1);
        assert_eq!(java, 1);
    }
}

/// The margin: the same work fits in 3 MiB even in a debug build (measured: 1.5 MiB), so
/// growth of the recursion cost shows here before it threatens the 8 MiB threads.
#[test]
fn max_depth_schemas_fit_in_3_mib() {
    assert_eq!(run_max_depth(3 << 20).len(), 3);
}

#[test]
fn depth_1001_is_refused_naming_the_limit() {
    for text in max_depth_schemas("long") {
        let deeper = format!("[{text}]");
        let e = parse_files(vec![SourceFile::new("deep.avsc", deeper)]).unwrap_err();
        assert_eq!(
            e[0].message,
            "invalid JSON: document nesting depth (1001) exceeds the maximum allowed (1000)"
        );
    }
}
