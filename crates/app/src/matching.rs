//! Matching: a worker's ranked shifts with the reasons others are not bookable, and a booker's
//! ranked candidates for a shift with the near-misses.
//!
//! Both sides run the same hard rules (`eligibility::check`, the overlap rule and the Working Time
//! Regulations) and the same ranking. The working-time rules are the costly part, so they run last
//! and lazily, in rank order, until a page is full.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use staffbank_domain::eligibility::{self, Ineligibility};
use staffbank_domain::ranking::{self, Rank, RankFacts, ShiftTimes, FAIRNESS_PERIOD};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::working_time::{Worked, WorkingTimeRules};
use staffbank_domain::*;
use staffbank_store::{Credential, MatchQuery, MatchableShift, PoolQuery, Shift, Ward, Worker};
use uuid::Uuid;

use crate::shifts::{breaches_of, shift_facts, worker_facts};
use crate::views::ShiftView;
use crate::{App, AppError, Principal};

/// Most shifts a worker's search considers (four weeks of their banks' shifts fits easily).
const SEARCH_CAP: u32 = 3000;
/// Most near-misses returned.
const NEAR_MISSES: usize = 20;
/// Most eligible candidates ranked for a booker at once.
pub(crate) const MAX_CANDIDATES: usize = 200;
/// Candidates judged against the working-time rules per round trip to the store.
const CANDIDATE_BATCH: usize = 64;

/// Filters of a worker's shift search.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MatchFilters {
    /// Most bookable shifts to return, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// Only shifts starting within this many days (1 to 366).
    pub within_days: Option<i64>,
    /// `any`, `days` or `nights` (default: the worker's preference, else any).
    pub times: Option<String>,
    /// Only shifts starting on or after this UK date, e.g. `2026-12-07`.
    pub from: Option<NaiveDate>,
    /// Only shifts starting on or before this UK date.
    pub to: Option<NaiveDate>,
    /// Only shifts at this site.
    pub site: Option<Uuid>,
    /// Only shifts on this ward.
    pub ward: Option<Uuid>,
    /// Only shifts that accept this grade, e.g. `band_6`.
    pub grade: Option<String>,
    /// Only shifts whose role, ward, site or trust name contains these words (any case).
    pub search: Option<String>,
    /// Which page of `limit` bookable shifts, from 1 (default 1).
    pub page: Option<u32>,
}

impl MatchFilters {
    /// Whether the filters that need a shift's names (site, search) accept its view.
    fn accepts_names(&self, view: &ShiftView, site: Option<SiteId>) -> bool {
        let site_ok = self.site.is_none_or(|s| site == Some(SiteId(s)));
        let words_ok = self.search.as_deref().is_none_or(|search| {
            let haystack = format!(
                "{} {} {} {}",
                view.role, view.ward_name, view.site_name, view.org_name
            )
            .to_lowercase();
            search
                .split_whitespace()
                .all(|w| haystack.contains(&w.to_lowercase()))
        });
        site_ok && words_ok
    }
}

/// How a match ranks, for people to read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankView {
    /// Score 0 to 10,000; higher is a better match.
    pub points: u32,
    /// Distance from home to the site, km, if both are known.
    pub distance_km: Option<f64>,
    /// Within the worker's travel limit.
    pub within_travel_limit: bool,
    /// Has worked this ward before.
    pub worked_ward_before: bool,
    /// Hours booked in the fairness period (four weeks either side of now).
    pub hours_this_period: f64,
}

impl RankView {
    fn new(rank: Rank, facts: &RankFacts) -> Self {
        Self {
            points: rank.points,
            distance_km: rank.distance_km.map(|d| (d * 10.0).round() / 10.0),
            within_travel_limit: rank.within_travel_limit,
            worked_ward_before: facts.worked_ward_before,
            hours_this_period: facts.hours_this_period,
        }
    }
}

/// A shift the worker may book, with its rank.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShiftMatch {
    /// The shift.
    pub shift: ShiftView,
    /// How it ranks for them.
    pub rank: RankView,
}

/// A shift the worker cannot book, with every reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotBookable {
    /// The shift.
    pub shift: ShiftView,
    /// Each reason, typed with its data.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Ineligibility>,
    /// Each reason in words.
    pub explanations: Vec<String>,
}

/// A worker's search result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShiftMatches {
    /// Bookable shifts, best match first.
    pub bookable: Vec<ShiftMatch>,
    /// Shifts in their banks, group and grade they cannot book yet or at all, and why.
    pub not_bookable: Vec<NotBookable>,
    /// Whether a next page of bookable shifts exists.
    pub more: bool,
}

