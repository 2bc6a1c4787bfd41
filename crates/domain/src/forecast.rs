//! Forecasts for a trust's bank office: whose credentials lapse in the next 30, 60 or 90 days
//! and which shifts that would stop them booking (judged by the eligibility rules themselves),
//! and how many shifts each ward is likely to leave unfilled in a coming week.
//!
//! Pure: the clock and the history are parameters.

pub mod demand;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::credential::{CredentialKind, CredentialStatus, HeldCredential};
use crate::eligibility::{check, Ineligibility, ShiftFacts, WorkerFacts};
use crate::shift::ShiftStatus;
use crate::{ShiftId, WardId, WorkerId};

/// The horizons the office plans by, in days; each counts everything within it.
pub const HORIZONS: [i64; 3] = [30, 60, 90];

/// A worker as the expiry forecast sees them.
#[derive(Debug, Clone)]
pub struct ForecastWorker {
    /// Identity.
    pub id: WorkerId,
    /// What eligibility needs, with every credential they hold.
    pub facts: WorkerFacts,
    /// Wards of the trust they have booked or worked on.
    pub wards: Vec<WardId>,
}

/// A coming shift of the trust.
#[derive(Debug, Clone)]
pub struct ForecastShift {
    /// Identity.
    pub id: ShiftId,
    /// Its ward.
    pub ward: WardId,
    /// What eligibility needs.
    pub facts: ShiftFacts,
    /// Workers holding an active booking on it.
    pub booked_by: Vec<WorkerId>,
}

/// One worker's credential of one kind lapsing within the furthest horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lapse {
    /// Whose.
    pub worker: WorkerId,
    /// Which kind.
    pub kind: CredentialKind,
    /// When their cover of this kind ends, renewals already recorded included.
    pub ends_at: DateTime<Utc>,
    /// The smallest horizon (30, 60 or 90 days) it falls within.
    pub within_days: i64,
    /// The worker's wards.
    pub wards: Vec<WardId>,
    /// Open shifts they could book today but not once it lapses.
    pub stops_open: Vec<ShiftId>,
    /// Shifts they have booked that they would no longer be eligible to work.
    pub stops_booked: Vec<ShiftId>,
}

/// When cover of `kind` ends: from the credentials in force at `now`, following renewals that
/// start before the cover runs out. `None` when nothing is in force or the cover never ends.
pub fn cover_ends(
    held: &[HeldCredential],
    kind: CredentialKind,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let standing: Vec<&HeldCredential> = held
        .iter()
        .filter(|c| c.kind == kind && c.status == CredentialStatus::Active)
        .collect();
    let in_force =
        |c: &&&HeldCredential| c.valid_from <= now && c.valid_until.is_none_or(|u| u > now);
    if !standing.iter().any(|c| in_force(&c)) {
        return None;
    }
    let mut end = now;
    loop {
        let mut next = end;
        for c in &standing {
            if c.valid_from <= end {
                match c.valid_until {
                    None => return None,
                    Some(until) if until > next => next = until,
                    Some(_) => {}
                }
            }
        }
        if next == end {
            return Some(end);
        }
        end = next;
    }
}

/// Reasons that say when, not whether: set aside so a shift not yet released or already full
/// still counts as one the lapse would stop.
fn bars(reasons: Vec<Ineligibility>) -> Vec<Ineligibility> {
    reasons
        .into_iter()
        .filter(|r| {
            !matches!(
                r,
                Ineligibility::NotYetOpen { .. } | Ineligibility::ShiftNotOpen { .. }
            )
        })
        .collect()
}

/// The shifts a lapse of `kind` would stop `worker` from: ones they may book or work with the
/// cover continuing, but not with it ending as recorded.
fn stopped(
    worker: &ForecastWorker,
    kind: CredentialKind,
    shifts: &[ForecastShift],
    now: DateTime<Utc>,
) -> (Vec<ShiftId>, Vec<ShiftId>) {
    // Every credential in force now continues, so a shift is put down to this lapse alone even
    // when several of the worker's credentials lapse together; `lapsing` keeps this kind's as
    // recorded.
    let mut continuing = worker.facts.clone();
    for c in continuing.credentials.iter_mut() {
        let in_force = c.status == CredentialStatus::Active
            && c.valid_from <= now
            && c.valid_until.is_none_or(|u| u > now);
        if in_force {
            c.valid_until = None;
        }
    }
    let mut lapsing = continuing.clone();
    for (c, recorded) in lapsing
        .credentials
        .iter_mut()
        .zip(&worker.facts.credentials)
    {
        if c.kind == kind {
            c.valid_until = recorded.valid_until;
        }
    }
    let (mut open, mut booked) = (Vec::new(), Vec::new());
    for shift in shifts {
        let holds = shift.booked_by.contains(&worker.id);
        let needs = shift
            .facts
            .required_credentials
            .iter()
            .any(|r| r.kind() == kind);
        let live = shift.facts.status == ShiftStatus::Open || holds;
        if !needs || !live || shift.facts.status == ShiftStatus::Cancelled {
            continue;
        }
        if bars(check(&continuing, &shift.facts, now)).is_empty()
            && !bars(check(&lapsing, &shift.facts, now)).is_empty()
        {
            if holds {
                booked.push(shift.id);
            } else {
                open.push(shift.id);
            }
        }
    }
    (open, booked)
}

