//! Prometheus metrics: the request counters and latency histograms recorded here, the use
//! cases' own counters (see `staffbank_app::measures`), and the queue gauges read from the
//! database when Prometheus scrapes `/metrics`.
//!
//! Requests are labelled by route template (`/api/v1/shifts/{shift_id}/bookings`), never by the path
//! itself, so no id reaches a label and the series stay few; nothing names a trust or a person.

use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

use crate::problem::{GeneralProblem, Problem};
use crate::AppState;

/// Requests answered, by method, route template and status class.
pub const HTTP_REQUESTS: &str = "staffbank_http_requests_total";
/// How long requests took, by method, route template and status class.
pub const HTTP_DURATION: &str = "staffbank_http_request_duration_seconds";
/// Requests answered with an error status (4xx or 5xx), by method, route template and status.
pub const HTTP_ERRORS: &str = "staffbank_http_errors_total";

/// Histogram buckets for request latency, in seconds: fine below a second, where the booking
/// objective sits.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static RECORDER: LazyLock<Result<PrometheusHandle, String>> = LazyLock::new(|| {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())
});

/// The process's Prometheus recorder, installed on first use (once per process: every server
/// in it, as in the tests, shares it).
pub fn recorder() -> anyhow::Result<PrometheusHandle> {
    RECORDER.clone().map_err(anyhow::Error::msg)
}

/// `/metrics` as configured: the recorder to render, and the bearer token a scraper must send.
#[derive(Clone)]
pub struct MetricsEndpoint {
    /// The recorder.
    pub handle: PrometheusHandle,
    /// The token; `/metrics` answers 401 to any request without it.
    pub token: String,
}

impl std::fmt::Debug for MetricsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsEndpoint { token: <secret> }")
    }
}

/// Whether `headers` carry `Authorization: Bearer <expected>`, compared by digest so the time
/// taken tells nothing about how much of a guess was right.
fn bearer_matches(headers: &HeaderMap, expected: &str) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    Sha256::digest(presented.as_bytes()) == Sha256::digest(expected.as_bytes())
}

/// `GET /metrics`: the Prometheus text exposition, with the queue gauges read just now.
pub(crate) async fn scrape_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(endpoint) = state.metrics.as_deref() else {
        return crate::ui::not_found_page();
    };
    if !bearer_matches(&headers, &endpoint.token) {
        return Problem::new(
            GeneralProblem::Unauthenticated,
            "send the metrics bearer token configured as STAFFBANK_METRICS_TOKEN",
        )
        .into_response();
    }
    if let Err(e) = state.app.record_queue_gauges().await {
        // The request counters still help most when the database is what is failing.
        tracing::warn!(error = ?e, "reading the queue gauges failed");
    }
    endpoint.handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        endpoint.handle.render(),
    )
        .into_response()
}

/// A method as a label: the standard ones by name, anything else as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

/// Counts and times every request by its route template (`unmatched` for addresses no route
/// has), method and status class; errors also by exact status.
pub(crate) async fn record_request(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status();
    let class = status_class(status);
    metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => class)
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route.clone(), "status" => class)
        .record(started.elapsed().as_secs_f64());
    if status.is_client_error() || status.is_server_error() {
        metrics::counter!(HTTP_ERRORS, "method" => method, "route" => route, "status" => status.as_str().to_owned())
            .increment(1);
    }
    response
}
