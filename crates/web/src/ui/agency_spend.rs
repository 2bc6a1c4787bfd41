//! The bank office's agency spend page: spend against the cap with charts and a forecast, the
//! CSV, and setting the cap (confirmed before it is saved).

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::agency_spend::{AgencySpendReport, SetAgencyCap};
use staffbank_app::{AppError, Principal};
use staffbank_domain::pay::Pence;
use staffbank_domain::OrgId;
use uuid::Uuid;

use super::chart::{bar_chart, trend_chart, Chart, Measure};
use super::layout::{app_error_page, page};
use super::pay::pence;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// `?trust=&from=&to=&saved=` on the page and the CSV.
#[derive(Deserialize)]
pub struct SpendQuery {
    #[serde(default)]
    trust: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// The cap form, as typed.
#[derive(Deserialize)]
pub struct CapForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    trust: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Pounds; blank for 85% of the baseline.
    #[serde(default)]
    cap: String,
    #[serde(default)]
    baseline_from: String,
    #[serde(default)]
    baseline_to: String,
}

fn day(field: &str, text: &str) -> Result<Option<NaiveDate>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::field(field, "enter a date like 2026-04-01"))
}

fn long_day(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

fn money(pence: Option<i64>) -> String {
    pence.map_or_else(|| "No cap".to_owned(), |p| Pence(p).to_string())
}

impl CapForm {
    fn parse(&self) -> Result<(OrgId, SetAgencyCap), AppError> {
        let org = Uuid::parse_str(self.trust.trim()).map_err(|_| AppError::NotFound)?;
        let from = day("from", &self.from)?
            .ok_or_else(|| AppError::field("from", "enter the first day"))?;
        let to = day("to", &self.to)?.ok_or_else(|| AppError::field("to", "enter the last day"))?;
        let cap_pence = match self.cap.trim() {
            "" => None,
            typed => Some(pence(typed).ok_or_else(|| {
                AppError::field(
                    "cap",
                    "enter the cap in pounds, like 250000, or leave it blank",
                )
            })?),
        };
        Ok((
            OrgId(org),
            SetAgencyCap {
                from,
                to,
                cap_pence,
                baseline_from: day("baseline_from", &self.baseline_from)?,
                baseline_to: day("baseline_to", &self.baseline_to)?,
            },
        ))
    }
}

/// The trust a booker looks at: the one asked for, else their first.
fn trust(who: &Principal, asked: Option<&str>) -> Result<OrgId, AppError> {
    match asked.and_then(|t| Uuid::parse_str(t).ok()) {
        Some(id) => Ok(OrgId(id)),
        None => who
            .booker_orgs()
            .first()
            .copied()
            .ok_or(AppError::Forbidden),
    }
}

async fn report_for(
    state: &AppState,
    who: &Principal,
    query: &SpendQuery,
) -> Result<AgencySpendReport, AppError> {
    let org = trust(who, query.trust.as_deref())?;
    let from = day("from", query.from.as_deref().unwrap_or(""))?;
    let to = day("to", query.to.as_deref().unwrap_or(""))?;
    state.app.agency_spend(who, org, from, to).await
}

/// `GET /manage/agency-spend`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<SpendQuery>,
) -> Response {
    let report = match report_for(&state, &who, &query).await {
        Ok(r) => r,
        Err(e) => return app_error_page(e),
    };
    let name = match state.app.organisation_name(OrgId(report.org_id)).await {
        Ok(n) => n,
        Err(e) => return app_error_page(e),
    };
    page(
        "Agency spend",
        Some(&who),
        html! {
            @if query.saved.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Agency cap saved." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Agency spend" }
            p class="nhsuk-lede-text" { (name) ": " (long_day(report.from)) " to " (long_day(report.to)) }
            (period_form(&report))
            (summary(&report))
            (charts(&report))
            p { a href=(format!("/manage/agency-spend.csv?trust={}&from={}&to={}", report.org_id, report.from, report.to)) download { "Download this report (CSV)" } }
            (cap_form(&who, &report))
        },
    )
}

