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

pub fn run(addr: SocketAddr, db: &Path, allow_remote: bool, max_body_bytes: usize) -> ExitCode {
    if !addr.ip().is_loopback() && !allow_remote {
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
    let users: Vec<String> = std::env::var(AUTH_VAR)
        .ok()
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if users.iter().any(|u| !u.contains(':')) {
        out::error(format_args!(
            "{AUTH_VAR} must hold user:secret pairs separated by commas"
        ));
        return ExitCode::from(2);
    }
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
