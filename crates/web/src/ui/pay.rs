//! The worker's pay page: what they are owed, an advance on it, payslips and total rewards.
//! The payroll officer's pages are in `pay_runs`.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::earnings::DrawAdvance;
use staffbank_app::Principal;
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page};
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

async fn my_pay_page(state: &AppState, who: &Principal, problems: Vec<String>) -> Response {
    let app = &state.app;
    let (earnings, slips, rewards) = match (
        app.my_earnings(who).await,
        app.my_payslips(who).await,
        app.my_total_rewards(who).await,
    ) {
        (Ok(e), Ok(s), Ok(r)) => (e, s, r),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return app_error_page(e),
    };
    page(
        "My pay",
        Some(who),
        html! {
            (error_summary(&problems))
            h1 class="nhsuk-heading-xl" { "My pay" }
            h2 class="nhsuk-heading-l" { "Approved, not yet paid" }
            @if earnings.is_empty() { p { "Nothing is waiting to be paid." } }
            @for e in &earnings {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-m" { (e.org_name) }
                    dl class="nhsuk-summary-list" {
                        (row("Approved, unpaid", &e.shown[0]))
                        (row("Already drawn early", &e.shown[1]))
                        (row(&format!("You may draw now ({}% of unpaid pay)", e.advance_share), &e.shown[2]))
                    }
                    @if e.available_pence > 0 {
                        form method="post" action="/pay/advances" {
                            input type="hidden" name="csrf" value=(who.session.csrf_token);
                            input type="hidden" name="org_id" value=(e.org_id);
                            div class="nhsuk-form-group" {
                                label class="nhsuk-label" for=(format!("amount-{}", e.org_id)) { "Amount to draw, in pounds" }
                                div class="nhsuk-hint" id=(format!("amount-hint-{}", e.org_id)) { "It is taken from your next pay." }
                                input class="nhsuk-input nhsuk-input--width-10" id=(format!("amount-{}", e.org_id)) name="pounds" inputmode="decimal" aria-describedby=(format!("amount-hint-{}", e.org_id));
                            }
                            button type="submit" class="nhsuk-button" { "Draw an advance" }
                        }
                    }
                } }
            }
            h2 class="nhsuk-heading-l" { "Total rewards since " (rewards.since.format("%-d %B %Y")) }
            dl class="nhsuk-summary-list" {
                (row("Pay for hours worked", &rewards.shown[0]))
                (row("Holiday pay", &rewards.shown[1]))
                (row("Employer pension contributions", &rewards.shown[2]))
                (row("Total", &rewards.shown[3]))
            }
            h2 class="nhsuk-heading-l" { "Payslips" }
            @if slips.is_empty() { p { "No pay run has paid you yet." } }
            @for slip in &slips {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-m" {
                        "Week of " (slip.period.0.format("%-d %B %Y")) " to " (slip.period.1.format("%-d %B %Y"))
                    }
                    table class="nhsuk-table" {
                        caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "Lines paid" }
                        thead class="nhsuk-table__head" { tr {
                            th scope="col" { "Date" } th scope="col" { "What" } th scope="col" { "Amount" }
                        } }
                        tbody class="nhsuk-table__body" {
                            @for line in &slip.lines {
                                tr class="nhsuk-table__row" {
                                    td class="nhsuk-table__cell" { (line.work_date.format("%-d %b")) }
                                    td class="nhsuk-table__cell" {
                                        (match line.kind.as_str() { "adjustment" => "Correction", "cancellation" => "Late cancellation by the trust", _ => "Bank shift" })
                                        details class="nhsuk-details nhsuk-u-margin-bottom-0" {
                                            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "How it was worked out" } }
                                            div class="nhsuk-details__text" { ul { @for e in &line.explanation { li { (e) } } } }
                                        }
                                    }
                                    td class="nhsuk-table__cell" { (line.amount) }
                                }
                            }
                            @for a in &slip.advances {
                                tr class="nhsuk-table__row" {
                                    td class="nhsuk-table__cell" { (a.drawn_at.format("%-d %b")) }
                                    td class="nhsuk-table__cell" { "Advance recovered" }
                                    td class="nhsuk-table__cell" { "-" (a.amount) }
                                }
                            }
                        }
                    }
                    dl class="nhsuk-summary-list" {
                        (row("Gross pay", &slip.shown[0]))
                        (row("Of which holiday pay", &slip.shown[1]))
                        (row("Advances recovered", &slip.shown[2]))
                        (row("Paid", &slip.shown[3]))
                    }
                } }
            }
        },
    )
}

/// `GET /pay`.
pub async fn my_pay(State(state): State<AppState>, UiUser(who): UiUser) -> Response {
    my_pay_page(&state, &who, vec![]).await
}

/// The advance form.
#[derive(Deserialize)]
pub struct AdvanceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    pounds: String,
}

/// Pounds as typed ("12", "12.5", "£12.50") in pence.
fn pence(text: &str) -> Option<i64> {
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

/// `POST /pay/advances`.
pub async fn draw(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<AdvanceForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let (Ok(org), Some(amount)) = (Uuid::parse_str(&form.org_id), pence(&form.pounds)) else {
        return my_pay_page(
            &state,
            &who,
            vec!["Enter an amount in pounds, like 40.00".into()],
        )
        .await;
    };
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
        Ok(_) => Redirect::to("/pay").into_response(),
        Err(e) => my_pay_page(&state, &who, messages(&e)).await,
    }
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
