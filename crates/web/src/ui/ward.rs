//! The ward manager's page: escalations (someone other than the booked worker tried to sign on,
//! a booked worker has not, a timesheet has waited too long) and the timesheets to decide.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::sign_on::ResolveEscalation;
use staffbank_app::timesheets::DecideTimesheet;
use staffbank_app::Principal;
use uuid::Uuid;

use super::layout::{app_error_page, capitalise, error_summary, messages, page, when};
use super::pay_breakdown::pay_breakdown;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "not_booked_worker" => "Unfulfilled: not the booked worker",
        "no_show" => "Not signed on",
        _ => "Timesheet waiting",
    }
}

async fn ward_page(state: &AppState, who: &Principal, problems: Vec<String>) -> Response {
    let (escalations, timesheets, expected) = match (
        state.app.escalations(who).await,
        state.app.timesheets_to_review(who).await,
        state.app.expected_now(who).await,
    ) {
        (Ok(e), Ok(t), Ok(x)) => (e, t, x),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return app_error_page(e),
    };
    page(
        "Ward",
        Some(who),
        html! {
            (error_summary(&problems))
            h1 class="nhsuk-heading-xl" { "Timesheets and escalations" }
            h2 class="nhsuk-heading-l" { "Signing on now" }
            @if expected.is_empty() { p { "Nobody is expected on your wards in the next two hours." } }
            @for x in &expected {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-m" { (x.worker_name) }
                    p { (when(x.starts_at, x.ends_at)) }
                    @if let Some(on) = &x.signed_on {
                        p { "Signed on by " (on.method) " at " (on.signed_on_at.with_timezone(&staffbank_domain::shift::RULES_ZONE).format("%H:%M")) "." }
                        @if on.signed_off_at.is_none() {
                            form method="post" action=(format!("/manage/bookings/{}/sign-off", x.booking_id)) {
                                input type="hidden" name="csrf" value=(who.session.csrf_token);
                                button type="submit" class="nhsuk-button nhsuk-button--secondary" {
                                    "Sign off" span class="nhsuk-u-visually-hidden" { " " (x.worker_name) }
                                }
                            }
                        }
                    } @else {
                        form method="post" action=(format!("/manage/bookings/{}/sign-on-code", x.booking_id)) {
                            input type="hidden" name="csrf" value=(who.session.csrf_token);
                            button type="submit" class="nhsuk-button nhsuk-button--secondary" {
                                "Show sign-on code" span class="nhsuk-u-visually-hidden" { " for " (x.worker_name) }
                            }
                        }
                    }
                } }
            }
            h2 class="nhsuk-heading-l" { "Escalations" }
            @if escalations.is_empty() { p { "Nothing needs you." } }
            @for e in &escalations {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-s" { (kind_label(&e.kind)) }
                    p class="nhsuk-card__description" {
                        (e.detail) " (" (e.raised_at.with_timezone(&staffbank_domain::shift::RULES_ZONE).format("%-d %b %Y %H:%M")) ")"
                    }
                    @if let Some(note) = &e.resolution {
                        p { strong class="nhsuk-tag nhsuk-tag--green" { "Resolved" } " " (note) }
                    } @else {
                        form method="post" action=(format!("/manage/escalations/{}/resolution", e.id)) {
                            input type="hidden" name="csrf" value=(who.session.csrf_token);
                            div class="nhsuk-form-group" {
                                label class="nhsuk-label" for=(format!("resolve-{}", e.id)) { "What was done" }
                                input class="nhsuk-input" id=(format!("resolve-{}", e.id)) name="note" type="text";
                            }
                            button type="submit" class="nhsuk-button nhsuk-button--secondary" {
                                "Resolve" span class="nhsuk-u-visually-hidden" { " " (kind_label(&e.kind)) }
                            }
                        }
                    }
                } }
            }
            h2 class="nhsuk-heading-l" { "Timesheets to decide" }
            @if timesheets.is_empty() { p { "No timesheets are waiting." } }
            @for r in &timesheets {
                @let t = &r.timesheet;
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-m" { (r.worker_name) ", " (r.grade.label()) }
                    dl class="nhsuk-summary-list" {
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { "Shift" }
                            dd class="nhsuk-summary-list__value" { (r.role) ", " (r.ward) }
                        }
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { "Booked" }
                            dd class="nhsuk-summary-list__value" { (when(r.booked.0, r.booked.1)) }
                        }
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { "Claimed" }
                            dd class="nhsuk-summary-list__value" {
                                (when(t.start, t.end))
                                @if (t.start, t.end) == r.booked { " (as booked)" }
                            }
                        }
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { "Breaks" }
                            dd class="nhsuk-summary-list__value" {
                                @if t.breaks.is_empty() { "None claimed" }
                                @for (i, (from, to)) in t.breaks.iter().enumerate() {
                                    @if i > 0 { ", " } (when(*from, *to))
                                }
                            }
                        }
                        @if let Some(reason) = &t.overrun_reason {
                            div class="nhsuk-summary-list__row" {
                                dt class="nhsuk-summary-list__key" { "Why it overran" }
                                dd class="nhsuk-summary-list__value" { (reason) }
                            }
                        }
                    }
                    @match &r.pay {
                        Ok(line) => {
                            h4 class="nhsuk-heading-s" { "Approving pays " (line.total) }
                            details class="nhsuk-details" {
                                summary class="nhsuk-details__summary" {
                                    span class="nhsuk-details__summary-text" { "How " (line.total) " is worked out" }
                                }
                                div class="nhsuk-details__text" { (pay_breakdown(line)) }
                            }
                        }
                        Err(why) => {
                            div class="nhsuk-warning-callout" {
                                h4 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Cannot be paid as claimed" } }
                                p { (capitalise(why)) "." }
                            }
                        }
                    }
                    @for w in &t.warnings {
                        div class="nhsuk-warning-callout" {
                            h4 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Check" } }
                            p { (w) }
                        }
                    }
                    form method="post" action=(format!("/manage/timesheets/{}/decision", t.id)) {
                        input type="hidden" name="csrf" value=(who.session.csrf_token);
                        div class="nhsuk-form-group" {
                            label class="nhsuk-label" for=(format!("note-{}", t.id)) { "Note (needed to query or reject)" }
                            input class="nhsuk-input" id=(format!("note-{}", t.id)) name="note";
                        }
                        div class="nhsuk-button-group" {
                            button type="submit" name="decision" value="approve" class="nhsuk-button" {
                                "Approve and pay"
                                @if let Ok(line) = &r.pay { " " (line.total) }
                                span class="nhsuk-u-visually-hidden" { " to " (r.worker_name) }
                            }
                            button type="submit" name="decision" value="query" class="nhsuk-button nhsuk-button--secondary" { "Query" }
                            button type="submit" name="decision" value="reject" class="nhsuk-button nhsuk-button--warning" { "Reject" }
                        }
                    }
                } }
            }
        },
    )
}

