//! Platform administration.

use axum::extract::State;
use axum::http::StatusCode;
use staffbank_app::admin::{NewBank, NewOrganisation, NewSite, NewUser, NewWard};
use staffbank_app::views::{BankView, OrganisationView, SiteView, UserView, WardView};
use staffbank_domain::{OrgId, SiteId};
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

type Created<T> = Result<(StatusCode, axum::Json<T>), ApiError>;

/// Register an organisation (platform admin).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "admin", security(("bearer" = [])),
    request_body = NewOrganisation,
    responses((status = 201, body = OrganisationView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn create_organisation(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<NewOrganisation>,
) -> Created<OrganisationView> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.create_organisation(&who, input).await?),
    ))
}

/// Every organisation.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<OrganisationView>)))]
pub async fn organisations(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<OrganisationView>>, ApiError> {
    Ok(axum::Json(state.app.organisations(&who).await?))
}

/// Register a site (platform admin).
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/sites", tag = "admin", security(("bearer" = [])),
    params(("org_id" = Uuid, Path)), request_body = NewSite,
    responses((status = 201, body = SiteView), (status = 404, body = Problem)))]
pub async fn create_site(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewSite>,
) -> Created<SiteView> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.create_site(&who, OrgId(org_id), input).await?),
    ))
}

/// Register a ward (platform admin).
#[utoipa::path(post, path = "/api/v1/sites/{site_id}/wards", tag = "admin", security(("bearer" = [])),
    params(("site_id" = Uuid, Path)), request_body = NewWard,
    responses((status = 201, body = WardView), (status = 404, body = Problem)))]
pub async fn create_ward(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewWard>,
) -> Created<WardView> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.create_ward(&who, SiteId(site_id), input).await?),
    ))
}

/// Register a bank (platform admin).
#[utoipa::path(post, path = "/api/v1/banks", tag = "admin", security(("bearer" = [])), request_body = NewBank,
    responses((status = 201, body = BankView), (status = 422, body = Problem)))]
pub async fn create_bank(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<NewBank>,
) -> Created<BankView> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.create_bank(&who, input).await?),
    ))
}

/// Every bank.
#[utoipa::path(get, path = "/api/v1/banks", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<BankView>)))]
pub async fn banks(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<BankView>>, ApiError> {
    Ok(axum::Json(state.app.banks(&who).await?))
}

/// Create a staff account (platform admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = UserView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(input): ApiJson<NewUser>,
) -> Created<UserView> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.create_user(&who, input).await?),
    ))
}
