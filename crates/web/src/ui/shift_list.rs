//! "Shifts for me": the worker's bookable shifts with their pay, filtered (dates, hospital, ward,
//! grade, days or nights, words), 50 to a page or a week at a time, and the shifts they cannot book with the reasons
//! behind a "Why can't I book this?" disclosure.

use std::collections::{HashMap, HashSet};

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::matching::{MatchFilters, ShiftMatch, ShiftMatches};
use staffbank_app::pay_estimate::PayEstimate;
use staffbank_app::views::WardView;
use staffbank_app::Principal;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::{Grade, ShiftId};
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page, when};
use super::list_parts::{encode, filter_panel, pagination, text, week_heading};
use super::worker::match_card;
use super::UiUser;
use crate::AppState;

/// Bookable shifts on a page of the list.
const PER_PAGE: u32 = 50;

/// The filters of "shifts for me", from the query string; every value is text so no address can
/// be refused before the page explains what is wrong with it.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ShiftFilters {
    /// `any`, `days` or `nights` (empty: the worker's preference).
    #[serde(default)]
    times: Option<String>,
    /// Within this many days.
    #[serde(default)]
    within_days: Option<String>,
    /// From this date, `YYYY-MM-DD`.
    #[serde(default)]
    from: Option<String>,
    /// Until this date.
    #[serde(default)]
    to: Option<String>,
    /// Words to look for.
    #[serde(default)]
    search: Option<String>,
    /// A hospital (site) id.
    #[serde(default)]
    site: Option<String>,
    /// A ward id.
    #[serde(default)]
    ward: Option<String>,
    /// A grade the shift accepts, e.g. `band_6`.
    #[serde(default)]
    grade: Option<String>,
    /// Page number, from 1.
    #[serde(default)]
    page: Option<String>,
    /// `week` for the week view.
    #[serde(default)]
    view: Option<String>,
    /// A day in the week shown.
    #[serde(default)]
    week: Option<String>,
}

impl ShiftFilters {
    /// This list's address with some values changed.
    fn link(&self, changes: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("times", text(&self.times)),
            ("within_days", text(&self.within_days)),
            ("from", text(&self.from)),
            ("to", text(&self.to)),
            ("search", text(&self.search)),
            ("site", text(&self.site)),
            ("ward", text(&self.ward)),
            ("grade", text(&self.grade)),
            ("page", text(&self.page)),
            ("view", text(&self.view)),
            ("week", text(&self.week)),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        for (key, value) in changes {
            if let Some(pair) = pairs.iter_mut().find(|(k, _)| k == key) {
                pair.1 = (*value).to_owned();
            }
        }
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if query.is_empty() {
            "/shifts".to_owned()
        } else {
            format!("/shifts?{}", query.join("&"))
        }
    }

    fn week_view(&self) -> bool {
        text(&self.view) == "week"
    }
}

fn date(raw: &str) -> Option<NaiveDate> {
    raw.parse().ok()
}

/// The filters for the app, and the messages of any value that could not be read.
fn match_filters(filters: &ShiftFilters, today: NaiveDate) -> (MatchFilters, Vec<String>) {
    let mut errors = Vec::new();
    let mut read_date = |raw: &str, what: &str| match raw {
        "" => None,
        raw => date(raw).or_else(|| {
            errors.push(format!("{what} must be a real date, like 2026-12-25"));
            None
        }),
    };
    let mut from = read_date(text(&filters.from), "From");
    let mut to = read_date(text(&filters.to), "To");
    if filters.week_view() {
        let day = read_date(text(&filters.week), "Week").unwrap_or(today);
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        from = Some(monday);
        to = Some(monday + Duration::days(6));
    }
    let page = match text(&filters.page) {
        "" => None,
        raw => raw.parse().ok().or_else(|| {
            errors.push("Page must be a number".to_owned());
            None
        }),
    };
    let search = Some(text(&filters.search).to_owned()).filter(|s| !s.is_empty());
    let mut id = |raw: &str, what: &str| match raw {
        "" => None,
        raw => raw.parse::<Uuid>().ok().or_else(|| {
            errors.push(format!("Choose a {what} from the list"));
            None
        }),
    };
    let site = id(text(&filters.site), "hospital");
    let ward = id(text(&filters.ward), "ward");
    let grade = Some(text(&filters.grade).to_owned()).filter(|g| !g.is_empty());
    (
        MatchFilters {
            limit: Some(if filters.week_view() { 200 } else { PER_PAGE }),
            within_days: filters.within_days.as_deref().and_then(|d| d.parse().ok()),
            times: filters.times.clone().filter(|t| !t.is_empty()),
            from,
            to,
            site,
            ward,
            grade,
            search,
            page: if filters.week_view() { None } else { page },
        },
        errors,
    )
}

