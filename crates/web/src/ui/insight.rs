//! The operational dashboard page ("Insight") of a trust, one of its banks, or the platform: a
//! date range form, headline figures, week-by-week and breakdown charts (server-rendered SVG
//! with their figures as tables), every table as CSV.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::insight::{
    FillTimeView, InsightBreakdown, InsightDashboard, InsightFigures, InsightOf,
};
use staffbank_app::{AppError, Principal};
use staffbank_domain::pay::Pence;
use staffbank_domain::role::Role;
use staffbank_domain::{BankId, OrgId};
use uuid::Uuid;

use super::chart::{bar_chart, trend_chart, Chart, Measure};
use super::layout::{app_error_page, page};
use super::UiUser;
use crate::AppState;

/// `?trust=` or `?bank=` or `?platform=1`, with `from`, `to` and (CSV) `table`.
#[derive(Deserialize)]
pub struct InsightPageQuery {
    #[serde(default)]
    trust: Option<String>,
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    table: Option<String>,
}

fn day(field: &str, text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    let text = text.unwrap_or("").trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::field(field, "enter a date like 2026-12-08"))
}

fn id(text: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(text.trim()).map_err(|_| AppError::NotFound)
}

/// Which dashboard: the one asked for, else the first trust the user runs or audits.
fn scope_of(who: &Principal, q: &InsightPageQuery) -> Result<InsightOf, AppError> {
    if q.platform.is_some() {
        return Ok(InsightOf::Platform);
    }
    if let Some(bank) = q.bank.as_deref() {
        return Ok(InsightOf::Bank(BankId(id(bank)?)));
    }
    if let Some(trust) = q.trust.as_deref() {
        return Ok(InsightOf::Trust(OrgId(id(trust)?)));
    }
    who.booker_orgs()
        .into_iter()
        .chain(who.orgs_as(Role::Auditor))
        .next()
        .map(InsightOf::Trust)
        .or_else(|| who.is_platform_admin().then_some(InsightOf::Platform))
        .ok_or(AppError::Forbidden)
}

/// The query string naming a dashboard and span, for links and the CSV.
fn scope_query(d: &InsightDashboard) -> String {
    let scope = match (d.scope.as_str(), d.scope_id) {
        ("trust", Some(id)) => format!("trust={id}"),
        ("bank", Some(id)) => format!("bank={id}"),
        _ => "platform=1".to_owned(),
    };
    format!("{scope}&from={}&to={}", d.from, d.to)
}

async fn load(
    state: &AppState,
    who: &Principal,
    q: &InsightPageQuery,
) -> Result<InsightDashboard, AppError> {
    let of = scope_of(who, q)?;
    let from = day("from", q.from.as_deref())?;
    let to = day("to", q.to.as_deref())?;
    let period = state.app.insight_period(from, to)?;
    state.app.insight_dashboard(who, of, period).await
}

/// `GET /manage/insight.csv`: the dashboard, or one table of it, as CSV.
pub async fn csv(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(q): Query<InsightPageQuery>,
) -> Response {
    match load(&state, &who, &q).await {
        Ok(d) => crate::api::insight::insight_file(&d, q.table.as_deref()),
        Err(e) => app_error_page(e),
    }
}

/// `GET /manage/insight`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(q): Query<InsightPageQuery>,
) -> Response {
    let d = match load(&state, &who, &q).await {
        Ok(d) => d,
        Err(e) => return app_error_page(e),
    };
    let banks = match d.scope_id.filter(|_| d.scope == "trust") {
        Some(org) => state
            .app
            .banks_of_trust(OrgId(org))
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let query = scope_query(&d);
    page(
        "Insight",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Insight" }
            p class="nhsuk-lede-text" { (d.name) ": " (long_day(d.from)) " to " (long_day(d.to)) }
            (views(&who, &d, &banks))
            (span_form(&d))
            (headline(&d.totals))
            p { a href=(format!("/manage/insight.csv?{query}")) download { "Download every table (CSV)" } }
            (weeks(&d, &query))
            @for b in &d.breakdowns {
                (breakdown(b, &query))
            }
            @if !d.workers.is_empty() {
                (workers(&d, &query))
            }
            p class="nhsuk-body-s" {
                "Time to fill runs from when a shift was posted to when it was booked. It is counted in steps (15 and 30 minutes; 1, 2, 4, 8 and 12 hours; 1, 2, 3 and 5 days; 1, 2, 4 and 8 weeks), so the median and 90th centile say the step they fall within. Fill rate is places filled by the bank (its own or a collaborative bank) out of places on shifts that were not cancelled."
            }
        },
    )
}

