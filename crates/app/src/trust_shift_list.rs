//! A booker's shifts, filtered and paged: by dates, site, ward, a grade the shift accepts, days
//! or nights and words, 50 to a page, so a trust with thousands of shifts stays readable.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use staffbank_domain::ranking::{self, ShiftTimes};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::{Grade, SiteId, WardId};
use staffbank_store::{Cursor, Page, Shift};
use uuid::Uuid;

use crate::views::ShiftView;
use crate::{App, AppError, Principal};

/// Shifts on one page of the list.
pub const PER_PAGE: usize = 50;
/// Most shifts a filtered list reads (a trust's shifts from now on fit easily).
const READ_CAP: usize = 5000;

/// The filters of a booker's shift list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrustShiftFilters {
    /// Only shifts starting on or after this UK date, e.g. `2026-12-07`.
    pub from: Option<NaiveDate>,
    /// Only shifts starting on or before this UK date.
    pub to: Option<NaiveDate>,
    /// Only shifts at this site.
    pub site: Option<Uuid>,
    /// Only shifts on this ward.
    pub ward: Option<Uuid>,
    /// Only shifts that accept this grade, e.g. `band_5`.
    pub grade: Option<String>,
    /// `any`, `days` or `nights` (default any).
    pub times: Option<String>,
    /// Only shifts whose role, ward, site or trust name contains these words (any case).
    pub search: Option<String>,
    /// Which page of 50, from 1 (default 1).
    pub page: Option<u32>,
}

/// One page of a booker's filtered shifts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrustShiftPage {
    /// The shifts, soonest first.
    pub items: Vec<ShiftView>,
    /// This page's number.
    pub page: u32,
    /// Whether a next page exists.
    pub more: bool,
    /// How many shifts match in all.
    pub total: usize,
}

impl App {
    /// The shifts the signed-in booker manages from now on that match the filters, 50 a page.
    pub async fn trust_shift_list(
        &self,
        who: &Principal,
        filters: &TrustShiftFilters,
    ) -> Result<TrustShiftPage, AppError> {
        let (orgs, wards) = (who.booker_orgs(), who.booker_wards());
        if orgs.is_empty() && wards.is_empty() {
            return Err(AppError::Forbidden);
        }
        let page = filters.page.unwrap_or(1);
        if !(1..=1000).contains(&page) {
            return Err(AppError::field("page", "must be between 1 and 1000"));
        }
        let times = match filters.times.as_deref() {
            None => ShiftTimes::Any,
            Some(raw) => ShiftTimes::parse(raw)
                .ok_or_else(|| AppError::field("times", "must be any, days or nights"))?,
        };
        let grade = match filters.grade.as_deref() {
            None => None,
            Some(raw) => Some(
                Grade::parse(raw)
                    .ok_or_else(|| AppError::field("grade", "must be a grade, e.g. band_5"))?,
            ),
        };
        if let (Some(from), Some(to)) = (filters.from, filters.to) {
            if to < from {
                return Err(AppError::field("to", "must be on or after the from date"));
            }
        }
        let search = filters.search.as_deref().map(str::to_lowercase);
        if search.as_deref().is_some_and(|s| s.chars().count() > 100) {
            return Err(AppError::field("search", "must be at most 100 characters"));
        }
        let now = self.now();
        let mut shifts: Vec<Shift> = Vec::new();
        let mut after = None;
        loop {
            let batch = self
                .store
                .shifts_posted_for(&orgs, &wards, now, Page { limit: 200, after })
                .await?;
            let full = batch.len() == 200;
            after = batch.last().map(|s| Cursor {
                start: s.window.start(),
                id: s.id.0,
            });
            shifts.extend(batch);
            if !full || shifts.len() >= READ_CAP {
                break;
            }
        }
        let day = |s: &Shift| s.window.start().with_timezone(&RULES_ZONE).date_naive();
        let mut matching = Vec::new();
        for shift in shifts {
            if filters.from.is_some_and(|f| day(&shift) < f)
                || filters.to.is_some_and(|t| day(&shift) > t)
                || filters.ward.is_some_and(|w| shift.ward_id != WardId(w))
                || grade.is_some_and(|g| !shift.grades.contains(g))
                || !times.accepts(ranking::is_night(shift.window))
            {
                continue;
            }
            let view = self.names.shift_view(self.store.as_ref(), &shift).await?;
            if let Some(site) = filters.site {
                let ward = self.store.ward(shift.ward_id).await?;
                if ward.map(|w| w.site_id) != Some(SiteId(site)) {
                    continue;
                }
            }
            if let Some(search) = &search {
                let haystack = format!(
                    "{} {} {} {}",
                    view.role, view.ward_name, view.site_name, view.org_name
                )
                .to_lowercase();
                if !search.split_whitespace().all(|w| haystack.contains(w)) {
                    continue;
                }
            }
            matching.push(view);
        }
        let total = matching.len();
        let skip = (page as usize - 1) * PER_PAGE;
        Ok(TrustShiftPage {
            items: matching.into_iter().skip(skip).take(PER_PAGE).collect(),
            page,
            more: total > skip + PER_PAGE,
            total,
        })
    }
}