/// A candidate for a shift as its booker sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CandidateView {
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their grade.
    pub grade: String,
    /// How they rank for this shift.
    pub rank: RankView,
}

/// A near-miss: a candidate who cannot book, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NearMiss {
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their grade.
    pub grade: String,
    /// Each reason, typed with its data.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Ineligibility>,
    /// Each reason in words.
    pub explanations: Vec<String>,
}

/// A worker who may book a shift but whom it does not suit by their own preferences, so it is
/// not offered to them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotAvailable {
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their grade.
    pub grade: String,
    /// Each reason in words, e.g. "has said they cannot work on Thu 10 Dec".
    pub explanations: Vec<String>,
}

/// A shift's candidates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidates {
    /// Workers who may book it now and whom it suits, best match first.
    pub eligible: Vec<CandidateView>,
    /// Workers who nearly may, with the reasons.
    pub near_misses: Vec<NearMiss>,
    /// Workers who may book it but said it does not suit them (their availability, day or night
    /// shifts, or travel limit), with the reasons: they cannot be offered it.
    pub not_available: Vec<NotAvailable>,
}

fn explain(reasons: &[Ineligibility]) -> Vec<String> {
    reasons.iter().map(ToString::to_string).collect()
}

/// A shift's candidate pool, ranked and judged.
pub(crate) struct RankedPool {
    /// Who may book it now and whom it suits, best first.
    pub eligible: Vec<(Rank, RankFacts, Worker)>,
    /// Who nearly may, with the reasons (unsorted).
    pub near: Vec<(Worker, Vec<Ineligibility>)>,
    /// Who may book it but said it does not suit them, with the reasons in words (unsorted).
    pub unsuited: Vec<(Worker, Vec<String>)>,
}

fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 6.0).round() / 10.0
}

/// The working-time and overlap reasons of adding `shift` to `held`.
fn booking_reasons(worker: &Worker, held: &[Worked], shift: &Shift) -> Vec<Ineligibility> {
    if let Some(clash) = held.iter().find(|w| w.window.overlaps(shift.window)) {
        return vec![Ineligibility::HoldsOverlappingBooking {
            starts_at: Some(clash.window.start()),
            ends_at: Some(clash.window.end()),
            same_trust: clash.trust == shift.org_id,
        }];
    }
    breaches_of(worker, held, shift)
}

