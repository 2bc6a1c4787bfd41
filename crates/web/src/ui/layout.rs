//! The page frame every UI page shares, and error pages.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{html, Markup, DOCTYPE};
use staffbank_app::{AppError, Principal};
use staffbank_domain::shift::RULES_ZONE;

/// A whole page: NHS.UK header, the signed-in user's navigation, main content, footer.
pub fn page(title: &str, who: Option<&Principal>, content: Markup) -> Response {
    Html(frame(title, who, content).into_string()).into_response()
}

fn frame(title: &str, who: Option<&Principal>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Staffbank" }
                link rel="stylesheet" href="/assets/nhsuk/nhsuk-frontend.min.css";
                link rel="stylesheet" href="/assets/app/staffbank.css";
                link rel="icon" href="/favicon.ico" sizes="48x48";
                link rel="icon" href="/assets/nhsuk/assets/images/favicon.svg" type="image/svg+xml";
                link rel="apple-touch-icon" href="/assets/nhsuk/assets/images/nhsuk-icon-180.png";
            }
            body {
                a class="nhsuk-skip-link" href="#maincontent" { "Skip to main content" }
                header class="nhsuk-header" role="banner" {
                    div class="nhsuk-header__container nhsuk-width-container" {
                        div class="nhsuk-header__service" {
                            a class="nhsuk-header__service-logo" href="/" {
                                span class="nhsuk-header__service-name" { "Staffbank" }
                            }
                        }
                    }
                }
                div class="nhsuk-width-container" {
                    @if let Some(who) = who {
                        nav aria-label="Your pages" class="nhsuk-u-padding-top-3" {
                            details class="nhsuk-details app-nav__menu nhsuk-u-margin-bottom-2" {
                                summary class="nhsuk-details__summary" {
                                    span class="nhsuk-details__summary-text" { "Menu" }
                                }
                                div class="nhsuk-details__text" {
                                    ul class="nhsuk-list" { (nav_links(who)) }
                                }
                            }
                            ul class="app-nav__bar" { (nav_links(who)) }
                            form method="post" action="/sign-out" {
                                input type="hidden" name="csrf" value=(who.session.csrf_token);
                                p class="nhsuk-body-s nhsuk-u-margin-bottom-0" {
                                    "Signed in as " (who.user.display_name) " "
                                    button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0" { "Sign out" }
                                }
                            }
                        }
                    }
                    main class="nhsuk-main-wrapper" id="maincontent" role="main" {
                        (content)
                    }
                }
                footer role="contentinfo" class="nhsuk-footer" {
                    div class="nhsuk-width-container" {
                        p class="nhsuk-body-s" { "Staffbank: NHS bank shifts, booked safely." }
                    }
                }
            }
        }
    }
}

/// The pages the signed-in user's roles give them, as list items (shown as a row on wide
/// screens and inside the "Menu" disclosure on phones).
fn nav_links(who: &Principal) -> Markup {
    html! {
        @if who.worker.is_some() {
            li { a href="/shifts" { "Shifts for me" } }
            li { a href="/bookings" { "My bookings" } }
            li { a href="/requests" { "My requests" } }
            li { a href="/passport" { "My passport" } }
            li { a href="/pay" { "My pay" } }
            li { a href="/preferences" { "Preferences" } }
            li { a href="/notifications" { "Notifications" } }
            li { a href="/equality" { "Equality monitoring" } }
        }
        @if who.has_role(staffbank_domain::role::Role::WardManager) {
            li { a href="/manage/ward" { "Ward: timesheets and escalations" } }
            @if who.worker.is_none() {
                li { a href="/notifications" { "Notifications" } }
            }
        }
        @if who.has_role(staffbank_domain::role::Role::PayrollOfficer) {
            li { a href="/manage/pay-runs" { "Pay runs" } }
            li { a href="/manage/pay-settings" { "Pay settings" } }
            li { a href="/manage/pay-points" { "Pay points" } }
        }
        @if who.has_role(staffbank_domain::role::Role::ComplianceOfficer) {
            li { a href="/manage/workers" { "Find a worker" } }
            li { a href="/manage/passport" { "Verify a passport" } }
            li { a href="/manage/credentials/import" { "Import credentials" } }
        }
        @if who.has_role(staffbank_domain::role::Role::CredentialIssuer) {
            li { a href="/issue" { "Issue credentials" } }
        }
        @if who.is_booker() {
            li { a href="/manage/shifts" { "Trust shifts" } }
            li { a href="/manage/shifts/new" { "Post a shift" } }
            li { a href="/manage/shifts/post" { "Post several shifts" } }
            li { a href="/manage/approvals" { "Approvals" } }
            li { a href="/manage/wards" { "Wards" } }
        }
        @if !who.booker_orgs().is_empty() {
            li { a href="/manage/release-policy" { "Release policy" } }
            li { a href="/manage/agency-spend" { "Agency spend" } }
            li { a href="/manage/tiers" { "Priority tiers" } }
            li { a href="/manage/undelivered" { "Undelivered messages" } }
            li { a href="/manage/webhooks" { "Webhooks" } }
            li { a href="/manage/workers/import" { "Import workers" } }
            li { a href="/manage/forecasts" { "Forecasts" } }
            li { a href="/manage/retention" { "Retention" } }
        }
        @if !who.booker_orgs().is_empty() || !who.orgs_as(staffbank_domain::role::Role::Auditor).is_empty() {
            li { a href="/manage/report" { "Cancellations and agency" } }
            li { a href="/manage/fairness" { "Fairness" } }
            li { a href="/manage/insight" { "Insight" } }
        }
        @if who.is_platform_admin() && who.booker_orgs().is_empty() && who.orgs_as(staffbank_domain::role::Role::Auditor).is_empty() {
            li { a href="/manage/insight?platform=1" { "Insight" } }
        }
        @if who.has_role(staffbank_domain::role::Role::Auditor) || who.is_platform_admin() {
            li { a href="/ledger" { "Audit ledger" } }
        }
        @if who.is_platform_admin() {
            li { a href="/manage/sign-in-providers" { "Sign-in providers" } }
            li { a href="/manage/refresher-periods" { "Training refresher periods" } }
        }
        li { a href="/my-record" { "My record" } }
    }
}

