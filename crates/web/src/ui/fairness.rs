//! The bank office's fairness page (`/manage/fairness`): pick a bank and a period, read each
//! worker group's share of members against its shares of the shifts offered, booked and
//! desirable-booked, with every flag said in a sentence, a chart per grouping, the CSV, and the
//! bank's definition of a desirable shift to change.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::fairness::{DesirableView, FairnessReport};
use staffbank_app::fairness_banks::FairnessBank;
use staffbank_app::{AppError, Principal};
use staffbank_domain::fairness::{Grouping, Measure as Share};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::BankId;
use uuid::Uuid;

use super::chart::{bar_chart, Chart, Measure};
use super::fairness_words::{
    flag_sentence, group_name, grouping_name, is_declared, measure_name, percent,
};
use super::layout::{app_error_page, error_summary, messages, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// `?bank=&from=&to=&saved=` on the page and the CSV; days are UK calendar days, both included.
#[derive(Debug, Default, Deserialize)]
pub struct FairnessQuery {
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// The period a report covers when none is chosen: the four weeks to today.
const DEFAULT_DAYS: i64 = 28;

/// A day like "Tue 8 Dec".
fn short_day(day: NaiveDate) -> String {
    day.format("%a %-d %b").to_string()
}

/// The start of a UK calendar day.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    RULES_ZONE
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

fn parse_day(field: &str, text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(field, "enter a date like 2026-12-08")),
    }
}

/// The chosen bank (else the first) and days (else the last four weeks).
fn choice(
    banks: &[FairnessBank],
    query: &FairnessQuery,
    today: NaiveDate,
) -> Result<Option<(FairnessBank, NaiveDate, NaiveDate)>, AppError> {
    let asked = query.bank.as_deref().and_then(|b| Uuid::parse_str(b).ok());
    let bank = match asked {
        Some(id) => Some(
            banks
                .iter()
                .find(|b| b.bank_id == id)
                .ok_or(AppError::NotFound)?,
        ),
        None => banks.first(),
    };
    let Some(bank) = bank else {
        return Ok(None);
    };
    let to = parse_day("to", query.to.as_deref())?.unwrap_or(today);
    let from =
        parse_day("from", query.from.as_deref())?.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
    Ok(Some((bank.clone(), from, to)))
}

async fn report(
    state: &AppState,
    who: &Principal,
    bank: &FairnessBank,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<FairnessReport, AppError> {
    state
        .app
        .fairness_report(
            who,
            BankId(bank.bank_id),
            Some(day_start(from)),
            Some(day_start(to + Duration::days(1))),
        )
        .await
}

/// `GET /manage/fairness`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<FairnessQuery>,
) -> Response {
    render(&state, &who, &query, Vec::new()).await
}

