//! Confluent Schema Registry's REST API over any [`Registry`] (axum): what `schemactl registry
//! serve` runs, so Confluent's own clients and serializers work against the embedded registry.
//!
//! Answers are `application/vnd.schemaregistry.v1+json`; errors are Confluent's
//! `{"error_code", "message"}` with its HTTP statuses. Request bodies are bounded
//! ([`ServeOptions::max_body_bytes`]); optional basic auth guards every route.
//!
//! The parts: `routes` (the route table and its handlers), `answers` (the cache of repeated
//! reads' answers), `request` (reading flags, path segments and bodies), `errors` (Confluent's error body for every refusal), `keys` (the DEK
//! registry, `/dek-registry/v1`), `guard` (415 for non-JSON writes, 421 for a foreign
//! `Host`), `auth` (basic auth), `metrics` (request counts and latencies, `GET /metrics`),
//! `limits` (requests in flight, the queue of heavy requests, body deadlines), `events` (the
//! log and counter of limits that triggered), `listen` (the accept loop: connection limits and
//! timeouts) with `head` (the header-read timeout); this module assembles them.

mod answers;
mod auth;
mod errors;
mod events;
mod guard;
mod head;
mod keys;
mod limits;
mod listen;
mod metrics;
mod request;
mod routes;
// The route tests run over an embedded registry.
#[cfg(all(test, feature = "embedded"))]
mod tests;

pub use auth::parse_users;
pub use errors::CONTENT_TYPE;
pub use events::{set_memory_return, Event};
pub use limits::Limits;
pub use listen::fit_descriptors;

use crate::Registry;
use axum::middleware;
use axum::Router;
use std::future::Future;
use std::sync::Arc;

/// Default request body limit.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 << 20;

/// How the server runs.
#[derive(Clone)]
pub struct ServeOptions {
    pub max_body_bytes: usize,
    /// `user:secret` pairs accepted by basic auth; empty means no auth.
    pub users: Vec<String>,
    /// The DEK registry behind `/dek-registry/v1` (field encryption); `None`: those routes
    /// answer 404.
    pub keys: Option<Arc<dyn crate::keys::KeyRegistry>>,
    /// The `Host` names (and addresses) answered; others get 421 (DNS rebinding). Empty: any.
    pub allowed_hosts: Vec<String>,
    /// Connection timeouts and sizes, requests in flight, the queue of heavy requests.
    pub limits: Limits,
}

/// The names a loopback server answers to by default.
pub const LOOPBACK_HOSTS: [&str; 4] = ["localhost", "127.0.0.1", "::1", "::ffff:127.0.0.1"];

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("users", &self.users.len())
            .field("keys", &self.keys.is_some())
            .field("allowed_hosts", &self.allowed_hosts)
            .field("limits", &self.limits)
            .finish()
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            users: Vec::new(),
            keys: None,
            allowed_hosts: Vec::new(),
            limits: Limits::default(),
        }
    }
}

/// Builds the router over `registry`: Confluent's API and `GET /metrics`, behind the same
/// auth and limits, every request counted.
pub fn router(registry: Arc<dyn Registry>, opts: &ServeOptions) -> Router {
    assemble(registry, opts).0
}

/// The router and the events its limits (and the accept loop's) report to.
fn assemble(registry: Arc<dyn Registry>, opts: &ServeOptions) -> (Router, Arc<events::Events>) {
    let users: auth::Users = Arc::new(opts.users.clone());
    let metrics = metrics::Metrics::new();
    let events = metrics.events();
    let gates = limits::Gates::new(&opts.limits, opts.max_body_bytes, Arc::clone(&events));
    let scrape = Router::new()
        .route("/metrics", axum::routing::get(metrics::scrape))
        .with_state(metrics.clone());
    let mut app = routes::routes()
        .route_layer(middleware::from_fn(guard::media_type))
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .with_state(routes::App {
            registry,
            answers: Arc::new(answers::Answers::new()),
        })
        .merge(scrape);
    if let Some(k) = &opts.keys {
        app = app
            .merge(keys::routes(Arc::clone(k)).route_layer(middleware::from_fn(guard::media_type)));
    }
    let app = app
        .layer(middleware::map_response(errors::json_errors))
        .layer(middleware::from_fn_with_state(gates, limits::gate))
        .layer(middleware::from_fn_with_state(users, auth::basic))
        .layer(middleware::from_fn_with_state(
            Arc::new(opts.allowed_hosts.clone()),
            guard::host,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(opts.max_body_bytes))
        .layer(middleware::from_fn_with_state(metrics, metrics::track));
    // Around the whole router (a router's own layers wrap each route, before axum adds the
    // `Allow` of a method fallback).
    let app = Router::new()
        .fallback_service(app)
        .layer(middleware::from_fn(errors::options));
    (app, events)
}

/// How long [`serve`] waits, after the shutdown signal, for the requests in flight.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Serves until `shutdown` resolves, with `opts.limits` on every connection, then finishes
/// the requests in flight, waiting at most [`SHUTDOWN_GRACE`]: a client that stalls
/// mid-request cannot hold the shutdown up.
pub async fn serve(
    listener: tokio::net::TcpListener,
    registry: Arc<dyn Registry>,
    opts: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (app, events) = assemble(registry, &opts);
    listen::run(listener, app, opts.limits, events, shutdown).await
}
