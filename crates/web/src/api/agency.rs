//! Agency spend against the trust's cap: the cap, the spend report (JSON and CSV) and the cost
//! of a break-glass release before it is made.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use staffbank_app::agency_spend::{AgencyCapView, AgencyQuote, AgencySpendReport, SetAgencyCap};
use staffbank_domain::{OrgId, ShiftId};
use uuid::Uuid;

use crate::csv_file::csv_file;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The period of a spend report: UK days, both included; neither for the trust's cap period
/// (else the current financial year).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SpendQuery {
    /// First day, e.g. `2026-04-01`.
    pub from: Option<NaiveDate>,
    /// Last day (included), at most 366 days after `from`.
    pub to: Option<NaiveDate>,
}

/// The rate a quote is for.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QuoteQuery {
    /// The agreed agency rate, pence an hour (1 to 50000).
    pub rate_pence: i64,
}

/// The trust's agency spend cap: the one it set, else the default for the current financial
/// year, saying which applies (its bank office and platform admins).
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/agency-cap", tag = "agency",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)),
    responses((status = 200, body = AgencyCapView), (status = 404, body = Problem)))]
pub async fn cap(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
) -> Result<axum::Json<AgencyCapView>, ApiError> {
    Ok(axum::Json(state.app.agency_cap(&who, OrgId(org_id)).await?))
}

/// Set the trust's agency spend cap for a period: a figure, or (leaving `cap_pence` out) 85% of
/// a baseline period's spend (its bank office and platform admins).
#[utoipa::path(put, path = "/api/v1/trusts/{org_id}/agency-cap", tag = "agency",
    security(("bearer" = [])), params(("org_id" = Uuid, Path)), request_body = SetAgencyCap,
    responses((status = 200, body = AgencyCapView), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_cap(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SetAgencyCap>,
) -> Result<axum::Json<AgencyCapView>, ApiError> {
    Ok(axum::Json(
        state.app.set_agency_cap(&who, OrgId(org_id), input).await?,
    ))
}

/// Agency spend against the cap: spent, committed, headroom, week by week, by ward and staff
/// group, and a forecast to the period's end (its bank office and platform admins).
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/agency-spend", tag = "agency",
    security(("bearer" = [])), params(("org_id" = Uuid, Path), SpendQuery),
    responses((status = 200, body = AgencySpendReport), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn spend(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<SpendQuery>,
) -> Result<axum::Json<AgencySpendReport>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .agency_spend(&who, OrgId(org_id), query.from, query.to)
            .await?,
    ))
}

/// The agency spend report as CSV, for a spreadsheet.
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/agency-spend.csv", tag = "agency",
    security(("bearer" = [])), params(("org_id" = Uuid, Path), SpendQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn spend_csv(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<SpendQuery>,
) -> Result<Response, ApiError> {
    let report = state
        .app
        .agency_spend(&who, OrgId(org_id), query.from, query.to)
        .await?;
    Ok(spend_file(&report))
}

/// What releasing a shift to agency at a rate would cost, and the trust's headroom before and
/// after (its ward's bookers).
#[utoipa::path(get, path = "/api/v1/shifts/{shift_id}/agency-quote", tag = "agency",
    security(("bearer" = [])), params(("shift_id" = Uuid, Path), QuoteQuery),
    responses((status = 200, body = AgencyQuote), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn quote(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(shift_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<QuoteQuery>,
) -> Result<axum::Json<AgencyQuote>, ApiError> {
    Ok(axum::Json(
        state
            .app
            .agency_quote(&who, ShiftId(shift_id), query.rate_pence)
            .await?,
    ))
}

/// The report as one CSV table: summary lines, then weeks, wards and staff groups.
pub(crate) fn spend_file(r: &AgencySpendReport) -> Response {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let line = |section: &str, item: String, fills: String, pence: String| {
        vec![section.to_owned(), item, fills, pence]
    };
    let mut rows = vec![
        line("Summary", "Cap".into(), String::new(), opt(r.cap.cap_pence)),
        line(
            "Summary",
            "Cap basis".into(),
            String::new(),
            r.cap.basis.clone(),
        ),
        line(
            "Summary",
            "Spent".into(),
            r.fills.to_string(),
            r.spent_pence.to_string(),
        ),
        line(
            "Summary",
            "Committed".into(),
            String::new(),
            r.committed_pence.to_string(),
        ),
        line(
            "Summary",
            "Headroom".into(),
            String::new(),
            opt(r.headroom_pence),
        ),
        line(
            "Summary",
            "Forecast".into(),
            String::new(),
            r.forecast.forecast_pence.to_string(),
        ),
    ];
    for w in &r.weeks {
        rows.push(line(
            "Week",
            w.week_from.to_string(),
            String::new(),
            w.spend_pence.to_string(),
        ));
    }
    for (section, parts) in [("Ward", &r.by_ward), ("Staff group", &r.by_staff_group)] {
        for p in parts {
            rows.push(line(
                section,
                p.name.clone(),
                p.fills.to_string(),
                p.spend_pence.to_string(),
            ));
        }
    }
    csv_file(
        &format!("agency-spend-{}-to-{}.csv", r.from, r.to),
        &["Section", "Item", "Fills", "Pence"],
        &rows,
    )
}

/// The agency spend routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trusts/{org_id}/agency-cap", get(cap).put(set_cap))
        .route("/api/v1/trusts/{org_id}/agency-spend", get(spend))
        .route("/api/v1/trusts/{org_id}/agency-spend.csv", get(spend_csv))
        .route("/api/v1/shifts/{shift_id}/agency-quote", get(quote))
}
