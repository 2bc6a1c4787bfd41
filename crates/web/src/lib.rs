//! Staffbank over HTTP: the JSON API (`/api/v1`, OpenAPI, problem responses) and the
//! server-rendered UI styled with the NHS.UK frontend. Every flow works without JavaScript.

mod api;
mod assets;
mod csv_file;
mod extract;
pub mod metrics;
mod problem;
mod problem_docs;
mod request_id;
mod ui;

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use staffbank_app::App;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub use api::ApiDoc;
pub use problem::{GeneralProblem, Problem, ProblemType};

/// Largest request body accepted (the biggest legitimate one is a batch of 200 shifts).
pub const BODY_LIMIT: usize = 256 * 1024;

/// The OpenAPI 3.1 document as pretty JSON.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    use utoipa::OpenApi;
    ApiDoc::openapi().to_pretty_json()
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// Whether cookies are marked `Secure` (on whenever served over HTTPS).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see `extract::ClientAddress`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Imports started from the browser, whose progress their pages follow.
    pub(crate) imports: ui::import_jobs::ImportJobs,
    /// `/metrics`, when enabled.
    pub(crate) metrics: Option<std::sync::Arc<metrics::MetricsEndpoint>>,
}

/// Where the web layer finds things and how it behaves.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A folder to serve at `/assets/nhsuk` instead of the NHS.UK frontend embedded in the
    /// binary (e.g. a trust's own build of it, with the licensed NHS fonts).
    pub nhsuk_assets: Option<PathBuf>,
    /// Mark cookies `Secure`.
    pub secure_cookies: bool,
    /// Reverse proxies in front of the server, trusted to name the client in `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Serve Prometheus metrics at `/metrics` behind this endpoint's bearer token, and record
    /// every request for them; `None` serves no metrics and records nothing.
    pub metrics: Option<metrics::MetricsEndpoint>,
}

/// The whole HTTP application.
pub fn router(app: App, config: WebConfig) -> Router {
    match &config.nhsuk_assets {
        Some(folder) if !folder.join("nhsuk-frontend.min.css").exists() => tracing::warn!(
            path = %folder.display(),
            "no nhsuk-frontend.min.css in the assets folder; the UI will be unstyled"
        ),
        None if !assets::embedded() => tracing::warn!(
            "this binary was built without the NHS.UK frontend; run scripts/setup and rebuild"
        ),
        _ => {}
    }
    let state = AppState {
        app,
        secure_cookies: config.secure_cookies,
        trusted_proxies: config.trusted_proxies.clone(),
        imports: ui::import_jobs::ImportJobs::default(),
        metrics: config.metrics.clone().map(std::sync::Arc::new),
    };
    let record_requests = config.metrics.is_some();
    let mut router = Router::new()
        .merge(api::routes())
        .merge(ui::routes())
        .merge(assets::routes(config.nhsuk_assets.is_none()))
        .route("/health/live", get(|| async { "ok" }))
        .route("/health/ready", get(ready));
    if record_requests {
        router = router.route("/metrics", get(metrics::scrape_metrics));
    }
    if let Some(folder) = config.nhsuk_assets {
        router = router.nest_service("/assets/nhsuk", ServeDir::new(folder));
    }
    if config.secure_cookies {
        // Served over HTTPS: browsers must never fall back to plain HTTP (RFC 6797), where the
        // Secure session cookie would not be sent and a downgrade could be staged.
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    router = router
        .fallback(fallback)
        .layer(middleware::from_fn(problems_for_bare_errors))
        .layer(middleware::from_fn(private_answers_not_stored))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            Problem::new(
                problem::GeneralProblem::InternalError,
                "the error has been logged",
            )
            .into_response()
        }));
    if record_requests {
        // Outside the panic catcher, so a panic's 500 is counted too.
        router = router.layer(middleware::from_fn(metrics::record_request));
    }
    request_id::layers(router).with_state(state)
}

async fn ready(State(state): State<AppState>) -> Response {
    match state.app.ready().await {
        Ok(_) => "ok".into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "not ready");
            let what = if state.app.ledger_alarm().is_some() {
                "ledger alarm: see the server's log"
            } else {
                "database unavailable"
            };
            (StatusCode::SERVICE_UNAVAILABLE, what).into_response()
        }
    }
}

async fn fallback(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        Problem::new(
            problem::GeneralProblem::NotFound,
            "there is nothing at this address",
        )
        .into_response()
    } else {
        ui::not_found_page()
    }
}

/// Marks every answer to a request that carries credentials (a bearer token or a session cookie)
/// `Cache-Control: no-store`, so a shared or back-button cache never keeps one person's pages or
/// data for the next person on a ward computer.
async fn private_answers_not_stored(request: Request<Body>, next: Next) -> Response {
    let private = request.headers().contains_key(header::AUTHORIZATION)
        || request.headers().contains_key(header::COOKIE);
    let mut response = next.run(request).await;
    if private {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

/// Turns any error response under `/api/` that is not already a problem document (405 from the
/// router, 413 from the body limit...) into one, so clients only ever parse one error format; a
/// method the router does not route is a problem document at any address.
async fn problems_for_bare_errors(request: Request<Body>, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let bare_error = status.is_client_error() || status.is_server_error();
    if (is_api || status == StatusCode::METHOD_NOT_ALLOWED) && bare_error && !is_problem {
        return Problem::for_status(status).into_response();
    }
    response
}