fn filter_form(filters: &ShiftFilters, wards: &[WardView]) -> Markup {
    let times = text(&filters.times);
    let (site, ward, grade) = (
        text(&filters.site),
        text(&filters.ward),
        text(&filters.grade),
    );
    let mut sites: Vec<(Uuid, &str)> = wards
        .iter()
        .map(|w| (w.site_id, w.site_name.as_str()))
        .collect();
    sites.sort_by(|a, b| a.1.cmp(b.1));
    sites.dedup();
    let in_use = [
        &filters.search,
        &filters.times,
        &filters.from,
        &filters.to,
        &filters.site,
        &filters.ward,
        &filters.grade,
    ]
    .iter()
    .any(|f| !text(f).is_empty());
    let week = filters.week_view().then(|| text(&filters.week));
    let fields = html! {
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="search" { "Search by role, ward, hospital or trust" }
                input class="nhsuk-input" id="search" name="search" type="search" value=(text(&filters.search));
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
                    @for (value, label) in [("", "My preference"), ("any", "Either"), ("days", "Days"), ("nights", "Nights")] {
                        option value=(value) selected[times == value] { (label) }
                    }
                }
            }
            @if !filters.week_view() {
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="from" { "Starting from" }
                    input class="nhsuk-input nhsuk-input--width-10" id="from" name="from" type="date" value=(text(&filters.from));
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="to" { "Starting until" }
                    input class="nhsuk-input nhsuk-input--width-10" id="to" name="to" type="date" value=(text(&filters.to));
                }
            }
    };
    filter_panel("/shifts", week, in_use, fields)
}

