//! Finding a worker and reading their whole compliance picture, for a trust's compliance officer
//! (under `/manage/workers`) and an issuing body's credential issuer (under `/issue/workers`).

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::compliance::{ComplianceView, FoundWorkerView, PassportEntry, RequirementView};
use staffbank_app::{AppError, Principal};
use staffbank_domain::credential::CredentialKind;
use staffbank_domain::role::Role;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::WorkerId;
use uuid::Uuid;

use super::claims::claims_list;
use super::layout::{app_error_page, page};
use super::UiUser;
use crate::extract::ApiPath;
use crate::AppState;

/// Where a person's worker pages live: a compliance officer's under `/manage`, an issuer's under
/// `/issue`.
pub fn desk(who: &Principal) -> &'static str {
    if who.has_role(Role::ComplianceOfficer) {
        "/manage"
    } else {
        "/issue"
    }
}

/// A date in words, e.g. "31 March 2027".
pub fn day(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// How far off a day is, in words: "in 3 months", "tomorrow", "2 days ago".
pub fn from_now(date: NaiveDate, today: NaiveDate) -> String {
    let days = (date - today).num_days();
    let unit = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let span = |n: i64| match n {
        0..=59 => unit(n, "day"),
        60..=729 => unit(n / 30, "month"),
        _ => unit(n / 365, "year"),
    };
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        d if d > 0 => format!("in {}", span(d)),
        d => format!("{} ago", span(-d)),
    }
}

/// An instant's UK day in words with how far off it is: "31 March 2027 (in 3 months)".
pub fn expiry(at: DateTime<Utc>) -> String {
    let date = at.with_timezone(&RULES_ZONE);
    // a credential valid through a day ends at the start of the next: show the last day held
    let last = if date.time() == chrono::NaiveTime::MIN {
        date.date_naive().pred_opt().unwrap_or(date.date_naive())
    } else {
        date.date_naive()
    };
    let today = Utc::now().with_timezone(&RULES_ZONE).date_naive();
    format!("{} ({})", day(last), from_now(last, today))
}

/// A search form: what was asked, and its error if any.
pub fn search_form(action: &str, q: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = error {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" { li { a href="#q" { (message) } } }
                }
            }
        }
        form method="get" action=(action) novalidate {
            div class={ "nhsuk-form-group" @if error.is_some() { " nhsuk-form-group--error" } } {
                label class="nhsuk-label nhsuk-label--s" for="q" { "Name, email address or registration number" }
                div class="nhsuk-hint" id="q-hint" { "Part of a name or email address is enough, in any case. For a registration number, give its start, like 71A29." }
                @if let Some(message) = error {
                    span class="nhsuk-error-message" id="q-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (message) }
                }
                input class={ "nhsuk-input" @if error.is_some() { " nhsuk-input--error" } } id="q" name="q" type="search"
                    spellcheck="false" autocomplete="off" value=(q)
                    aria-describedby={ "q-hint" @if error.is_some() { " q-error" } };
            }
            button type="submit" class="nhsuk-button" { "Search" }
        }
    }
}

/// The workers a search found, each linking to their page.
pub fn results(base: &str, q: &str, found: &[FoundWorkerView]) -> Markup {
    html! {
        h2 class="nhsuk-heading-m" role="status" {
            @match found.len() { 0 => { "No workers match “" (q) "”" } 1 => { "1 worker matches" } n => { (n) " workers match" } }
        }
        @if found.len() as u32 >= staffbank_app::compliance::SEARCH_LIMIT {
            p { "Only the first " (found.len()) " are shown: add more of the name to narrow the search." }
        }
        @if !found.is_empty() {
            ul class="nhsuk-list nhsuk-list--border" {
                @for w in found {
                    li {
                        a href=(format!("{base}/workers/{}", w.id)) { (w.name) }
                        br;
                        span class="nhsuk-body-s" { (w.email) " · " (w.staff_group) ", " (w.grade) }
                    }
                }
            }
        }
    }
}

/// The `q` of a search page.
#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: Option<String>,
}

impl SearchQuery {
    /// What was searched for, if anything.
    pub fn q(&self) -> Option<&str> {
        self.q.as_deref()
    }
}

