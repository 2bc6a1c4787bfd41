//! The bank office's retention page: workers whose activity is falling, with the reasons in
//! words; a nudge to each (a message, or a block of shifts offered), checked on a confirmation
//! page before it is sent; and how past nudges turned out.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::retention::{NudgeChoices, NudgeList, RetentionList, SendNudge};
use staffbank_app::{AppError, Principal};
use staffbank_domain::{OrgId, WorkerId};
use uuid::Uuid;

use super::layout::{app_error_page, moment, page, when};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// `?sent=` after a nudge.
#[derive(Deserialize)]
pub struct RetentionQuery {
    sent: Option<String>,
}

/// `?org=&worker=` on the nudge form.
#[derive(Deserialize)]
pub struct NudgeQuery {
    org: Uuid,
    worker: Uuid,
}

fn head(cols: &[&str]) -> Markup {
    html! {
        thead role="rowgroup" class="nhsuk-table__head" { tr role="row" {
            @for c in cols { th role="columnheader" scope="col" { (c) } }
        } }
    }
}

fn cell(heading: &str, content: Markup) -> Markup {
    html! {
        td role="cell" class="nhsuk-table__cell" {
            span class="nhsuk-table-responsive__heading" aria-hidden="true" { (heading) " " }
            (content)
        }
    }
}

fn flagged(org: OrgId, list: &RetentionList) -> Markup {
    html! {
        @if list.workers.is_empty() {
            p { "Nobody's activity is falling at the moment." }
        } @else {
            table class="nhsuk-table-responsive" {
                caption class="nhsuk-table__caption" { "Workers whose activity is falling" }
                (head(&["Worker", "Why", "Last booked", "Last nudged", "Action"]))
                tbody class="nhsuk-table__body" {
                    @for w in &list.workers {
                        tr role="row" class="nhsuk-table__row" {
                            (cell("Worker", html! { (w.worker_name) }))
                            (cell("Why", html! {
                                @for s in &w.signals { (s.reason) br; }
                            }))
                            (cell("Last booked", html! {
                                @match w.last_booked_at { Some(at) => (moment(at)), None => "Not recently" }
                            }))
                            (cell("Last nudged", html! {
                                @match w.last_nudged_at { Some(at) => (moment(at)), None => "Never" }
                            }))
                            (cell("Action", html! {
                                a href=(format!("/manage/retention/nudge?org={}&worker={}", org.0, w.worker_id)) {
                                    "Nudge" span class="nhsuk-u-visually-hidden" { " " (w.worker_name) }
                                }
                            }))
                        }
                    }
                }
            }
        }
    }
}

fn outcomes(list: &NudgeList) -> Markup {
    html! {
        h3 class="nhsuk-heading-m" { "Nudges and what became of them" }
        p {
            "A nudge works when the worker books again within " (list.window_days) " days. "
            @match list.rate_percent {
                Some(rate) => { "So far " strong { (format!("{rate:.0}%")) } " of nudges worked (" (list.booked_again) " of " (list.booked_again + list.no_booking) "); " (list.waiting) " still waiting." }
                None => { "None has been decided yet; " (list.waiting) " waiting." }
            }
        }
        @if !list.nudges.is_empty() {
            table class="nhsuk-table-responsive" {
                caption class="nhsuk-table__caption" { "Nudges sent, newest first" }
                (head(&["Worker", "Sent", "What", "Outcome"]))
                tbody class="nhsuk-table__body" {
                    @for n in &list.nudges {
                        tr role="row" class="nhsuk-table__row" {
                            (cell("Worker", html! { (n.worker_name) }))
                            (cell("Sent", html! { (moment(n.sent_at)) }))
                            (cell("What", html! {
                                @if n.kind == "shifts" { (n.shift_ids.len()) " shifts offered" }
                                @else { "Message: " (n.message.clone().unwrap_or_default()) }
                            }))
                            (cell("Outcome", html! { (n.outcome_label) }))
                        }
                    }
                }
            }
        }
    }
}

