//! Confluent's own Python client (PyPI `confluent-kafka`: `SchemaRegistryClient`,
//! `AvroSerializer`, `AvroDeserializer`) against `schemactl registry serve`, unchanged:
//! `tests/interop/confluent_client.py` exercises the REST API and the serializers and exits
//! non-zero on the first difference from Confluent's behaviour.
//!
//! `scripts/test.sh` installs the client (`tests/interop/requirements.txt`). Without it the test
//! fails under `CI=true` and is skipped, with a notice, elsewhere.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use support::serve::serve;

fn client_available() -> bool {
    Command::new("python3")
        .args(["-c", "import confluent_kafka.schema_registry.avro"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn confluents_python_client_passes_against_registry_serve() {
    if !client_available() {
        let msg = "confluent-kafka (Python) is not installed: python3 -m pip install -r tests/interop/requirements.txt";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir.path().join("registry.db"), &[], &[]);
    let url = server.url.clone();
    let script = Path::new(ROOT).join("tests/interop/confluent_client.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&url)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "Confluent's client failed against registry serve:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.lines().count() > 10,
        "the script ran its checks:\n{stdout}"
    );
}