/// The search and its results (or its error) for a page.
pub async fn search_section(
    state: &AppState,
    who: &Principal,
    action: &str,
    q: Option<&str>,
) -> Result<Markup, AppError> {
    let base = desk(who);
    Ok(match q {
        None => search_form(action, "", None),
        Some(q) => match state.app.find_workers(who, q).await {
            Ok(found) => html! { (search_form(action, q, None)) (results(base, q.trim(), &found)) },
            Err(AppError::Validation(errors)) => {
                let message = errors.first().map_or(
                    "Enter a name, email address or registration number".to_owned(),
                    |e| super::layout::capitalise(&e.message),
                );
                search_form(action, q, Some(&message))
            }
            Err(other) => return Err(other),
        },
    })
}

/// `GET /manage/workers`: find a worker.
pub async fn find(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<SearchQuery>,
) -> Response {
    if !who.has_role(Role::ComplianceOfficer) {
        return app_error_page(AppError::Forbidden);
    }
    match search_section(&state, &who, "/manage/workers", query.q()).await {
        Ok(section) => page(
            "Find a worker",
            Some(&who),
            html! {
                h1 class="nhsuk-heading-xl" { "Find a worker" }
                p class="nhsuk-lede-text" { "Workers in your trust's banks, and their employment checks." }
                (section)
            },
        ),
        Err(e) => app_error_page(e),
    }
}

fn status_tag(status: &str, label: &str) -> Markup {
    let colour = match status {
        "held" => "nhsuk-tag--green",
        "offered" | "not_yet_valid" => "nhsuk-tag--blue",
        "expired" | "level_too_low" | "suspended" => "nhsuk-tag--orange",
        _ => "nhsuk-tag--red",
    };
    html! { strong class={ "nhsuk-tag " (colour) } { (label) } }
}

fn requirements_table(requirements: &[RequirementView]) -> Markup {
    html! {
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption" { "Checks their staff group needs to book shifts" }
            thead role="rowgroup" class="nhsuk-table__head" {
                tr role="row" {
                    th role="columnheader" scope="col" { "Check" }
                    th role="columnheader" scope="col" { "Status" }
                    th role="columnheader" scope="col" { "Ends" }
                    th role="columnheader" scope="col" { "Stops them booking" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for r in requirements {
                    tr role="row" class="nhsuk-table__row" {
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Check " }
                            (r.label)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Status " }
                            (status_tag(&r.status, &r.status_label))
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Ends " }
                            @match r.expires_at {
                                Some(at) if r.status == "expired" => { "Ended " (expiry(at)) }
                                Some(at) => { (expiry(at)) }
                                None if r.status == "held" => { "Does not expire" }
                                None => { "–" }
                            }
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Stops them booking " }
                            (r.stops.as_deref().unwrap_or("Nothing"))
                        }
                    }
                }
            }
        }
    }
}

fn state_words(entry: &PassportEntry) -> (&'static str, &'static str) {
    let c = &entry.credential;
    match (c.state.as_str(), c.revocation.as_str()) {
        ("offered", _) => ("offered", "Offered, waiting for the worker"),
        ("rejected", _) => ("revoked", "Turned down by the worker"),
        (_, "revoked") => ("revoked", "Revoked"),
        (_, "suspended") => ("suspended", "Suspended"),
        _ if c.expires_at.is_some_and(|t| t <= Utc::now()) => ("expired", "Expired"),
        _ => ("held", "Held"),
    }
}

fn passport_card(base: &str, entry: &PassportEntry) -> Markup {
    let c = &entry.credential;
    let (status, words) = state_words(entry);
    html! {
        div class="nhsuk-card" { div class="nhsuk-card__content" {
            h3 class="nhsuk-card__heading nhsuk-heading-s" { (entry.type_label) " " (status_tag(status, words)) }
            p class="nhsuk-body-s" {
                "Issued by " (entry.issuer_name) ", offered " (super::layout::moment(c.offered_at)) "."
                @if let Some(at) = c.expires_at { " Ends " (expiry(at)) "." }
            }
            (claims_list(&c.claims))
            @if !entry.refreshers.is_empty() {
                h4 class="nhsuk-heading-xs" { "Refreshers" }
                ul class="nhsuk-list" {
                    @for r in &entry.refreshers {
                        li {
                            (r.subject) ", level " (r.level) ": completed " (day(r.completed)) ", "
                            @match r.due { Some(due) => { "refresher due " (day(due)) } None => { "no refresher period is set for this level" } }
                        }
                    }
                }
            }
            @if entry.manageable {
                div class="nhsuk-button-group" {
                    @if c.revocation == "suspended" {
                        a class="nhsuk-button nhsuk-button--secondary" href=(format!("{base}/credentials/{}/reinstate", c.id)) {
                            "Reinstate" span class="nhsuk-u-visually-hidden" { " " (entry.type_label) }
                        }
                    } @else {
                        a class="nhsuk-button nhsuk-button--secondary" href=(format!("{base}/credentials/{}/suspend", c.id)) {
                            "Suspend" span class="nhsuk-u-visually-hidden" { " " (entry.type_label) }
                        }
                    }
                    a class="nhsuk-button nhsuk-button--warning" href=(format!("{base}/credentials/{}/revoke", c.id)) {
                        "Revoke" span class="nhsuk-u-visually-hidden" { " " (entry.type_label) }
                    }
                }
            }
        } }
    }
}

