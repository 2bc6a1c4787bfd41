//! The booker's list of their trusts' shifts from now on, filtered (dates, site, ward, grade,
//! days or nights, words) and 50 to a page.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::trust_shift_list::{TrustShiftFilters, TrustShiftPage};
use staffbank_app::AppError;
use staffbank_domain::Grade;

use super::layout::{app_error_page, error_summary, messages, page, when};
use super::UiUser;
use crate::AppState;

/// The list's filters from the query string, all text so the page explains a bad value.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    times: Option<String>,
    #[serde(default)]
    search: Option<String>,
    #[serde(default)]
    page: Option<String>,
    /// How many shifts a batch just posted (`?posted=N`), for the message after posting.
    #[serde(default)]
    posted: Option<String>,
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().map(str::trim).unwrap_or("")
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl ListQuery {
    fn link(&self, page: u32) -> String {
        let mut pairs: Vec<String> = [
            ("from", text(&self.from)),
            ("to", text(&self.to)),
            ("grade", text(&self.grade)),
            ("times", text(&self.times)),
            ("search", text(&self.search)),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
        pairs.push(format!("page={page}"));
        format!("/manage/shifts?{}", pairs.join("&"))
    }

    /// The app's filters, and a message for each value that could not be read.
    fn filters(&self) -> (TrustShiftFilters, Vec<String>) {
        let mut errors = Vec::new();
        let mut date = |raw: &str, what: &str| match raw {
            "" => None,
            raw => raw.parse().ok().or_else(|| {
                errors.push(format!("{what} must be a real date, like 2026-12-25"));
                None
            }),
        };
        let from = date(text(&self.from), "From");
        let to = date(text(&self.to), "To");
        let page = text(&self.page).parse().ok();
        let some = |v: &Option<String>| Some(text(v).to_owned()).filter(|s| !s.is_empty());
        (
            TrustShiftFilters {
                from,
                to,
                site: None,
                ward: None,
                grade: some(&self.grade),
                times: some(&self.times),
                search: some(&self.search),
                page,
            },
            errors,
        )
    }
}

fn filter_form(query: &ListQuery) -> Markup {
    let (grade, times) = (text(&query.grade), text(&query.times));
    // Folded away on arrival so the list comes first; open while any filter is in use.
    let in_use = [
        &query.search,
        &query.from,
        &query.to,
        &query.grade,
        &query.times,
    ]
    .iter()
    .any(|f| !text(f).is_empty());
    html! {
        details class="nhsuk-details" open[in_use] {
        summary class="nhsuk-details__summary" {
            span class="nhsuk-details__summary-text" { "Search and filter shifts" }
        }
        div class="nhsuk-details__text" {
        form method="get" action="/manage/shifts" {
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="search" { "Search by role, ward, hospital or trust" }
                input class="nhsuk-input" id="search" name="search" type="search" value=(text(&query.search));
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="from" { "Starting from" }
                input class="nhsuk-input nhsuk-input--width-10" id="from" name="from" type="date" value=(text(&query.from));
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="to" { "Starting until" }
                input class="nhsuk-input nhsuk-input--width-10" id="to" name="to" type="date" value=(text(&query.to));
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="grade" { "Open to grade" }
                select class="nhsuk-select" id="grade" name="grade" {
                    option value="" selected[grade.is_empty()] { "Any grade" }
                    @for g in Grade::all() {
                        option value=(g.as_str()) selected[grade == g.as_str()] { (g.label()) }
                    }
                }
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="times" { "Days or nights" }
                select class="nhsuk-select" id="times" name="times" {
                    @for (value, label) in [("", "Either"), ("days", "Days"), ("nights", "Nights")] {
                        option value=(value) selected[times == value] { (label) }
                    }
                }
            }
            button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" { "Filter shifts" }
        }
        }
        }
    }
}

fn table(shifts: &TrustShiftPage) -> Markup {
    // A booker for several trusts may see wards of the same name: each row names its trust.
    let several_trusts = shifts
        .items
        .iter()
        .any(|s| s.org_id != shifts.items[0].org_id);
    html! {
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption" {
                "Upcoming shifts, soonest first (" (shifts.total) " in all)"
            }
            thead role="rowgroup" class="nhsuk-table__head" {
                tr role="row" {
                    th role="columnheader" scope="col" { "When" }
                    th role="columnheader" scope="col" { "Ward" }
                    th role="columnheader" scope="col" { "Role" }
                    th role="columnheader" scope="col" { "Booked" }
                    th role="columnheader" scope="col" { "Status" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for s in &shifts.items {
                    tr role="row" class="nhsuk-table__row" {
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "When " }
                            a href=(format!("/manage/shifts/{}", s.id)) { (when(s.starts_at, s.ends_at)) }
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Ward " }
                            (s.ward_name)
                            @if several_trusts { ", " (s.org_name) }
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Role " }
                            (s.role)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Booked " }
                            (s.booked) " of " (s.places)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Status " }
                            (super::layout::capitalise(&s.status))
                        }
                    }
                }
            }
        }
    }
}

fn pagination(query: &ListQuery, shifts: &TrustShiftPage) -> Markup {
    let page = shifts.page;
    html! {
        @if page > 1 || shifts.more {
            nav class="nhsuk-pagination" role="navigation" aria-label="Pages of shifts" {
                ul class="nhsuk-list nhsuk-pagination__list" {
                    @if page > 1 {
                        li class="nhsuk-pagination-item--previous" {
                            a class="nhsuk-pagination__link nhsuk-pagination__link--prev" href=(query.link(page - 1)) {
                                span class="nhsuk-pagination__title" { "Previous" }
                                span class="nhsuk-u-visually-hidden" { ":" }
                                span class="nhsuk-pagination__page" { "Page " (page - 1) }
                            }
                        }
                    }
                    @if shifts.more {
                        li class="nhsuk-pagination-item--next" {
                            a class="nhsuk-pagination__link nhsuk-pagination__link--next" href=(query.link(page + 1)) {
                                span class="nhsuk-pagination__title" { "Next" }
                                span class="nhsuk-u-visually-hidden" { ":" }
                                span class="nhsuk-pagination__page" { "Page " (page + 1) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /manage/shifts`.
pub async fn shifts(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<ListQuery>,
) -> Response {
    let (filters, mut problems) = query.filters();
    let shifts = match state.app.trust_shift_list(&who, &filters).await {
        Ok(s) => s,
        Err(e @ AppError::Validation(_)) => {
            problems.extend(messages(&e));
            TrustShiftPage {
                items: vec![],
                page: 1,
                more: false,
                total: 0,
            }
        }
        Err(e) => return app_error_page(e),
    };
    page(
        "Trust shifts",
        Some(&who),
        html! {
            @if let Some(count) = text(&query.posted).parse::<usize>().ok() {
                (super::roster::posted_notice(count))
            }
            (error_summary(&problems))
            h1 class="nhsuk-heading-xl" { "Trust shifts" }
            div class="nhsuk-button-group" {
                a class="nhsuk-button" href="/manage/shifts/new" { "Post a shift" }
                a class="nhsuk-button nhsuk-button--secondary" href="/manage/shifts/post" { "Post several shifts" }
            }
            (filter_form(&query))
            @if shifts.items.is_empty() { p { "No shifts posted from now on match these filters." } }
            @else { (table(&shifts)) }
            (pagination(&query, &shifts))
        },
    )
}
