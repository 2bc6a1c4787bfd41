//! The worker's pay page: what they are owed, an advance on it, payslips and total rewards.
//! The payroll officer's pages are in `pay_runs`.

use axum::extract::{Form, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::earnings::DrawAdvance;
use staffbank_app::Principal;
use staffbank_domain::pay::Pence;
use uuid::Uuid;

use super::layout::{app_error_page, page};
use super::pay_parts::{
    field_error, line_row, linked_error_summary, problems_of, success, FieldProblem,
};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

fn row(key: &str, value: &str) -> Markup {
    html! {
        div class="nhsuk-summary-list__row" {
            dt class="nhsuk-summary-list__key" { (key) }
            dd class="nhsuk-summary-list__value" { (value) }
        }
    }
}

/// The id of the amount input for a trust's advance.
fn amount_id(org: Uuid) -> String {
    format!("amount-{org}")
}

async fn my_pay_page(
    state: &AppState,
    who: &Principal,
    problems: Vec<FieldProblem>,
    notice: Option<String>,
) -> Response {
    let app = &state.app;
    let (earnings, slips, rewards, lines) = match (
        app.my_earnings(who).await,
        app.my_payslips(who).await,
        app.my_total_rewards(who).await,
        app.my_pay_lines(who).await,
    ) {
        (Ok(e), Ok(s), Ok(r), Ok(l)) => (e, s, r, l),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
            return app_error_page(e)
        }
    };
    page(
        "My pay",
        Some(who),
        html! {
            (linked_error_summary(&problems))
            @if let Some(message) = &notice { (success(message)) }
            h1 class="nhsuk-heading-xl" { "My pay" }
            nav class="nhsuk-contents-list" aria-label="On this page" {
                ul class="nhsuk-contents-list__list" {
                    li class="nhsuk-contents-list__item" { a class="nhsuk-contents-list__link" href="#waiting" { "Approved, not yet paid" } }
                    li class="nhsuk-contents-list__item" { a class="nhsuk-contents-list__link" href="#payslips" { "Payslips" } }
                    li class="nhsuk-contents-list__item" { a class="nhsuk-contents-list__link" href="#rewards" { "Total rewards" } }
                }
            }
            h2 class="nhsuk-heading-l" id="waiting" { "Approved, not yet paid" }
            @if earnings.is_empty() { p { "Nothing is waiting to be paid." } }
            @for e in &earnings {
                @let id = amount_id(e.org_id);
                @let error = field_error(&problems, &id);
                @let waiting: Vec<_> = lines.iter().filter(|l| l.org_id == e.org_id && l.pay_run_id.is_none()).collect();
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-m" { (e.org_name) }
                    @if !waiting.is_empty() {
                        table class="nhsuk-table" {
                            caption class="nhsuk-table__caption nhsuk-table__caption--s" { "Paid in the next pay run" }
                            thead class="nhsuk-table__head" { tr {
                                th scope="col" { "Date" } th scope="col" { "What" } th scope="col" class="app-amount" { "Amount" }
                            } }
                            tbody class="nhsuk-table__body" { @for l in &waiting { (line_row(l)) } }
                        }
                    }
                    dl class="nhsuk-summary-list" {
                        (row("Approved, unpaid", &e.shown[0]))
                        (row("Already drawn early", &e.shown[1]))
                        (row(&format!("You may draw now ({}% of unpaid pay)", e.advance_share), &e.shown[2]))
                    }
                    @if e.available_pence > 0 {
                        form method="post" action="/pay/advances" novalidate {
                            input type="hidden" name="csrf" value=(who.session.csrf_token);
                            input type="hidden" name="org_id" value=(e.org_id);
                            div class=(if error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                                label class="nhsuk-label" for=(id) { "Amount to draw, in pounds" }
                                div class="nhsuk-hint" id=(format!("{id}-hint")) { "Up to " (e.shown[2]) ". It is taken from your next pay." }
                                @if let Some(message) = &error {
                                    span class="nhsuk-error-message" id=(format!("{id}-error")) { span class="nhsuk-u-visually-hidden" { "Error: " } (message) }
                                }
                                input class=(if error.is_some() { "nhsuk-input nhsuk-input--width-10 nhsuk-input--error" } else { "nhsuk-input nhsuk-input--width-10" })
                                    id=(id) name="pounds" inputmode="decimal"
                                    aria-describedby=(if error.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") });
                            }
                            button type="submit" class="nhsuk-button" { "Draw an advance" }
                        }
                    }
                } }
            }
            h2 class="nhsuk-heading-l" id="payslips" { "Payslips" }
            @if slips.is_empty() { p { "No pay run has paid you yet." } }
            @for slip in &slips {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-m" {
                        (slip.period.0.format("%a %-d %b %Y")) " to " (slip.period.1.format("%a %-d %b %Y"))
                    }
                    table class="nhsuk-table" {
                        caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "Lines paid" }
                        thead class="nhsuk-table__head" { tr {
                            th scope="col" { "Date" } th scope="col" { "What" } th scope="col" class="app-amount" { "Amount" }
                        } }
                        tbody class="nhsuk-table__body" {
                            @for line in &slip.lines { (line_row(line)) }
                            @for a in &slip.advances {
                                tr class="nhsuk-table__row" {
                                    td class="nhsuk-table__cell" { (a.drawn_at.with_timezone(&staffbank_domain::shift::RULES_ZONE).format("%a %-d %b %Y")) }
                                    td class="nhsuk-table__cell" { "Advance taken back" }
                                    td class="nhsuk-table__cell app-amount" { "-" (a.amount) }
                                }
                            }
                        }
                    }
                    dl class="nhsuk-summary-list" {
                        (row("Gross pay", &slip.shown[0]))
                        (row("Of which holiday pay", &slip.shown[1]))
                        (row("Advances taken back", &slip.shown[2]))
                        (row("Paid", &slip.shown[3]))
                    }
                } }
            }
            h2 class="nhsuk-heading-l" id="rewards" { "Total rewards since " (rewards.since.format("%-d %B %Y")) }
            dl class="nhsuk-summary-list" {
                (row("Pay for hours worked", &rewards.shown[0]))
                (row("Holiday pay", &rewards.shown[1]))
                (row("Employer pension contributions", &rewards.shown[2]))
                (row("Total", &rewards.shown[3]))
            }
        },
    )
}