/// Every credential lapse within the furthest horizon, soonest first, each with the shifts it
/// would stop the worker from.
pub fn credential_lapses(
    workers: &[ForecastWorker],
    shifts: &[ForecastShift],
    now: DateTime<Utc>,
) -> Vec<Lapse> {
    let mut lapses = Vec::new();
    for worker in workers {
        for kind in CredentialKind::ALL {
            let Some(ends_at) = cover_ends(&worker.facts.credentials, kind, now) else {
                continue;
            };
            let Some(within_days) = HORIZONS
                .iter()
                .copied()
                .find(|d| ends_at <= now + Duration::days(*d))
            else {
                continue;
            };
            let (stops_open, stops_booked) = stopped(worker, kind, shifts, now);
            lapses.push(Lapse {
                worker: worker.id,
                kind,
                ends_at,
                within_days,
                wards: worker.wards.clone(),
                stops_open,
                stops_booked,
            });
        }
    }
    lapses.sort_by_key(|l| (l.ends_at, l.worker, l.kind));
    lapses
}

/// How many lapses fall within each horizon on one ward (a worker on several wards counts on
/// each); counts are cumulative, so the 90-day figure includes the 30-day one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WardLapses {
    /// The ward; `None` for workers who have not yet booked on any ward of the trust.
    pub ward: Option<WardId>,
    /// Lapses within 30, 60 and 90 days.
    pub within: [u32; 3],
    /// Distinct shifts the lapses within 90 days would stop someone booking or working.
    pub shifts_stopped: u32,
}

/// The lapses counted per ward and horizon, wards in id order with the unplaced last.
pub fn lapses_by_ward(lapses: &[Lapse]) -> Vec<WardLapses> {
    let mut by: BTreeMap<Option<WardId>, ([u32; 3], std::collections::BTreeSet<ShiftId>)> =
        BTreeMap::new();
    for lapse in lapses {
        let wards: Vec<Option<WardId>> = if lapse.wards.is_empty() {
            vec![None]
        } else {
            lapse.wards.iter().copied().map(Some).collect()
        };
        for ward in wards {
            let entry = by.entry(ward).or_default();
            for (i, days) in HORIZONS.iter().enumerate() {
                if lapse.within_days <= *days {
                    entry.0[i] += 1;
                }
            }
            entry
                .1
                .extend(lapse.stops_open.iter().chain(&lapse.stops_booked).copied());
        }
    }
    let mut rows: Vec<WardLapses> = by
        .into_iter()
        .map(|(ward, (within, shifts))| WardLapses {
            ward,
            within,
            shifts_stopped: u32::try_from(shifts.len()).unwrap_or(u32::MAX),
        })
        .collect();
    rows.sort_by_key(|r| r.ward.is_none());
    rows
}

