//! A trust's matching report for its bank office: cancellations by each side and how many came
//! inside the notice period, the cancellation payments they owe, and the shifts that went to
//! agency by breaking glass.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use staffbank_app::AppError;
use staffbank_domain::role::Role;

use super::layout::{app_error_page, page};
use super::UiUser;
use crate::AppState;

/// How far either side of today the report looks.
const PERIODS: [i64; 3] = [7, 28, 90];

/// `?days=` on the report page.
#[derive(Deserialize)]
pub struct ReportQuery {
    days: Option<i64>,
}

/// `GET /manage/report`: one table for each trust the user books for or audits.
pub async fn report(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<ReportQuery>,
) -> Response {
    let days = query.days.unwrap_or(28);
    let mut orgs = who.booker_orgs();
    orgs.extend(who.orgs_as(Role::Auditor));
    orgs.sort_by_key(|o| o.0);
    orgs.dedup();
    if orgs.is_empty() {
        return app_error_page(AppError::Forbidden);
    }
    let mut reports = Vec::new();
    for org in orgs {
        let report = match state.app.matching_report(&who, org, days).await {
            Ok(r) => r,
            Err(e) => return app_error_page(e),
        };
        let name = match state.app.organisation_name(org).await {
            Ok(n) => n,
            Err(e) => return app_error_page(e),
        };
        reports.push((name, report));
    }
    page(
        "Cancellations and agency",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Cancellations and agency" }
            p { "Shifts starting within " (days) " days either side of today. A cancellation is late when it comes inside the shift's notice period; each late cancellation by the trust is owed a cancellation payment." }
            nav class="nhsuk-u-margin-bottom-4" aria-label="Period" {
                ul class="nhsuk-list" {
                    @for period in PERIODS {
                        li {
                            @if period == days { strong { (period) " days" } }
                            @else { a href=(format!("/manage/report?days={period}")) { (period) " days" } }
                        }
                    }
                }
            }
            @for (name, r) in &reports {
                table class="nhsuk-table" {
                    caption class="nhsuk-table__caption" { (name) }
                    thead class="nhsuk-table__head" { tr class="nhsuk-table__row" {
                        th scope="col" class="nhsuk-table__header" { "Measure" }
                        th scope="col" class="nhsuk-table__header nhsuk-table__header--numeric" { "Count" }
                    } }
                    tbody class="nhsuk-table__body" {
                        @for (label, count) in [
                            ("Bookings cancelled by the trust", r.cancelled_by_trust),
                            ("of which late", r.late_by_trust),
                            ("Bookings cancelled by workers", r.cancelled_by_worker),
                            ("of which late", r.late_by_worker),
                            ("Cancellation payments owed", r.cancellation_payments),
                            ("Shifts released to agency (break glass)", r.break_glass),
                        ] {
                            tr class="nhsuk-table__row" {
                                th scope="row" class="nhsuk-table__cell" { (label) }
                                td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count) }
                            }
                        }
                    }
                }
            }
        },
    )
}
