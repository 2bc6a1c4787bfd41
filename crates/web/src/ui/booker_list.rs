//! The booker's list of their trusts' shifts from now on, filtered (dates, hospital, ward, grade,
//! days or nights, words), 50 to a page or a week at a time.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::trust_shift_list::{TrustShiftFilters, TrustShiftPage};
use staffbank_app::views::{ShiftView, WardView};
use staffbank_app::AppError;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::Grade;
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page, when};
use super::list_parts::{encode, filter_panel, pagination, text, week_heading};
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
    site: Option<String>,
    #[serde(default)]
    ward: Option<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    times: Option<String>,
    #[serde(default)]
    search: Option<String>,
    #[serde(default)]
    page: Option<String>,
    /// `week` for the week view.
    #[serde(default)]
    view: Option<String>,
    /// A day in the week shown.
    #[serde(default)]
    week: Option<String>,
    /// How many shifts a batch just posted (`?posted=N`), for the message after posting.
    #[serde(default)]
    posted: Option<String>,
    /// How many rows of that batch were already posted (`?present=N`), left alone.
    #[serde(default)]
    present: Option<String>,
}

impl ListQuery {
    /// This list's address with some values changed (an empty value drops it).
    fn link(&self, changes: &[(&str, &str)]) -> String {
        let pairs: Vec<String> = [
            ("from", text(&self.from)),
            ("to", text(&self.to)),
            ("site", text(&self.site)),
            ("ward", text(&self.ward)),
            ("grade", text(&self.grade)),
            ("times", text(&self.times)),
            ("search", text(&self.search)),
            ("view", text(&self.view)),
            ("week", text(&self.week)),
            ("page", text(&self.page)),
        ]
        .into_iter()
        .map(|(k, v)| {
            let changed = changes.iter().find(|(key, _)| *key == k);
            (k, changed.map_or(v, |(_, value)| *value))
        })
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
        format!("/manage/shifts?{}", pairs.join("&"))
    }

    fn week_view(&self) -> bool {
        text(&self.view) == "week"
    }

    /// The Monday of the week shown (this week unless `week` names a day).
    fn monday(&self, today: NaiveDate) -> NaiveDate {
        let day = text(&self.week).parse().unwrap_or(today);
        day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
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
        let mut id = |raw: &str, what: &str| match raw {
            "" => None,
            raw => raw.parse::<Uuid>().ok().or_else(|| {
                errors.push(format!("Choose a {what} from the list"));
                None
            }),
        };
        let site = id(text(&self.site), "hospital");
        let ward = id(text(&self.ward), "ward");
        let some = |v: &Option<String>| Some(text(v).to_owned()).filter(|s| !s.is_empty());
        (
            TrustShiftFilters {
                from,
                to,
                site,
                ward,
                grade: some(&self.grade),
                times: some(&self.times),
                search: some(&self.search),
                page,
            },
            errors,
        )
    }
}

fn filter_form(query: &ListQuery, wards: &[WardView]) -> Markup {
    let (grade, times) = (text(&query.grade), text(&query.times));
    let (site, ward) = (text(&query.site), text(&query.ward));
    let mut sites: Vec<(Uuid, &str)> = wards
        .iter()
        .map(|w| (w.site_id, w.site_name.as_str()))
        .collect();
    sites.sort_by(|a, b| a.1.cmp(b.1));
    sites.dedup();
    let in_use = [
        &query.search,
        &query.site,
        &query.ward,
        &query.from,
        &query.to,
        &query.grade,
        &query.times,
    ]
    .iter()
    .any(|f| !text(f).is_empty());
    let week = query.week_view().then(|| text(&query.week));
    let fields = html! {
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="search" { "Search by role, ward, hospital or trust" }
                input class="nhsuk-input" id="search" name="search" type="search" value=(text(&query.search));
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="site" { "Hospital" }
                select class="nhsuk-select" id="site" name="site" {
                    option value="" selected[site.is_empty()] { "Any hospital" }
                    @for (id, name) in &sites {
                        option value=(id) selected[site == id.to_string()] { (name) }
                    }
                }
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="ward" { "Ward" }
                select class="nhsuk-select" id="ward" name="ward" {
                    option value="" selected[ward.is_empty()] { "Any ward" }
                    @for w in wards {
                        option value=(w.id) selected[ward == w.id.to_string()] { (w.name) ", " (w.site_name) }
                    }
                }
            }
            @if !query.week_view() {
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="from" { "Starting from" }
                    input class="nhsuk-input nhsuk-input--width-10" id="from" name="from" type="date" value=(text(&query.from));
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="to" { "Starting until" }
                    input class="nhsuk-input nhsuk-input--width-10" id="to" name="to" type="date" value=(text(&query.to));
                }
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
    };
    filter_panel("/manage/shifts", week, in_use, fields)
}

