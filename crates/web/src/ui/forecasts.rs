//! The bank office's forecasts page: whose credentials lapse in the next 30, 60 and 90 days, per
//! ward, with the shifts each lapse would stop, as a chart, tables and a CSV download.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::demand::UnfilledForecast;
use staffbank_app::forecasts::CredentialExpiry;
use staffbank_app::AppError;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::OrgId;
use uuid::Uuid;

use super::chart::{bar_chart, trend_chart, Chart, Measure};
use super::layout::{app_error_page, page};
use super::UiUser;
use crate::AppState;

/// `?org=` on the CSV download.
#[derive(Deserialize)]
pub struct OrgQuery {
    org: Uuid,
}

/// A date on the UK wall clock, e.g. "Tue 8 Dec 2026".
fn day(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&RULES_ZONE)
        .format("%a %-d %b %Y")
        .to_string()
}

fn expiry_section(n: usize, org: OrgId, name: &str, f: &CredentialExpiry) -> Markup {
    let chart_id = format!("expiry-{n}");
    let title = format!("Credentials lapsing at {name}");
    let counts = [
        ("Within 30 days".to_owned(), i64::from(f.within_30)),
        ("Within 60 days".to_owned(), i64::from(f.within_60)),
        ("Within 90 days".to_owned(), i64::from(f.within_90)),
    ];
    html! {
        h2 class="nhsuk-heading-l" { (name) }
        h3 class="nhsuk-heading-m" { "Credentials lapsing" }
        p { "Each worker's credential counts once per kind, in every horizon it falls within; renewals already recorded are taken into account." }
        (bar_chart(&Chart {
            id: &chart_id,
            title: &title,
            summary: "How many credentials lapse within 30, 60 and 90 days.",
            measure: Measure::Count,
        }, &counts))
        p { a href=(format!("/manage/forecasts/credential-expiry.csv?org={}", org.0)) download { "Download the credential-expiry forecast (CSV)" } }
        @if !f.wards.is_empty() {
            table class="nhsuk-table-responsive" {
                caption class="nhsuk-table__caption" { "By ward" }
                thead role="rowgroup" class="nhsuk-table__head" { tr role="row" {
                    th role="columnheader" scope="col" { "Ward" }
                    th role="columnheader" scope="col" { "30 days" }
                    th role="columnheader" scope="col" { "60 days" }
                    th role="columnheader" scope="col" { "90 days" }
                    th role="columnheader" scope="col" { "Shifts stopped" }
                } }
                tbody class="nhsuk-table__body" {
                    @for w in &f.wards {
                        tr role="row" class="nhsuk-table__row" {
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Ward " } (w.ward_name) }
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "30 days " } (w.within_30) }
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "60 days " } (w.within_60) }
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "90 days " } (w.within_90) }
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Shifts stopped " } (w.shifts_stopped) }
                        }
                    }
                }
            }
        }
        @if f.lapses.is_empty() {
            p { "No credential lapses in the next 90 days." }
        } @else {
            table class="nhsuk-table-responsive" {
                caption class="nhsuk-table__caption" { "Each lapse, soonest first" }
                thead role="rowgroup" class="nhsuk-table__head" { tr role="row" {
                    th role="columnheader" scope="col" { "Worker" }
                    th role="columnheader" scope="col" { "Credential" }
                    th role="columnheader" scope="col" { "Ends" }
                    th role="columnheader" scope="col" { "Wards" }
                    th role="columnheader" scope="col" { "Shifts it stops" }
                } }
                tbody class="nhsuk-table__body" {
                    @for l in &f.lapses {
                        @let wards: Vec<&str> = l.wards.iter().map(|w| w.name.as_str()).collect();
                        tr role="row" class="nhsuk-table__row" {
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Worker " } (l.worker_name) }
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Credential " } (l.credential_label) }
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Ends " } (day(l.ends_at)) }
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Wards " }
                                @if wards.is_empty() { "None yet" } @else { (wards.join(", ")) } }
                            td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Shifts it stops " }
                                (l.open_shifts_stopped.len()) " open, " (l.booked_shifts_at_risk.len()) " booked" }
                        }
                    }
                }
            }
        }
    }
}