/// The success message after a change, by the `done` query value.
fn done_notice(done: Option<&str>, name: &str) -> Markup {
    let message = match done {
        Some("offered") => format!("Credential offered. {name} is asked to accept it in their passport; it counts for bookings once they do."),
        Some("revoked") => "Credential revoked. It no longer counts for bookings, and verifiers see it as revoked.".to_owned(),
        Some("suspended") => "Credential suspended. It stops counting for bookings until it is reinstated.".to_owned(),
        Some("reinstated") => "Credential reinstated. It counts for bookings again.".to_owned(),
        _ => return html! {},
    };
    html! {
        div class="nhsuk-inset-text" role="status" {
            span class="nhsuk-u-visually-hidden" { "Success: " }
            p { (message) }
        }
    }
}

/// The worker's page body.
pub fn worker_body(base: &str, view: &ComplianceView, done: Option<&str>) -> Markup {
    let w = &view.worker;
    html! {
        (done_notice(done, &w.name))
        span class="nhsuk-caption-l" { "Worker" }
        h1 class="nhsuk-heading-xl" { (w.name) }
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Email address" } dd class="nhsuk-summary-list__value" { (w.email) } }
            div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Staff group" } dd class="nhsuk-summary-list__value" { (w.staff_group) } }
            div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Grade" } dd class="nhsuk-summary-list__value" { (w.grade) } }
        }
        @if !view.requirements.is_empty() {
            h2 class="nhsuk-heading-l" { "What they need to book shifts" }
            (requirements_table(&view.requirements))
        }
        @if !view.may_offer.is_empty() {
            p { a class="nhsuk-button" href=(format!("{base}/workers/{}/offer", w.id)) { "Offer a credential" } }
        }
        h2 class="nhsuk-heading-l" { "Passport credentials" }
        @if view.passport.is_empty() { p { "None offered yet." } }
        @for entry in &view.passport { (passport_card(base, entry)) }
        @if !view.recorded.is_empty() {
            h2 class="nhsuk-heading-m" { "Records that count for bookings" }
            p class="nhsuk-body-s" { "Checks a trust recorded, and a record for each passport credential the worker accepted." }
            ul class="nhsuk-list nhsuk-list--border" {
                @for c in &view.recorded {
                    li {
                        strong { (c.kind_label) }
                        @if let Some(level) = &c.dbs_level { " (" (level.replace('_', " ")) ")" }
                        ": "
                        @if c.status == "revoked" { "revoked" } @else {
                            "from " (super::layout::moment(c.valid_from))
                            @if let Some(until) = c.valid_until { ", ends " (expiry(until)) }
                        }
                    }
                }
            }
        }
    }
}

/// The `done` of a worker page after a change.
#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /manage/workers/{id}` and `GET /issue/workers/{id}`: the worker's compliance picture.
pub async fn worker(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Query(query): Query<DoneQuery>,
) -> Response {
    match state.app.worker_compliance(&who, WorkerId(id)).await {
        Ok(view) => page(
            &view.worker.name.clone(),
            Some(&who),
            worker_body(desk(&who), &view, query.done.as_deref()),
        ),
        Err(e) => app_error_page(e),
    }
}

/// A credential kind's label from its stable name.
pub fn kind_label(raw: &str) -> String {
    CredentialKind::parse(raw).map_or_else(|| raw.to_owned(), |k| k.label().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_words() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        let at = |d: i64| today + chrono::Duration::days(d);
        assert_eq!(from_now(at(0), today), "today");
        assert_eq!(from_now(at(1), today), "tomorrow");
        assert_eq!(from_now(at(-2), today), "2 days ago");
        assert_eq!(from_now(at(90), today), "in 3 months");
        assert_eq!(from_now(at(800), today), "in 2 years");
        assert_eq!(day(at(0)), "5 December 2026");
    }
}