/// The Monday of the ISO week holding `day`.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::Requirement;
    use crate::release::{ReleasePolicy, Schedule};
    use crate::{BankId, Grade, GradeRange, ShiftWindow, StaffGroup};
    use uuid::Uuid;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000)
    }

    fn held(kind: CredentialKind, from: i64, until: Option<i64>) -> HeldCredential {
        HeldCredential {
            kind,
            dbs_level: None,
            valid_from: now() + Duration::days(from),
            valid_until: until.map(|d| now() + Duration::days(d)),
            status: CredentialStatus::Active,
        }
    }

    fn worker(n: u128, credentials: Vec<HeldCredential>, wards: Vec<WardId>) -> ForecastWorker {
        let group = StaffGroup::NursingAndMidwifery;
        ForecastWorker {
            id: WorkerId(Uuid::from_u128(n)),
            facts: WorkerFacts {
                staff_group: group,
                grade: Grade::parse("band_5").unwrap(),
                skills: vec![],
                banks: vec![BankId(Uuid::from_u128(1))],
                tiered: vec![],
                credentials,
            },
            wards,
        }
    }

    fn shift(n: u128, day: i64, booked_by: Vec<WorkerId>) -> ForecastShift {
        let group = StaffGroup::NursingAndMidwifery;
        let start = now() + Duration::days(day);
        let window = ShiftWindow::new(start, start + Duration::hours(12)).unwrap();
        let band = |b| Grade::parse(b).unwrap();
        ForecastShift {
            id: ShiftId(Uuid::from_u128(n)),
            ward: WardId(Uuid::from_u128(9)),
            facts: ShiftFacts {
                schedule: Schedule::plan(
                    &ReleasePolicy::default(),
                    window,
                    now() - Duration::days(1),
                    BankId(Uuid::from_u128(1)),
                    None,
                ),
                staff_group: group,
                grades: GradeRange::new(group, band("band_5"), band("band_6")).unwrap(),
                required_skills: vec![],
                required_credentials: vec![Requirement::of(CredentialKind::RightToWork)],
                window,
                status: ShiftStatus::Open,
            },
            booked_by,
        }
    }

    #[test]
    fn cover_follows_renewals_and_ignores_what_never_ends() {
        let kind = CredentialKind::RightToWork;
        assert_eq!(
            cover_ends(&[held(kind, -10, Some(20))], kind, now()),
            Some(now() + Duration::days(20))
        );
        let renewed = [held(kind, -10, Some(20)), held(kind, 15, Some(200))];
        assert_eq!(
            cover_ends(&renewed, kind, now()),
            Some(now() + Duration::days(200))
        );
        let gap = [held(kind, -10, Some(20)), held(kind, 25, Some(200))];
        assert_eq!(
            cover_ends(&gap, kind, now()),
            Some(now() + Duration::days(20))
        );
        assert_eq!(cover_ends(&[held(kind, -10, None)], kind, now()), None);
        assert_eq!(
            cover_ends(&[held(kind, -10, Some(-1))], kind, now()),
            None,
            "already lapsed is not a forecast"
        );
    }

    #[test]
    fn lapses_fall_in_the_smallest_horizon_and_name_the_shifts_they_stop() {
        let kind = CredentialKind::RightToWork;
        let ward = WardId(Uuid::from_u128(9));
        let soon = worker(1, vec![held(kind, -10, Some(20))], vec![ward]);
        let later = worker(2, vec![held(kind, -10, Some(75))], vec![]);
        let never = worker(3, vec![held(kind, -10, None)], vec![ward]);
        let far = worker(4, vec![held(kind, -10, Some(120))], vec![ward]);
        let shifts = [
            shift(10, 5, vec![]),          // before the lapse: unaffected
            shift(11, 25, vec![]),         // after it: stopped for worker 1
            shift(12, 30, vec![soon.id]),  // booked by worker 1 after it
            shift(13, 80, vec![later.id]), // booked by worker 2 after their lapse
        ];
        let lapses = credential_lapses(&[soon.clone(), later, never, far], &shifts, now());
        assert_eq!(lapses.len(), 2);
        assert_eq!(lapses[0].worker, soon.id);
        assert_eq!(lapses[0].within_days, 30);
        // Shift 13 still has a place, so the first worker could have booked it too.
        assert_eq!(
            lapses[0].stops_open,
            vec![ShiftId(Uuid::from_u128(11)), ShiftId(Uuid::from_u128(13))]
        );
        assert_eq!(lapses[0].stops_booked, vec![ShiftId(Uuid::from_u128(12))]);
        assert_eq!(lapses[1].within_days, 90);
        assert_eq!(lapses[1].stops_booked, vec![ShiftId(Uuid::from_u128(13))]);
        assert!(
            lapses[1].stops_open.is_empty(),
            "shifts ending before their lapse are not stopped"
        );

        let wards = lapses_by_ward(&lapses);
        assert_eq!(wards.len(), 2);
        assert_eq!(wards[0].ward, Some(ward));
        assert_eq!(wards[0].within, [1, 1, 1]);
        assert_eq!(wards[0].shifts_stopped, 3);
        assert_eq!(wards[1].ward, None);
        assert_eq!(wards[1].within, [0, 0, 1]);
    }

    #[test]
    fn each_of_several_credentials_lapsing_together_stops_the_shift() {
        let mut both = shift(11, 25, vec![]);
        both.facts
            .required_credentials
            .push(Requirement::of(CredentialKind::Identity));
        let w = worker(
            1,
            vec![
                held(CredentialKind::RightToWork, -10, Some(20)),
                held(CredentialKind::Identity, -10, Some(20)),
            ],
            vec![],
        );
        let lapses = credential_lapses(&[w], &[both], now());
        assert_eq!(lapses.len(), 2);
        for l in &lapses {
            assert_eq!(l.stops_open, vec![ShiftId(Uuid::from_u128(11))], "{l:?}");
        }
    }

    #[test]
    fn a_shift_the_worker_could_not_book_anyway_is_not_counted() {
        let kind = CredentialKind::RightToWork;
        let mut doctor = worker(1, vec![held(kind, -10, Some(20))], vec![]);
        doctor.facts.staff_group = StaffGroup::Medical;
        doctor.facts.grade = Grade::parse("fy1").unwrap();
        let lapses = credential_lapses(&[doctor], &[shift(11, 25, vec![])], now());
        assert_eq!(lapses.len(), 1);
        assert!(lapses[0].stops_open.is_empty());
    }

    #[test]
    fn weeks_start_on_monday() {
        let wed = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
        assert_eq!(
            week_start(wed),
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        );
    }
}
