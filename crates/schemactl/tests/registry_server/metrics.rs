//! `GET /metrics` on a running `registry serve`, scraped over loopback as Prometheus would:
//! request counts and latencies per route template and status, after real traffic.

use super::harness::{register_body, request, Serve};

const SCHEMA: &str = r#"{"type":"record","name":"Order","namespace":"sc.test","fields":[{"name":"id","type":"string"}]}"#;

#[test]
fn a_scrape_counts_the_requests_served_by_route_and_status() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = Serve::start(&dir.path().join("registry.db"));
    let body = register_body(SCHEMA);
    for subject in ["a-value", "b-value", "c-value"] {
        let path = format!("/subjects/{subject}/versions");
        let r = request(s.addr, "POST", &path, Some(&body));
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = request(s.addr, "GET", "/schemas/ids/999", None);
    assert_eq!(r.status, 404, "{}", r.text());
    let scrape = request(s.addr, "GET", "/metrics", None);
    assert_eq!(scrape.status, 200, "{}", scrape.text());
    assert!(
        scrape
            .head
            .contains("content-type: application/openmetrics-text"),
        "{}",
        scrape.head
    );
    let text = scrape.text();
    for line in [
        r#"schema_registry_http_requests_total{method="POST",route="/subjects/{subject}/versions",status="200"} 3"#,
        r#"schema_registry_http_requests_total{method="GET",route="/schemas/ids/{id}",status="404"} 1"#,
        "# TYPE schema_registry_http_request_duration_seconds histogram",
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
    // A second scrape sees the first one.
    let again = request(s.addr, "GET", "/metrics", None).text();
    assert!(
        again.contains(
            r#"schema_registry_http_requests_total{method="GET",route="/metrics",status="200"} 1"#
        ),
        "{again}"
    );
}
