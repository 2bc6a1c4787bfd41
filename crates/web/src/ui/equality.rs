//! A worker's equality page (`/equality`): why the bank asks, what is kept and who sees it, and
//! the voluntary declaration itself, given, changed or withdrawn (which deletes it) with a message
//! after each.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::equality::{EqualityInput, EqualityView};
use staffbank_app::{AppError, Principal};
use staffbank_domain::fairness::equality::QUESTIONS;
use staffbank_domain::shift::RULES_ZONE;

use super::layout::{app_error_page, error_summary, messages, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// `?saved=1` or `?withdrawn=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct EqualityQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
}

/// The declaration form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct EqualityForm {
    #[serde(default)]
    csrf: String,
    /// `yes` when ticked.
    #[serde(default)]
    consent: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    ethnic_group: String,
    #[serde(default)]
    disability: String,
    #[serde(default)]
    age_band: String,
}

impl EqualityForm {
    fn answer(&self, question: &str) -> &str {
        match question {
            "sex" => &self.sex,
            "ethnic_group" => &self.ethnic_group,
            "disability" => &self.disability,
            _ => &self.age_band,
        }
    }
}

/// The form only carries the CSRF token on withdrawal.
#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
}

/// `GET /equality`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<EqualityQuery>,
) -> Response {
    match state.app.my_equality(&who).await {
        Ok(view) => render(&who, &view, &query, None, &[]),
        Err(e) => app_error_page(e),
    }
}

fn answer_words(question: &str, answer: &str) -> &'static str {
    QUESTIONS
        .iter()
        .find(|q| q.name == question)
        .and_then(|q| q.answers.iter().find(|(name, _)| *name == answer))
        .map_or("", |(_, words)| words)
}

fn render(
    who: &Principal,
    view: &EqualityView,
    query: &EqualityQuery,
    typed: Option<&EqualityForm>,
    problems: &[String],
) -> Response {
    let current = |q: &str| -> String {
        match (typed, &view.declaration) {
            (Some(form), _) => form.answer(q).to_owned(),
            (None, Some(d)) => d
                .answers()
                .iter()
                .find(|(name, _)| *name == q)
                .map(|(_, a)| (*a).to_owned())
                .unwrap_or_default(),
            (None, None) => String::new(),
        }
    };
    page(
        "Equality monitoring",
        Some(who),
        html! {
            (error_summary(problems))
            @if query.saved.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Thank you. Your answers are saved and will be counted, in groups of 20 or more only, in the bank's fairness checks." }
                }
            }
            @if query.withdrawn.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Your consent is withdrawn and your answers are deleted. They will not be counted again." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Equality monitoring" }
            p class="nhsuk-lede-text" { "Answering is up to you. It changes nothing about the shifts you are shown, offered or can book." }
            h2 class="nhsuk-heading-m" { "Why we ask" }
            p { "Each bank checks that shifts, and the shifts most people want, are shared fairly between groups of staff. Your answers let it check this for sex, ethnic group, disability and age as well." }
            h2 class="nhsuk-heading-m" { "What is kept and who sees it" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                li { "Your four answers and the date you gave them, kept apart from your other details." }
                li { "Nobody at any trust sees your answers. The bank office and auditors see only totals for groups of 20 or more people." }
                li { "Your answers are never used to rank you or to decide which shifts you are offered." }
                li { "The audit record notes that you gave or withdrew consent, never what you answered." }
                li { "You can change your answers or withdraw at any time; withdrawing deletes them." }
            }
            @if let (Some(d), Some(at)) = (&view.declaration, view.consented_at) {
                h2 class="nhsuk-heading-m" { "Your answers" }
                dl class="nhsuk-summary-list" {
                    @for (q, a) in d.answers() {
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" {
                                (QUESTIONS.iter().find(|x| x.name == q).map_or(q, |x| x.label))
                            }
                            dd class="nhsuk-summary-list__value" { (answer_words(q, a)) }
                        }
                    }
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Given on" }
                        dd class="nhsuk-summary-list__value" {
                            (at.with_timezone(&RULES_ZONE).format("%a %-d %b %Y"))
                        }
                    }
                }
                form method="post" action="/equality/withdraw" {
                    input type="hidden" name="csrf" value=(who.session.csrf_token);
                    button type="submit" class="nhsuk-button nhsuk-button--warning" { "Withdraw consent and delete my answers" }
                }
            }
            h2 class="nhsuk-heading-m" {
                @if view.declared { "Change your answers" } @else { "Give your answers" }
            }
            form method="post" action="/equality" {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                @for q in QUESTIONS {
                    (question(q.name, q.label, q.answers, &current(q.name)))
                }
                div class="nhsuk-form-group" {
                    div class="nhsuk-checkboxes" {
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id="consent" name="consent" type="checkbox" value="yes";
                            label class="nhsuk-label nhsuk-checkboxes__label" for="consent" {
                                "I agree to these answers being used, in groups of 20 or more only, to check that shifts are shared fairly."
                            }
                        }
                    }
                }
                button type="submit" class="nhsuk-button" { "Save my answers" }
            }
        },
    )
}

fn question(
    name: &str,
    label: &str,
    answers: &[(&'static str, &'static str)],
    current: &str,
) -> Markup {
    html! {
        div class="nhsuk-form-group" {
            fieldset class="nhsuk-fieldset" {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (label) }
                div class="nhsuk-radios" {
                    @for (value, words) in answers {
                        @let id = format!("{name}-{value}");
                        div class="nhsuk-radios__item" {
                            input class="nhsuk-radios__input" id=(id) name=(name) type="radio" value=(value) checked[current == *value];
                            label class="nhsuk-label nhsuk-radios__label" for=(id) { (words) }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /equality`: give or change the declaration.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<EqualityForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = EqualityInput {
        consent: form.consent == "yes",
        sex: form.sex.clone(),
        ethnic_group: form.ethnic_group.clone(),
        disability: form.disability.clone(),
        age_band: form.age_band.clone(),
    };
    match state.app.declare_equality(&who, input).await {
        Ok(_) => Redirect::to("/equality?saved=1").into_response(),
        Err(e @ AppError::Validation(_)) => match state.app.my_equality(&who).await {
            Ok(view) => render(
                &who,
                &view,
                &EqualityQuery::default(),
                Some(&form),
                &messages(&e),
            ),
            Err(e) => app_error_page(e),
        },
        Err(e) => app_error_page(e),
    }
}

/// `POST /equality/withdraw`: withdraw consent, deleting the declaration.
pub async fn withdraw(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<WithdrawForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    match state.app.withdraw_equality(&who).await {
        Ok(()) | Err(AppError::NotFound) => Redirect::to("/equality?withdrawn=1").into_response(),
        Err(e) => app_error_page(e),
    }
}
