//! Pay: a trust's pay settings, corrections, pay runs and their payroll files; a worker's
//! earnings, advances, payslips and total rewards.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use staffbank_app::earnings::{AdvanceView, DrawAdvance, Earnings, Payslip, TotalRewards};
use staffbank_app::pay_points::SetPayPoint;
use staffbank_app::payroll::{AdjustPay, ClosePayRun, PayRunView, PaySettingsView};
use staffbank_app::rate_cards::RateCardView;
use staffbank_app::timesheets::PayLineView;
use staffbank_domain::{BankId, OrgId, WorkerId};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// A bank's rate card: hourly rates by grade and pay point, its own or the default (its workers
/// and the staff of its trusts).
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/rate-card", tag = "pay",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path)),
    responses((status = 200, body = RateCardView), (status = 404, body = Problem)))]
pub async fn rate_card(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(bank): ApiPath<Uuid>,
) -> Result<axum::Json<RateCardView>, ApiError> {
    Ok(axum::Json(state.app.rate_card(&who, BankId(bank)).await?))
}

/// Set a bank's rate card, whole (payroll officers of the trust that runs the bank); it prices
/// pay from now on.
#[utoipa::path(put, path = "/api/v1/banks/{bank_id}/rate-card", tag = "pay",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path)), request_body = RateCardView,
    responses((status = 200, body = RateCardView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_rate_card(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(bank): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RateCardView>,
) -> Result<axum::Json<RateCardView>, ApiError> {
    Ok(axum::Json(
        state.app.set_rate_card(&who, BankId(bank), input).await?,
    ))
}

/// Correct a member's pay point within their grade, to one the bank's rate card has (payroll
/// officers of the trust that runs the bank); shifts are paid at it from the next approval on.
#[utoipa::path(put, path = "/api/v1/banks/{bank_id}/members/{worker_id}/pay-point", tag = "pay",
    security(("bearer" = [])),
    params(("bank_id" = Uuid, Path), ("worker_id" = Uuid, Path)), request_body = SetPayPoint,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_member_pay_point(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((bank, worker)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<SetPayPoint>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_pay_point(&who, BankId(bank), WorkerId(worker), input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A trust's pay settings (its payroll officers).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/pay-settings", tag = "pay",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = PaySettingsView), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn pay_settings(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org): ApiPath<Uuid>,
) -> Result<axum::Json<PaySettingsView>, ApiError> {
    Ok(axum::Json(state.app.pay_settings(&who, OrgId(org)).await?))
}

/// Set a trust's pay settings: period, premium cap, holiday pay, pension rate, advance share,
/// timesheet escalation and the sign-on grace period (its payroll officers).
#[utoipa::path(put, path = "/api/v1/organisations/{org_id}/pay-settings", tag = "pay",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)), request_body = PaySettingsView,
    responses((status = 200, body = PaySettingsView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_pay_settings(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PaySettingsView>,
) -> Result<axum::Json<PaySettingsView>, ApiError> {
    Ok(axum::Json(
        state.app.set_pay_settings(&who, OrgId(org), input).await?,
    ))
}

/// Correct an approved timesheet's pay with a new adjusting line (its trust's payroll officers).
#[utoipa::path(post, path = "/api/v1/timesheets/{timesheet_id}/adjustments", tag = "pay",
    security(("bearer" = [])), params(("timesheet_id" = Uuid, Path)), request_body = AdjustPay,
    responses((status = 201, body = PayLineView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn adjust_pay(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<AdjustPay>,
) -> Result<(StatusCode, axum::Json<PayLineView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.adjust_pay(&who, id, input).await?),
    ))
}

/// Close a trust's pay run for a period that has ended (its payroll officers); its payroll
/// file is queued and delivered by the exporter.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/pay-runs", tag = "pay",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)), request_body = ClosePayRun,
    responses((status = 201, body = PayRunView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn close_pay_run(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ClosePayRun>,
) -> Result<(StatusCode, axum::Json<PayRunView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.close_pay_run(&who, OrgId(org), input).await?),
    ))
}

/// A trust's pay runs and their exports, newest first (its payroll officers).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/pay-runs", tag = "pay",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<PayRunView>), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn pay_runs(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org): ApiPath<Uuid>,
) -> Result<axum::Json<Vec<PayRunView>>, ApiError> {
    Ok(axum::Json(state.app.pay_runs(&who, OrgId(org)).await?))
}

/// A pay run's payroll file (CSV), as delivered (its trust's payroll officers).
#[utoipa::path(get, path = "/api/v1/pay-runs/{pay_run_id}/file", tag = "pay",
    security(("bearer" = [])), params(("pay_run_id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn pay_run_file(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let (name, file) = state.app.pay_run_file(&who, id).await?;
    Ok(csv_download(&name, file))
}

/// A CSV file to save, under its name.
pub(crate) fn csv_download(name: &str, file: String) -> axum::response::Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        file,
    )
        .into_response()
}

/// What you may draw early from each trust that owes you pay.
#[utoipa::path(get, path = "/api/v1/me/earnings", tag = "pay", security(("bearer" = [])),
    responses((status = 200, body = Vec<Earnings>), (status = 403, body = Problem)))]
pub async fn my_earnings(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<Earnings>>, ApiError> {
    Ok(axum::Json(state.app.my_earnings(&who).await?))
}

/// Draw an advance on your approved, unpaid pay (recovered by the next pay run).
#[utoipa::path(post, path = "/api/v1/me/advances", tag = "pay", security(("bearer" = [])),
    request_body = DrawAdvance,
    responses((status = 201, body = AdvanceView), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn draw_advance(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<DrawAdvance>,
) -> Result<(StatusCode, axum::Json<AdvanceView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.draw_advance(&who, input).await?),
    ))
}

/// Your payslips, one per pay run, newest first.
#[utoipa::path(get, path = "/api/v1/me/payslips", tag = "pay", security(("bearer" = [])),
    responses((status = 200, body = Vec<Payslip>), (status = 403, body = Problem)))]
pub async fn my_payslips(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<Payslip>>, ApiError> {
    Ok(axum::Json(state.app.my_payslips(&who).await?))
}

/// Your total rewards this tax year: pay, holiday pay and employers' pension contributions.
#[utoipa::path(get, path = "/api/v1/me/total-rewards", tag = "pay", security(("bearer" = [])),
    responses((status = 200, body = TotalRewards), (status = 403, body = Problem)))]
pub async fn my_total_rewards(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<TotalRewards>, ApiError> {
    Ok(axum::Json(state.app.my_total_rewards(&who).await?))
}