/// `GET /pay` (after a draw, `?drawn=` the pence drawn, for the success message).
pub async fn my_pay(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    RawQuery(query): RawQuery,
) -> Response {
    let notice = query
        .as_deref()
        .and_then(|q| q.strip_prefix("drawn="))
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p > 0)
        .map(|p| {
            format!(
                "You have drawn {}. It is on its way to your bank account and is taken from your next pay.",
                Pence(p)
            )
        });
    my_pay_page(&state, &who, vec![], notice).await
}

/// The advance form (`confirmed` set by the confirmation page's button).
#[derive(Deserialize)]
pub struct AdvanceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    pounds: String,
    #[serde(default)]
    confirmed: String,
}

/// Pounds as typed ("12", "12.5", "£12.50") in pence.
pub(super) fn pence(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches('£').replace(',', "");
    if t.starts_with('-') {
        return None;
    }
    let (whole, part) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && part.is_empty() || part.len() > 2 {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let part: i64 = format!("{part:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(part)
}

/// `POST /pay/advances`: first a page confirming the amount, then the draw itself.
pub async fn draw(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<AdvanceForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let Ok(org) = Uuid::parse_str(&form.org_id) else {
        return app_error_page(staffbank_app::AppError::NotFound);
    };
    let Some(amount) = pence(&form.pounds).filter(|p| *p > 0) else {
        let problem = FieldProblem::at(
            &amount_id(org),
            "Enter the amount to draw in pounds, like 40.00",
        );
        return my_pay_page(&state, &who, vec![problem], None).await;
    };
    if form.confirmed != "yes" {
        return match state.app.my_earnings(&who).await {
            Ok(earnings) => match earnings.iter().find(|e| e.org_id == org) {
                Some(e) => confirm_page(&who, org, &e.org_name, amount),
                None => app_error_page(staffbank_app::AppError::NotFound),
            },
            Err(e) => app_error_page(e),
        };
    }
    match state
        .app
        .draw_advance(
            &who,
            DrawAdvance {
                org_id: org,
                amount_pence: amount,
            },
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/pay?drawn={amount}")).into_response(),
        Err(e) => {
            let id = amount_id(org);
            let mut problems = problems_of(&e, |_| Some(id.clone()));
            for p in &mut problems {
                p.field.get_or_insert_with(|| id.clone());
            }
            my_pay_page(&state, &who, problems, None).await
        }
    }
}

/// The page asking a worker to confirm an advance before it is drawn.
fn confirm_page(who: &Principal, org: Uuid, org_name: &str, amount: i64) -> Response {
    let shown = Pence(amount).to_string();
    page(
        "Confirm your advance",
        Some(who),
        html! {
            h1 class="nhsuk-heading-xl" { "Draw " (shown) " now?" }
            p { (org_name) " pays it now, from pay you have earned and that is approved but not yet paid." }
            div class="nhsuk-inset-text" {
                span class="nhsuk-u-visually-hidden" { "Information: " }
                p { "Your next pay run takes " (shown) " back from what it pays you." }
            }
            form method="post" action="/pay/advances" {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="org_id" value=(org);
                input type="hidden" name="pounds" value=(format!("{}.{:02}", amount / 100, amount % 100));
                input type="hidden" name="confirmed" value="yes";
                button type="submit" class="nhsuk-button" { "Draw " (shown) " now" }
            }
            p { a href="/pay" { "Do not draw an advance" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::pence;

    #[test]
    fn pounds_are_read_as_pence() {
        assert_eq!(pence("12"), Some(1200));
        assert_eq!(pence("£12.5"), Some(1250));
        assert_eq!(pence("1,234.05"), Some(123_405));
        assert_eq!(pence(".5"), Some(50));
        assert_eq!(pence("12.345"), None);
        assert_eq!(pence(""), None);
        assert_eq!(pence("ten"), None);
        assert_eq!(pence("-3"), None);
        assert_eq!(pence("-0.50"), None);
    }
}
