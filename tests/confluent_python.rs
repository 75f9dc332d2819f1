//! Confluent's own Python client (PyPI `confluent-kafka`: `SchemaRegistryClient`,
//! `AvroSerializer`, `AvroDeserializer`) against `schemactl registry serve`, unchanged:
//! `tests/interop/confluent_client.py` exercises the REST API and the serializers and exits
//! non-zero on the first difference from Confluent's behaviour.
//!
//! `scripts/test.sh` installs the client (`tests/interop/requirements.txt`). Without it the test
//! fails under `CI=true` and is skipped, with a notice, elsewhere.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `registry serve` on an ephemeral loopback port; returns it and its URL.
fn serve(db: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemactl"))
        .args(["registry", "serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start schemactl registry serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (Server(child), url)
}

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
    let (_server, url) = serve(&dir.path().join("registry.db"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/confluent_client.py");
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
