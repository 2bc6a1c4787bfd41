//! Posting a roster export (CSV) through the API: the same reading and checks as the upload in
//! the browser, every problem named by row and column, all shifts posted or none.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::roster;
use staffbank_app::views::ShiftView;
use staffbank_app::AppError;

use crate::extract::Caller;
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Post a roster file (booker): `text/csv` with a header row naming its columns (see the
/// README); at most 2 MiB and 1,000 shifts. A problem in any row posts nothing, and each one is
/// named `rows[i].column`, `i` counting shifts from 0. Rows already posted (same ward, start,
/// end and role) are left alone: the answer lists only the shifts this request posted, so
/// posting the same file twice answers an empty list the second time.
#[utoipa::path(post, path = "/api/v1/shifts/roster", tag = "shifts", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = Vec<ShiftView>), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn post_roster(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: String,
) -> Result<(StatusCode, axum::Json<Vec<ShiftView>>), ApiError> {
    let rows = roster::read_csv(&body).map_err(AppError::from)?;
    let outcome = state
        .app
        .post_roster(&who, &rows)
        .await
        .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, axum::Json(outcome.posted)))
}
