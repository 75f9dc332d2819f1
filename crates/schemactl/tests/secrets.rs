//! No secret in any message: a marker password planted in every place a secret can enter the
//! command line (a registry URL in `--against`, `SCHEMA_REGISTRY_URL`, `schemactl.toml`'s
//! `registry.url`, a secret-named key or a URL in a malformed `schemactl.toml`, the basic-auth
//! variables of the client and of `registry serve`), with URLs the tool accepts and ones it
//! refuses (`HTTP://`, `ftp://`, `htp://`, no scheme), in the human and JSON formats; every
//! byte of stdout and stderr is searched for it.

mod support;

use std::path::Path;
use std::process::{Command, Output};

/// The planted secret.
const MARKER: &str = "Zq7SECRETmarker";

/// A copy of the FlowOps workspace (small: one subject), its `[registry]` section last and
/// without retries (an unreachable registry fails at once).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/flowops");
    let toml = std::fs::read_to_string(src.join("schemactl.toml")).unwrap();
    let toml = toml.replace("[registry]\npath = \".registry/registry.db\"\n", "");
    assert!(!toml.contains("[registry]"), "{toml}");
    std::fs::write(
        dir.path().join("schemactl.toml"),
        format!("{toml}\n[registry]\nretries = 0\nconnect_timeout_ms = 1000\n"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("schemas")).unwrap();
    for e in std::fs::read_dir(src.join("schemas")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join("schemas").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn schemactl(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemactl"));
    c.current_dir(dir)
        .args(args)
        .env_remove("SCHEMA_REGISTRY_URL")
        .env_remove("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO")
        .env_remove("SCHEMACTL_SERVE_BASIC_AUTH");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Fails when `out` shows the marker anywhere; returns stderr for further checks.
fn no_marker(what: &str, out: &Output) -> String {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(MARKER), "{what} shows the secret:\n{all}");
    assert!(!out.status.success(), "{what} should fail:\n{all}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn a_password_in_a_registry_url_never_reaches_any_output() {
    let ws = workspace();
    let port = closed_port();
    let urls = [
        format!("http://alice:{MARKER}@127.0.0.1:{port}"),
        format!("HTTP://alice:{MARKER}@127.0.0.1:{port}"),
        format!("https://alice:{MARKER}@127.0.0.1:{port}/sr"),
        format!("ftp://alice:{MARKER}@127.0.0.1:{port}"),
        format!("htp://alice:{MARKER}@127.0.0.1:{port}"),
        format!("alice:{MARKER}@127.0.0.1:{port}"),
    ];
    for url in &urls {
        for format in ["human", "json"] {
            for command in ["check", "publish"] {
                let out = schemactl(
                    ws.path(),
                    &[command, "--against", url, "--format", format],
                    &[],
                );
                no_marker(
                    &format!("{command} --against {url} --format {format}"),
                    &out,
                );
            }
            let out = schemactl(
                ws.path(),
                &["check", "--format", format],
                &[("SCHEMA_REGISTRY_URL", url)],
            );
            no_marker(&format!("SCHEMA_REGISTRY_URL={url} check"), &out);
        }
        // registry.url in schemactl.toml.
        let toml = ws.path().join("schemactl.toml");
        let kept = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, format!("{kept}url = \"{url}\"\n")).unwrap();
        let out = schemactl(ws.path(), &["check"], &[]);
        no_marker(&format!("registry.url = {url}"), &out);
        std::fs::write(&toml, kept).unwrap();
    }
    // The tool says what it refused, without the secret: the scheme and host stay.
    let out = schemactl(ws.path(), &["check", "--against", &urls[3]], &[]);
    let err = no_marker("ftp", &out);
    assert!(err.contains("unknown registry `ftp://"), "{err}");
    assert!(err.contains(&format!("@127.0.0.1:{port}")), "{err}");
    // In JSON the error is a finding on stdout, in the shape every command prints.
    for url in [&urls[0], &urls[3]] {
        let out = schemactl(
            ws.path(),
            &["check", "--against", url, "--format", "json"],
            &[],
        );
        assert_eq!(out.status.code(), Some(2));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{url}: stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        assert_eq!(v["ok"], false, "{v}");
        assert_eq!(v["findings"][0]["code"], "REGISTRY", "{v}");
    }
}

#[test]
fn a_config_error_on_a_secret_line_never_echoes_it() {
    let ws = workspace();
    let toml = ws.path().join("schemactl.toml");
    let kept = std::fs::read_to_string(&toml).unwrap();
    for bad in [
        format!("password = \"{MARKER}\"\n"),
        format!("request_timeout_ms = \"http://u:{MARKER}@sr\"\n"),
        format!("token = {MARKER}\n"),
        format!("url = \"http://u:{MARKER}@sr\"\nretry_max_ms = \"https://u:{MARKER}@sr\"\n"),
    ] {
        std::fs::write(&toml, format!("{kept}{bad}")).unwrap();
        for command in ["lint", "check", "publish"] {
            for format in ["human", "json"] {
                let out = schemactl(ws.path(), &[command, "--format", format], &[]);
                let err = no_marker(&format!("{command} {bad} ({format})"), &out);
                assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
                if format == "human" {
                    assert!(err.contains("schemactl.toml:"), "{bad}: no position: {err}");
                }
            }
        }
    }
}

#[test]
fn basic_auth_secrets_stay_out_of_refusals() {
    let ws = workspace();
    let dir = tempfile::tempdir().unwrap();
    let srv = support::serve::serve(
        &dir.path().join("r.db"),
        &[],
        &[("SCHEMACTL_SERVE_BASIC_AUTH", "alice:right-password")],
    );
    let user_info = format!("alice:{MARKER}");
    for format in ["human", "json"] {
        let out = schemactl(
            ws.path(),
            &["check", "--against", &srv.url, "--format", format],
            &[("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", &user_info)],
        );
        no_marker(&format!("a refused login ({format})"), &out);
    }
    // A server that refuses to start on a set but unusable value does not quote it.
    let db = dir.path().join("other.db");
    let db = db.to_str().unwrap();
    for value in [
        MARKER.to_string(),
        format!(":{MARKER}"),
        format!("{MARKER}:"),
    ] {
        let out = schemactl(
            ws.path(),
            &["registry", "serve", "--addr", "127.0.0.1:0", "--db", db],
            &[("SCHEMACTL_SERVE_BASIC_AUTH", &value)],
        );
        no_marker("SCHEMACTL_SERVE_BASIC_AUTH", &out);
    }
}