/// `GET /manage/ward`.
pub async fn ward(State(state): State<AppState>, UiUser(who): UiUser) -> Response {
    ward_page(&state, &who, vec![]).await
}

/// A decision on a timesheet.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /manage/timesheets/{id}/decision`.
pub async fn decide(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = DecideTimesheet {
        decision: form.decision,
        note: form.note,
    };
    match state.app.decide_timesheet(&who, id, input).await {
        Ok(_) => Redirect::to("/manage/ward").into_response(),
        Err(e) => ward_page(&state, &who, messages(&e)).await,
    }
}

/// A note closing an escalation.
#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

/// `POST /manage/escalations/{id}/resolution`.
pub async fn resolve(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<ResolveForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = ResolveEscalation { note: form.note };
    match state.app.resolve_escalation(&who, id, input).await {
        Ok(_) => Redirect::to("/manage/ward").into_response(),
        Err(e) => ward_page(&state, &who, messages(&e)).await,
    }
}

/// The sign-on code form.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    card: String,
}

/// `POST /manage/bookings/{id}/sign-on-code`: the ward's screen shows a one-time code for the
/// booked worker's wallet, and takes their smartcard instead.
pub async fn sign_on_code(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<CodeForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let challenge = match state
        .app
        .sign_on_challenge(&who, staffbank_domain::BookingId(id))
        .await
    {
        Ok(c) => c,
        Err(e) => return ward_page(&state, &who, messages(&e)).await,
    };
    let qr = super::passport::qr_svg(&challenge.url).unwrap_or_default();
    page(
        "Sign on",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Sign on: " (challenge.worker_name) }
            p { (challenge.worker_name) " scans this code with their phone and signs with their passport. It works once, until "
                (challenge.expires_at.with_timezone(&staffbank_domain::shift::RULES_ZONE).format("%H:%M")) "." }
            figure class="nhsuk-u-margin-bottom-4" data-sign-on-url=(challenge.url) {
                (maud::PreEscaped(qr))
                figcaption class="nhsuk-body-s" { "Sign-on code for " (challenge.worker_name) }
            }
            h2 class="nhsuk-heading-m" { "Or read their smartcard" }
            form method="post" action=(format!("/manage/bookings/{id}/smartcard")) {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="card" { "Smartcard number (12 digits)" }
                    input class="nhsuk-input nhsuk-input--width-20" id="card" name="card" inputmode="numeric" autocomplete="off";
                }
                button type="submit" class="nhsuk-button" { "Sign on by smartcard" }
            }
            p { a href="/manage/ward" { "Back to the ward" } }
        },
    )
}

