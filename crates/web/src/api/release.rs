//! Release rules, booking modes, tiers, preferences and break glass.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::bank_tiers::BankTiers;
use staffbank_app::preferences::Preferences;
use staffbank_app::release::{BookingModeChoice, BreakGlass, ReleasePolicyView, SetTier};
use staffbank_app::views::ShiftView;
use staffbank_domain::{BankId, OrgId, ShiftId, WardId, WorkerId};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// A trust's release and cancellation rules (its bookers).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/release-policy", tag = "release",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = ReleasePolicyView), (status = 404, body = Problem)))]
pub async fn policy(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<ReleasePolicyView>, ApiError> {
    Ok(axum::Json(
        state.app.release_policy(&who, OrgId(org_id)).await?,
    ))
}

/// Set a trust's release and cancellation rules for shifts posted from now on (its bookers).
#[utoipa::path(put, path = "/api/v1/organisations/{org_id}/release-policy", tag = "release",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)), request_body = ReleasePolicyView,
    responses((status = 200, body = ReleasePolicyView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_policy(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReleasePolicyView>,
) -> Result<axum::Json<ReleasePolicyView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .set_release_policy(&who, OrgId(org_id), input)
            .await?,
    ))
}

/// Set whether a ward's shifts are booked at once or by approved request (its bookers): for
/// shifts posted from now on and the ward's open shifts not yet started.
#[utoipa::path(put, path = "/api/v1/wards/{ward_id}/booking-mode", tag = "release",
    security(("bearer" = [])), params(("ward_id" = Uuid, Path)), request_body = BookingModeChoice,
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn booking_mode(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(ward_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<BookingModeChoice>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_booking_mode(&who, WardId(ward_id), input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Give or take away a member's priority tier (bookers of the bank's lead trust).
#[utoipa::path(put, path = "/api/v1/banks/{bank_id}/members/{worker_id}/tier", tag = "release",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path), ("worker_id" = Uuid, Path)),
    request_body = SetTier, responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn tier(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((bank_id, worker_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<SetTier>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_tier(&who, BankId(bank_id), WorkerId(worker_id), input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in worker's travel limit, preferred shifts and availability.
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "release", security(("bearer" = [])),
    responses((status = 200, body = Preferences), (status = 403, body = Problem)))]
pub async fn my_preferences(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Preferences>, ApiError> {
    Ok(axum::Json(state.app.my_preferences(&who).await?))
}

/// Set the signed-in worker's travel limit, preferred shifts and availability, whole: their
/// shift search and the offers made to them leave out shifts that do not suit.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "release", security(("bearer" = [])),
    request_body = Preferences, responses((status = 204), (status = 422, body = Problem)))]
pub async fn preferences(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<Preferences>,
) -> Result<StatusCode, ApiError> {
    state.app.set_preferences(&who, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Break glass: release an unfilled shift to agency at an agreed rate, with a reason (its ward's
/// bookers). Over the trust's agency spend cap it also needs `over_cap_reason`
/// (`over-agency-cap` otherwise). Releases at the same moment are judged one after another
/// against the cap; `agency-spend-changed` (409) only if the spend kept changing: try again.
#[utoipa::path(post, path = "/api/v1/shifts/{shift_id}/agency-release", tag = "release",
    security(("bearer" = [])), params(("shift_id" = Uuid, Path)), request_body = BreakGlass,
    responses((status = 200, body = ShiftView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn break_glass(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<BreakGlass>,
) -> Result<axum::Json<ShiftView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .release_to_agency(&who, ShiftId(shift_id), input)
            .await?,
    ))
}

/// Query of the matching report.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Shifts starting within this many days either side of now (1 to 366, default 28).
    pub days: Option<i64>,
}

/// A trust's cancellations, late cancellations, cancellation payments and break-glass releases
/// (its bookers and auditors).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/matching-report", tag = "release",
    security(("bearer" = [])), params(("org_id" = Uuid, Path), ReportQuery),
    responses((status = 200, body = staffbank_app::release::MatchingReport), (status = 404, body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    crate::extract::ApiQuery(query): crate::extract::ApiQuery<ReportQuery>,
) -> Result<axum::Json<staffbank_app::release::MatchingReport>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .matching_report(&who, OrgId(org_id), query.days.unwrap_or(28))
            .await?,
    ))
}

/// The `search` query parameter of the tiers list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TiersQuery {
    /// Part of a member's name or email address (2 to 100 characters, any case); none lists only
    /// the tier holders.
    #[serde(default)]
    pub search: Option<String>,
}

/// The banks the caller's trusts lead, each with its tier holders (and the hours behind them)
/// and the members matching `search` (bookers of a whole trust).
#[utoipa::path(get, path = "/api/v1/tiers", tag = "release", operation_id = "bank_tiers",
    security(("bearer" = [])), params(TiersQuery),
    responses((status = 200, body = Vec<BankTiers>), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn tiers(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<TiersQuery>,
) -> Result<axum::Json<Vec<BankTiers>>, ApiError> {
    Ok(axum::Json(
        state.app.bank_tiers(&who, query.search.as_deref()).await?,
    ))
}
