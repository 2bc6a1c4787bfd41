//! Compliance officers' and credential issuers' view of workers: finding them, and each one's
//! compliance picture.

use axum::extract::State;
use serde::Deserialize;
use staffbank_app::compliance::{ComplianceView, FoundWorkerView};
use staffbank_domain::WorkerId;
use uuid::Uuid;

use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The `q` query parameter of a worker search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WorkerQuery {
    /// Part of a name or email address, or the start of a registration number (2 to 100
    /// characters, any case).
    #[serde(default)]
    pub q: String,
}

/// Find workers (a compliance officer finds those in their trusts' banks; a credential issuer
/// any worker). At most 50, by name.
#[utoipa::path(get, path = "/api/v1/workers", tag = "workers", operation_id = "find_workers",
    security(("bearer" = [])), params(WorkerQuery),
    responses((status = 200, body = Vec<FoundWorkerView>), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn find_workers(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<WorkerQuery>,
) -> Result<axum::Json<Vec<FoundWorkerView>>, ApiError> {
    Ok(axum::Json(state.app.find_workers(&who, &query.q).await?))
}

/// A worker's compliance picture: each credential their staff group needs and where it stands,
/// and every credential offered or issued (a credential issuer sees only its own).
#[utoipa::path(get, path = "/api/v1/workers/{worker_id}/compliance", tag = "workers",
    operation_id = "worker_compliance", security(("bearer" = [])),
    params(("worker_id" = Uuid, Path)),
    responses((status = 200, body = ComplianceView), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn worker_compliance(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(worker_id): ApiPath<Uuid>,
) -> Result<axum::Json<ComplianceView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .worker_compliance(&who, WorkerId(worker_id))
            .await?,
    ))
}
