//! Registering as a bank worker in the browser, and confirming the account with the emailed
//! link. The page after registering says the same thing whether or not the address already had
//! an account ("check your email"), and the link opens a page whose button confirms, so a mail
//! program that fetches links to scan them does not use up the single-use link.

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::confirmation::{ConfirmAccount, CONFIRM_PATH};
use staffbank_app::workers::RegisterWorker;
use staffbank_app::AppError;
use staffbank_domain::grade::{AFC_BANDS, MEDICAL_GRADES};
use staffbank_domain::StaffGroup;

use super::booker::select;
use super::layout::{app_error_page, error_summary, messages, page, text_input};
use super::worker::grade;
use crate::AppState;

/// The registration form, as submitted.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    staff_group: String,
    #[serde(default)]
    grade: String,
}

fn register_form(form: &RegisterForm, errors: &[String]) -> Markup {
    let groups: Vec<(String, String)> = StaffGroup::ALL
        .iter()
        .map(|g| (g.as_str().to_owned(), g.label().to_owned()))
        .collect();
    let grades: Vec<(String, String)> = AFC_BANDS
        .iter()
        .chain(MEDICAL_GRADES.iter())
        .map(|g| ((*g).to_owned(), grade(g)))
        .collect();
    html! {
        (error_summary(errors))
        h1 class="nhsuk-heading-xl" { "Register as a bank worker" }
        p { "After you register we will email you a link. Use it to confirm your email address, then sign in." }
        form method="post" action="/register" novalidate {
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="email" { "Email address" }
                input class="nhsuk-input" id="email" name="email" type="email" autocomplete="email"
                    spellcheck="false" value=(form.email);
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="password" { "Password (at least 10 characters)" }
                input class="nhsuk-input" id="password" name="password" type="password" autocomplete="new-password";
            }
            (text_input("display_name", "Your name, as bookers will see it", "text", &form.display_name))
            (select("staff_group", "Staff group", &groups, &form.staff_group))
            (select("grade", "Grade", &grades, &form.grade))
            button type="submit" class="nhsuk-button" { "Register" }
        }
        p { "Already registered? " a href="/sign-in" { "Sign in" } "." }
    }
}

/// `GET /register`.
pub async fn register_page() -> Response {
    page(
        "Register",
        None,
        register_form(&RegisterForm::default(), &[]),
    )
}

/// `POST /register`: "check your email", whether or not the address already had an account.
pub async fn register(State(state): State<AppState>, Form(form): Form<RegisterForm>) -> Response {
    let input = RegisterWorker {
        email: form.email.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
        staff_group: form.staff_group.clone(),
        grade: form.grade.clone(),
        pay_point: 1,
        skills: vec![],
        home_lat: None,
        home_lon: None,
    };
    match state.app.register_worker(input).await {
        Ok(_) => page(
            "Check your email",
            None,
            html! {
                h1 class="nhsuk-heading-xl" { "Check your email" }
                p { "We have sent an email to " strong { (form.email.trim()) } "." }
                p { "Open the link in it to confirm your email address. The link works once, for 24 hours. You can sign in once your email address is confirmed." }
                p { "If no email arrives within a few minutes, check your junk folder." }
            },
        ),
        Err(e @ AppError::Validation(_)) => {
            let mut response = page("Register", None, register_form(&form, &messages(&e)));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(e) => app_error_page(e),
    }
}

/// The token of a confirmation link.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

/// `GET /confirm-email?token=…`: the page the emailed link opens, with the button that confirms.
pub async fn confirm_page(Query(query): Query<TokenForm>) -> Response {
    page(
        "Confirm your email address",
        None,
        html! {
            h1 class="nhsuk-heading-xl" { "Confirm your email address" }
            p { "Confirm this is your email address to finish registering." }
            form method="post" action=(CONFIRM_PATH) novalidate {
                input type="hidden" name="token" value=(query.token);
                button type="submit" class="nhsuk-button" { "Confirm my email address" }
            }
        },
    )
}

/// `POST /confirm-email`: the account is ready, or the link does not work.
pub async fn confirm(State(state): State<AppState>, Form(form): Form<TokenForm>) -> Response {
    match state
        .app
        .confirm_account(ConfirmAccount { token: form.token })
        .await
    {
        Ok(()) => page(
            "Your account is ready",
            None,
            html! {
                h1 class="nhsuk-heading-xl" { "Your account is ready" }
                p { "Your email address is confirmed. You can now sign in and join a bank." }
                a class="nhsuk-button" href="/sign-in" { "Sign in" }
            },
        ),
        Err(AppError::Validation(_)) => {
            let mut response = page(
                "This link does not work",
                None,
                html! {
                    h1 class="nhsuk-heading-xl" { "This link does not work" }
                    p { "It may have been used already, or it may have expired: each link works once, for 24 hours." }
                    p { "If your email address is already confirmed, " a href="/sign-in" { "sign in" } ". If not, " a href="/register" { "register again" } " to get a new link." }
                },
            );
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
        Err(e) => app_error_page(e),
    }
}
