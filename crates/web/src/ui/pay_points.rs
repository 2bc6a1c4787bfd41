//! The payroll officer's pay points page: find a bank member, see the point they are paid at and
//! the hourly rate at each point of their grade on the bank's card, check a correction on a
//! confirmation page (it changes what every later shift pays), then make it.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::pay_points::{PayPointMember, SetPayPoint};
use staffbank_app::{AppError, Principal};
use staffbank_domain::pay::Pence;
use staffbank_domain::{BankId, WorkerId};
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page};
use super::list_parts::encode;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// `?search=` (a member's name or email) and `?changed=1` after a correction.
#[derive(Debug, Default, Deserialize)]
pub struct PayPointsQuery {
    #[serde(default)]
    search: Option<String>,
    #[serde(default)]
    changed: Option<String>,
}

/// The correction being checked: `GET /manage/pay-points/check`.
#[derive(Debug, Deserialize)]
pub struct CheckQuery {
    bank: Uuid,
    worker: Uuid,
    /// The new point, as chosen in the list.
    #[serde(default)]
    point: String,
    /// The search to return to.
    #[serde(default)]
    search: String,
}

/// The confirmed correction.
#[derive(Debug, Deserialize)]
pub struct PayPointForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    point: String,
    #[serde(default)]
    search: String,
}

/// A point and its hourly rate in words: "Point 2: £17.13 an hour".
fn point_words(member: &PayPointMember, point: u8) -> String {
    match member.rate_at(point) {
        Some(rate) => format!("Point {point}: {} an hour", Pence(rate)),
        None => format!("Point {point}: not on this bank's rate card"),
    }
}

