//! Partitioning agrees with the other producers, for 10,000 keys (ObjectIds, UUIDs, org ids,
//! empty, every tail length, non-ASCII and supplementary characters):
//! - `murmur2_partition` with Confluent's Python client (librdkafka) set to the Java client's
//!   partitioner, `murmur2_random`, producing to a real broker (tansu) with 12 partitions:
//!   every key on the partition the broker acknowledged it on;
//! - `java_hash_code_partition` with `Math.abs(key.hashCode()) % 12` run by Java itself
//!   (`tests/interop/JavaPartition.java`), the data platform's own formula, for the key as a
//!   `String` and, where it is a long's text, as a `Long`.

mod support;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;
use sc_events_runtime::partition::{
    java_hash_code_partition, java_string_hash, java_string_hash_partition, murmur2_partition,
    KeyType,
};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PARTITIONS: u32 = 12;

/// 10,000 distinct keys of the shapes producers use, one per line (no newlines in a key).
fn keys() -> Vec<String> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut keys = vec![String::new(), "polygenelubricants".to_string()];
    let alphabet: Vec<char> = "abcXYZ019-_.:é漢😀".chars().collect();
    while keys.len() < 10_000 {
        let n = next();
        let key = match n % 5 {
            0 => format!("{:024x}", next() as u128 * 0x1_0000 + n as u128 % 0xffff),
            1 => uuid::Uuid::from_u64_pair(next(), n).to_string(),
            2 => format!("org-{}", n % 100_000),
            3 => (0..(n % 9) as usize)
                .map(|i| alphabet[((n >> (i * 5)) % alphabet.len() as u64) as usize])
                .collect(),
            _ => format!("{}", n as i64),
        };
        keys.push(key);
    }
    keys.sort();
    keys.dedup();
    keys
}

fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Whether `program --version`-like probe runs; under CI its absence fails the test.
fn available(program: &str, args: &[&str], hint: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(!in_ci(), "{hint}");
        eprintln!("SKIPPED: {hint}");
    }
    ok
}

#[test]
fn the_data_platform_formula_equals_javas_math_abs_hash_code() {
    if !available("javac", &["-version"], "javac (Java 17) is not installed") {
        return;
    }
    let out_dir = Path::new(ROOT).join("target/oracle");
    std::fs::create_dir_all(&out_dir).expect("target/oracle");
    let status = Command::new("javac")
        .arg("-d")
        .arg(&out_dir)
        .arg(Path::new(ROOT).join("tests/interop/JavaPartition.java"))
        .status()
        .expect("javac");
    assert!(status.success(), "javac JavaPartition.java");
    let keys = keys();
    let mut child = Command::new("java")
        .arg("-cp")
        .arg(&out_dir)
        .args(["JavaPartition", &PARTITIONS.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("java");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = keys.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("java output");
    writer.join().expect("writer").expect("write keys");
    assert!(out.status.success(), "java JavaPartition failed");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), keys.len());
    let mut min_value_seen = false;
    let mut longs = 0;
    for (key, line) in keys.iter().zip(lines) {
        let mut fields = line.split(' ');
        let (Some(hash), Some(partition), Some(long)) =
            (fields.next(), fields.next(), fields.next())
        else {
            panic!("{key:?}: {line}");
        };
        if long != "-" {
            // A Long key (the data platform's org_id): Long.hashCode, not the text's.
            longs += 1;
            assert!(!long.starts_with('-'), "{key:?}: {long}");
            let long: i32 = long.parse().expect("partition");
            assert_eq!(
                java_hash_code_partition(key, KeyType::Long, PARTITIONS),
                Some(long),
                "{key:?} as a Long"
            );
        }
        let hash: i32 = hash.parse().expect("hash");
        assert_eq!(java_string_hash(key), hash, "hashCode of {key:?}");
        if hash == i32::MIN {
            // Java's Math.abs leaves it negative: the one key Java cannot place.
            min_value_seen = true;
            assert!(partition.starts_with('-'), "{key:?}: {partition}");
            continue;
        }
        let partition: i32 = partition.parse().expect("partition");
        assert_eq!(
            java_string_hash_partition(key, PARTITIONS),
            Some(partition),
            "{key:?}"
        );
    }
    assert!(min_value_seen, "the Integer.MIN_VALUE key was compared");
    assert!(longs > 1000, "{longs} long keys compared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn murmur2_places_every_key_where_the_java_partitioner_does() {
    let hint = "confluent-kafka (Python) is not installed: python3 -m pip install -r tests/interop/requirements.txt";
    if !available("python3", &["-c", "import confluent_kafka"], hint) {
        return;
    }
    let Some(_) = support::broker::tansu() else {
        assert!(!in_ci(), "tansu is not installed");
        eprintln!("SKIPPED: tansu is not installed");
        return;
    };
    let broker = support::broker::Broker::start();
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .expect("admin client");
    let topic = NewTopic::new(
        "partition-check",
        PARTITIONS as i32,
        TopicReplication::Fixed(1),
    );
    for r in admin
        .create_topics([&topic], &AdminOptions::new())
        .await
        .expect("create topic")
    {
        r.expect("topic created");
    }
    let keys = keys();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("keys.txt");
    std::fs::write(&file, keys.join("\n") + "\n").expect("keys file");
    let out = Command::new("python3")
        .arg(Path::new(ROOT).join("tests/interop/partitions.py"))
        .arg(broker.bootstrap())
        .arg("partition-check")
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "partitions.py: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        broker.log_tail()
    );
    let placed: HashMap<String, i32> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(placed.len(), keys.len());
    let differ: Vec<&String> = keys
        .iter()
        .filter(|k| murmur2_partition(k.as_bytes(), PARTITIONS) != placed.get(*k).copied())
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} keys land elsewhere, e.g. {:?}",
        differ.len(),
        keys.len(),
        &differ[..differ.len().min(5)]
    );
}