/// `POST /manage/bookings/{id}/smartcard`.
pub async fn smartcard(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<CodeForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = staffbank_app::sign_on::SmartcardSignOn { card: form.card };
    match state
        .app
        .smartcard_sign_on(&who, staffbank_domain::BookingId(id), input)
        .await
    {
        Ok(_) => Redirect::to("/manage/ward").into_response(),
        Err(e) => ward_page(&state, &who, messages(&e)).await,
    }
}

/// The worker's sign-on page's query: the challenge's nonce.
#[derive(Deserialize)]
pub struct SignOnQuery {
    #[serde(default)]
    nonce: String,
}

/// `GET /sign-on/{id}`: where the ward's code leads. The worker's wallet signs the challenge
/// with the key bound to their passport (in this browser).
pub async fn worker_sign_on(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    axum::extract::Query(query): axum::extract::Query<SignOnQuery>,
) -> Response {
    let held: Vec<Uuid> = match state.app.my_passport(&who).await {
        Ok(all) => all
            .iter()
            .filter(|c| c.state == "accepted")
            .map(|c| c.id)
            .collect(),
        Err(e) => return app_error_page(e),
    };
    let audience = format!("{}/sign-on/{id}", state.app.public_url());
    page(
        "Sign on",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Sign on to your shift" }
            @if held.is_empty() {
                p { "Signing on needs a credential in your passport. Ask the ward to read your smartcard instead." }
            } @else {
                p { "Your passport's key, kept in this browser, proves to the ward that you are the booked worker." }
                form method="post" action=(format!("/sign-on/{id}")) data-wallet="sign-on"
                    data-credentials=(serde_json::to_string(&held).unwrap_or_default())
                    data-nonce=(query.nonce) data-aud=(audience) {
                    input type="hidden" name="csrf" value=(who.session.csrf_token);
                    input type="hidden" name="proof" value="";
                    button type="submit" class="nhsuk-button" { "Sign on" }
                    p class="nhsuk-body-s" role="status" data-wallet-status {}
                }
                script src="/assets/app/wallet.js" defer {}
            }
        },
    )
}

/// The signed proof.
#[derive(Deserialize)]
pub struct ProofForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    proof: String,
}

/// `POST /sign-on/{id}`.
pub async fn prove(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<ProofForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = staffbank_app::sign_on::SignOnProof { proof: form.proof };
    match state.app.prove_sign_on(&who, id, input).await {
        Ok(on) => page(
            "Signed on",
            Some(&who),
            html! {
                div class="nhsuk-card nhsuk-card--confirmation" {
                    div class="nhsuk-card__content" {
                        h1 class="nhsuk-card__heading nhsuk-heading-l" { "You are signed on" }
                        p class="nhsuk-card__description" {
                            "At " (on.signed_on_at.with_timezone(&staffbank_domain::shift::RULES_ZONE).format("%H:%M")) ". The ward signs you off at the end of the shift, and your timesheet starts from the two times."
                        }
                    }
                }
            },
        ),
        Err(e) => page(
            "Sign on",
            Some(&who),
            html! {
                (error_summary(&messages(&e)))
                h1 class="nhsuk-heading-xl" { "You are not signed on" }
                p { "Ask the ward for a new code, or to read your smartcard." }
            },
        ),
    }
}

/// `POST /manage/bookings/{id}/sign-off`: the ward signs the worker off; the timesheet starts
/// from the sign-on and sign-off times.
pub async fn sign_off(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<CodeForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    match state
        .app
        .sign_off(&who, staffbank_domain::BookingId(id))
        .await
    {
        Ok(_) => Redirect::to("/manage/ward").into_response(),
        Err(e) => ward_page(&state, &who, messages(&e)).await,
    }
}
