//! Sign-on at the ward: the ward's device asks for a challenge and shows it as a QR code; the
//! worker's wallet answers it, or the ward reads the worker's smartcard; sign-off records the
//! end. Escalations are what the ward manager must look at.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use staffbank_app::sign_on::{
    ChallengeView, EscalationView, ResolveEscalation, SetSmartcard, SignOnProof, SignOnView,
    SmartcardSignOn,
};
use staffbank_app::timesheets::TimesheetView;
use staffbank_domain::{BookingId, WorkerId};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// A sign-off's outcome: the sign-on with its end, and the timesheet started from them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignedOff {
    /// The sign-on.
    pub sign_on: SignOnView,
    /// The booking's timesheet.
    pub timesheet: TimesheetView,
}

/// A one-time challenge for the ward's screen, for a booking expected now (its ward manager).
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/sign-on-challenges", tag = "sign-on",
    security(("bearer" = [])), params(("booking_id" = Uuid, Path)),
    responses((status = 201, body = ChallengeView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn sign_on_challenge(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(booking): ApiPath<Uuid>,
) -> Result<(StatusCode, axum::Json<ChallengeView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(
            state
                .app
                .sign_on_challenge(&who, BookingId(booking))
                .await?,
        ),
    ))
}

/// Answer a challenge with your wallet's signed proof. The booked worker is signed on; anyone
/// else is refused (`not-booked-worker`) and the shift flagged unfulfilled.
#[utoipa::path(post, path = "/api/v1/sign-on-challenges/{challenge_id}/proof", tag = "sign-on",
    security(("bearer" = [])), params(("challenge_id" = Uuid, Path)), request_body = SignOnProof,
    responses((status = 201, body = SignOnView), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn prove_sign_on(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(challenge): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SignOnProof>,
) -> Result<(StatusCode, axum::Json<SignOnView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.prove_sign_on(&who, challenge, input).await?),
    ))
}

/// Sign the booked worker on by their smartcard (the ward's manager, at the card reader).
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/smartcard-sign-on", tag = "sign-on",
    security(("bearer" = [])), params(("booking_id" = Uuid, Path)), request_body = SmartcardSignOn,
    responses((status = 201, body = SignOnView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn smartcard_sign_on(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(booking): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SmartcardSignOn>,
) -> Result<(StatusCode, axum::Json<SignOnView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(
            state
                .app
                .smartcard_sign_on(&who, BookingId(booking), input)
                .await?,
        ),
    ))
}

/// Sign off a signed-on booking (the worker or the ward's manager); starts the timesheet from
/// the sign-on and sign-off times.
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/sign-off", tag = "sign-on",
    security(("bearer" = [])), params(("booking_id" = Uuid, Path)),
    responses((status = 200, body = SignedOff), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn sign_off(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(booking): ApiPath<Uuid>,
) -> Result<axum::Json<SignedOff>, ApiError> {
    let (sign_on, timesheet) = state.app.sign_off(&who, BookingId(booking)).await?;
    Ok(axum::Json(SignedOff { sign_on, timesheet }))
}

/// What the wards you manage need you to look at: unfulfilled shifts, no-shows and timesheets
/// waiting too long.
#[utoipa::path(get, path = "/api/v1/escalations", tag = "sign-on", security(("bearer" = [])),
    responses((status = 200, body = Vec<EscalationView>), (status = 403, body = Problem)))]
pub async fn escalations(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<EscalationView>>, ApiError> {
    Ok(axum::Json(state.app.escalations(&who).await?))
}

/// Record a worker's smartcard identity (a compliance officer of a trust whose bank they are in).
#[utoipa::path(put, path = "/api/v1/workers/{worker_id}/smartcard", tag = "sign-on",
    security(("bearer" = [])), params(("worker_id" = Uuid, Path)), request_body = SetSmartcard,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_smartcard(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(worker): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SetSmartcard>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_smartcard(&who, WorkerId(worker), input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resolve an escalation on a ward you manage, saying what was done; once.
#[utoipa::path(post, path = "/api/v1/escalations/{escalation_id}/resolution", tag = "sign-on",
    security(("bearer" = [])), params(("escalation_id" = Uuid, Path)),
    request_body = ResolveEscalation,
    responses((status = 200, body = EscalationView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn resolve_escalation(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ResolveEscalation>,
) -> Result<axum::Json<EscalationView>, ApiError> {
    Ok(axum::Json(
        state.app.resolve_escalation(&who, id, input).await?,
    ))
}
