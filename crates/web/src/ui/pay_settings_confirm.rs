//! The page a payroll officer confirms new pay settings on: each change beside the value it
//! replaces, in words, before anything is saved.

use axum::response::Response;
use maud::html;
use staffbank_app::payroll::PaySettingsView;
use staffbank_app::Principal;
use staffbank_domain::OrgId;

use super::layout::page;
use super::pay_settings::{percent, SettingsForm, NATIONS, NUMBERS, PERIODS};

/// Each setting with its value in words, in the form's order.
fn described(v: &PaySettingsView) -> Vec<(&'static str, String)> {
    let period = PERIODS
        .iter()
        .find(|p| p.0 == v.period_weeks.to_string())
        .map_or_else(|| v.period_weeks.to_string(), |p| p.1.to_owned());
    let nation = NATIONS
        .iter()
        .find(|n| n.0 == v.nation)
        .map_or_else(|| v.nation.clone(), |n| n.1.to_owned());
    vec![
        ("Pay runs", period),
        (
            "Premium cap",
            format!("{}% of the base rate", v.premium_cap),
        ),
        (
            "Rolled-up holiday pay",
            v.rolled_up_holiday.map_or_else(
                || "Not paid this way".to_owned(),
                |bp| format!("{}%", percent(bp)),
            ),
        ),
        (
            "Employer pension contribution",
            format!("{}%", percent(v.employer_pension)),
        ),
        (
            "Share workers may draw early",
            format!("{}%", v.advance_share),
        ),
        (
            "Timesheets escalated after",
            format!("{} hours", v.timesheet_escalate_after_hours),
        ),
        (
            "Timesheets approved as submitted after",
            v.timesheet_auto_approve_after_hours
                .map_or_else(|| "Never".to_owned(), |h| format!("{h} hours")),
        ),
        (
            "Sign-on grace",
            format!("{} minutes", v.sign_on_grace_minutes),
        ),
        ("Bank holidays paid", nation),
    ]
}

/// The page asking a payroll officer to confirm new settings, each change shown beside the
/// value it replaces; the form sends the same values again with `confirmed` set.
pub(super) fn confirm_page(
    who: &Principal,
    org: OrgId,
    form: &SettingsForm,
    current: &PaySettingsView,
    new: &PaySettingsView,
) -> Response {
    let changes: Vec<_> = described(current)
        .into_iter()
        .zip(described(new))
        .filter(|(old, new)| old.1 != new.1)
        .map(|((key, old), (_, new))| (key, old, new))
        .collect();
    page(
        "Check the new pay settings",
        Some(who),
        html! {
            h1 class="nhsuk-heading-xl" { "Check the new pay settings" }
            @if changes.is_empty() {
                p { "Nothing has changed." }
                p { a href=(format!("/manage/pay-settings?org={}", org.0)) { "Back to pay settings" } }
            } @else {
                p { "They change how the trust's pay is worked out from now on. Pay already approved keeps its amounts." }
                dl class="nhsuk-summary-list" {
                    @for (key, old, new) in &changes {
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { (key) }
                            dd class="nhsuk-summary-list__value" { strong { (new) } br; "Was: " (old) }
                        }
                    }
                }
                form method="post" action="/manage/pay-settings" {
                    input type="hidden" name="csrf" value=(who.session.csrf_token);
                    input type="hidden" name="org_id" value=(org.0);
                    input type="hidden" name="confirmed" value="yes";
                    input type="hidden" name="period_weeks" value=(form.period_weeks);
                    input type="hidden" name="nation" value=(form.nation);
                    @for (name, ..) in NUMBERS {
                        input type="hidden" name=(name) value=(form.text(name));
                    }
                    button type="submit" class="nhsuk-button" { "Save these pay settings" }
                }
                p { a href=(format!("/manage/pay-settings?org={}", org.0)) { "Change them again" } }
            }
        },
    )
}
