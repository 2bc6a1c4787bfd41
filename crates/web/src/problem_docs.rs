//! Human-readable documentation of each problem type, served at the type's own URI.

use axum::response::{IntoResponse, Response};

use crate::extract::ApiPath;
use crate::problem::{GeneralProblem, Problem, ProblemType};

/// `GET /api/v1/problems/{slug}`: what the problem type means.
pub async fn problem_doc(ApiPath(slug): ApiPath<String>) -> Response {
    match ProblemType::from_slug(&slug) {
        Some(kind) => axum::Json(serde_json::json!({
            "type": kind.uri(),
            "status": kind.status(),
            "title": kind.title(),
        }))
        .into_response(),
        None => Problem::new(GeneralProblem::NotFound, "no such problem type").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[tokio::test]
    async fn every_problem_type_has_a_page_and_nothing_else_does() {
        for kind in ProblemType::all() {
            let response = problem_doc(ApiPath(kind.slug().to_owned())).await;
            assert_eq!(response.status(), StatusCode::OK, "{kind:?}");
            let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
                .await
                .unwrap_or_default();
            let doc: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            assert_eq!(doc["type"], kind.uri());
            assert_eq!(doc["status"], kind.status());
            assert_eq!(doc["title"], kind.title());
        }
        for slug in ["no-such-type", "ledger-moved", "missing-reference"] {
            let response = problem_doc(ApiPath(slug.to_owned())).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{slug}");
        }
    }
}
