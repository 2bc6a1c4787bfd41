//! Posting and finding shifts.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::paging::Paged;
use staffbank_app::shifts::{PostShifts, RaisePremium};
use staffbank_app::trust_shift_list::{TrustShiftFilters, TrustShiftPage};
use staffbank_app::views::ShiftView;
use staffbank_domain::ShiftId;
use uuid::Uuid;

use super::PageQuery;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Post one or many shifts (booker): all are posted, or none.
#[utoipa::path(post, path = "/api/v1/shifts", tag = "shifts", security(("bearer" = [])), request_body = PostShifts,
    responses((status = 201, body = Vec<ShiftView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn post_shifts(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<PostShifts>,
) -> Result<(StatusCode, axum::Json<Vec<ShiftView>>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.post_shifts(&who, input).await?),
    ))
}

/// The shifts the booker manages from now on (every trust and ward they book for), by start time.
#[utoipa::path(get, path = "/api/v1/shifts", tag = "shifts", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Paged<ShiftView>), (status = 403, body = Problem)))]
pub async fn trust_shifts(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<axum::Json<Paged<ShiftView>>, ApiError> {
    Ok(axum::Json(
        state.app.trust_shifts(&who, query.page()?).await?,
    ))
}

/// One shift, if you may see it.
#[utoipa::path(get, path = "/api/v1/shifts/{shift_id}", tag = "shifts", security(("bearer" = [])),
    params(("shift_id" = Uuid, Path)), responses((status = 200, body = ShiftView), (status = 404, body = Problem)))]
pub async fn shift(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
) -> Result<axum::Json<ShiftView>, ApiError> {
    Ok(axum::Json(state.app.shift(&who, ShiftId(shift_id)).await?))
}

/// Shifts the signed-in worker may book, soonest first.
#[utoipa::path(get, path = "/api/v1/me/open-shifts", tag = "shifts", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Paged<ShiftView>), (status = 403, body = Problem)))]
pub async fn open_shifts(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<axum::Json<Paged<ShiftView>>, ApiError> {
    Ok(axum::Json(
        state.app.open_shifts(&who, query.page()?).await?,
    ))
}

/// Raise an unstarted shift's premium to help fill it (its ward's bookers); above the trust's cap
/// only with a break-glass reason, which the ledger records. A premium never falls.
#[utoipa::path(put, path = "/api/v1/shifts/{shift_id}/premium", tag = "shifts",
    security(("bearer" = [])), params(("shift_id" = Uuid, Path)), request_body = RaisePremium,
    responses((status = 200, body = ShiftView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn raise_premium(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RaisePremium>,
) -> Result<axum::Json<ShiftView>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .raise_premium(&who, ShiftId(shift_id), input)
            .await?,
    ))
}

/// The shifts the signed-in booker manages from now on, filtered by dates, site, ward, grade,
/// days or nights and words, 50 a page.
#[utoipa::path(get, path = "/api/v1/trust-shifts", tag = "shifts", security(("bearer" = [])),
    params(TrustShiftFilters), responses((status = 200, body = TrustShiftPage),
    (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn trust_shift_list(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(filters): ApiQuery<TrustShiftFilters>,
) -> Result<axum::Json<TrustShiftPage>, ApiError> {
    Ok(axum::Json(
        state.app.trust_shift_list(&who, &filters).await?,
    ))
}
