//! What a payroll officer reads around closing a pay run: the periods to pick from, a preview
//! of a period's run, and a closed run itemised.

use axum::extract::State;
use staffbank_app::pay_run_views::{PayPeriodView, PayRunDetail, PayRunPreview, PreviewQuery};
use staffbank_domain::OrgId;
use uuid::Uuid;

use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// A trust's latest pay periods, newest first, the current one included, each with the run
/// that closed it (its payroll officers).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/pay-periods", tag = "pay",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<PayPeriodView>), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn pay_periods(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org): ApiPath<Uuid>,
) -> Result<axum::Json<Vec<PayPeriodView>>, ApiError> {
    Ok(axum::Json(state.app.pay_periods(&who, OrgId(org)).await?))
}

/// What closing a period would pay now, worker by worker, with its totals and the timesheets
/// still waiting for approval or queried (its payroll officers). Changes nothing.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/pay-runs/preview", tag = "pay",
    security(("bearer" = [])), params(("org_id" = Uuid, Path), PreviewQuery),
    responses((status = 200, body = PayRunPreview), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn pay_run_preview(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> Result<axum::Json<PayRunPreview>, ApiError> {
    Ok(axum::Json(
        state.app.pay_run_preview(&who, OrgId(org), query).await?,
    ))
}

/// A closed pay run itemised: each worker, each line with how it was worked out, advances
/// recovered, and totals (its trust's payroll officers).
#[utoipa::path(get, path = "/api/v1/pay-runs/{pay_run_id}", tag = "pay",
    security(("bearer" = [])), params(("pay_run_id" = Uuid, Path)),
    responses((status = 200, body = PayRunDetail), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn pay_run(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<axum::Json<PayRunDetail>, ApiError> {
    Ok(axum::Json(state.app.pay_run_detail(&who, id).await?))
}
