//! HL7 FHIR R4 read views for integrators, as `application/fhir+json` (see `staffbank_app::fhir`).
//! Errors stay RFC 9457 problem documents like the rest of the API.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use staffbank_app::fhir::FHIR_JSON;
use staffbank_app::trust_shift_list::TrustShiftFilters;
use staffbank_app::AppError;
use staffbank_domain::{ShiftId, WardId, WorkerId};
use uuid::Uuid;

use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

fn fhir(resource: Value) -> Response {
    ([(CONTENT_TYPE, FHIR_JSON)], axum::Json(resource)).into_response()
}

/// A worker as a FHIR R4 `Practitioner`, with registration numbers and passport credentials as
/// qualifications (whoever may see the worker's compliance picture).
#[utoipa::path(get, path = "/api/v1/fhir/Practitioner/{worker_id}", tag = "fhir",
    security(("bearer" = [])), params(("worker_id" = Uuid, Path)),
    responses((status = 200, description = "FHIR R4 Practitioner", content_type = "application/fhir+json"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn practitioner(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(worker_id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    Ok(fhir(
        state
            .app
            .fhir_practitioner(&who, WorkerId(worker_id))
            .await?,
    ))
}

/// A shift as a FHIR R4 `Slot` (its bookers).
#[utoipa::path(get, path = "/api/v1/fhir/Slot/{shift_id}", tag = "fhir",
    security(("bearer" = [])), params(("shift_id" = Uuid, Path)),
    responses((status = 200, description = "FHIR R4 Slot", content_type = "application/fhir+json"),
        (status = 404, body = Problem)))]
pub async fn slot(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    Ok(fhir(state.app.fhir_slot(&who, ShiftId(shift_id)).await?))
}

/// FHIR search parameters for slots.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlotSearch {
    /// Only this ward's slots: `Schedule/{ward_id}` or the ward id.
    pub schedule: Option<String>,
    /// Slots starting on a UK date: `ge2026-12-07` (on or after), `le2026-12-13` (on or
    /// before) or `2026-12-08` (that day).
    pub start: Option<String>,
    /// Which page of 50, from 1.
    pub page: Option<u32>,
}

impl SlotSearch {
    /// The shift-list filters the search names.
    fn filters(&self) -> Result<TrustShiftFilters, AppError> {
        let mut filters = TrustShiftFilters {
            page: self.page,
            ..TrustShiftFilters::default()
        };
        if let Some(schedule) = &self.schedule {
            let id = schedule.strip_prefix("Schedule/").unwrap_or(schedule);
            let ward = Uuid::parse_str(id)
                .map_err(|_| AppError::field("schedule", "must be Schedule/ and a ward id"))?;
            filters.ward = Some(ward);
        }
        if let Some(start) = &self.start {
            let (prefix, date) = match start.get(..2) {
                Some(p @ ("ge" | "le" | "eq")) => (p, &start[2..]),
                _ => ("eq", start.as_str()),
            };
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                AppError::field("start", "must be a date such as ge2026-12-07 or 2026-12-08")
            })?;
            match prefix {
                "ge" => filters.from = Some(date),
                "le" => filters.to = Some(date),
                _ => (filters.from, filters.to) = (Some(date), Some(date)),
            }
        }
        Ok(filters)
    }
}

/// The caller's shifts as a FHIR R4 `searchset` `Bundle` of `Slot`s, 50 a page (bookers).
#[utoipa::path(get, path = "/api/v1/fhir/Slot", tag = "fhir", security(("bearer" = [])),
    params(SlotSearch),
    responses((status = 200, description = "FHIR R4 Bundle of Slots", content_type = "application/fhir+json"),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn slots(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(search): ApiQuery<SlotSearch>,
) -> Result<Response, ApiError> {
    let filters = search.filters()?;
    Ok(fhir(state.app.fhir_slots(&who, &filters).await?))
}

/// A ward as a FHIR R4 `Schedule` (its bookers).
#[utoipa::path(get, path = "/api/v1/fhir/Schedule/{ward_id}", tag = "fhir",
    security(("bearer" = [])), params(("ward_id" = Uuid, Path)),
    responses((status = 200, description = "FHIR R4 Schedule", content_type = "application/fhir+json"),
        (status = 404, body = Problem)))]
pub async fn schedule(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(ward_id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    Ok(fhir(state.app.fhir_schedule(&who, WardId(ward_id)).await?))
}

/// FHIR search parameters for practitioner roles.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RoleSearch {
    /// The shift whose booked workers to list.
    pub shift: Uuid,
}

/// The workers booked on a shift as a FHIR R4 `searchset` `Bundle` of `PractitionerRole`s (the
/// shift's bookers).
#[utoipa::path(get, path = "/api/v1/fhir/PractitionerRole", tag = "fhir",
    security(("bearer" = [])), params(RoleSearch),
    responses((status = 200, description = "FHIR R4 Bundle of PractitionerRoles", content_type = "application/fhir+json"),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn practitioner_roles(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(search): ApiQuery<RoleSearch>,
) -> Result<Response, ApiError> {
    Ok(fhir(
        state
            .app
            .fhir_practitioner_roles(&who, ShiftId(search.shift))
            .await?,
    ))
}