fn not_bookable_cards(matches: &ShiftMatches) -> Markup {
    html! {
        @if !matches.not_bookable.is_empty() {
            h2 class="nhsuk-heading-l" { "Shifts you cannot book yet" }
            @for n in &matches.not_bookable {
                div class="nhsuk-card" {
                    div class="nhsuk-card__content" {
                        h3 class="nhsuk-card__heading nhsuk-heading-s" { (n.shift.role) " – " (n.shift.ward_name) }
                        p class="nhsuk-body-s" { (when(n.shift.starts_at, n.shift.ends_at)) ", " (n.shift.site_name) }
                        details class="nhsuk-details nhsuk-u-margin-bottom-0" {
                            summary class="nhsuk-details__summary" {
                                span class="nhsuk-details__summary-text" { "Why can't I book this?" }
                            }
                            div class="nhsuk-details__text" {
                                ul class="nhsuk-list nhsuk-list--bullet" {
                                    @for reason in &n.explanations { li { (reason) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The week view: each day's bookable shifts under the day's name, offers marked among them.
fn week(
    who: &Principal,
    filters: &ShiftFilters,
    monday: NaiveDate,
    shifts: &[&ShiftMatch],
    offered: &HashSet<Uuid>,
    estimates: &HashMap<Uuid, PayEstimate>,
) -> Markup {
    let day_of = |m: &ShiftMatch| m.shift.starts_at.with_timezone(&RULES_ZONE).date_naive();
    html! {
        (week_heading(monday, |day| filters.link(&[("week", day)])))
        @for offset in 0..7 {
            @let day = monday + Duration::days(offset);
            @let todays: Vec<_> = shifts.iter().filter(|m| day_of(m) == day).collect();
            h3 class="nhsuk-heading-m" { (day.format("%A %-d %B")) }
            @if todays.is_empty() { p class="nhsuk-body-s" { "No shifts you can book." } }
            @for m in todays {
                (match_card(who, m, offered.contains(&m.shift.id), estimates.get(&m.shift.id)))
            }
        }
    }
}

/// The page itself, with any errors from a refused booking.
pub(crate) async fn shifts_page(
    state: &AppState,
    who: &Principal,
    errors: &[String],
    filters: ShiftFilters,
) -> Response {
    let today = state.app.now().with_timezone(&RULES_ZONE).date_naive();
    let (query, mut problems) = match_filters(&filters, today);
    problems.extend(errors.iter().cloned());
    let (page_number, monday) = (query.page.unwrap_or(1), query.from.unwrap_or(today));
    let matches = match state.app.shift_matches(who, query).await {
        Ok(matches) => matches,
        Err(e @ staffbank_app::AppError::Validation(_)) => {
            problems.extend(messages(&e));
            ShiftMatches {
                bookable: vec![],
                not_bookable: vec![],
                more: false,
            }
        }
        Err(e) => return app_error_page(e),
    };
    let wards = match state.app.worker_wards(who).await {
        Ok(wards) => wards,
        Err(e) => return app_error_page(e),
    };
    let offers = match state.app.my_offers(who).await {
        Ok(offers) => offers.offers,
        Err(e) => return app_error_page(e),
    };
    let offered: HashSet<Uuid> = offers.iter().map(|m| m.shift.id).collect();
    let ids: Vec<ShiftId> = offers
        .iter()
        .chain(&matches.bookable)
        .map(|m| ShiftId(m.shift.id))
        .collect();
    let estimates = match state.app.pay_estimates(who, &ids).await {
        Ok(estimates) => estimates,
        Err(e) => return app_error_page(e),
    };
    let others: Vec<&ShiftMatch> = matches
        .bookable
        .iter()
        .filter(|m| !offered.contains(&m.shift.id))
        .collect();
    page(
        "Shifts for me",
        Some(who),
        html! {
            (error_summary(&problems))
            h1 class="nhsuk-heading-xl" { "Shifts for me" }
            p {
                @if filters.week_view() {
                    a class="nhsuk-link" href=(filters.link(&[("view", ""), ("week", "")])) { "Show as a list" }
                } @else {
                    a class="nhsuk-link" href=(filters.link(&[("view", "week"), ("page", "")])) { "Show a week at a time" }
                }
                " · "
                a class="nhsuk-link" href="/preferences" { "Your preferences and availability" }
            }
            (filter_form(&filters, &wards))
            @if !offers.is_empty() && page_number == 1 && !filters.week_view() {
                h2 class="nhsuk-heading-l" { "Offered to you" }
                @for m in &offers { (super::worker::match_card(who, m, true, estimates.get(&m.shift.id))) }
            }
            @if filters.week_view() {
                @let all: Vec<&ShiftMatch> = matches.bookable.iter().collect();
                (week(who, &filters, monday, &all, &offered, &estimates))
            } @else {
                h2 class="nhsuk-heading-l" {
                    @if offers.is_empty() { "Shifts you can book" } @else { "More shifts you can book" }
                }
                @if others.is_empty() {
                    p { "There are no open shifts you can book with these filters." }
                }
                @for m in &others { (match_card(who, m, false, estimates.get(&m.shift.id))) }
                (pagination(page_number, matches.more, |n| filters.link(&[("page", &n.to_string())])))
            }
            (not_bookable_cards(&matches))
        },
    )
}

/// `GET /shifts`.
pub async fn open_shifts(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(filters): Query<ShiftFilters>,
) -> Response {
    shifts_page(&state, &who, &[], filters).await
}
