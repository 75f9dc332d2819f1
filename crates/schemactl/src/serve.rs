//! `schemactl registry serve`: the embedded registry behind Confluent's REST API, so
//! Confluent's own clients, serializers and tools work against it unchanged.
//!
//! Loopback only unless `--allow-remote`; basic auth when `SCHEMACTL_SERVE_BASIC_AUTH` holds
//! `user:secret` pairs (comma-separated); the limits of [`LimitArgs`] (flags, then `[serve]`
//! in `schemactl.toml`) on every connection and request; the file checked whole before the
//! first request (an empty one only with `--init`); graceful shutdown on SIGTERM and Ctrl-C. The first line on stdout is `listening on http://ADDR` (with the real port when
//! `--addr` asks for port 0).

use super::{out, runtime};
use sc_events_registry::embedded::EmbeddedRegistry;
use sc_events_registry::server::{fit_descriptors, serve, Limits, ServeOptions};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

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

/// `registry serve`'s arguments.
#[derive(Debug)]
pub struct Serve {
    pub addr: SocketAddr,
    pub db: Option<std::path::PathBuf>,
    pub allow_remote: bool,
    pub allowed_hosts: Vec<String>,
    pub init: bool,
    pub full_check: bool,
    pub limits: LimitArgs,
}

/// The server's limits as flags; each wins over the `[serve]` key of the same name in
/// `schemactl.toml`, which wins over the default.
#[derive(Debug, Default, clap::Args)]
pub struct LimitArgs {
    /// Largest request body accepted, in bytes [default: 4 MiB].
    #[arg(long)]
    max_body_bytes: Option<usize>,
    /// Largest request head (request line and headers), in bytes; beyond: 431 [default: 8192].
    #[arg(long)]
    max_header_bytes: Option<usize>,
    /// Milliseconds from a request's first byte to the end of its head [default: 10000].
    #[arg(long, value_name = "MS")]
    header_read_timeout_ms: Option<u64>,
    /// Milliseconds a connection may stay without a complete request, after it opens or after
    /// its last answer [default: 30000, as Confluent's].
    #[arg(long, value_name = "MS")]
    idle_timeout_ms: Option<u64>,
    /// Milliseconds to receive a request body [default: 30000].
    #[arg(long, value_name = "MS")]
    body_read_timeout_ms: Option<u64>,
    /// Open connections; one more is answered 503 and closed [default: 4096, lowered to fit
    /// the descriptor limit].
    #[arg(long)]
    max_connections: Option<usize>,
    /// Requests handled at once; one more is answered 503 [default: 512].
    #[arg(long)]
    max_in_flight: Option<usize>,
    /// Writes (POST, PUT: parsing and checking schemas) worked on at once [default: the cores].
    #[arg(long)]
    heavy_workers: Option<usize>,
    /// Writes waiting for a worker; one more is answered 503 [default: 32].
    #[arg(long)]
    heavy_queue: Option<usize>,
}

impl LimitArgs {
    /// The limits and the body limit: flag, else `[serve]`, else the default.
    fn resolve(&self, toml: &sc_events_schema::config::ServeSection) -> (Limits, usize) {
        let d = Limits::default();
        let ms = |flag: Option<u64>, key: Option<u64>, default: Duration| {
            flag.or(key).map_or(default, Duration::from_millis)
        };
        let limits = Limits {
            header_read_timeout: ms(
                self.header_read_timeout_ms,
                toml.header_read_timeout_ms,
                d.header_read_timeout,
            ),
            idle_timeout: ms(self.idle_timeout_ms, toml.idle_timeout_ms, d.idle_timeout),
            body_read_timeout: ms(
                self.body_read_timeout_ms,
                toml.body_read_timeout_ms,
                d.body_read_timeout,
            ),
            max_header_bytes: self
                .max_header_bytes
                .or(toml.max_header_bytes)
                .unwrap_or(d.max_header_bytes),
            max_connections: self
                .max_connections
                .or(toml.max_connections)
                .unwrap_or(d.max_connections),
            max_in_flight: self
                .max_in_flight
                .or(toml.max_in_flight)
                .unwrap_or(d.max_in_flight),
            heavy_workers: self
                .heavy_workers
                .or(toml.heavy_workers)
                .unwrap_or(d.heavy_workers),
            heavy_queue: self
                .heavy_queue
                .or(toml.heavy_queue)
                .unwrap_or(d.heavy_queue),
        };
        let body = self
            .max_body_bytes
            .or(toml.max_body_bytes)
            .unwrap_or(sc_events_registry::server::DEFAULT_MAX_BODY_BYTES);
        (limits, body)
    }
}

/// Opens the registry file as `registry serve` may serve it: a 0-byte file only with
/// `--init`, then checked whole before a request is answered.
fn open_checked(db: &Path, init: bool, full_check: bool) -> Result<EmbeddedRegistry, String> {
    let existed = db.exists();
    if existed && !init && !grows_from_empty(db) {
        return Err(format!(
            "{} is empty (0 bytes): a truncated registry would hand out ids again; restore it, or pass --init to start a new registry in it",
            db.display()
        ));
    }
    let registry = EmbeddedRegistry::open(db).map_err(|e| e.to_string())?;
    if !existed {
        out::info(format_args!("created a new registry at {}", db.display()));
    }
    let check = runtime()
        .map_err(|_| "cannot start the async runtime".to_string())?
        .block_on(registry.check_integrity(full_check));
    check.map_err(|e| e.to_string())?;
    Ok(registry)
}

/// Whether the file at `db` holds something, or comes to within a second: another server
/// starting on the same new file at the same moment has created it and is writing its header.
fn grows_from_empty(db: &Path) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    loop {
        if std::fs::metadata(db).map_or(true, |m| m.len() > 0) {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn run(args: Serve) -> ExitCode {
    // Long-lived: each registered text is parsed once for every compatibility check to come.
    sc_events_registry::parsed_cache::keep(true);
    let addr = args.addr;
    if !is_loopback(addr.ip()) && !args.allow_remote {
        out::error(format_args!(
            "{addr} is not a loopback address; pass --allow-remote to serve the registry beyond this machine"
        ));
        return ExitCode::from(2);
    }
    let settings = match super::config::Settings::load() {
        Ok(s) => s,
        Err(diags) => return super::report_load_errors(&diags, sc_events_schema::Format::Human),
    };
    let (limits, max_body_bytes) = args.limits.resolve(&settings.config.serve);
    if let Some(why) = limits.unusable() {
        out::error(format_args!("the server's limits are unusable: {why}"));
        return ExitCode::from(2);
    }
    let (limits, lowered) = fit_descriptors(limits);
    if let Some(by) = lowered {
        out::info(format_args!(
            "at most {} connections (lowered by {by} to fit the process's descriptor limit)",
            limits.max_connections
        ));
    }
    let db = args.db.unwrap_or_else(|| settings.embedded_path());
    let registry = match open_checked(&db, args.init, args.full_check) {
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
            allowed_hosts: hosts(local, &args.allowed_hosts),
            limits,
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