fn period_form(report: &AgencySpendReport) -> Markup {
    html! {
        form method="get" action="/manage/agency-spend" {
            input type="hidden" name="trust" value=(report.org_id);
            fieldset class="nhsuk-fieldset" {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Period" }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="period-from" { "First day" }
                    input class="nhsuk-input nhsuk-input--width-10" id="period-from" name="from" type="date" value=(report.from);
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="period-to" { "Last day" }
                    input class="nhsuk-input nhsuk-input--width-10" id="period-to" name="to" type="date" value=(report.to);
                }
            }
            button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Show this period" }
        }
    }
}

fn basis(report: &AgencySpendReport) -> String {
    let cap = &report.cap;
    let baseline = cap.baseline.as_ref().map(|b| {
        format!(
            "{} to {}, when agency spend was {}",
            long_day(b.from),
            long_day(b.to),
            Pence(b.spend_pence)
        )
    });
    match (cap.basis.as_str(), baseline) {
        ("figure", _) => "Set by the trust.".to_owned(),
        ("percent_of_baseline", Some(b)) => format!(
            "{}{}% of agency spend in {b}.",
            if cap.set { "Set by the trust: " } else { "Default: " },
            cap.default_percent
        ),
        _ => "No cap: none has been set, and there was no agency spend in the period before to cut from.".to_owned(),
    }
}

fn summary(report: &AgencySpendReport) -> Markup {
    let percent = report
        .percent_of_cap
        .map_or_else(|| "Not applicable".to_owned(), |p| format!("{p}%"));
    html! {
        dl class="nhsuk-summary-list" {
            @for (key, value) in [
                ("Agency cap", money(report.cap.cap_pence)),
                ("Where the cap comes from", basis(report)),
                ("Spent (shifts started)", Pence(report.spent_pence).to_string()),
                ("Committed (released, still to come)", Pence(report.committed_pence).to_string()),
                ("Headroom left", money(report.headroom_pence)),
                ("Share of the cap used", percent),
                ("Forecast to the end of the period", Pence(report.forecast.forecast_pence).to_string()),
            ] {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { (key) }
                    dd class="nhsuk-summary-list__value" { (value) }
                }
            }
        }
        @if report.forecast.over_cap {
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" {
                    span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Forecast over the cap" }
                }
                p { "At this rate the trust will spend more on agency than its cap by the end of the period." }
            }
        }
        p class="nhsuk-body-s" { "How the forecast is made: " (report.forecast.method) }
    }
}

fn charts(report: &AgencySpendReport) -> Markup {
    let mut against = vec![("Spent and committed".to_owned(), report.spend_pence)];
    if let Some(cap) = report.cap.cap_pence {
        against.insert(0, ("Cap".to_owned(), cap));
    }
    against.push(("Forecast".to_owned(), report.forecast.forecast_pence));
    let points: Vec<String> = report
        .weeks
        .iter()
        .map(|w| format!("w/c {}", w.week_from.format("%-d %b")))
        .collect();
    let mut series = vec![(
        "Spend so far",
        report.weeks.iter().map(|w| w.cumulative_pence).collect(),
    )];
    if let Some(cap) = report.cap.cap_pence {
        series.push(("Cap", vec![cap; report.weeks.len()]));
    }
    let rows = |parts: &[staffbank_app::agency_spend::SpendPart]| -> Vec<(String, i64)> {
        parts
            .iter()
            .map(|p| (p.name.clone(), p.spend_pence))
            .collect()
    };
    html! {
        h2 class="nhsuk-heading-l" { "Spend against the cap" }
        (bar_chart(&Chart { id: "agency-cap", title: "Spend against the cap",
            summary: "The cap, spend so far including released shifts still to come, and the forecast to the end of the period.",
            measure: Measure::Pence }, &against))
        h2 class="nhsuk-heading-l" { "Week by week" }
        (trend_chart(&Chart { id: "agency-weeks", title: "Agency spend so far, week by week",
            summary: "Agency spend added up from the first week of the period, with the cap for comparison.",
            measure: Measure::Pence }, &points, &series))
        h2 class="nhsuk-heading-l" { "By ward" }
        (bar_chart(&Chart { id: "agency-wards", title: "Agency spend by ward",
            summary: "Agency spend in the period for each ward, largest first.",
            measure: Measure::Pence }, &rows(&report.by_ward)))
        h2 class="nhsuk-heading-l" { "By staff group" }
        (bar_chart(&Chart { id: "agency-groups", title: "Agency spend by staff group",
            summary: "Agency spend in the period for each staff group, largest first.",
            measure: Measure::Pence }, &rows(&report.by_staff_group)))
    }
}

