//! What the worker's and the booker's shift lists share: query values read as text, links that
//! keep the filters, the folded filter panel, pages and the week heading.

use chrono::{Duration, NaiveDate};
use maud::{html, Markup};

/// A query value, trimmed; empty when absent.
pub fn text(value: &Option<String>) -> &str {
    value.as_deref().map(str::trim).unwrap_or("")
}

/// A query value, percent-encoded.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The filter form, folded away on arrival so a phone shows shifts first and open while any
/// filter is in use; in the week view it keeps the week shown.
pub fn filter_panel(action: &str, week: Option<&str>, in_use: bool, fields: Markup) -> Markup {
    html! {
        details class="nhsuk-details" open[in_use] {
            summary class="nhsuk-details__summary" {
                span class="nhsuk-details__summary-text" { "Search and filter shifts" }
            }
            div class="nhsuk-details__text" {
                form method="get" action=(action) {
                    @if let Some(week) = week {
                        input type="hidden" name="view" value="week";
                        input type="hidden" name="week" value=(week);
                    }
                    (fields)
                    button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" { "Filter shifts" }
                }
            }
        }
    }
}

/// Previous and next page links; `link` gives a page's address.
pub fn pagination(page: u32, more: bool, link: impl Fn(u32) -> String) -> Markup {
    html! {
        @if page > 1 || more {
            nav class="nhsuk-pagination" role="navigation" aria-label="Pages of shifts" {
                ul class="nhsuk-list nhsuk-pagination__list" {
                    @if page > 1 {
                        li class="nhsuk-pagination-item--previous" {
                            a class="nhsuk-pagination__link nhsuk-pagination__link--prev" href=(link(page - 1)) {
                                span class="nhsuk-pagination__title" { "Previous" }
                                span class="nhsuk-u-visually-hidden" { ":" }
                                span class="nhsuk-pagination__page" { "Page " (page - 1) }
                            }
                        }
                    }
                    @if more {
                        li class="nhsuk-pagination-item--next" {
                            a class="nhsuk-pagination__link nhsuk-pagination__link--next" href=(link(page + 1)) {
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

/// The week view's heading with links to the weeks either side; `link` gives the address of the
/// week starting on a day.
pub fn week_heading(monday: NaiveDate, link: impl Fn(&str) -> String) -> Markup {
    let previous = (monday - Duration::days(7)).to_string();
    let next = (monday + Duration::days(7)).to_string();
    html! {
        h2 class="nhsuk-heading-l" { "Week starting " (monday.format("%A %-d %B %Y")) }
        p {
            a class="nhsuk-link" href=(link(&previous)) { "Previous week" }
            " · "
            a class="nhsuk-link" href=(link(&next)) { "Next week" }
        }
    }
}