fn member_rows(bank: Uuid, members: &[PayPointMember], search: &str) -> Markup {
    html! {
        table class="nhsuk-table-responsive" {
            thead role="rowgroup" class="nhsuk-table__head" {
                tr role="row" {
                    th role="columnheader" scope="col" { "Name" }
                    th role="columnheader" scope="col" { "Grade" }
                    th role="columnheader" scope="col" { "Paid at" }
                    th role="columnheader" scope="col" { "Correct it" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for m in members {
                    tr role="row" class="nhsuk-table__row" {
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Name " }
                            (m.name)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Grade " }
                            (m.grade)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Paid at " }
                            (point_words(m, m.pay_point))
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Correct it " }
                            @if m.rates.is_empty() {
                                "This bank's rate card has no rates for " (m.grade) "."
                            } @else {
                                form method="get" action="/manage/pay-points/check" {
                                    input type="hidden" name="bank" value=(bank);
                                    input type="hidden" name="worker" value=(m.worker_id);
                                    input type="hidden" name="search" value=(search);
                                    div class="nhsuk-form-group nhsuk-u-margin-bottom-2" {
                                        label class="nhsuk-label" for=(format!("point-{}", m.worker_id)) {
                                            "New pay point for " (m.name)
                                        }
                                        select class="nhsuk-select" id=(format!("point-{}", m.worker_id)) name="point" {
                                            @for point in 1..=u8::try_from(m.rates.len()).unwrap_or(u8::MAX) {
                                                option value=(point) selected[point == m.pay_point] {
                                                    (point_words(m, point))
                                                }
                                            }
                                        }
                                    }
                                    button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" {
                                        "Check the change" span class="nhsuk-u-visually-hidden" { ": " (m.name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /manage/pay-points`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<PayPointsQuery>,
) -> Response {
    let search = query.search.as_deref().unwrap_or("").trim().to_owned();
    let mut problems = Vec::new();
    let banks = match state.app.pay_point_members(&who, Some(&search)).await {
        Ok(b) => b,
        Err(e @ AppError::Validation(_)) => {
            problems.extend(messages(&e));
            match state.app.pay_point_members(&who, None).await {
                Ok(b) => b,
                Err(e) => return app_error_page(e),
            }
        }
        Err(e) => return app_error_page(e),
    };
    page(
        "Pay points",
        Some(&who),
        html! {
            (error_summary(&problems))
            @if query.changed.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Pay point changed. Shifts approved from now on are paid at it." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Pay points" }
            p {
                "Correct a bank member's pay point when their employment record says another. "
                "Shifts approved from now on are paid at the new point; to correct pay already "
                "approved, add an adjustment to the next pay run."
            }
            form method="get" action="/manage/pay-points" class="nhsuk-u-margin-bottom-5" {
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="search" { "Find a bank member by name or email" }
                    input class="nhsuk-input" id="search" name="search" type="search" value=(search);
                }
                button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Find" }
            }
            @if banks.is_empty() { p { "Your trust does not lead a bank." } }
            @if !search.is_empty() && problems.is_empty() {
                @for bank in &banks {
                    h2 class="nhsuk-heading-l" { (bank.bank_name) }
                    @if bank.found.is_empty() { p { "No members of this bank match “" (search) "”." } }
                    @else { (member_rows(bank.bank_id, &bank.found, &search)) }
                }
            }
        },
    )
}

/// `GET /manage/pay-points/check`: the correction beside the point it replaces, to confirm.
pub async fn check(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<CheckQuery>,
) -> Response {
    let member = match state
        .app
        .pay_point_member(&who, BankId(query.bank), WorkerId(query.worker))
        .await
    {
        Ok(m) => m,
        Err(e) => return app_error_page(e),
    };
    let back = format!("/manage/pay-points?search={}", encode(&query.search));
    let chosen = query.point.trim().parse::<u8>().ok();
    match chosen.filter(|p| member.rate_at(*p).is_some()) {
        Some(point) => confirm_page(&who, query.bank, &member, point, &query.search, &back),
        None => app_error_page(AppError::field(
            "pay_point",
            "choose one of the points the bank's rate card has",
        )),
    }
}

fn confirm_page(
    who: &Principal,
    bank: Uuid,
    member: &PayPointMember,
    point: u8,
    search: &str,
    back: &str,
) -> Response {
    page(
        "Check the pay point",
        Some(who),
        html! {
            h1 class="nhsuk-heading-xl" { "Check the pay point" }
            @if point == member.pay_point {
                p { (member.name) " is already paid at point " (point) "." }
                p { a href=(back) { "Back to pay points" } }
            } @else {
                p {
                    "Every shift " (member.name) " has approved from now on is paid at the new "
                    "point, in every bank they work for."
                }
                dl class="nhsuk-summary-list" {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Grade" }
                        dd class="nhsuk-summary-list__value" { (member.grade) }
                    }
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "New pay point" }
                        dd class="nhsuk-summary-list__value" {
                            strong { (point_words(member, point)) } br;
                            "Was: " (point_words(member, member.pay_point))
                        }
                    }
                }
                form method="post" action=(format!("/manage/banks/{bank}/members/{}/pay-point", member.worker_id)) {
                    input type="hidden" name="csrf" value=(who.session.csrf_token);
                    input type="hidden" name="point" value=(point);
                    input type="hidden" name="search" value=(search);
                    button type="submit" class="nhsuk-button" { "Change the pay point" }
                }
                p { a href=(back) { "Go back without changing it" } }
            }
        },
    )
}

/// `POST /manage/banks/{bank_id}/members/{worker_id}/pay-point`.
pub async fn change(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath((bank, worker)): ApiPath<(Uuid, Uuid)>,
    Form(form): Form<PayPointForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let Ok(pay_point) = form.point.trim().parse::<u8>() else {
        return app_error_page(AppError::field("pay_point", "choose a pay point"));
    };
    match state
        .app
        .set_pay_point(
            &who,
            BankId(bank),
            WorkerId(worker),
            SetPayPoint { pay_point },
        )
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/manage/pay-points?search={}&changed=1",
            encode(&form.search)
        ))
        .into_response(),
        Err(e) => app_error_page(e),
    }
}