async fn render(
    state: &AppState,
    who: &Principal,
    query: &FairnessQuery,
    mut problems: Vec<String>,
) -> Response {
    let banks = match state.app.fairness_banks(who).await {
        Ok(b) => b,
        Err(e) => return app_error_page(e),
    };
    let today = state.app.now().with_timezone(&RULES_ZONE).date_naive();
    let chosen = match choice(&banks, query, today) {
        Ok(c) => c,
        Err(e @ AppError::Validation(_)) => {
            problems.extend(messages(&e));
            choice(&banks, &FairnessQuery::default(), today).unwrap_or_default()
        }
        Err(e) => return app_error_page(e),
    };
    let Some((bank, from, to)) = chosen else {
        return page(
            "Fairness",
            Some(who),
            html! {
                h1 class="nhsuk-heading-xl" { "Fairness" }
                p { "Your trust does not run a bank." }
            },
        );
    };
    let (report, definition) = match report(state, who, &bank, from, to).await {
        Ok(r) => (
            r,
            state.app.fairness_settings(who, BankId(bank.bank_id)).await,
        ),
        Err(e @ AppError::Validation(_)) => {
            problems.extend(messages(&e));
            let to = today;
            let from = to - Duration::days(DEFAULT_DAYS - 1);
            match report(state, who, &bank, from, to).await {
                Ok(r) => (
                    r,
                    state.app.fairness_settings(who, BankId(bank.bank_id)).await,
                ),
                Err(e) => return app_error_page(e),
            }
        }
        Err(e) => return app_error_page(e),
    };
    let definition = match definition {
        Ok(d) => d,
        Err(e) => return app_error_page(e),
    };
    let from = report.from.with_timezone(&RULES_ZONE).date_naive();
    let last = (report.to - Duration::seconds(1))
        .with_timezone(&RULES_ZONE)
        .date_naive();
    let flags: Vec<String> = report
        .groupings
        .iter()
        .flat_map(|g| {
            g.groups.iter().flat_map(move |group| {
                group
                    .measures
                    .iter()
                    .filter(|m| m.flagged)
                    .map(move |m| flag_sentence(&g.grouping, group, m))
            })
        })
        .collect();
    page(
        "Fairness",
        Some(who),
        html! {
            (error_summary(&problems))
            @if query.saved.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Definition of a desirable shift saved. The report below uses it." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Fairness" }
            p class="nhsuk-lede-text" {
                (report.bank_name) ": shifts starting " (short_day(from)) " to " (short_day(last))
                " " (last.format("%Y"))
            }
            (period_form(&banks, &bank, from, last))
            h2 class="nhsuk-heading-l" { "What stands out" }
            @if flags.is_empty() {
                p { "No group's share of shifts differs from its share of members by more than 10% with a significant test." }
            } @else {
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for f in &flags { li { (f) } }
                }
            }
            details class="nhsuk-details" {
                summary class="nhsuk-details__summary" {
                    span class="nhsuk-details__summary-text" { "How groups are flagged" }
                }
                div class="nhsuk-details__text" {
                    p { "A group is flagged when its share of shifts differs from its share of the bank's members by more than "
                        (percent(report.tolerance)) "% of that share, and an exact two-sided binomial test of its shifts out of all shifts finds the difference unlikely to be chance (p below 0.05). n is the number of shifts the test counts." }
                    p { (report.suppression) }
                    p { "Sex, ethnic group, disability and age band come only from staff who chose to declare them. Nobody's answers are shown, and they are never used to rank or offer shifts." }
                }
            }
            @for grouping in &report.groupings {
                (grouping_section(grouping))
            }
            p { a href=(format!("/manage/fairness.csv?bank={}&from={}&to={}", bank.bank_id, from, last)) download { "Download this report (CSV)" } }
            (definition_form(who, &bank, &definition, from, last))
        },
    )
}

fn period_form(
    banks: &[FairnessBank],
    bank: &FairnessBank,
    from: NaiveDate,
    to: NaiveDate,
) -> Markup {
    html! {
        form method="get" action="/manage/fairness" {
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="bank" { "Bank" }
                select class="nhsuk-select" id="bank" name="bank" {
                    @for b in banks {
                        option value=(b.bank_id) selected[b.bank_id == bank.bank_id] { (b.name) }
                    }
                }
            }
            fieldset class="nhsuk-fieldset" {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Shifts starting" }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="from" { "From (first day)" }
                    input class="nhsuk-input nhsuk-input--width-10" id="from" name="from" type="date" value=(from);
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="to" { "To (last day)" }
                    input class="nhsuk-input nhsuk-input--width-10" id="to" name="to" type="date" value=(to);
                }
            }
            button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Show this report" }
        }
    }
}

/// One measure's cell: "31% (74 of 240)", flagged in words.
fn share_cell(heading: &str, m: Option<&staffbank_domain::fairness::MeasureShare>) -> Markup {
    html! {
        td role="cell" class="nhsuk-table__cell" {
            span class="nhsuk-table-responsive__heading" aria-hidden="true" { (heading) " " }
            @match m {
                Some(m) => {
                    (percent(m.share)) "% (" (m.count) " of " (m.total) ")"
                    @if m.flagged { " " strong class="nhsuk-tag nhsuk-tag--red" { "Flagged" } }
                }
                None => { "Not shown" }
            }
        }
    }
}

