//! `schemactl registry serve`: the embedded registry behind Confluent's REST API, so
//! Confluent's own clients, serializers and tools work against it unchanged.
//!
//! Loopback only unless `--allow-remote`; basic auth when `SCHEMACTL_SERVE_BASIC_AUTH` holds
//! `user:secret` pairs (comma-separated); request bodies bounded; graceful shutdown on SIGTERM
//! and Ctrl-C. The first line on stdout is `listening on http://ADDR` (with the real port when
//! `--addr` asks for port 0).

use super::{out, runtime};
use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::server::{serve, ServeOptions};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// The variable holding the accepted `user:secret` pairs.
pub const AUTH_VAR: &str = "SCHEMACTL_SERVE_BASIC_AUTH";

/// Whether `ip` is this machine's own: 127.0.0.0/8, ::1, or 127.x mapped into IPv6.
fn is_loopback(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_loopback(),
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(v6.is_loopback(), |v4| v4.is_loopback()),
    }
}

/// The `Host` names answered: the loopback names, the listen address, and the ones given
/// (`*` among them: any).
fn hosts(addr: SocketAddr, given: &[String]) -> Vec<String> {
    if given.iter().any(|h| h == "*") {
        return Vec::new();
    }
    let mut all: Vec<String> = sc_events_registry::server::LOOPBACK_HOSTS
        .iter()
        .map(|h| h.to_string())
        .collect();
    if !addr.ip().is_unspecified() {
        all.push(addr.ip().to_string());
    }
    all.extend(given.iter().map(|h| h.trim().to_string()));
    all
}

pub fn run(
    addr: SocketAddr,
    db: &Path,
    allow_remote: bool,
    max_body_bytes: usize,
    allowed_hosts: &[String],
) -> ExitCode {
    if !is_loopback(addr.ip()) && !allow_remote {
        out::error(format_args!(
            "{addr} is not a loopback address; pass --allow-remote to serve the registry beyond this machine"
        ));
        return ExitCode::from(2);
    }
    let registry = match EmbeddedRegistry::open(db) {
        Ok(r) => r,
        Err(e) => {
            out::error(e);
            return ExitCode::from(2);
        }
    };
    out::detail(format_args!("registry file {}", db.display()));
    // Set means auth: a value that yields no usable pair refuses to start, never serves open.
    let users = match std::env::var_os(AUTH_VAR) {
        None => Vec::new(),
        Some(v) => match v.to_str().map(sc_events_registry::server::parse_users) {
            Some(Ok(users)) => users,
            Some(Err(why)) => {
                out::error(format_args!(
                    "{AUTH_VAR} is set but unusable ({why}): it must hold user:secret pairs separated by commas; unset it to serve without auth"
                ));
                return ExitCode::from(2);
            }
            None => {
                out::error(format_args!("{AUTH_VAR} is not valid UTF-8"));
                return ExitCode::from(2);
            }
        },
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                out::error(format_args!("cannot listen on {addr}: {e}"));
                return ExitCode::from(2);
            }
        };
        let local = listener.local_addr().unwrap_or(addr);
        // A closed stdout or stderr (a detached job) must not stop the server.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on http://{local}");
        let _ = out.flush();
        out::info(format_args!(
            "serving {} (Confluent Schema Registry API and DEK registry{}); Ctrl-C or SIGTERM stops",
            registry.describe_path(),
            if users.is_empty() { "" } else { ", basic auth" }
        ));
        let opts = ServeOptions {
            max_body_bytes,
            users,
            keys: Some(Arc::new(registry.clone())),
            allowed_hosts: hosts(local, allowed_hosts),
        };
        match serve(listener, Arc::new(registry), opts, shutdown()).await {
            Ok(()) => {
                out::info("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                out::error(e);
                ExitCode::from(2)
            }
        }
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::{hosts, is_loopback};

    #[test]
    fn mapped_loopback_is_loopback_and_hosts_add_the_listen_address() {
        for ip in ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["10.0.0.1", "::ffff:10.0.0.1", "::"] {
            assert!(!is_loopback(ip.parse().unwrap()), "{ip}");
        }
        let h = hosts(
            "10.0.0.5:8081".parse().unwrap(),
            &["registry.internal".into()],
        );
        assert!(h.contains(&"localhost".to_string()) && h.contains(&"10.0.0.5".to_string()));
        assert!(h.contains(&"registry.internal".to_string()));
        assert!(hosts("127.0.0.1:1".parse().unwrap(), &["*".into()]).is_empty());
    }
}
