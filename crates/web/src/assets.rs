//! Static files served from the binary: the NHS.UK frontend's stylesheet and images (embedded
//! at build time, see `build.rs`), the UI's own stylesheet and the favicon.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

/// The NHS.UK frontend's files, by path under `/assets/nhsuk/`: (path, media type, bytes).
const NHSUK: &[(&str, &str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/nhsuk_assets.rs"));

/// The UI's own few rules on top of the NHS.UK frontend (the phone menu, long words wrapping).
const OWN_STYLES: &str = include_str!("../assets/staffbank.css");

/// Whether the NHS.UK frontend was embedded when this binary was built.
pub fn embedded() -> bool {
    !NHSUK.is_empty()
}

/// Routes for the embedded files. `/assets/nhsuk/…` is left out when a folder is given instead.
pub fn routes(serve_embedded_nhsuk: bool) -> Router<AppState> {
    let router = Router::new()
        .route(
            "/assets/app/staffbank.css",
            get(|| async { file("text/css; charset=utf-8", OWN_STYLES.as_bytes()) }),
        )
        .route(
            "/favicon.ico",
            get(|| async { nhsuk("assets/images/favicon.ico") }),
        );
    if serve_embedded_nhsuk {
        router.route(
            "/assets/nhsuk/{*path}",
            get(|Path(path): Path<String>| async move { nhsuk(&path) }),
        )
    } else {
        router
    }
}

fn nhsuk(path: &str) -> Response {
    match NHSUK.iter().find(|(name, _, _)| *name == path) {
        Some((_, kind, bytes)) => file(kind, bytes),
        None => crate::ui::not_found_page(),
    }
}

fn file(kind: &'static str, bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response()
}