fn table(caption: &str, items: &[ShiftView]) -> Markup {
    // A booker for several trusts may see wards of the same name: each row names its trust.
    let several_trusts = items.iter().any(|s| s.org_id != items[0].org_id);
    html! {
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption" { (caption) }
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
                @for s in items {
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

/// The week view: each day's shifts under the day's name, with links to the weeks either side.
fn week(query: &ListQuery, monday: NaiveDate, shifts: &[ShiftView]) -> Markup {
    let day_of = |s: &ShiftView| s.starts_at.with_timezone(&RULES_ZONE).date_naive();
    html! {
        (week_heading(monday, |day| query.link(&[("week", day)])))
        @for offset in 0..7 {
            @let day = monday + Duration::days(offset);
            @let todays: Vec<ShiftView> = shifts.iter().filter(|s| day_of(s) == day).cloned().collect();
            h3 class="nhsuk-heading-m" { (day.format("%A %-d %B")) }
            @if todays.is_empty() { p class="nhsuk-body-s" { "No shifts." } }
            @else { (table(&format!("Shifts starting {}", day.format("%A %-d %B")), &todays)) }
        }
    }
}

/// A whole week's shifts, page after page (a week of one trust is a few hundred at most).
async fn week_shifts(
    state: &AppState,
    who: &staffbank_app::Principal,
    filters: &TrustShiftFilters,
) -> Result<Vec<ShiftView>, AppError> {
    let mut all = Vec::new();
    for page in 1..=20 {
        let filters = TrustShiftFilters {
            page: Some(page),
            ..filters.clone()
        };
        let found = state.app.trust_shift_list(who, &filters).await?;
        all.extend(found.items);
        if !found.more {
            break;
        }
    }
    Ok(all)
}

/// `GET /manage/shifts`.
pub async fn shifts(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<ListQuery>,
) -> Response {
    let (mut filters, mut problems) = query.filters();
    let wards = match state.app.posting_options(&who).await {
        Ok(options) => options.wards,
        Err(e) => return app_error_page(e),
    };
    let today = state.app.now().with_timezone(&RULES_ZONE).date_naive();
    let monday = query.monday(today);
    if query.week_view() {
        filters.from = Some(monday);
        filters.to = Some(monday + Duration::days(6));
        filters.page = None;
    }
    let week_list = match query.week_view() {
        true => match week_shifts(&state, &who, &filters).await {
            Ok(all) => Some(all),
            Err(e @ AppError::Validation(_)) => {
                problems.extend(messages(&e));
                Some(vec![])
            }
            Err(e) => return app_error_page(e),
        },
        false => None,
    };
    let listed = match week_list {
        Some(_) => Ok(TrustShiftPage {
            items: vec![],
            page: 1,
            more: false,
            total: 0,
        }),
        None => state.app.trust_shift_list(&who, &filters).await,
    };
    let shifts = match listed {
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
                (super::roster::posted_notice(count, text(&query.present).parse().unwrap_or(0)))
            }
            (error_summary(&problems))
            h1 class="nhsuk-heading-xl" { "Trust shifts" }
            div class="nhsuk-button-group" {
                a class="nhsuk-button" href="/manage/shifts/new" { "Post a shift" }
                a class="nhsuk-button nhsuk-button--secondary" href="/manage/shifts/post" { "Post several shifts" }
            }
            p {
                @if query.week_view() {
                    a class="nhsuk-link" href=(query.link(&[("view", ""), ("week", "")])) { "Show as a list" }
                } @else {
                    a class="nhsuk-link" href=(query.link(&[("view", "week"), ("page", "")])) { "Show a week at a time" }
                }
            }
            (filter_form(&query, &wards))
            @if let Some(all) = &week_list { (week(&query, monday, all)) }
            @else if shifts.items.is_empty() { p { "No shifts posted from now on match these filters." } }
            @else {
                (table(&format!("Upcoming shifts, soonest first ({} in all)", shifts.total), &shifts.items))
                (pagination(shifts.page, shifts.more, |n| query.link(&[("page", &n.to_string())])))
            }
        },
    )
}
