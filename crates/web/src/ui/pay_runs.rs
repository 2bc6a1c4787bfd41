//! The payroll officer's pay runs: pick a period, read what closing it would pay (and what is
//! still waiting for a ward manager), confirm, and read the closed run itemised.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;
use staffbank_app::pay_run_views::{PayPeriodView, PayRunPreview, PreviewQuery};
use staffbank_app::payroll::{ClosePayRun, PayRunView};
use staffbank_app::{AppError, Principal};
use staffbank_domain::role::Role;
use staffbank_domain::OrgId;
use uuid::Uuid;

use super::layout::{app_error_page, moment, page, when};
use super::pay_parts::{
    field_error, linked_error_summary, problems_of, success, worker_card, FieldProblem,
};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// The id of the period picker for a trust.
fn picker_id(org: OrgId) -> String {
    format!("first-day-{}", org.0)
}

/// A period in words, e.g. "Mon 23 Nov to Sun 29 Nov 2026".
fn period_words(first: NaiveDate, last: NaiveDate) -> String {
    format!(
        "{} to {}",
        first.format("%a %-d %b %Y"),
        last.format("%a %-d %b %Y")
    )
}

fn picker_label(p: &PayPeriodView) -> String {
    let words = period_words(p.first_day, p.last_day);
    match (p.ended, p.pay_run_id) {
        (_, Some(_)) => format!("{words} (closed)"),
        (false, None) => format!("{words} (not ended yet)"),
        (true, None) => words,
    }
}

/// "1 worker", "3 workers".
fn workers(n: usize) -> String {
    if n == 1 {
        "1 worker".to_owned()
    } else {
        format!("{n} workers")
    }
}

struct TrustRuns {
    org: OrgId,
    name: String,
    periods: Vec<PayPeriodView>,
    runs: Vec<PayRunView>,
}

