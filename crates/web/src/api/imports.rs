//! Importing a trust's workers from an ESR staff extract (CSV) through the API: the same reading
//! and checks as the command line and the upload page, every problem named by row and column,
//! every new worker added or none.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use staffbank_app::credential_import::CredentialImporter;
use staffbank_app::worker_import::{ImportOutcome, Importer};
use staffbank_app::AppError;
use staffbank_domain::OrgId;
use uuid::Uuid;

use crate::extract::{ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Which trust imports (the caller's own), and whether only to check.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The importing trust (the caller's own).
    pub org_id: Uuid,
    /// True to check the file and say what importing it would do, writing nothing.
    #[serde(default)]
    pub check: bool,
}

/// What an import did (or, when checking, would do).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportResultView {
    /// Workers added (or to add).
    pub added: usize,
    /// Rows the trust already holds, left alone.
    pub already_present: usize,
    /// For people: "0 added, 1,000 already present".
    pub summary: String,
}

impl From<ImportOutcome> for ImportResultView {
    fn from(outcome: ImportOutcome) -> Self {
        Self {
            added: outcome.added,
            already_present: outcome.present,
            summary: outcome.summary(),
        }
    }
}

/// Import workers from an ESR staff extract (booker): `text/csv` with a header row naming its
/// columns (docs/imports.md); at most 32 MiB. A problem in any row imports nothing, and each one
/// is named `rows[N].column`, N the row as a spreadsheet numbers it. Rows already present (same
/// email and assignment number) are left alone, so sending a file twice changes nothing.
#[utoipa::path(post, path = "/api/v1/imports/workers", tag = "workers",
    security(("bearer" = [])), params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportResultView), (status = 200, body = ImportResultView),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_workers(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: String,
) -> Result<(StatusCode, axum::Json<ImportResultView>), ApiError> {
    let org = OrgId(query.org_id);
    let by = Importer::Booker(&who);
    if query.check {
        let plan = state
            .app
            .check_worker_import(by, org, &body)
            .await
            .map_err(AppError::from)?;
        let outcome = ImportOutcome {
            added: plan.new.len(),
            present: plan.present,
        };
        return Ok((StatusCode::OK, axum::Json(outcome.into())));
    }
    let outcome = state
        .app
        .import_workers(by, org, &body, &|_, _| {})
        .await
        .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, axum::Json(outcome.into())))
}

/// Import credentials the trust has checked (compliance officer of the trust): `text/csv` with a
/// header row naming its columns (docs/imports.md); at most 32 MiB. Each row's worker, found by
/// assignment number or email, must be one of the trust's workers. A problem in any row records
/// nothing, and each one is named `rows[N].column`, N the row as a spreadsheet numbers it. Rows
/// the trust already recorded (same worker, kind, level and dates) are left alone.
#[utoipa::path(post, path = "/api/v1/imports/credentials", tag = "credentials",
    security(("bearer" = [])), params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportResultView), (status = 200, body = ImportResultView),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_credentials(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: String,
) -> Result<(StatusCode, axum::Json<ImportResultView>), ApiError> {
    let org = OrgId(query.org_id);
    let by = CredentialImporter::Officer(&who);
    if query.check {
        let plan = state
            .app
            .check_credential_import(by, org, &body)
            .await
            .map_err(AppError::from)?;
        let outcome = ImportOutcome {
            added: plan.new.len(),
            present: plan.present,
        };
        return Ok((StatusCode::OK, axum::Json(outcome.into())));
    }
    let outcome = state
        .app
        .import_credentials(by, org, &body, &|_, _| {})
        .await
        .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, axum::Json(outcome.into())))
}