/// A week by its Monday, e.g. "7 Dec".
fn week(d: chrono::NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

fn whole(v: f64) -> i64 {
    v.round() as i64
}

fn demand_section(n: usize, org: OrgId, f: &UnfilledForecast) -> Markup {
    let trend_id = format!("unfilled-{n}");
    let ahead_id = format!("unfilled-ahead-{n}");
    html! {
        h3 class="nhsuk-heading-m" { "Unfilled shifts" }
        p { "Each week runs Monday to Sunday. The forecast is the same weeks a year earlier, moved by how far the last four weeks sit above or below the same four weeks a year before." }
        @if let Some(total) = f.wards.first() {
            (trend_chart(&Chart {
                id: &trend_id,
                title: "Unfilled shifts a week: what happened and what was forecast",
                summary: "Shifts the whole trust left unfilled in each of the last 12 weeks, beside the forecast made the week before.",
                measure: Measure::Count,
            },
            &total.actual.iter().map(|w| week(w.week_start)).collect::<Vec<_>>(),
            &[
                ("Unfilled", total.actual.iter().map(|w| whole(w.unfilled)).collect()),
                ("Forecast", total.backcast.iter().map(|w| whole(w.unfilled)).collect()),
            ]))
            (bar_chart(&Chart {
                id: &ahead_id,
                title: "Unfilled shifts forecast for the coming weeks",
                summary: "Shifts the whole trust is forecast to leave unfilled in this week and the next three.",
                measure: Measure::Count,
            }, &total.forecast.iter().map(|w| (format!("Week of {}", week(w.week_start)), whole(w.unfilled))).collect::<Vec<_>>()))
        }
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption" { "Forecast by ward, with its error on the last 12 weeks" }
            thead role="rowgroup" class="nhsuk-table__head" { tr role="row" {
                th role="columnheader" scope="col" { "Ward" }
                th role="columnheader" scope="col" { "Coming 4 weeks" }
                th role="columnheader" scope="col" { "Error (MAE, shifts a week)" }
                th role="columnheader" scope="col" { "Naive error" }
            } }
            tbody class="nhsuk-table__body" {
                @for w in &f.wards {
                    @let ahead: Vec<String> = w.forecast.iter().map(|x| format!("{:.1}", x.unfilled)).collect();
                    tr role="row" class="nhsuk-table__row" {
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Ward " } (w.ward_name) }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Coming 4 weeks " } (ahead.join(", ")) }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Error " } (format!("{:.2}", w.error.mae)) }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Naive error " } (format!("{:.2}", w.naive_error.mae)) }
                    }
                }
            }
        }
        p { a href=(format!("/manage/forecasts/unfilled.csv?org={}", org.0)) download { "Download the unfilled-shifts forecast (CSV)" } }
    }
}

/// `GET /manage/forecasts`: a section for each trust the user runs the bank office of.
pub async fn forecasts(State(state): State<AppState>, UiUser(who): UiUser) -> Response {
    let mut orgs = who.booker_orgs();
    orgs.sort_by_key(|o| o.0);
    orgs.dedup();
    if orgs.is_empty() {
        return app_error_page(AppError::Forbidden);
    }
    let mut sections = Vec::new();
    for (n, org) in orgs.into_iter().enumerate() {
        let expiry = match state.app.credential_expiry(&who, org).await {
            Ok(f) => f,
            Err(e) => return app_error_page(e),
        };
        let name = match state.app.organisation_name(org).await {
            Ok(n) => n,
            Err(e) => return app_error_page(e),
        };
        let demand = match state.app.unfilled_forecast(&who, org).await {
            Ok(f) => f,
            Err(e) => return app_error_page(e),
        };
        sections.push(html! {
            (expiry_section(n, org, &name, &expiry))
            (demand_section(n, org, &demand))
        });
    }
    page(
        "Forecasts",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Forecasts" }
            @for s in &sections { (s) }
        },
    )
}

/// `GET /manage/forecasts/credential-expiry.csv?org=`: the forecast as a CSV download.
pub async fn expiry_csv(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(q): Query<OrgQuery>,
) -> Response {
    match state.app.credential_expiry(&who, OrgId(q.org)).await {
        Ok(f) => crate::api::outlook::expiry_csv(&f),
        Err(e) => app_error_page(e),
    }
}

/// `GET /manage/forecasts/unfilled.csv?org=`: the demand forecast as a CSV download.
pub async fn unfilled_csv(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(q): Query<OrgQuery>,
) -> Response {
    match state.app.unfilled_forecast(&who, OrgId(q.org)).await {
        Ok(f) => crate::api::outlook::demand_csv(&f),
        Err(e) => app_error_page(e),
    }
}