impl App {
    /// The signed-in worker's bookable shifts, best match first, and the shifts in their banks,
    /// group and grade they cannot book, with the reasons.
    pub async fn shift_matches(
        &self,
        who: &Principal,
        filters: MatchFilters,
    ) -> Result<ShiftMatches, AppError> {
        let worker = who.require_worker()?;
        let limit = filters.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(AppError::field("limit", "must be between 1 and 200"));
        }
        let times = match filters.times.as_deref() {
            None => worker.shift_times,
            Some(raw) => ShiftTimes::parse(raw)
                .ok_or_else(|| AppError::field("times", "must be any, days or nights"))?,
        };
        let now = self.now();
        let until = match filters.within_days {
            None => None,
            Some(days) if (1..=366).contains(&days) => Some(now + chrono::Duration::days(days)),
            Some(_) => return Err(AppError::field("within_days", "must be between 1 and 366")),
        };
        let page = filters.page.unwrap_or(1);
        if !(1..=1000).contains(&page) {
            return Err(AppError::field("page", "must be between 1 and 1000"));
        }
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
        if filters
            .search
            .as_deref()
            .is_some_and(|s| s.chars().count() > 100)
        {
            return Err(AppError::field("search", "must be at most 100 characters"));
        }
        let found = self
            .store
            .matchable_shifts(&MatchQuery {
                banks: worker.banks.clone(),
                staff_group: worker.staff_group,
                grade: worker.grade,
                now,
                limit: SEARCH_CAP,
            })
            .await?;
        // Night or day, worked out once per shift: it is the costly part of the filters.
        let day_of = |m: &MatchableShift| {
            m.shift
                .window
                .start()
                .with_timezone(&RULES_ZONE)
                .date_naive()
        };
        let found: Vec<(MatchableShift, bool)> = found
            .into_iter()
            .filter(|m| until.is_none_or(|u| m.shift.window.start() < u))
            .filter(|m| filters.from.is_none_or(|f| day_of(m) >= f))
            .filter(|m| filters.to.is_none_or(|t| day_of(m) <= t))
            .filter(|m| filters.ward.is_none_or(|w| m.shift.ward_id == WardId(w)))
            .filter(|m| grade.is_none_or(|g| m.shift.grades.contains(g)))
            .map(|m| {
                let night = ranking::is_night(m.shift.window);
                (m, night)
            })
            .filter(|(_, night)| times.accepts(*night))
            .collect();
        let found = if filters.site.is_some() || filters.search.is_some() {
            let mut kept = Vec::with_capacity(found.len());
            for (m, night) in found {
                let view = self.names.shift_view(self.store.as_ref(), &m.shift).await?;
                let site = self.store.ward(m.shift.ward_id).await?.map(|w| w.site_id);
                if filters.accepts_names(&view, site) {
                    kept.push((m, night));
                }
            }
            kept
        } else {
            found
        };
        // One more than the pages asked for, to tell whether there is a next page.
        let skip = (page as usize - 1) * limit as usize;
        let mut judged = self
            .judge_shifts(worker, found, now, skip + limit as usize + 1, NEAR_MISSES)
            .await?;
        judged.more = judged.bookable.len() > skip + limit as usize;
        judged.bookable = judged
            .bookable
            .into_iter()
            .skip(skip)
            .take(limit as usize)
            .collect();
        Ok(judged)
    }

    /// Judges shifts for a worker: the bookable ones ranked (at most `limit`, within their travel
    /// limit), and up to `near_misses` of the rest with their reasons. Shifts on days they said
    /// they are not available are left out altogether, as those beyond their travel limit are.
    pub(crate) async fn judge_shifts(
        &self,
        worker: &Worker,
        found: Vec<(MatchableShift, bool)>,
        now: DateTime<Utc>,
        limit: usize,
        near_misses: usize,
    ) -> Result<ShiftMatches, AppError> {
        let availability = self.store.availability(worker.id).await?;
        let found: Vec<_> = found
            .into_iter()
            .filter(|(m, _)| availability.allows(m.shift.window))
            .collect();
        let facts = worker_facts(worker, &self.store.credentials_of(worker.id).await?);
        let wards: HashSet<WardId> = self
            .store
            .wards_worked(worker.id, now)
            .await?
            .into_iter()
            .collect();
        let held = match (found.first(), found.last()) {
            (Some((first, _)), Some((last, _))) => {
                let horizon = WorkingTimeRules::default().horizon();
                self.store
                    .worked_between(
                        worker.id,
                        first.shift.window.start() - horizon,
                        last.shift.window.end() + horizon,
                    )
                    .await?
            }
            _ => vec![],
        };
        let hours_now = held
            .iter()
            .filter(|w| (w.window.start() - now).abs() < FAIRNESS_PERIOD)
            .map(|w| w.window.length().num_minutes())
            .sum::<i64>();
        let mut ranked = Vec::new();
        let mut refused = Vec::new();
        for (m, night) in found {
            let reasons = eligibility::check(&facts, &shift_facts(&m.shift), now);
            if !reasons.is_empty() {
                refused.push((m.shift, reasons));
                continue;
            }
            let rank_facts = RankFacts {
                distance_km: worker.home.map(|h| ranking::distance_km(h, m.site)),
                max_travel_km: worker.max_travel_km,
                worked_ward_before: wards.contains(&m.shift.ward_id),
                preferred_times: worker.shift_times.accepts(night),
                hours_this_period: hours(hours_now),
            };
            let rank = ranking::rank(&rank_facts);
            if rank.within_travel_limit {
                ranked.push((rank, rank_facts, m.shift));
            }
        }
        ranked.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(a.2.window.start().cmp(&b.2.window.start()))
        });
        let mut bookable = Vec::new();
        for (rank, rank_facts, shift) in ranked {
            if bookable.len() == limit {
                break;
            }
            let reasons = booking_reasons(worker, &held, &shift);
            if reasons.is_empty() {
                bookable.push((rank, rank_facts, shift));
            } else if !self.holds_booking_of(worker.id, shift.id).await? {
                // A shift they booked themselves is in their bookings, not a clash with itself.
                refused.push((shift, reasons));
            }
        }
        refused.sort_by_key(|(s, r)| (r.len(), s.window.start()));
        refused.truncate(near_misses);
        let names = &self.names;
        let mut out = ShiftMatches {
            bookable: Vec::with_capacity(bookable.len()),
            not_bookable: Vec::with_capacity(refused.len()),
            more: false,
        };
        for (rank, rank_facts, shift) in bookable {
            out.bookable.push(ShiftMatch {
                shift: names.shift_view(self.store.as_ref(), &shift).await?,
                rank: RankView::new(rank, &rank_facts),
            });
        }
        for (shift, reasons) in refused {
            out.not_bookable.push(NotBookable {
                shift: names.shift_view(self.store.as_ref(), &shift).await?,
                explanations: explain(&reasons),
                reasons,
            });
        }
        Ok(out)
    }

    /// A shift and its ward, for a booker of that ward; `NotFound` for anyone else, so another
    /// trust's shift is indistinguishable from one that does not exist.
    pub(crate) async fn booker_shift(
        &self,
        who: &Principal,
        shift_id: ShiftId,
    ) -> Result<(Shift, Ward), AppError> {
        let shift = self
            .store
            .shift(shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let ward = self
            .store
            .ward(shift.ward_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !who.books_for_ward(&ward) {
            return Err(AppError::NotFound);
        }
        Ok((shift, ward))
    }

    /// A shift's candidates, best match first, and the near-misses with their reasons (bookers of
    /// the shift's ward).
    pub async fn candidates(
        &self,
        who: &Principal,
        shift_id: ShiftId,
        limit: Option<u32>,
    ) -> Result<Candidates, AppError> {
        let limit = limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(AppError::field("limit", "must be between 1 and 200"));
        }
        let (shift, ward) = self.booker_shift(who, shift_id).await?;
        let booked = self.booked_workers(shift.id).await?;
        let pool = self
            .rank_pool(&shift, &ward, self.now(), limit as usize, &booked)
            .await?;
        let mut near = pool.near;
        near.sort_by(|a, b| a.0.display_name.as_str().cmp(b.0.display_name.as_str()));
        near.truncate(NEAR_MISSES);
        let mut unsuited = pool.unsuited;
        unsuited.sort_by(|a, b| a.0.display_name.as_str().cmp(b.0.display_name.as_str()));
        unsuited.truncate(NEAR_MISSES);
        Ok(Candidates {
            eligible: pool
                .eligible
                .into_iter()
                .map(|(rank, rank_facts, worker)| CandidateView {
                    worker_id: worker.id.0,
                    name: worker.display_name.to_string(),
                    grade: worker.grade.as_str().to_owned(),
                    rank: RankView::new(rank, &rank_facts),
                })
                .collect(),
            near_misses: near
                .into_iter()
                .map(|(worker, reasons)| {
                    let reasons: Vec<_> = reasons
                        .into_iter()
                        .map(Ineligibility::as_seen_by_the_shifts_trust)
                        .collect();
                    // That the shift is filled or has started is the shift's, said once by the
                    // page, not in every worker's words; the typed reasons keep it.
                    let own: Vec<_> = reasons
                        .iter()
                        .filter(|r| {
                            !matches!(
                                r,
                                Ineligibility::ShiftNotOpen { .. } | Ineligibility::ShiftStarted
                            )
                        })
                        .cloned()
                        .collect();
                    NearMiss {
                        worker_id: worker.id.0,
                        name: worker.display_name.to_string(),
                        grade: worker.grade.as_str().to_owned(),
                        explanations: explain(&own)
                            .iter()
                            .map(|e| crate::booker_words::third_person(e))
                            .collect(),
                        reasons,
                    }
                })
                .collect(),
            not_available: unsuited
                .into_iter()
                .map(|(worker, explanations)| NotAvailable {
                    worker_id: worker.id.0,
                    name: worker.display_name.to_string(),
                    grade: worker.grade.as_str().to_owned(),
                    explanations,
                })
                .collect(),
        })
    }

    /// Whether a worker holds an active booking on a shift.
    async fn holds_booking_of(&self, worker: WorkerId, shift: ShiftId) -> Result<bool, AppError> {
        Ok(self.booked_workers(shift).await?.contains(&worker))
    }

    /// The workers holding an active booking on a shift.
    pub(crate) async fn booked_workers(
        &self,
        shift: ShiftId,
    ) -> Result<HashSet<WorkerId>, AppError> {
        Ok(self
            .store
            .bookings_of_shift(shift)
            .await?
            .iter()
            .filter(|b| b.status == staffbank_domain::booking::BookingStatus::Active)
            .map(|b| b.worker_id)
            .collect())
    }

    /// Ranks the members of a shift's banks in its group and grades (all but `leave_out`) and
    /// judges them in rank order: the best `limit` who may book it at `now` and whom it suits by
    /// their own preferences, the near-misses (one reason, or failing only the overlap and
    /// working-time rules) and those it does not suit, among those judged.
    pub(crate) async fn rank_pool(
        &self,
        shift: &Shift,
        ward: &Ward,
        now: DateTime<Utc>,
        limit: usize,
        leave_out: &HashSet<WorkerId>,
    ) -> Result<RankedPool, AppError> {
        let query = PoolQuery {
            banks: shift.schedule().banks().collect(),
            staff_group: shift.staff_group,
            grades: Grade::all().filter(|g| shift.grades.contains(*g)).collect(),
            ward: ward.id,
            now,
            from: now - FAIRNESS_PERIOD,
            to: now + FAIRNESS_PERIOD,
        };
        // Side by side: the pool is the long read, and the site is all ranking needs besides.
        let (site, pool) = tokio::try_join!(
            self.store.site(ward.site_id),
            self.store.candidate_pool(&query)
        )?;
        let site = site.ok_or(AppError::NotFound)?;
        // Everyone is ranked (cheap); the hard rules are then judged in rank order, a batch at a
        // time, until the page is full, so a large pool costs one read and a few small ones.
        let night = ranking::is_night(shift.window);
        let mut ranked: Vec<(Rank, RankFacts, Worker)> = pool
            .into_iter()
            .filter(|m| !leave_out.contains(&m.worker.id))
            .map(|m| {
                let rank_facts = RankFacts {
                    distance_km: m
                        .worker
                        .home
                        .map(|home| ranking::distance_km(home, site.location)),
                    max_travel_km: m.worker.max_travel_km,
                    worked_ward_before: m.worked_ward,
                    preferred_times: m.worker.shift_times.accepts(night),
                    hours_this_period: hours(m.minutes_in_period),
                };
                (ranking::rank(&rank_facts), rank_facts, m.worker)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.id.cmp(&b.2.id)));
        let facts = shift_facts(shift);
        // A shift that is filled, cancelled or started fails everyone alike: the first batch
        // gives the near-misses, and walking the rest of the pool could find no one eligible.
        let time = shift::BookingTime {
            starts_at: shift.window.start(),
            now,
        };
        let closed = shift::bookable(facts.status, Some(time)).is_err();
        let mut eligible = Vec::new();
        let mut near = Vec::new();
        let mut unsuited = Vec::new();
        let mut ranked = ranked.into_iter().peekable();
        while eligible.len() < limit && ranked.peek().is_some() {
            let batch: Vec<_> = ranked.by_ref().take(CANDIDATE_BATCH).collect();
            let ids: Vec<WorkerId> = batch.iter().map(|c| c.2.id).collect();
            let (found, held, availabilities) = tokio::try_join!(
                async {
                    self.store
                        .credentials_of_workers(&ids)
                        .await
                        .map_err(AppError::from)
                },
                self.held_by(ids.iter().copied(), shift),
                async {
                    self.store
                        .availabilities(&ids)
                        .await
                        .map_err(AppError::from)
                }
            )?;
            let availabilities: HashMap<WorkerId, _> = availabilities.into_iter().collect();
            let mut credentials: HashMap<WorkerId, Vec<Credential>> = HashMap::new();
            for c in found {
                credentials.entry(c.worker_id).or_default().push(c);
            }
            for (rank, rank_facts, worker) in batch {
                let creds = credentials.get(&worker.id).map_or(&[][..], Vec::as_slice);
                let reasons = eligibility::check(&worker_facts(&worker, creds), &facts, now);
                if reasons.len() > 1 {
                    continue;
                }
                if !reasons.is_empty() {
                    near.push((worker, reasons));
                    continue;
                }
                let reasons = booking_reasons(
                    &worker,
                    held.get(&worker.id).map_or(&[][..], Vec::as_slice),
                    shift,
                );
                if !reasons.is_empty() {
                    near.push((worker, reasons));
                    continue;
                }
                let why = crate::suitability::unsuited(
                    worker.shift_times,
                    &rank,
                    &rank_facts,
                    availabilities.get(&worker.id),
                    shift.window,
                );
                if !why.is_empty() {
                    unsuited.push((worker, why));
                } else if eligible.len() < limit {
                    eligible.push((rank, rank_facts, worker));
                }
            }
            if closed {
                break;
            }
        }
        Ok(RankedPool {
            eligible,
            near,
            unsuited,
        })
    }

    /// Each worker's bookings everywhere within the working-time horizon of `shift`.
    async fn held_by(
        &self,
        workers: impl Iterator<Item = WorkerId>,
        shift: &Shift,
    ) -> Result<HashMap<WorkerId, Vec<Worked>>, AppError> {
        let ids: Vec<WorkerId> = workers.collect();
        let horizon = WorkingTimeRules::default().horizon();
        let mut held: HashMap<WorkerId, Vec<Worked>> = HashMap::new();
        for (worker, worked) in self
            .store
            .worked_by_workers(
                &ids,
                shift.window.start() - horizon,
                shift.window.end() + horizon,
            )
            .await?
        {
            held.entry(worker).or_default().push(worked);
        }
        Ok(held)
    }
}
