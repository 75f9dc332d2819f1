//! The server's own metrics, in the Prometheus/OpenMetrics text format on `GET /metrics`
//! (prometheus-client): requests and their latency per method, route template and status.
//!
//! - `schema_registry_http_requests_total{method, route, status}`: a counter;
//! - `schema_registry_http_request_duration_seconds{method, route, status}`: a histogram,
//!   0.25 ms to about 4 s;
//! - `schema_registry_limit_events_total{event}`: the limits that triggered (`events`).
//!
//! The route is axum's matched template (`/subjects/{subject}/versions`), never the raw path,
//! so a client cannot grow the label set with made-up subjects; a request no route matched
//! counts as `unmatched`.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

/// The labels of every request metric.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: String,
}

type Durations = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The server's metrics and the registry they are encoded from.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    durations: Durations,
    events: Arc<super::events::Events>,
}

fn durations_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("schema_registry");
        let requests = Family::<RouteLabels, Counter>::default();
        let durations: Durations = Family::new_with_constructor(durations_histogram);
        registry.register(
            "http_requests",
            "HTTP requests, by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency, by method, route template and status",
            durations.clone(),
        );
        let events = Arc::new(super::events::Events::new(&mut registry));
        Arc::new(Metrics {
            registry,
            requests,
            durations,
            events,
        })
    }

    /// The log and counter of the limits that triggered.
    pub fn events(&self) -> Arc<super::events::Events> {
        Arc::clone(&self.events)
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Counts and times every request (the outermost layer: refusals by auth or the body limit
/// are counted too).
pub async fn track(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let response = next.run(req).await;
    let labels = RouteLabels {
        method,
        route,
        status: response.status().as_u16().to_string(),
    };
    m.requests.get_or_create(&labels).inc();
    m.durations
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn scrape(State(m): State<Arc<Metrics>>) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.encode(),
    )
        .into_response()
}