fn grouping_section(grouping: &Grouping) -> Markup {
    let id = format!("chart-{}", grouping.grouping.replace('_', "-"));
    let title = format!(
        "{}: share of members and of shifts",
        grouping_name(&grouping.grouping)
    );
    let mut rows = Vec::new();
    for group in grouping.groups.iter().filter(|g| !g.suppressed) {
        let name = group_name(&grouping.grouping, &group.group);
        rows.push((
            format!("{name}: members"),
            percent(group.member_share.unwrap_or(0.0)),
        ));
        for m in group
            .measures
            .iter()
            .filter(|m| m.measure != Share::Offered)
        {
            rows.push((
                format!("{name}: {}", measure_name(m.measure)),
                percent(m.share),
            ));
        }
    }
    html! {
        h2 class="nhsuk-heading-l" { (grouping_name(&grouping.grouping)) }
        @if grouping.members == 0 {
            p { @if is_declared(&grouping.grouping) { "Nobody has declared this yet." } @else { "No members." } }
        } @else {
            div class="app-table-scroll" {
            table class="nhsuk-table-responsive" {
                caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { (grouping_name(&grouping.grouping)) }
                thead role="rowgroup" class="nhsuk-table__head" {
                    tr role="row" {
                        th role="columnheader" scope="col" { "Group" }
                        th role="columnheader" scope="col" { "Members" }
                        th role="columnheader" scope="col" { "Shifts offered" }
                        th role="columnheader" scope="col" { "Shifts booked" }
                        th role="columnheader" scope="col" { "Desirable shifts booked" }
                    }
                }
                tbody class="nhsuk-table__body" {
                    @for group in &grouping.groups {
                        tr role="row" class="nhsuk-table__row" {
                            td role="cell" class="nhsuk-table__cell" {
                                span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Group " }
                                (group_name(&grouping.grouping, &group.group))
                            }
                            @if group.suppressed {
                                td role="cell" class="nhsuk-table__cell" colspan="4" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Members " }
                                    "Fewer than 20 members: not shown"
                                }
                            } @else {
                                td role="cell" class="nhsuk-table__cell" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Members " }
                                    (percent(group.member_share.unwrap_or(0.0))) "% (" (group.members.unwrap_or(0)) " of " (grouping.members) ")"
                                }
                                @for (measure, heading) in [(Share::Offered, "Offered"), (Share::Booked, "Booked"), (Share::Desirable, "Desirable")] {
                                    (share_cell(heading, group.measures.iter().find(|m| m.measure == measure)))
                                }
                            }
                        }
                    }
                }
            }
            }
            @if !rows.is_empty() {
                (bar_chart(&Chart { id: &id, title: &title,
                    summary: "For each group shown, its share of the bank's members, then its shares of the shifts booked and of the desirable shifts booked.",
                    measure: Measure::Percent }, &rows))
            }
        }
    }
}

/// The bank's definition of a desirable shift in words.
fn definition_words(d: &DesirableView, bank: &FairnessBank) -> String {
    let mut parts = vec![if d.day_shifts_only {
        "day shifts"
    } else {
        "day and night shifts"
    }
    .to_owned()];
    parts.push(if d.exclude_weekends {
        "on weekdays".to_owned()
    } else {
        "on any day".to_owned()
    });
    if d.low_acuity_wards.is_empty() {
        parts.push("on any ward".to_owned());
    } else {
        let names: Vec<&str> = bank
            .wards
            .iter()
            .filter(|w| d.low_acuity_wards.contains(&w.ward_id))
            .map(|w| w.name.as_str())
            .collect();
        parts.push(if names.is_empty() {
            format!("on {} chosen wards", d.low_acuity_wards.len())
        } else {
            format!("on {}", names.join(", "))
        });
    }
    let mut text = parts.join(", ");
    text.insert_str(0, "Desirable shifts are ");
    text.push_str(if d.own { "." } else { " (the default)." });
    text
}

