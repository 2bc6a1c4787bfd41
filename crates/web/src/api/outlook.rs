//! A trust's forecasts and retention signals, and the nudges its bank office sends (bank office
//! only: anyone else gets 404).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use staffbank_app::demand::UnfilledForecast;
use staffbank_app::forecasts::CredentialExpiry;
use staffbank_app::retention::{NudgeList, NudgeView, RetentionList, SendNudge};
use staffbank_domain::OrgId;
use uuid::Uuid;

use crate::csv_file::csv_file;
use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/trusts/{org_id}/forecasts/credential-expiry",
            get(credential_expiry),
        )
        .route(
            "/api/v1/trusts/{org_id}/forecasts/credential-expiry.csv",
            get(credential_expiry_csv),
        )
        .route("/api/v1/trusts/{org_id}/forecasts/unfilled", get(unfilled))
        .route(
            "/api/v1/trusts/{org_id}/forecasts/unfilled.csv",
            get(unfilled_csv),
        )
        .route("/api/v1/trusts/{org_id}/retention", get(retention))
        .route(
            "/api/v1/trusts/{org_id}/nudges",
            get(nudges).post(send_nudge),
        )
}

/// Whose credentials lapse in the next 30, 60 and 90 days, per ward, with the coming shifts each
/// lapse would stop them booking or working (the trust's bank office).
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/forecasts/credential-expiry", tag = "forecasts",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = CredentialExpiry), (status = 404, body = Problem)))]
pub async fn credential_expiry(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<CredentialExpiry>, ApiError> {
    Ok(axum::Json(
        state.app.credential_expiry(&who, OrgId(org_id)).await?,
    ))
}

/// The credential-expiry forecast as CSV, one line per lapse.
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/forecasts/credential-expiry.csv", tag = "forecasts",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
pub async fn credential_expiry_csv(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let forecast = state.app.credential_expiry(&who, OrgId(org_id)).await?;
    Ok(expiry_csv(&forecast))
}

/// The CSV file of a forecast.
pub(crate) fn expiry_csv(forecast: &CredentialExpiry) -> Response {
    let rows: Vec<Vec<String>> = forecast
        .lapses
        .iter()
        .map(|l| {
            let wards: Vec<&str> = l.wards.iter().map(|w| w.name.as_str()).collect();
            vec![
                l.worker_name.clone(),
                l.worker_id.to_string(),
                l.credential_label.clone(),
                l.ends_at.to_rfc3339(),
                l.within_days.to_string(),
                wards.join("; "),
                l.open_shifts_stopped.len().to_string(),
                l.booked_shifts_at_risk.len().to_string(),
            ]
        })
        .collect();
    csv_file(
        "credential-expiry.csv",
        &[
            "Worker",
            "Worker id",
            "Credential",
            "Ends at",
            "Within days",
            "Wards",
            "Open shifts stopped",
            "Booked shifts at risk",
        ],
        &rows,
    )
}

/// Unfilled shifts per ward and week: the recent weeks as they happened and as forecast, the
/// coming four weeks' forecast, and the forecast's error beside the naive one (the trust's bank
/// office).
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/forecasts/unfilled", tag = "forecasts",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = UnfilledForecast), (status = 404, body = Problem)))]
pub async fn unfilled(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<UnfilledForecast>, ApiError> {
    Ok(axum::Json(
        state.app.unfilled_forecast(&who, OrgId(org_id)).await?,
    ))
}

/// The demand forecast as CSV: one line per ward, week and kind (actual or forecast).
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/forecasts/unfilled.csv", tag = "forecasts",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
pub async fn unfilled_csv(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let forecast = state.app.unfilled_forecast(&who, OrgId(org_id)).await?;
    Ok(demand_csv(&forecast))
}

/// The CSV file of a demand forecast.
pub(crate) fn demand_csv(forecast: &UnfilledForecast) -> Response {
    let mut rows = Vec::new();
    for ward in &forecast.wards {
        for (kind, figures) in [("actual", &ward.actual), ("forecast", &ward.forecast)] {
            for f in figures {
                rows.push(vec![
                    ward.ward_name.clone(),
                    f.week_start.to_string(),
                    kind.to_owned(),
                    f.unfilled.to_string(),
                ]);
            }
        }
    }
    csv_file(
        "unfilled-forecast.csv",
        &["Ward", "Week starting", "Kind", "Unfilled shifts"],
        &rows,
    )
}

/// Workers whose activity at the trust is falling, each with the reason in plain words (the
/// trust's bank office).
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/retention", tag = "retention",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = RetentionList), (status = 404, body = Problem)))]
pub async fn retention(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<RetentionList>, ApiError> {
    Ok(axum::Json(state.app.retention(&who, OrgId(org_id)).await?))
}

/// The trust's nudges, each with whether the worker booked again within the window, and the
/// overall rate (the trust's bank office).
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/nudges", tag = "retention",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = NudgeList), (status = 404, body = Problem)))]
pub async fn nudges(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<NudgeList>, ApiError> {
    Ok(axum::Json(state.app.nudges(&who, OrgId(org_id)).await?))
}

/// Nudge a worker: offer them a guaranteed block of the trust's shifts, or send them a message
/// (the trust's bank office). Recorded and audited.
#[utoipa::path(post, path = "/api/v1/trusts/{org_id}/nudges", tag = "retention",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)), request_body = SendNudge,
    responses((status = 201, body = NudgeView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn send_nudge(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SendNudge>,
) -> Result<Response, ApiError> {
    let nudge = state.app.send_nudge(&who, OrgId(org_id), input).await?;
    Ok((StatusCode::CREATED, axum::Json(nudge)).into_response())
}
