//! The gate's cost: the whole catalog through compat (FULL_TRANSITIVE) and the policy, how
//! checking grows with a record's width (1,000 → 10,000 fields) and nesting depth (25 → 100),
//! and the big cases: an enum of 200,000 symbols and a union of 50,000 branches, each losing
//! one, through compat (FULL) and the policy. Parsing happens outside the timed loop. Sample
//! sizes are small so that the whole run stays short (`cargo bench -p sc-events-schema`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sc_events_schema::model::{parse_files, SchemaSet};
use sc_events_schema::rules::compat::{check_mode, Mode, SchemaRef};
use sc_events_schema::rules::policy::{self, SubjectPolicy};
use sc_events_schema::source::SourceFile;
use sc_events_schema::Catalog;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn set(text: String) -> SchemaSet {
    parse_files(vec![SourceFile::new("bench.avsc", text)]).expect("bench schema parses")
}

fn root(s: &SchemaSet) -> SchemaRef<'_> {
    SchemaRef {
        set: s,
        root: s.roots.last().expect("root"),
    }
}

/// A record with `n` long fields (`extra` adds one optional field at the end).
fn wide(n: usize, extra: bool) -> String {
    let mut fields: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"name": "f{i}", "type": "long"}}"#))
        .collect();
    if extra {
        fields.push(r#"{"name": "added", "type": ["null", "string"], "default": null}"#.into());
    }
    format!(
        r#"{{"type": "record", "name": "Wide", "fields": [{}]}}"#,
        fields.join(",")
    )
}

/// Records nested `depth` deep (`extra` adds an optional field at the bottom).
fn deep(depth: usize, extra: bool) -> String {
    let mut inner = if extra {
        r#"{"type": "record", "name": "R0", "fields": [{"name": "leaf", "type": "int"}, {"name": "added", "type": ["null", "string"], "default": null}]}"#.to_string()
    } else {
        r#"{"type": "record", "name": "R0", "fields": [{"name": "leaf", "type": "int"}]}"#
            .to_string()
    };
    for d in 1..depth {
        inner = format!(
            r#"{{"type": "record", "name": "R{d}", "fields": [{{"name": "child", "type": {inner}}}]}}"#
        );
    }
    inner
}

fn catalog(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
    let cat = Catalog::load(&dir).expect("catalog");
    let envelope = std::fs::read_to_string(dir.join("envelope.avsc")).expect("envelope");
    // Each domain as a separate subject: the new version against two registered ones.
    let sets: Vec<SchemaSet> = cat
        .domains
        .iter()
        .map(|d| {
            let text = cat.set.files[d.file].text.clone();
            parse_files(vec![
                SourceFile::new("envelope.avsc", envelope.clone()),
                SourceFile::new("d.avsc", text),
            ])
            .expect("domain")
        })
        .collect();
    let mut g = c.benchmark_group("catalog");
    g.throughput(Throughput::Elements(sets.len() as u64));
    g.bench_function("compat_full_transitive_and_policy_7_domains", |b| {
        b.iter(|| {
            for s in &sets {
                let r = root(s);
                black_box(check_mode(Mode::FullTransitive, r, &[r, r]));
                black_box(policy::check(r, r, &SubjectPolicy::default()));
            }
        })
    });
    g.bench_function("parse_and_lint", |b| {
        b.iter(|| {
            let cat = Catalog::load(&dir).expect("catalog");
            black_box(sc_events_schema::rules::lint::lint(&cat))
        })
    });
    g.finish();
}

/// One group: for each size, the FULL compat check and the policy check of old → new.
fn sized(c: &mut Criterion, group: &str, sizes: &[usize], make: fn(usize, bool) -> String) {
    let mut g = c.benchmark_group(group);
    for &n in sizes {
        let (old, new) = (set(make(n, false)), set(make(n, true)));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("compat_full", n), &n, |b, _| {
            b.iter(|| black_box(check_mode(Mode::Full, root(&new), &[root(&old)])))
        });
        g.bench_with_input(BenchmarkId::new("policy", n), &n, |b, _| {
            b.iter(|| {
                black_box(policy::check(
                    root(&old),
                    root(&new),
                    &SubjectPolicy::default(),
                ))
            })
        });
    }
    g.finish();
}

fn scaling(c: &mut Criterion) {
    sized(c, "wide_record", &[1_000, 2_500, 5_000, 10_000], wide);
    sized(c, "deep_nesting", &[25, 50, 100], deep);
}

/// An enum of `n` symbols, without symbol `skip`.
fn big_enum(n: usize, skip: usize) -> String {
    let symbols: Vec<String> = (0..n)
        .filter(|&i| i != skip)
        .map(|i| format!("\"S{i}\""))
        .collect();
    format!(
        r#"{{"type": "enum", "name": "Big", "symbols": [{}]}}"#,
        symbols.join(",")
    )
}

/// A union of null, int and `n` records, without record `skip`.
fn big_union(n: usize, skip: usize) -> String {
    let branches: Vec<String> = (0..n)
        .filter(|&i| i != skip)
        .map(|i| format!(r#"{{"type": "record", "name": "R{i}", "fields": []}}"#))
        .collect();
    format!(r#"["null", "int", {}]"#, branches.join(","))
}

/// One removed symbol or branch: FULL fails in the direction that reads the bigger side with
/// the smaller, and the policy reports the removal.
fn big(c: &mut Criterion) {
    let mut g = c.benchmark_group("big");
    let cases = [
        (
            "enum_200k_symbols",
            big_enum(200_000, usize::MAX),
            big_enum(200_000, 777),
        ),
        (
            "union_50k_branches",
            big_union(50_000, usize::MAX),
            big_union(50_000, 777),
        ),
    ];
    for (name, old, new) in cases {
        let (old, new) = (set(old), set(new));
        assert_eq!(
            check_mode(Mode::Full, root(&new), &[root(&old)]).len(),
            1,
            "{name}: one incompatibility"
        );
        g.bench_function(BenchmarkId::new("compat_full", name), |b| {
            b.iter(|| black_box(check_mode(Mode::Full, root(&new), &[root(&old)])))
        });
        g.bench_function(BenchmarkId::new("policy", name), |b| {
            b.iter(|| {
                black_box(policy::check(
                    root(&old),
                    root(&new),
                    &SubjectPolicy::default(),
                ))
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = catalog, scaling, big
}
criterion_main!(benches);
