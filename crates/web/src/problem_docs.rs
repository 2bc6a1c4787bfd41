//! Human-readable documentation of each problem type, served at the type's own URI.

use axum::response::{IntoResponse, Response};

use crate::extract::ApiPath;
use crate::problem::{Problem, PROBLEM_TYPES};

/// `GET /api/v1/problems/{slug}`: what the problem type means.
pub async fn problem_doc(ApiPath(slug): ApiPath<String>) -> Response {
    match PROBLEM_TYPES.iter().find(|(s, _, _)| *s == slug) {
        Some((slug, status, title)) => axum::Json(serde_json::json!({
            "type": format!("/api/v1/problems/{slug}"),
            "status": status,
            "title": title,
        }))
        .into_response(),
        None => Problem::new("not-found", "no such problem type").into_response(),
    }
}