/// `GET /manage/retention`: a section for each trust the user runs the bank office of.
pub async fn retention(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(q): Query<RetentionQuery>,
) -> Response {
    let mut orgs = who.booker_orgs();
    orgs.sort_by_key(|o| o.0);
    orgs.dedup();
    if orgs.is_empty() {
        return app_error_page(AppError::Forbidden);
    }
    let sent = q.sent.as_deref().and_then(|s| Uuid::parse_str(s).ok());
    let mut sent_to = None;
    let mut sections = Vec::new();
    for org in orgs {
        let list = match state.app.retention(&who, org).await {
            Ok(l) => l,
            Err(e) => return app_error_page(e),
        };
        let nudges = match state.app.nudges(&who, org).await {
            Ok(l) => l,
            Err(e) => return app_error_page(e),
        };
        let name = match state.app.organisation_name(org).await {
            Ok(n) => n,
            Err(e) => return app_error_page(e),
        };
        if let Some(n) = nudges.nudges.iter().find(|n| Some(n.id) == sent) {
            sent_to = Some(n.worker_name.clone());
        }
        sections.push(html! {
            h2 class="nhsuk-heading-l" { (name) }
            (flagged(org, &list))
            (outcomes(&nudges))
        });
    }
    page(
        "Retention",
        Some(&who),
        html! {
            @if let Some(name) = &sent_to {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Nudge sent to " (name) ". You will see here whether they book again." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Retention" }
            p { "Workers are listed when they have declined or ignored every shift offered for three weeks running, or when they booked in at least 4 of 8 weeks and then nothing for 3 weeks." }
            @for s in &sections { (s) }
        },
    )
}

/// The nudge form's fields, as submitted (shift boxes repeat, so the pairs are kept).
struct NudgeForm {
    csrf: String,
    org: String,
    worker: String,
    kind: String,
    message: String,
    shift_ids: Vec<String>,
    confirmed: bool,
}

impl NudgeForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = NudgeForm {
            csrf: String::new(),
            org: String::new(),
            worker: String::new(),
            kind: String::new(),
            message: String::new(),
            shift_ids: vec![],
            confirmed: false,
        };
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => form.csrf = value,
                "org" => form.org = value,
                "worker" => form.worker = value,
                "kind" => form.kind = value,
                "message" => form.message = value,
                "shift_ids" => form.shift_ids.push(value),
                "confirmed" => form.confirmed = value == "yes",
                _ => {}
            }
        }
        form
    }
}

fn form_page(
    who: &Principal,
    org: OrgId,
    choices: &NudgeChoices,
    form: Option<&NudgeForm>,
    problem: Option<String>,
) -> Response {
    let kind = form.map_or("message", |f| f.kind.as_str());
    let message = form.map(|f| f.message.clone()).unwrap_or_default();
    let picked = |id: &Uuid| form.is_some_and(|f| f.shift_ids.contains(&id.to_string()));
    page(
        "Nudge a worker",
        Some(who),
        html! {
            @if let Some(problem) = &problem {
                div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                    h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                    div class="nhsuk-error-summary__body" { p { (problem) } }
                }
            }
            h1 class="nhsuk-heading-xl" { "Nudge " (choices.worker_name) }
            form method="post" action="/manage/retention/nudge" novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="org" value=(org.0);
                input type="hidden" name="worker" value=(choices.worker_id);
                div class="nhsuk-form-group" {
                    fieldset class="nhsuk-fieldset" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "How do you want to nudge them?" }
                        div class="nhsuk-radios" {
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id="kind-message" name="kind" type="radio" value="message" checked[kind != "shifts"];
                                label class="nhsuk-label nhsuk-radios__label" for="kind-message" { "Send a message" }
                            }
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id="kind-shifts" name="kind" type="radio" value="shifts" checked[kind == "shifts"];
                                label class="nhsuk-label nhsuk-radios__label" for="kind-shifts" { "Offer a guaranteed block of shifts" }
                            }
                        }
                    }
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="message" { "Message (if sending one)" }
                    textarea class="nhsuk-textarea" id="message" name="message" rows="4" { (message) }
                }
                div class="nhsuk-form-group" {
                    fieldset class="nhsuk-fieldset" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Shifts to offer (if offering a block)" }
                        @if choices.shifts.is_empty() {
                            p { "There are no open shifts in the next four weeks they may book now." }
                        } @else {
                            div class="nhsuk-checkboxes" {
                                @for (i, s) in choices.shifts.iter().enumerate() {
                                    div class="nhsuk-checkboxes__item" {
                                        input class="nhsuk-checkboxes__input" id=(format!("shift-{i}")) name="shift_ids" type="checkbox" value=(s.id) checked[picked(&s.id)];
                                        label class="nhsuk-label nhsuk-checkboxes__label" for=(format!("shift-{i}")) {
                                            (s.role) ", " (s.ward_name) ", " (when(s.starts_at, s.ends_at))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                button type="submit" class="nhsuk-button" { "Continue" }
            }
            p { a href="/manage/retention" { "Back to retention" } }
        },
    )
}

fn confirm_page(who: &Principal, choices: &NudgeChoices, form: &NudgeForm) -> Response {
    let shifts: Vec<_> = choices
        .shifts
        .iter()
        .filter(|s| form.shift_ids.contains(&s.id.to_string()))
        .collect();
    page(
        "Check the nudge",
        Some(who),
        html! {
            h1 class="nhsuk-heading-xl" { "Check the nudge before sending it" }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "To" }
                    dd class="nhsuk-summary-list__value" { (choices.worker_name) }
                }
                @if form.kind == "shifts" {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Shifts offered" }
                        dd class="nhsuk-summary-list__value" {
                            @for s in &shifts { (s.role) ", " (s.ward_name) ", " (when(s.starts_at, s.ends_at)) br; }
                        }
                    }
                } @else {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Message" }
                        dd class="nhsuk-summary-list__value" { (form.message.trim()) }
                    }
                }
            }
            p { "They will hear by their chosen notifications. Whether they book again in the next 14 days is shown on the retention page." }
            form method="post" action="/manage/retention/nudge" {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="org" value=(form.org);
                input type="hidden" name="worker" value=(form.worker);
                input type="hidden" name="kind" value=(form.kind);
                input type="hidden" name="message" value=(form.message);
                @for id in &form.shift_ids { input type="hidden" name="shift_ids" value=(id); }
                input type="hidden" name="confirmed" value="yes";
                button type="submit" class="nhsuk-button" { "Send the nudge" }
            }
            p { a href=(format!("/manage/retention/nudge?org={}&worker={}", form.org, form.worker)) { "Change it" } }
        },
    )
}