fn long_day(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

/// Links to the other dashboards this user may read.
fn views(who: &Principal, d: &InsightDashboard, banks: &[(Uuid, String)]) -> Markup {
    let span = format!("from={}&to={}", d.from, d.to);
    html! {
        @if !banks.is_empty() || who.is_platform_admin() || d.scope != "trust" {
            nav aria-label="Other views" {
                ul class="nhsuk-list" {
                    @if d.scope != "trust" {
                        li { a href=(format!("/manage/insight?{span}")) { "Your trust" } }
                    }
                    @for (id, name) in banks {
                        li { a href=(format!("/manage/insight?bank={id}&{span}")) { "Bank: " (name) } }
                    }
                    @if who.is_platform_admin() && d.scope != "platform" {
                        li { a href=(format!("/manage/insight?platform=1&{span}")) { "All trusts (platform)" } }
                    }
                }
            }
        }
    }
}

fn span_form(d: &InsightDashboard) -> Markup {
    html! {
        form method="get" action="/manage/insight" {
            @match (d.scope.as_str(), d.scope_id) {
                ("trust", Some(id)) => input type="hidden" name="trust" value=(id);,
                ("bank", Some(id)) => input type="hidden" name="bank" value=(id);,
                _ => input type="hidden" name="platform" value="1";,
            }
            fieldset class="nhsuk-fieldset" {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Dates" }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="insight-from" { "First day" }
                    input class="nhsuk-input nhsuk-input--width-10" id="insight-from" name="from" type="date" value=(d.from);
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="insight-to" { "Last day" }
                    input class="nhsuk-input nhsuk-input--width-10" id="insight-to" name="to" type="date" value=(d.to);
                }
            }
            button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Show these dates" }
        }
    }
}

/// "within 4 hours", "over 8 weeks".
fn fill_time(t: &Option<FillTimeView>) -> String {
    let words = |m: i64| match m {
        m if m < 60 => format!("{m} minutes"),
        60 => "1 hour".to_owned(),
        m if m < 1440 => format!("{} hours", m / 60),
        1440 => "1 day".to_owned(),
        m if m < 10_080 => format!("{} days", m / 1440),
        10_080 => "1 week".to_owned(),
        m => format!("{} weeks", m / 10_080),
    };
    match t {
        Some(FillTimeView {
            within_minutes: Some(m),
            ..
        }) => format!("within {}", words(*m)),
        Some(FillTimeView {
            longer_than_minutes: Some(m),
            ..
        }) => format!("over {}", words(*m)),
        _ => "None filled".to_owned(),
    }
}

fn rate(f: &InsightFigures) -> String {
    f.fill_rate_percent
        .map_or_else(|| "No places".to_owned(), |p| format!("{p:.1}%"))
}

fn hours(minutes: i64) -> String {
    format!("{}h {:02}m", minutes / 60, minutes % 60)
}

fn headline(f: &InsightFigures) -> Markup {
    let rows = [
        ("Shifts posted", f.shifts_posted.to_string()),
        ("Places", f.places.to_string()),
        ("Filled by own bank", f.filled_own_bank.to_string()),
        (
            "Filled by collaborative bank",
            f.filled_collaborative.to_string(),
        ),
        ("Released to agency", f.filled_agency.to_string()),
        ("Unfilled", f.unfilled.to_string()),
        ("Cancelled by the trust", f.cancelled.to_string()),
        ("Fill rate", rate(f)),
        ("Median time to fill", fill_time(&f.median_time_to_fill)),
        ("90th centile time to fill", fill_time(&f.p90_time_to_fill)),
        (
            "Late cancellations by workers",
            f.late_cancellations_worker.to_string(),
        ),
        (
            "Late cancellations by the trust",
            f.late_cancellations_trust.to_string(),
        ),
        ("Hours paid", hours(f.paid_minutes)),
        (
            "Pay (base, enhancements and premiums)",
            Pence(f.pay_pence).to_string(),
        ),
        ("Base pay", Pence(f.base_pay_pence).to_string()),
        ("Enhancements", Pence(f.enhancements_pence).to_string()),
        ("Premiums", Pence(f.premiums_pence).to_string()),
        (
            "Adjustments and pay not itemised",
            Pence(f.other_pay_pence).to_string(),
        ),
        ("Holiday pay", Pence(f.holiday_pay_pence).to_string()),
        (
            "Employer pension",
            Pence(f.employer_pension_pence).to_string(),
        ),
        ("Total spend", Pence(f.total_spend_pence).to_string()),
        ("Premium overrides", f.premium_overrides.to_string()),
    ];
    html! {
        h2 class="nhsuk-heading-l" { "Summary" }
        dl class="nhsuk-summary-list" {
            @for (key, value) in rows {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { (key) }
                    dd class="nhsuk-summary-list__value" { (value) }
                }
            }
        }
    }
}