fn definition_form(
    who: &Principal,
    bank: &FairnessBank,
    d: &DesirableView,
    from: NaiveDate,
    to: NaiveDate,
) -> Markup {
    html! {
        h2 class="nhsuk-heading-l" id="desirable" { "What counts as a desirable shift" }
        p { (definition_words(d, bank)) }
        @if bank.sets_definition {
            form method="post" action="/manage/fairness/settings" {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="bank" value=(bank.bank_id);
                input type="hidden" name="from" value=(from);
                input type="hidden" name="to" value=(to);
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Desirable shifts are" }
                    div class="nhsuk-checkboxes" {
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id="day_shifts_only" name="day_shifts_only" type="checkbox" value="yes" checked[d.day_shifts_only];
                            label class="nhsuk-label nhsuk-checkboxes__label" for="day_shifts_only" { "Day shifts only (not nights)" }
                        }
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id="exclude_weekends" name="exclude_weekends" type="checkbox" value="yes" checked[d.exclude_weekends];
                            label class="nhsuk-label nhsuk-checkboxes__label" for="exclude_weekends" { "Weekdays only (not Saturday or Sunday)" }
                        }
                    }
                }
                @if !bank.wards.is_empty() {
                    fieldset class="nhsuk-fieldset" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "On low-acuity wards only" }
                        div class="nhsuk-hint" id="wards-hint" { "Tick none to count every ward." }
                        div class="nhsuk-checkboxes" {
                            @for w in &bank.wards {
                                @let id = format!("ward-{}", w.ward_id);
                                div class="nhsuk-checkboxes__item" {
                                    input class="nhsuk-checkboxes__input" id=(id) name="ward" type="checkbox" value=(w.ward_id) checked[d.low_acuity_wards.contains(&w.ward_id)] aria-describedby="wards-hint";
                                    label class="nhsuk-label nhsuk-checkboxes__label" for=(id) { (w.name) }
                                }
                            }
                        }
                    }
                }
                button type="submit" class="nhsuk-button" { "Save what counts as desirable" }
            }
        } @else {
            p { "The bank office of the trust that runs the bank sets this." }
        }
    }
}

/// `POST /manage/fairness/settings`, as pairs since each ticked ward repeats `ward`.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if !csrf_ok(&who, &value("csrf")) {
        return csrf_refused();
    }
    let Ok(bank) = Uuid::parse_str(value("bank").trim()) else {
        return app_error_page(AppError::NotFound);
    };
    let mut wards = Vec::new();
    for (_, ward) in pairs.iter().filter(|(k, _)| k == "ward") {
        match Uuid::parse_str(ward.trim()) {
            Ok(id) => wards.push(id),
            Err(_) => {
                return app_error_page(AppError::field(
                    "low_acuity_wards",
                    "choose wards from the list",
                ))
            }
        }
    }
    let input = DesirableView {
        day_shifts_only: value("day_shifts_only") == "yes",
        exclude_weekends: value("exclude_weekends") == "yes",
        low_acuity_wards: wards,
        own: true,
    };
    let query = FairnessQuery {
        bank: Some(bank.to_string()),
        from: Some(value("from")),
        to: Some(value("to")),
        saved: None,
    };
    match state
        .app
        .set_fairness_settings(&who, BankId(bank), input)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/manage/fairness?bank={bank}&from={}&to={}&saved=1",
            super::list_parts::encode(&value("from")),
            super::list_parts::encode(&value("to"))
        ))
        .into_response(),
        Err(e @ AppError::Validation(_)) => render(&state, &who, &query, messages(&e)).await,
        Err(e) => app_error_page(e),
    }
}

/// `GET /manage/fairness.csv`: the report shown, as the API's CSV.
pub async fn csv(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<FairnessQuery>,
) -> Response {
    let banks = match state.app.fairness_banks(&who).await {
        Ok(b) => b,
        Err(e) => return app_error_page(e),
    };
    let today = state.app.now().with_timezone(&RULES_ZONE).date_naive();
    let result = match choice(&banks, &query, today) {
        Ok(Some((bank, from, to))) => report(&state, &who, &bank, from, to).await,
        Ok(None) => Err(AppError::NotFound),
        Err(e) => Err(e),
    };
    match result {
        Ok(report) => crate::csv_file::csv_file(
            "fairness.csv",
            &crate::api::fairness::CSV_HEADER,
            &crate::api::fairness::csv_rows(&report),
        ),
        Err(e) => app_error_page(e),
    }
}
