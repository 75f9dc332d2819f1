//! A real Kafka-protocol broker for tests: `tansu broker` (0.6.0, built with `dynostore`) as a
//! child process on a free loopback port, with in-memory storage, run from an empty temp dir;
//! killed on drop.
//!
//! The binary is `$TANSU`, else `~/.cargo/bin/tansu` (`$CARGO_HOME/bin/tansu`), else `tansu` on
//! PATH. Its stdout and stderr go to `tansu.log` in the temp dir; `RUST_LOG` for it is
//! `$TANSU_LOG`, else `warn`.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL_HINT: &str = "cargo install tansu --locked --version 0.6.0 --features dynostore";
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// tansu prints this on stdout once its listener is bound.
const READY_LINE: &str = "ready in ";
/// Environment variables tansu reads as defaults for its flags; removed so that the caller's
/// environment cannot add a schema registry, a lake or an OTLP exporter.
const TANSU_ENV: &[&str] = &[
    "CLUSTER_ID",
    "LISTENER_URL",
    "ADVERTISED_LISTENER_URL",
    "STORAGE_ENGINE",
    "SCHEMA_REGISTRY",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "DATA_LAKE",
    "ICEBERG_CATALOG",
    "ICEBERG_NAMESPACE",
    "ICEBERG_WAREHOUSE",
    "DELTA_DATABASE",
];

pub struct Broker {
    child: Child,
    port: u16,
    log: PathBuf,
    // Dropped after the child is killed (fields drop after `Drop::drop`).
    _dir: tempfile::TempDir,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tansu binary, if there is one.
pub fn tansu() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TANSU") {
        return Some(PathBuf::from(path));
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    if let Some(bin) = cargo_home.map(|home| home.join("bin/tansu")) {
        if bin.is_file() {
            return Some(bin);
        }
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("tansu"))
        .find(|bin| bin.is_file())
}

impl Broker {
    /// Starts a single broker and waits (up to 20 s) until it accepts connections. Panics if
    /// tansu is missing (under `CI=true` as well: there it must never be skipped) or does not
    /// come up, with the tail of its log.
    pub fn start() -> Broker {
        let bin = tansu().unwrap_or_else(|| {
            let ci = if std::env::var("CI").as_deref() == Ok("true") {
                " (CI=true: the Kafka tests must run, not skip)"
            } else {
                ""
            };
            panic!("tansu not found via $TANSU, ~/.cargo/bin/tansu or PATH{ci}; install it: {INSTALL_HINT}")
        });
        assert!(
            bin.is_file(),
            "tansu binary {} does not exist; install it: {INSTALL_HINT}",
            bin.display()
        );
        // The port is picked by binding :0 and released before tansu binds it, so another
        // process may take it in between: retry with a fresh port if tansu exits early.
        let mut last = String::new();
        for _ in 0..3 {
            match Self::spawn(&bin) {
                Ok(broker) => return broker,
                Err(log) => last = log,
            }
        }
        panic!("tansu broker exited before becoming ready (3 tries); last log:\n{last}")
    }

    /// `Ok` once ready; `Err(log tail)` if tansu exited early. Panics on a timeout.
    fn spawn(bin: &Path) -> Result<Broker, String> {
        let dir = tempfile::tempdir().expect("temp dir for tansu");
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let log = dir.path().join("tansu.log");
        let out = File::create(&log).expect("create tansu.log");
        let err = out.try_clone().expect("clone tansu.log handle");
        let mut cmd = Command::new(bin);
        cmd.current_dir(dir.path())
            .args(["broker", "--cluster-id", "sc-events-test"])
            .args(["--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", "memory://tansu/"])
            .env(
                "RUST_LOG",
                std::env::var("TANSU_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for var in TANSU_ENV {
            cmd.env_remove(var);
        }
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e}; install it: {INSTALL_HINT}",
                bin.display()
            )
        });
        let mut broker = Broker {
            child,
            port,
            log,
            _dir: dir,
        };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = broker.child.try_wait() {
                return Err(format!("{status}\n{}", broker.log_tail()));
            }
            if std::fs::read_to_string(&broker.log).is_ok_and(|text| text.contains(READY_LINE))
                && TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
            {
                return Ok(broker);
            }
            if start.elapsed() > READY_TIMEOUT {
                panic!(
                    "tansu broker on {addr} not ready after {READY_TIMEOUT:?}; log tail:\n{}",
                    broker.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `127.0.0.1:PORT`, for `bootstrap.servers`.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The last 40 lines of tansu's stdout and stderr, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("bind 127.0.0.1:0 to pick a free port")
        .port()
}
