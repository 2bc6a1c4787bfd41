//! The operational dashboard ("insight") of a trust, a collaborative bank and the platform, as
//! JSON and as CSV (whole, or one table of it).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use staffbank_app::insight::{FillTimeView, InsightDashboard, InsightFigures, InsightOf};
use staffbank_domain::{BankId, OrgId};
use uuid::Uuid;

use crate::csv_file::csv_file;
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The span of a dashboard: UK days, both included; neither for the 12 weeks to today.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InsightQuery {
    /// First day, e.g. `2026-09-01`.
    pub from: Option<NaiveDate>,
    /// Last day (included), at most 366 days after `from`.
    pub to: Option<NaiveDate>,
    /// CSV only: one table (`summary`, `weeks`, `workers`, or a breakdown such as `ward`,
    /// `site`, `trust`, `staff_group`, `grade`, `time_of_day`, `week_part`); all when left out.
    pub table: Option<String>,
}

async fn dashboard(
    state: &AppState,
    who: &staffbank_app::Principal,
    of: InsightOf,
    query: &InsightQuery,
) -> Result<InsightDashboard, ApiError> {
    let period = state.app.insight_period(query.from, query.to)?;
    Ok(state.app.insight_dashboard(who, of, period).await?)
}

/// A trust's operational dashboard: shifts posted, who filled them (own bank, collaborative
/// bank, agency) or not, fill rate, time to fill, late cancellations, hours and spend, week by
/// week and by ward, site, staff group, grade, day or night and weekday or weekend (its bank
/// office and auditors, and platform admins).
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/insight/dashboard", tag = "insight",
    security(("bearer" = [])), params(("org_id" = Uuid, Path), InsightQuery),
    responses((status = 200, body = InsightDashboard), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn trust_dashboard(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<InsightQuery>,
) -> Result<axum::Json<InsightDashboard>, ApiError> {
    let of = InsightOf::Trust(OrgId(org_id));
    Ok(axum::Json(dashboard(&state, &who, of, &query).await?))
}

/// A trust's operational dashboard as CSV.
#[utoipa::path(get, path = "/api/v1/trusts/{org_id}/insight/dashboard.csv", tag = "insight",
    security(("bearer" = [])), params(("org_id" = Uuid, Path), InsightQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn trust_dashboard_csv(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(org_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<InsightQuery>,
) -> Result<Response, ApiError> {
    let of = InsightOf::Trust(OrgId(org_id));
    let d = dashboard(&state, &who, of, &query).await?;
    Ok(insight_file(&d, query.table.as_deref()))
}

/// A bank's operational dashboard over the shifts posted to it, also by trust (the bank office
/// and auditors of its trusts, and platform admins).
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/insight/dashboard", tag = "insight",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path), InsightQuery),
    responses((status = 200, body = InsightDashboard), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn bank_dashboard(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(bank_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<InsightQuery>,
) -> Result<axum::Json<InsightDashboard>, ApiError> {
    let of = InsightOf::Bank(BankId(bank_id));
    Ok(axum::Json(dashboard(&state, &who, of, &query).await?))
}

/// A bank's operational dashboard as CSV.
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/insight/dashboard.csv", tag = "insight",
    security(("bearer" = [])), params(("bank_id" = Uuid, Path), InsightQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn bank_dashboard_csv(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(bank_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<InsightQuery>,
) -> Result<Response, ApiError> {
    let of = InsightOf::Bank(BankId(bank_id));
    let d = dashboard(&state, &who, of, &query).await?;
    Ok(insight_file(&d, query.table.as_deref()))
}

/// The whole platform's operational dashboard, by trust rather than ward (platform admins).
#[utoipa::path(get, path = "/api/v1/platform/insight/dashboard", tag = "insight",
    security(("bearer" = [])), params(InsightQuery),
    responses((status = 200, body = InsightDashboard), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn platform_dashboard(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<InsightQuery>,
) -> Result<axum::Json<InsightDashboard>, ApiError> {
    let of = InsightOf::Platform;
    Ok(axum::Json(dashboard(&state, &who, of, &query).await?))
}

/// The platform's operational dashboard as CSV.
#[utoipa::path(get, path = "/api/v1/platform/insight/dashboard.csv", tag = "insight",
    security(("bearer" = [])), params(InsightQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn platform_dashboard_csv(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<InsightQuery>,
) -> Result<Response, ApiError> {
    let d = dashboard(&state, &who, InsightOf::Platform, &query).await?;
    Ok(insight_file(&d, query.table.as_deref()))
}

/// The CSV columns of a row of figures.
const HEADER: [&str; 24] = [
    "Table",
    "Group",
    "Shifts posted",
    "Places",
    "Filled by own bank",
    "Filled by collaborative bank",
    "Released to agency",
    "Unfilled",
    "Cancelled",
    "Fill rate (%)",
    "Median time to fill (minutes, within)",
    "90th centile time to fill (minutes, within)",
    "Late cancellations by worker",
    "Late cancellations by trust",
    "Paid minutes",
    "Pay (pence)",
    "Base pay (pence)",
    "Enhancements (pence)",
    "Premiums (pence)",
    "Adjustments and pay not itemised (pence)",
    "Holiday pay (pence)",
    "Employer pension (pence)",
    "Total spend (pence)",
    "Premium overrides",
];

fn fill_time(t: &Option<FillTimeView>) -> String {
    match t {
        Some(FillTimeView {
            within_minutes: Some(m),
            ..
        }) => m.to_string(),
        Some(FillTimeView {
            longer_than_minutes: Some(m),
            ..
        }) => format!("over {m}"),
        _ => String::new(),
    }
}

fn figure_row(table: &str, group: &str, f: &InsightFigures) -> Vec<String> {
    vec![
        table.to_owned(),
        group.to_owned(),
        f.shifts_posted.to_string(),
        f.places.to_string(),
        f.filled_own_bank.to_string(),
        f.filled_collaborative.to_string(),
        f.filled_agency.to_string(),
        f.unfilled.to_string(),
        f.cancelled.to_string(),
        f.fill_rate_percent
            .map(|p| format!("{p:.1}"))
            .unwrap_or_default(),
        fill_time(&f.median_time_to_fill),
        fill_time(&f.p90_time_to_fill),
        f.late_cancellations_worker.to_string(),
        f.late_cancellations_trust.to_string(),
        f.paid_minutes.to_string(),
        f.pay_pence.to_string(),
        f.base_pay_pence.to_string(),
        f.enhancements_pence.to_string(),
        f.premiums_pence.to_string(),
        f.other_pay_pence.to_string(),
        f.holiday_pay_pence.to_string(),
        f.employer_pension_pence.to_string(),
        f.total_spend_pence.to_string(),
        f.premium_overrides.to_string(),
    ]
}

/// The dashboard as CSV: every table, or only `table`. Workers appear only by pseudonym (their
/// shifts in "Shifts posted", their paid minutes and pay in those columns).
pub(crate) fn insight_file(d: &InsightDashboard, table: Option<&str>) -> Response {
    let wants = |name: &str| table.is_none_or(|t| t == name);
    let mut rows = Vec::new();
    if wants("summary") {
        rows.push(figure_row("Summary", "All", &d.totals));
    }
    if wants("weeks") {
        for w in &d.weeks {
            rows.push(figure_row(
                "Week from",
                &w.week_from.to_string(),
                &w.figures,
            ));
        }
    }
    for b in &d.breakdowns {
        if wants(&b.dimension) {
            for g in &b.groups {
                rows.push(figure_row(&b.title, &g.name, &g.figures));
            }
        }
    }
    if wants("workers") {
        for w in &d.workers {
            let mut row = vec![String::new(); HEADER.len()];
            let cells = [
                (0, "Worker (pseudonym)".to_owned()),
                (1, w.pseudonym.clone()),
                (2, w.shifts.to_string()),
                (14, w.paid_minutes.to_string()),
                (15, w.pay_pence.to_string()),
            ];
            for (i, v) in cells {
                if let Some(c) = row.get_mut(i) {
                    *c = v;
                }
            }
            rows.push(row);
        }
    }
    let part = table.unwrap_or("all");
    csv_file(
        &format!("insight-{}-{part}-{}-to-{}.csv", d.scope, d.from, d.to),
        &HEADER,
        &rows,
    )
}

/// The dashboard routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/trusts/{org_id}/insight/dashboard",
            get(trust_dashboard),
        )
        .route(
            "/api/v1/trusts/{org_id}/insight/dashboard.csv",
            get(trust_dashboard_csv),
        )
        .route(
            "/api/v1/banks/{bank_id}/insight/dashboard",
            get(bank_dashboard),
        )
        .route(
            "/api/v1/banks/{bank_id}/insight/dashboard.csv",
            get(bank_dashboard_csv),
        )
        .route(
            "/api/v1/platform/insight/dashboard",
            get(platform_dashboard),
        )
        .route(
            "/api/v1/platform/insight/dashboard.csv",
            get(platform_dashboard_csv),
        )
}
