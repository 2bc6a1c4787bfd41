//! Cancelling a booking from the browser: a booker cancelling inside the notice period is shown
//! what the trust will pay and asked to confirm first; both sides see a message afterwards.

use maud::{html, Markup};
use staffbank_app::cancellation_cost::CancellationCost;
use staffbank_app::Principal;
use uuid::Uuid;

use super::layout::{page, when};
use axum::response::Response;

/// The page asking a booker to confirm a late cancellation that the trust pays for. The form
/// sends the same reason again with `confirmed` set.
pub fn confirm_page(
    who: &Principal,
    booking: Uuid,
    reason: &str,
    cost: &CancellationCost,
) -> Response {
    page(
        "Confirm a late cancellation",
        Some(who),
        html! {
            h1 class="nhsuk-heading-xl" { "Cancel " (cost.worker_name) "'s booking?" }
            p class="nhsuk-lede-text" { (when(cost.shift.0, cost.shift.1)) }
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "This costs the trust" } }
                p {
                    "The shift starts within its " (cost.notice_hours) "-hour cancellation notice, so this cancellation is late and the trust pays "
                    (cost.worker_name) " for the whole shift"
                    @match cost.payment { Some(amount) => { ": " strong { (amount) } "." } None => { ". The amount is worked out by the bank office, as the rate card has no rate for their grade." } }
                }
            }
            p { "Reason given: " (reason) }
            form method="post" action=(format!("/manage/bookings/{booking}/cancel")) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="reason" value=(reason);
                input type="hidden" name="confirmed" value="yes";
                div class="nhsuk-button-group" {
                    button type="submit" class="nhsuk-button nhsuk-button--warning" { "Cancel the booking and pay" }
                }
            }
            p { a href=(format!("/manage/shifts/{}", cost.shift_id.0)) { "Keep the booking" } }
        },
    )
}

/// The message a booker sees on the shift's page after cancelling a booking.
pub fn cancelled_notice(late_paid: bool) -> Markup {
    html! {
        div class="nhsuk-inset-text" role="status" {
            span class="nhsuk-u-visually-hidden" { "Information: " }
            p {
                "The booking is cancelled and the place is open again."
                @if late_paid { " The cancellation was late: the worker's payment for the shift goes into the next pay run." }
            }
        }
    }
}