/// An error page with a status.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = frame(
        title,
        None,
        html! {
            h1 class="nhsuk-heading-xl" { (title) }
            p { (message) }
            p { a href="/" { "Go to your start page" } }
        },
    );
    (status, Html(body.into_string())).into_response()
}

/// The page for an app error that the page itself cannot show inline.
pub fn app_error_page(error: AppError) -> Response {
    match error {
        AppError::Unauthenticated => axum::response::Redirect::to("/sign-in").into_response(),
        AppError::NotFound => error_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "Check the address and try again.",
        ),
        AppError::Forbidden => error_page(
            StatusCode::FORBIDDEN,
            "Not available",
            "Your role does not allow this.",
        ),
        AppError::Unavailable(e) => {
            tracing::warn!(error = ?e, "database unavailable");
            let mut page = error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, the service is unavailable for a moment",
                "Wait a few seconds and try again.",
            );
            page.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(crate::problem::RETRY_UNAVAILABLE_SECONDS),
            );
            page
        }
        AppError::Unexpected(e) => {
            tracing::error!(error = ?e, "unexpected error");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
                "Try again later.",
            )
        }
        other => error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "There is a problem",
            &other.to_string(),
        ),
    }
}

/// An error summary box listing messages, as the NHS.UK design system asks for.
pub fn error_summary(messages: &[String]) -> Markup {
    html! {
        @if !messages.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for m in messages { li { (m) } }
                    }
                }
            }
        }
    }
}

/// The messages of an app error, for an error summary.
pub fn messages(error: &AppError) -> Vec<String> {
    match error {
        AppError::Validation(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", field_name(&f.field), f.message))
            .collect(),
        AppError::Ineligible(reasons) => {
            reasons.iter().map(|r| capitalise(&r.to_string())).collect()
        }
        other => vec![capitalise(&other.to_string())],
    }
}

/// A field's path as a person reads it: `shifts[2].ends_at` is "Ends at (row 3)".
pub(crate) fn field_name(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let (name, index) = match last.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (last, None),
    };
    let row = path
        .split('.')
        .find_map(|part| {
            part.split_once('[')
                .and_then(|(_, i)| i.trim_end_matches(']').parse::<usize>().ok())
        })
        .or(index);
    let words = capitalise(&name.replace('_', " "));
    match row {
        Some(i) => format!("{words} (row {})", i + 1),
        None => words,
    }
}

/// `text` with its first letter in upper case.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// A moment on the UK wall clock, e.g. "Tue 8 Dec 2026, 07:30".
pub fn moment(at: DateTime<Utc>) -> String {
    at.with_timezone(&RULES_ZONE)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// A shift's time on the UK wall clock, e.g. "Mon 1 Jun 2026, 07:30 to 19:30".
pub fn when(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let s = start.with_timezone(&RULES_ZONE);
    let e = end.with_timezone(&RULES_ZONE);
    let end_day = if s.date_naive() == e.date_naive() {
        String::new()
    } else {
        e.format(" %a %-d %b").to_string()
    };
    format!(
        "{}, {} to{} {}",
        s.format("%a %-d %b %Y"),
        s.format("%H:%M"),
        end_day,
        e.format("%H:%M")
    )
}

/// A labelled input in an NHS.UK form group.
pub fn text_input(id: &str, label: &str, kind: &str, value: &str) -> Markup {
    html! {
        div class="nhsuk-form-group" {
            label class="nhsuk-label" for=(id) { (label) }
            input class="nhsuk-input" id=(id) name=(id) type=(kind) value=(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field_name;

    #[test]
    fn field_paths_read_as_words() {
        assert_eq!(field_name("reason"), "Reason");
        assert_eq!(field_name("max_travel_km"), "Max travel km");
        assert_eq!(field_name("shifts[2].ends_at"), "Ends at (row 3)");
        assert_eq!(field_name("shifts[0]"), "Shifts (row 1)");
    }
}
