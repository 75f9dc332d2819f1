//! HTTPS with a custom CA bundle, against a real TLS server (`openssl s_server`) on loopback:
//! with the bundle the handshake succeeds (the answer, an HTML status page, is then not
//! Confluent's API); without it the certificate is refused; a bad bundle is a clear error.
#![cfg(feature = "client")]

use sc_events_registry::http::{HttpConfig, HttpRegistry, RetryPolicy};
use sc_events_registry::{Registry, RegistryError};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1 signed by it.
fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=sc-events test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

fn start(dir: &Path) -> (Server, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .current_dir(dir)
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            "srv.pem",
            "-key",
            "srv.key",
            "-www",
            "-quiet",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openssl s_server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "s_server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (Server(child), port)
}

fn config(port: u16, ca: Option<&Path>) -> HttpConfig {
    let mut c = HttpConfig::new(format!("https://127.0.0.1:{port}"));
    c.retry = RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    };
    c.request_timeout = Duration::from_secs(5);
    c.ca_bundle = ca.map(Path::to_path_buf);
    c
}

#[tokio::test]
async fn a_custom_ca_bundle_is_trusted_and_nothing_else_is() {
    if Command::new("openssl").arg("version").output().is_err() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "openssl is missing on CI"
        );
        eprintln!("SKIPPED: openssl is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let (_server, port) = start(dir.path());

    let trusted = HttpRegistry::new(config(port, Some(&dir.path().join("ca.pem")))).unwrap();
    match trusted.subjects(false).await {
        // The TLS session was established; s_server's HTML page is not the registry API.
        Err(RegistryError::Malformed(_)) | Err(RegistryError::Api { .. }) => {}
        other => panic!("expected an answer over TLS, got {other:?}"),
    }

    let untrusted = HttpRegistry::new(config(port, None)).unwrap();
    match untrusted.subjects(false).await {
        Err(RegistryError::Transport(m)) => {
            assert!(m.to_lowercase().contains("certificate"), "{m}")
        }
        other => panic!("expected a refused certificate, got {other:?}"),
    }

    std::fs::write(dir.path().join("junk.pem"), "not a certificate").unwrap();
    let e = HttpRegistry::new(config(port, Some(&dir.path().join("junk.pem")))).unwrap_err();
    assert!(matches!(e, RegistryError::Config(_)), "{e}");
    let e = HttpRegistry::new(config(port, Some(&dir.path().join("missing.pem")))).unwrap_err();
    assert!(e.to_string().contains("missing.pem"), "{e}");
}
