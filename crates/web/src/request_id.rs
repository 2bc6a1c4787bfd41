//! Request ids: every response carries `x-request-id`, and every log line written while
//! answering the request carries it too, so one complaint ("it failed at 07:31, id ...") leads
//! straight to the server's lines about it, across servers and the proxy in front of them.
//!
//! A caller's (or a proxy's) id is kept when it is a sane token; anything else is replaced by
//! a fresh UUID, so no log line carries whatever a client chose to send.

use axum::body::Body;
use axum::extract::Request;
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::AppState;

/// The header.
pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id kept.
const MOST_CHARS: usize = 128;

/// Whether a presented id is kept: 1 to 128 letters, digits and `-_.:=+/`.
fn sane(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MOST_CHARS
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:=+/".contains(b))
}

/// Drops a presented id that is not sane, so a fresh one is made in its place.
async fn drop_insane_id(mut request: Request<Body>, next: Next) -> Response {
    let insane = request.headers().get_all(&X_REQUEST_ID).iter().count() > 1
        || request
            .headers()
            .get(&X_REQUEST_ID)
            .is_some_and(|v| !sane(v.as_bytes()));
    if insane {
        request.headers_mut().remove(&X_REQUEST_ID);
    }
    next.run(request).await
}

/// The span each request is answered in: its id, method and path (never the query, which may
/// carry a one-time code).
fn request_span(request: &Request<Body>) -> tracing::Span {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

/// Wraps the router: sane id kept or a fresh one set, the request traced in a span carrying
/// it, and the id copied onto the response.
pub(crate) fn layers(router: Router<AppState>) -> Router<AppState> {
    router
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
        .layer(middleware::from_fn(drop_insane_id))
}

#[cfg(test)]
mod tests {
    use super::sane;

    #[test]
    fn only_plain_tokens_are_kept() {
        assert!(sane(b"3f0c2a9e-1b7d-4c1e-9a55-0d2f8e6b4c21"));
        assert!(sane(b"Root=1-67891233-abcdef012345678912345678"));
        assert!(!sane(b""));
        assert!(!sane(b"has space"));
        assert!(!sane(b"quote\"d"));
        assert!(!sane("é".as_bytes()));
        assert!(!sane(&[b'a'; 129]));
    }
}