async fn runs_page(state: &AppState, who: &Principal, problems: Vec<FieldProblem>) -> Response {
    let orgs = who.orgs_as(Role::PayrollOfficer);
    if orgs.is_empty() {
        return app_error_page(AppError::Forbidden);
    }
    let mut trusts = Vec::new();
    for org in orgs {
        let name = match state.app.payroll_organisation(who, org).await {
            Ok(Some(o)) => o.name,
            Ok(None) => continue,
            Err(e) => return app_error_page(e),
        };
        match (
            state.app.pay_periods(who, org).await,
            state.app.pay_runs(who, org).await,
        ) {
            (Ok(periods), Ok(runs)) => trusts.push(TrustRuns {
                org,
                name,
                periods,
                runs,
            }),
            (Err(e), _) | (_, Err(e)) => return app_error_page(e),
        }
    }
    page(
        "Pay runs",
        Some(who),
        html! {
            (linked_error_summary(&problems))
            h1 class="nhsuk-heading-xl" { "Pay runs" }
            @for t in &trusts {
                h2 class="nhsuk-heading-l" { (t.name) }
                @let id = picker_id(t.org);
                @let error = field_error(&problems, &id);
                form method="get" action=(format!("/manage/organisations/{}/pay-runs/preview", t.org.0)) {
                    div class=(if error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                        label class="nhsuk-label" for=(id) { "Pay period" }
                        div class="nhsuk-hint" id=(format!("{id}-hint")) {
                            "You will see what the run pays, to whom, and anything still waiting for approval, before you close it."
                        }
                        @if let Some(message) = &error {
                            span class="nhsuk-error-message" id=(format!("{id}-error")) { span class="nhsuk-u-visually-hidden" { "Error: " } (message) }
                        }
                        select class="nhsuk-select" id=(id) name="first_day" aria-describedby=(format!("{id}-hint")) {
                            @let chosen = t.periods.iter().find(|p| p.ended && p.pay_run_id.is_none()).map(|p| p.first_day);
                            @for p in &t.periods {
                                option value=(p.first_day) selected[Some(p.first_day) == chosen] { (picker_label(p)) }
                            }
                        }
                    }
                    button type="submit" class="nhsuk-button" { "Preview the pay run" }
                }
                @if t.runs.is_empty() { p { "No pay run has been closed yet." } } @else {
                    table class="nhsuk-table" {
                        caption class="nhsuk-table__caption" { "Closed runs and their exports" }
                        thead class="nhsuk-table__head" { tr {
                            th scope="col" { "Period" } th scope="col" { "Total" }
                            th scope="col" { "Export" } th scope="col" { "File" }
                        } }
                        tbody class="nhsuk-table__body" {
                            @for r in &t.runs {
                                tr class="nhsuk-table__row" {
                                    td class="nhsuk-table__cell" {
                                        a href=(format!("/manage/pay-runs/{}", r.id)) { (period_words(r.first_day, r.last_day)) }
                                    }
                                    td class="nhsuk-table__cell app-amount" { (r.total) }
                                    td class="nhsuk-table__cell" {
                                        @if let Some(at) = r.delivered_at { "Delivered " (moment(at)) } @else { "Queued" }
                                    }
                                    td class="nhsuk-table__cell" {
                                        a href=(format!("/manage/pay-runs/{}/file", r.id)) { (r.file_name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// `GET /manage/pay-runs`.
pub async fn runs(State(state): State<AppState>, UiUser(who): UiUser) -> Response {
    runs_page(&state, &who, vec![]).await
}

/// The period picker's query (kept as text, so a mistyped date is told in words).
#[derive(Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    first_day: String,
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn preview_page(who: &Principal, p: &PayRunPreview, problems: &[FieldProblem]) -> Response {
    let words = period_words(p.period.first_day, p.period.last_day);
    page(
        "Pay run preview",
        Some(who),
        html! {
            (linked_error_summary(problems))
            span class="nhsuk-caption-l" { "Pay run" }
            h1 class="nhsuk-heading-xl" { (words) }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Workers paid" }
                    dd class="nhsuk-summary-list__value" { (p.worker_count) }
                }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Lines in the payroll file" }
                    dd class="nhsuk-summary-list__value" { (p.lines) }
                }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Total to pay" }
                    dd class="nhsuk-summary-list__value" { strong { (p.total) } }
                }
            }
            @if !p.waiting.is_empty() {
                div class="nhsuk-warning-callout" {
                    h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Not approved yet" } }
                    p { "These timesheets are not in this run. If you close it now, they are paid in a later run once the ward approves them." }
                    ul {
                        @for w in &p.waiting {
                            li {
                                (w.worker_name) ", " (when(w.started_at, w.ended_at)) ": "
                                @if w.state == "queried" { "the ward asked a question" } @else { "waiting for approval" }
                            }
                        }
                    }
                }
            }
            @if let Some(run) = p.period.pay_run_id {
                p { "This period is already closed. " a href=(format!("/manage/pay-runs/{run}")) { "See what the run paid" } }
            } @else if !p.period.ended {
                p { "This period has not ended yet, so it cannot be closed. Work approved before it ends is shown here as it stands now." }
            } @else if p.lines == 0 {
                div class="nhsuk-inset-text" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "There is nothing to pay in this period: no approved pay or advance is waiting, so there is no run to close." }
                }
            }
            @if !p.workers.is_empty() {
                h2 class="nhsuk-heading-l" { "What each worker is paid" }
                @for w in &p.workers { (worker_card(w)) }
            }
            @if p.period.ended && p.period.pay_run_id.is_none() && p.lines > 0 {
                form method="post" action=(format!("/manage/organisations/{}/pay-runs", p.org_id)) {
                    input type="hidden" name="csrf" value=(who.session.csrf_token);
                    input type="hidden" name="first_day" value=(p.period.first_day);
                    p { "Closing takes every line above into this run, once, and sends the payroll file. It cannot be undone." }
                    button type="submit" class="nhsuk-button" {
                        "Close pay run and pay " (p.total) " to " (workers(p.worker_count))
                    }
                }
            }
            p { a href="/manage/pay-runs" { "Back to pay runs" } }
        },
    )
}

/// `GET /manage/organisations/{org_id}/pay-runs/preview?first_day=`.
pub async fn preview(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(org): ApiPath<Uuid>,
    Query(query): Query<PeriodQuery>,
) -> Response {
    let org = OrgId(org);
    let first_day = if query.first_day.trim().is_empty() {
        None
    } else {
        match parse_day(&query.first_day) {
            Some(day) => Some(day),
            None => {
                let problem =
                    FieldProblem::at(&picker_id(org), "Choose a pay period from the list");
                return runs_page(&state, &who, vec![problem]).await;
            }
        }
    };
    match state
        .app
        .pay_run_preview(&who, org, PreviewQuery { first_day })
        .await
    {
        Ok(p) => preview_page(&who, &p, &[]),
        Err(e @ AppError::Validation(_)) => {
            let id = picker_id(org);
            let problems = problems_of(&e, |_| Some(id.clone()));
            runs_page(&state, &who, problems).await
        }
        Err(e) => app_error_page(e),
    }
}

/// The close form: the period, confirmed by pressing the button that names what it pays.
#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_day: String,
}

/// `POST /manage/organisations/{org_id}/pay-runs`.
pub async fn close(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(org): ApiPath<Uuid>,
    Form(form): Form<CloseForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let org = OrgId(org);
    let Some(first_day) = parse_day(&form.first_day) else {
        let problem = FieldProblem::at(&picker_id(org), "Choose a pay period from the list");
        return runs_page(&state, &who, vec![problem]).await;
    };
    match state
        .app
        .close_pay_run(
            &who,
            org,
            ClosePayRun {
                first_day: Some(first_day),
            },
        )
        .await
    {
        Ok(run) => Redirect::to(&format!("/manage/pay-runs/{}?closed=1", run.id)).into_response(),
        Err(e) => {
            let problems = problems_of(&e, |_| None);
            match state
                .app
                .pay_run_preview(
                    &who,
                    org,
                    PreviewQuery {
                        first_day: Some(first_day),
                    },
                )
                .await
            {
                Ok(p) => preview_page(&who, &p, &problems),
                Err(_) => runs_page(&state, &who, problems).await,
            }
        }
    }
}

/// `GET /manage/pay-runs/{id}`: a closed run, itemised.
pub async fn run(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let detail = match state.app.pay_run_detail(&who, id).await {
        Ok(d) => d,
        Err(e) => return app_error_page(e),
    };
    let r = &detail.run;
    let just_closed = query.as_deref() == Some("closed=1");
    page(
        "Pay run",
        Some(&who),
        html! {
            @if just_closed {
                (success(&format!("Pay run closed: {} is being paid to {}. The payroll file is on its way to payroll.", r.total, workers(detail.worker_count))))
            }
            span class="nhsuk-caption-l" { "Pay run" }
            h1 class="nhsuk-heading-xl" { (period_words(r.first_day, r.last_day)) }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Closed" }
                    dd class="nhsuk-summary-list__value" { (moment(r.closed_at)) }
                }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Workers paid" }
                    dd class="nhsuk-summary-list__value" { (detail.worker_count) }
                }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Lines in the payroll file" }
                    dd class="nhsuk-summary-list__value" { (r.lines) }
                }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Total paid" }
                    dd class="nhsuk-summary-list__value" { strong { (r.total) } }
                }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Payroll file" }
                    dd class="nhsuk-summary-list__value" {
                        a href=(format!("/manage/pay-runs/{}/file", r.id)) { (r.file_name) }
                        br;
                        @if let Some(at) = r.delivered_at { "Delivered " (moment(at)) } @else { "Queued for delivery" }
                    }
                }
            }
            h2 class="nhsuk-heading-l" { "What each worker was paid" }
            @for w in &detail.workers { (worker_card(w)) }
            p { a href="/manage/pay-runs" { "Back to pay runs" } }
        },
    )
}

/// `GET /manage/pay-runs/{id}/file`: the CSV, as delivered.
pub async fn file(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    match state.app.pay_run_file(&who, id).await {
        Ok((name, file)) => crate::api::csv_download(&name, file),
        Err(e) => app_error_page(e),
    }
}
