//! The ward manager's page: escalations (someone other than the booked worker tried to sign on,
//! a booked worker has not, a timesheet has waited too long) and the timesheets to decide.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::timesheets::DecideTimesheet;
use staffbank_app::Principal;
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page, when};
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
    let (escalations, timesheets) = match (
        state.app.escalations(who).await,
        state.app.timesheets_to_decide(who).await,
    ) {
        (Ok(e), Ok(t)) => (e, t),
        (Err(e), _) | (_, Err(e)) => return app_error_page(e),
    };
    page(
        "Ward",
        Some(who),
        html! {
            (error_summary(&problems))
            h1 class="nhsuk-heading-xl" { "Timesheets and escalations" }
            h2 class="nhsuk-heading-l" { "Escalations" }
            @if escalations.is_empty() { p { "Nothing needs you." } }
            @for e in &escalations {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-s" { (kind_label(&e.kind)) }
                    p class="nhsuk-card__description" {
                        (e.detail) " (" (e.raised_at.with_timezone(&staffbank_domain::shift::RULES_ZONE).format("%-d %b %Y %H:%M")) ")"
                    }
                } }
            }
            h2 class="nhsuk-heading-l" { "Timesheets to decide" }
            @if timesheets.is_empty() { p { "No timesheets are waiting." } }
            @for t in &timesheets {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading nhsuk-heading-m" { (when(t.start, t.end)) }
                    @if !t.breaks.is_empty() {
                        p { "Breaks: " @for (i, (from, to)) in t.breaks.iter().enumerate() {
                            @if i > 0 { ", " } (when(*from, *to))
                        } }
                    }
                    @if let Some(reason) = &t.overrun_reason { p { "Overran: " (reason) } }
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
                            button type="submit" name="decision" value="approve" class="nhsuk-button" { "Approve and pay" }
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