/// `GET /manage/retention/nudge?org=&worker=`: the nudge form.
pub async fn nudge_form(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(q): Query<NudgeQuery>,
) -> Response {
    let org = OrgId(q.org);
    match state.app.nudge_choices(&who, org, WorkerId(q.worker)).await {
        Ok(choices) => form_page(&who, org, &choices, None, None),
        Err(e) => app_error_page(e),
    }
}

/// `POST /manage/retention/nudge`: checks the nudge, asks for confirmation, then sends it.
pub async fn nudge(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = NudgeForm::from_pairs(pairs);
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let (Ok(org), Ok(worker)) = (Uuid::parse_str(&form.org), Uuid::parse_str(&form.worker)) else {
        return app_error_page(AppError::NotFound);
    };
    let org = OrgId(org);
    let choices = match state.app.nudge_choices(&who, org, WorkerId(worker)).await {
        Ok(c) => c,
        Err(e) => return app_error_page(e),
    };
    let problem = match form.kind.as_str() {
        "shifts" if form.shift_ids.is_empty() => Some("Choose at least one shift to offer"),
        "message" if form.message.trim().is_empty() => Some("Enter the message to send"),
        "shifts" | "message" => None,
        _ => Some("Choose how to nudge them"),
    };
    if let Some(problem) = problem {
        return form_page(&who, org, &choices, Some(&form), Some(problem.to_owned()));
    }
    if !form.confirmed {
        return confirm_page(&who, &choices, &form);
    }
    let input = SendNudge {
        worker_id: worker,
        kind: form.kind.clone(),
        shift_ids: form
            .shift_ids
            .iter()
            .filter_map(|s| Uuid::parse_str(s).ok())
            .collect(),
        message: (form.kind == "message").then(|| form.message.clone()),
    };
    match state.app.send_nudge(&who, org, input).await {
        Ok(sent) => Redirect::to(&format!("/manage/retention?sent={}", sent.id)).into_response(),
        Err(AppError::Validation(fields)) => {
            let said: Vec<String> = fields
                .iter()
                .map(|f| format!("{} {}", f.field.replace('_', " "), f.message))
                .collect();
            form_page(&who, org, &choices, Some(&form), Some(said.join("; ")))
        }
        Err(AppError::Conflict(_, said)) => form_page(&who, org, &choices, Some(&form), Some(said)),
        Err(e) => app_error_page(e),
    }
}