fn weeks(d: &InsightDashboard, query: &str) -> Markup {
    let points: Vec<String> = d
        .weeks
        .iter()
        .map(|w| format!("w/c {}", w.week_from.format("%a %-d %b")))
        .collect();
    let fills = vec![
        (
            "Own bank",
            d.weeks.iter().map(|w| w.figures.filled_own_bank).collect(),
        ),
        (
            "Collaborative bank",
            d.weeks
                .iter()
                .map(|w| w.figures.filled_collaborative)
                .collect(),
        ),
        (
            "Agency",
            d.weeks.iter().map(|w| w.figures.filled_agency).collect(),
        ),
        (
            "Unfilled",
            d.weeks.iter().map(|w| w.figures.unfilled).collect(),
        ),
    ];
    let spend = vec![(
        "Total spend",
        d.weeks
            .iter()
            .map(|w| w.figures.total_spend_pence)
            .collect(),
    )];
    html! {
        h2 class="nhsuk-heading-l" { "Week by week" }
        (trend_chart(&Chart { id: "insight-fills", title: "Places filled, week by week",
            summary: "For each week, places filled by the trust's own bank, by a collaborative bank, released to agency, and left unfilled.",
            measure: Measure::Count }, &points, &fills))
        (trend_chart(&Chart { id: "insight-spend", title: "Spend, week by week",
            summary: "For each week, pay with holiday pay and employer pension on the pay lines of its shifts.",
            measure: Measure::Pence }, &points, &spend))
        p { a href=(format!("/manage/insight.csv?{query}&table=weeks")) download { "Download week by week (CSV)" } }
    }
}

fn breakdown(b: &InsightBreakdown, query: &str) -> Markup {
    let id = format!("insight-{}", b.dimension.replace('_', "-"));
    let rows: Vec<(String, i64)> = b
        .groups
        .iter()
        .map(|g| (g.name.clone(), g.figures.places))
        .collect();
    let summary = format!(
        "Places on shifts posted in the dates chosen, {}.",
        b.title.to_lowercase()
    );
    html! {
        h2 class="nhsuk-heading-l" { (b.title) }
        (bar_chart(&Chart { id: &id, title: &format!("Places, {}", b.title.to_lowercase()),
            summary: &summary, measure: Measure::Count }, &rows))
        (figures_table(&format!("Fill and spend, {}", b.title.to_lowercase()), b))
        p { a href=(format!("/manage/insight.csv?{query}&table={}", b.dimension)) download { "Download " (b.title.to_lowercase()) " (CSV)" } }
    }
}

fn figures_table(caption: &str, b: &InsightBreakdown) -> Markup {
    const HEADINGS: [&str; 8] = [
        "Group",
        "Shifts",
        "Fill rate",
        "Own, collaborative, agency, unfilled",
        "Median time to fill",
        "Late cancellations (worker, trust)",
        "Hours paid",
        "Total spend",
    ];
    html! {
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption" { (caption) }
            thead role="rowgroup" class="nhsuk-table__head" {
                tr role="row" {
                    @for h in HEADINGS { th role="columnheader" scope="col" { (h) } }
                }
            }
            tbody class="nhsuk-table__body" {
                @for g in &b.groups {
                    @let f = &g.figures;
                    @let cells = [
                        g.name.clone(),
                        f.shifts_posted.to_string(),
                        rate(f),
                        format!("{}, {}, {}, {}", f.filled_own_bank, f.filled_collaborative, f.filled_agency, f.unfilled),
                        fill_time(&f.median_time_to_fill),
                        format!("{}, {}", f.late_cancellations_worker, f.late_cancellations_trust),
                        hours(f.paid_minutes),
                        Pence(f.total_spend_pence).to_string(),
                    ];
                    tr role="row" class="nhsuk-table__row" {
                        @for (h, c) in HEADINGS.iter().zip(cells) {
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { (h) " " }
                                (c)
                            }
                        }
                    }
                }
            }
        }
    }
}

fn workers(d: &InsightDashboard, query: &str) -> Markup {
    html! {
        h2 class="nhsuk-heading-l" { "Workers, by pseudonym" }
        p { "Each worker is shown under a pseudonym that stays the same in every report, so patterns can be seen without names, emails or NHS numbers leaving the system." }
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption" { "Workers with the most hours paid" }
            thead role="rowgroup" class="nhsuk-table__head" {
                tr role="row" {
                    th role="columnheader" scope="col" { "Pseudonym" }
                    th role="columnheader" scope="col" { "Shifts" }
                    th role="columnheader" scope="col" { "Hours paid" }
                    th role="columnheader" scope="col" { "Pay" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for w in &d.workers {
                    tr role="row" class="nhsuk-table__row" {
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Pseudonym " }
                            code { (w.pseudonym) }
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Shifts " }
                            (w.shifts)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Hours paid " }
                            (hours(w.paid_minutes))
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Pay " }
                            (Pence(w.pay_pence).to_string())
                        }
                    }
                }
            }
        }
        p { a href=(format!("/manage/insight.csv?{query}&table=workers")) download { "Download workers by pseudonym (CSV)" } }
    }
}
