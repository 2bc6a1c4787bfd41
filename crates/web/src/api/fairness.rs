//! The fairness auditor: a bank's report (JSON and CSV), its definition of a desirable shift,
//! and a worker's own equality declaration.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use staffbank_app::equality::{EqualityInput, EqualityView};
use staffbank_app::fairness::{DesirableView, FairnessReport, SetContract};
use staffbank_domain::{BankId, WorkerId};
use uuid::Uuid;

use crate::csv_file::csv_file;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The period of a fairness report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// Shifts starting at or after this instant (default: four weeks before `to`).
    pub from: Option<DateTime<Utc>>,
    /// Shifts starting before this instant (default: now). At most 366 days after `from`.
    pub to: Option<DateTime<Utc>>,
}

/// A bank's fairness report: each worker group's share of the members against its share of the
/// shifts offered, booked and desirable-booked, flagged where it differs by more than 10% of
/// its member share and the exact binomial test finds it significant. Aggregates only; small
/// groups suppressed. Bookers and auditors of the trust that runs the bank.
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/fairness", tag = "fairness",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path), PeriodQuery),
    responses((status = 200, body = FairnessReport), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn fairness_report(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(bank): ApiPath<Uuid>,
    ApiQuery(period): ApiQuery<PeriodQuery>,
) -> Result<axum::Json<FairnessReport>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .fairness_report(&who, BankId(bank), period.from, period.to)
            .await?,
    ))
}

/// The same report as a CSV file, one row per group and measure.
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/fairness.csv", tag = "fairness",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path), PeriodQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn fairness_report_csv(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(bank): ApiPath<Uuid>,
    ApiQuery(period): ApiQuery<PeriodQuery>,
) -> Result<Response, ApiError> {
    let report = state
        .app
        .fairness_report(&who, BankId(bank), period.from, period.to)
        .await?;
    Ok(csv_file("fairness.csv", &CSV_HEADER, &csv_rows(&report)))
}

/// The CSV's columns.
pub const CSV_HEADER: [&str; 11] = [
    "grouping",
    "group",
    "members",
    "member_share",
    "measure",
    "count",
    "total",
    "share",
    "relative_difference",
    "p_value",
    "flagged",
];

/// The report's rows for CSV: suppressed groups say so and give no figures.
pub fn csv_rows(report: &FairnessReport) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for grouping in &report.groupings {
        for group in &grouping.groups {
            if group.suppressed {
                let mut row = vec![
                    grouping.grouping.clone(),
                    group.group.clone(),
                    "suppressed".to_owned(),
                ];
                row.resize(CSV_HEADER.len(), String::new());
                rows.push(row);
                continue;
            }
            for m in &group.measures {
                rows.push(vec![
                    grouping.grouping.clone(),
                    group.group.clone(),
                    group.members.unwrap_or(0).to_string(),
                    format!("{:.4}", group.member_share.unwrap_or(0.0)),
                    m.measure.as_str().to_owned(),
                    m.count.to_string(),
                    m.total.to_string(),
                    format!("{:.4}", m.share),
                    format!("{:.4}", m.relative_difference),
                    format!("{:.6}", m.p_value),
                    m.flagged.to_string(),
                ]);
            }
        }
    }
    rows
}

/// A bank's definition of a desirable shift (the default until it sets one).
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/fairness/settings", tag = "fairness",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path)),
    responses((status = 200, body = DesirableView), (status = 404, body = Problem)))]
pub async fn fairness_settings(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(bank): ApiPath<Uuid>,
) -> Result<axum::Json<DesirableView>, ApiError> {
    Ok(axum::Json(
        state.app.fairness_settings(&who, BankId(bank)).await?,
    ))
}

/// Set a bank's definition of a desirable shift (bookers of the trust that runs the bank).
#[utoipa::path(put, path = "/api/v1/banks/{bank_id}/fairness/settings", tag = "fairness",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path)), request_body = DesirableView,
    responses((status = 200, body = DesirableView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_fairness_settings(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(bank): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DesirableView>,
) -> Result<axum::Json<DesirableView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .set_fairness_settings(&who, BankId(bank), input)
            .await?,
    ))
}

/// Record a member's contract in the bank, part-time or full-time (or null when not known), so
/// the fairness report can compare the two. Bookers of the trust that runs the bank.
#[utoipa::path(put, path = "/api/v1/banks/{bank_id}/members/{worker_id}/contract",
    tag = "fairness", security(("bearer" = [])),
    params(("bank_id" = Uuid, Path), ("worker_id" = Uuid, Path)), request_body = SetContract,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_member_contract(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((bank, worker)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<SetContract>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_contract(&who, BankId(bank), WorkerId(worker), input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your own equality declaration, if you have given one.
#[utoipa::path(get, path = "/api/v1/me/equality", tag = "fairness",
    security(("bearer" = [])), responses((status = 200, body = EqualityView),
        (status = 403, body = Problem)))]
pub async fn my_equality(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<EqualityView>, ApiError> {
    Ok(axum::Json(state.app.my_equality(&who).await?))
}

/// Give (or change) your equality declaration, with your consent to its use in the fairness
/// audit; every question can be answered `prefer_not_to_say`.
#[utoipa::path(put, path = "/api/v1/me/equality", tag = "fairness",
    security(("bearer" = [])), request_body = EqualityInput,
    responses((status = 200, body = EqualityView), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn declare_equality(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<EqualityInput>,
) -> Result<axum::Json<EqualityView>, ApiError> {
    Ok(axum::Json(state.app.declare_equality(&who, input).await?))
}

/// Withdraw your consent: your declaration is deleted.
#[utoipa::path(delete, path = "/api/v1/me/equality", tag = "fairness",
    security(("bearer" = [])), responses((status = 204), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn withdraw_equality(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<impl IntoResponse, ApiError> {
    state.app.withdraw_equality(&who).await?;
    Ok(StatusCode::NO_CONTENT)
}