fn cap_form(who: &Principal, report: &AgencySpendReport) -> Markup {
    html! {
        h2 class="nhsuk-heading-l" id="set-cap" { "Set the agency cap" }
        p { "Leave the amount blank for the default: 85% of agency spend in a baseline period (the same length of time just before, unless you name one). You will be asked to confirm before it is saved." }
        form method="post" action="/manage/agency-spend/confirm" {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            input type="hidden" name="trust" value=(report.org_id);
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="cap-from" { "First day of the cap" }
                input class="nhsuk-input nhsuk-input--width-10" id="cap-from" name="from" type="date" value=(report.from);
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="cap-to" { "Last day of the cap" }
                input class="nhsuk-input nhsuk-input--width-10" id="cap-to" name="to" type="date" value=(report.to);
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="cap-amount" { "Cap, pounds (optional)" }
                input class="nhsuk-input nhsuk-input--width-10" id="cap-amount" name="cap" type="text" inputmode="decimal";
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="baseline-from" { "Baseline first day (optional)" }
                input class="nhsuk-input nhsuk-input--width-10" id="baseline-from" name="baseline_from" type="date";
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="baseline-to" { "Baseline last day (optional)" }
                input class="nhsuk-input nhsuk-input--width-10" id="baseline-to" name="baseline_to" type="date";
            }
            button type="submit" class="nhsuk-button" { "Check the new cap" }
        }
    }
}

/// `POST /manage/agency-spend/confirm`: what will be saved, to confirm.
pub async fn confirm(
    State(_state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<CapForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let (org, cap) = match form.parse() {
        Ok(parsed) => parsed,
        Err(e) => return app_error_page(e),
    };
    let amount = match cap.cap_pence {
        Some(p) => Pence(p).to_string(),
        None => match (cap.baseline_from, cap.baseline_to) {
            (Some(f), Some(t)) => format!(
                "85% of agency spend from {} to {}",
                long_day(f),
                long_day(t)
            ),
            _ => "85% of agency spend in the same length of time just before".to_owned(),
        },
    };
    page(
        "Confirm the agency cap",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Confirm the agency cap" }
            dl class="nhsuk-summary-list" {
                @for (key, value) in [
                    ("Period", format!("{} to {}", long_day(cap.from), long_day(cap.to))),
                    ("Cap", amount),
                ] {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { (key) }
                        dd class="nhsuk-summary-list__value" { (value) }
                    }
                }
            }
            p { "It replaces any cap the trust has set, and is recorded in the audit ledger." }
            form method="post" action="/manage/agency-spend/cap" {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="trust" value=(org.0);
                input type="hidden" name="from" value=(form.from);
                input type="hidden" name="to" value=(form.to);
                input type="hidden" name="cap" value=(form.cap);
                input type="hidden" name="baseline_from" value=(form.baseline_from);
                input type="hidden" name="baseline_to" value=(form.baseline_to);
                button type="submit" class="nhsuk-button" { "Save the agency cap" }
            }
            p { a href=(format!("/manage/agency-spend?trust={}", org.0)) { "Do not save it" } }
        },
    )
}

/// `POST /manage/agency-spend/cap`: saves it.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<CapForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let (org, cap) = match form.parse() {
        Ok(parsed) => parsed,
        Err(e) => return app_error_page(e),
    };
    let (from, to) = (cap.from, cap.to);
    match state.app.set_agency_cap(&who, org, cap).await {
        Ok(_) => Redirect::to(&format!(
            "/manage/agency-spend?trust={}&from={from}&to={to}&saved=1",
            org.0
        ))
        .into_response(),
        Err(e) => app_error_page(e),
    }
}

/// `GET /manage/agency-spend.csv`.
pub async fn csv(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<SpendQuery>,
) -> Response {
    match report_for(&state, &who, &query).await {
        Ok(report) => crate::api::agency::spend_file(&report),
        Err(e) => app_error_page(e),
    }
}
