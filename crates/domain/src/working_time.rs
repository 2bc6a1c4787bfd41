//! The Working Time Regulations 1998, counted across every trust a worker books on.
//!
//! Rules (defaults from PRODUCT.md; all in [`WorkingTimeRules`]):
//! - at least 11 consecutive hours' rest in each 24 hours (reg. 10), each 24-hour period counted
//!   from the start of a shift (so a 13-hour day leaves exactly 11 hours, and a split shift with a
//!   short gap is fine when the rest of the day is long enough);
//! - at least 24 hours' uninterrupted rest in each 7 days, or 48 hours (or two of 24) in each 14
//!   days (reg. 11);
//! - on average at most 48 hours' work a week over a rolling 17-week reference period, unless the
//!   worker has opted out (regs. 4 and 5);
//! - night workers: on average at most 8 hours' work in 24 over the same period (reg. 6). A night
//!   shift has at least 3 hours of night time (23:00 to 06:00 on the UK clock, the regulations'
//!   default night period). A worker is a night worker for a booking that is a night shift, and
//!   for any booking once night shifts fall in at least one week in three of the reference period
//!   before it: working nights "as a normal course" (reg. 2), which R v Attorney General for
//!   Northern Ireland, ex parte Burns [1999] IRLR 315 found met by one week of nights in three.
//!
//! Rest periods are counted in windows that start where a shift starts (a 24-hour period, 7 or 14
//! days); the average in every rolling reference period. Only windows that touch
//! the proposed shift are checked, so a breach elsewhere in the worker's history is not blamed on
//! this booking, and adding a shift can never make a failing check pass. Rest is measured on the real clock (UTC), so a night across
//! the clocks going back is an hour longer.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::Serialize;

use crate::shift::RULES_ZONE;
use crate::{OrgId, ShiftWindow};

/// The limits, with the regulations' defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingTimeRules {
    /// Consecutive rest required in every 24 hours.
    pub daily_rest: Duration,
    /// Uninterrupted rest required in every 7 days...
    pub weekly_rest: Duration,
    /// ...or, instead, this much in every 14 days (or two rests of `weekly_rest`).
    pub fortnightly_rest: Duration,
    /// Average weekly working time allowed over the reference period.
    pub weekly_average: Duration,
    /// The reference period, in weeks.
    pub reference_weeks: i64,
    /// Average working time allowed in 24 hours for night workers.
    pub night_average_per_day: Duration,
    /// Night time on the UK clock: from...
    pub night_from: NaiveTime,
    /// ...until.
    pub night_until: NaiveTime,
    /// Night time in one shift that makes its worker a night worker.
    pub night_worker_hours: Duration,
}

impl Default for WorkingTimeRules {
    fn default() -> Self {
        Self {
            daily_rest: Duration::hours(11),
            weekly_rest: Duration::hours(24),
            fortnightly_rest: Duration::hours(48),
            weekly_average: Duration::hours(48),
            reference_weeks: 17,
            night_average_per_day: Duration::hours(8),
            night_from: NaiveTime::from_hms_opt(23, 0, 0).unwrap_or(NaiveTime::MIN),
            night_until: NaiveTime::from_hms_opt(6, 0, 0).unwrap_or(NaiveTime::MIN),
            night_worker_hours: Duration::hours(3),
        }
    }
}

impl WorkingTimeRules {
    /// The reference period's length.
    pub fn reference(&self) -> Duration {
        Duration::weeks(self.reference_weeks)
    }

    /// How far either side of a shift the other bookings matter.
    pub fn horizon(&self) -> Duration {
        self.reference().max(Duration::days(14))
    }
}

/// A shift the worker holds, anywhere on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worked {
    /// When.
    pub window: ShiftWindow,
    /// The trust it is at.
    pub trust: OrgId,
}

/// Which side of the proposed shift a short rest is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The rest before the proposed shift, after an earlier one.
    After,
    /// The rest after the proposed shift, before a later one.
    Before,
}

/// One way a booking would break the regulations, with what a person needs to see why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Breach {
    /// Less than the daily rest in some 24 hours.
    DailyRest {
        /// The rest that would be left next to the proposed shift, in minutes.
        rest_minutes: i64,
        /// Required, in minutes.
        required_minutes: i64,
        /// Whether the neighbouring shift is before or after.
        side: Side,
        /// Whether the neighbouring shift is at the same trust as the proposed one.
        same_trust: bool,
    },
    /// No weekly rest in some 7 days (nor the fortnightly alternative).
    WeeklyRest {
        /// The longest rest left in the worst 7 days, in minutes.
        longest_rest_minutes: i64,
        /// Required, in minutes.
        required_minutes: i64,
    },
    /// Over the average weekly limit in some reference period.
    WeeklyAverage {
        /// The average that would result, in minutes per week.
        average_minutes: i64,
        /// The limit, in minutes per week.
        limit_minutes: i64,
    },
    /// A night worker over the average daily limit in some reference period.
    NightAverage {
        /// The average that would result, in minutes per 24 hours.
        average_minutes: i64,
        /// The limit, in minutes per 24 hours.
        limit_minutes: i64,
    },
}

/// "9h 30m".
pub fn hours_and_minutes(minutes: i64) -> String {
    format!("{}h {:02}m", minutes / 60, minutes % 60)
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DailyRest { rest_minutes, required_minutes, side, same_trust } => {
                let place = if *same_trust { "at this trust" } else { "at another trust" };
                let relation = match side {
                    Side::After => "after a shift",
                    Side::Before => "before a shift",
                };
                write!(
                    f,
                    "would leave {} rest {relation} {place} (at least {} is required in every 24 hours)",
                    hours_and_minutes(*rest_minutes),
                    hours_and_minutes(*required_minutes)
                )
            }
            Self::WeeklyRest { longest_rest_minutes, required_minutes } => write!(
                f,
                "would leave no more than {} uninterrupted rest in a 7-day period (at least {} is required)",
                hours_and_minutes(*longest_rest_minutes),
                hours_and_minutes(*required_minutes)
            ),
            Self::WeeklyAverage { average_minutes, limit_minutes } => write!(
                f,
                "would take your average week to {} over the reference period (the limit is {} unless you opt out)",
                hours_and_minutes(*average_minutes),
                hours_and_minutes(*limit_minutes)
            ),
            Self::NightAverage { average_minutes, limit_minutes } => write!(
                f,
                "as a night worker, would take your average to {} in 24 hours (the limit is {})",
                hours_and_minutes(*average_minutes),
                hours_and_minutes(*limit_minutes)
            ),
        }
    }
}

type Span = (DateTime<Utc>, DateTime<Utc>);

/// Work merged into disjoint, sorted spans (touching shifts join: no rest between them).
fn merged(all: &[Worked]) -> Vec<Span> {
    let mut spans: Vec<Span> = all
        .iter()
        .map(|w| (w.window.start(), w.window.end()))
        .collect();
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The longest stretch without work inside `[from, to)`.
fn longest_rest(work: &[Span], from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    let mut longest = Duration::zero();
    let mut free_from = from;
    for &(s, e) in work {
        if e <= from {
            continue;
        }
        if s >= to {
            break;
        }
        longest = longest.max(s.max(from) - free_from);
        free_from = free_from.max(e);
    }
    longest.max(to - free_from.min(to))
}

/// Rests of at least `length` inside `[from, to)`, counted disjointly.
fn rests_at_least(
    work: &[Span],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    length: Duration,
) -> usize {
    let mut count = 0;
    let mut free_from = from;
    for &(s, e) in work {
        if e <= from {
            continue;
        }
        if s >= to {
            break;
        }
        if s.max(from) - free_from >= length {
            count += 1;
        }
        free_from = free_from.max(e);
    }
    if to - free_from.min(to) >= length {
        count += 1;
    }
    count
}

/// Time worked inside `[from, to)`.
fn worked_within(work: &[Span], from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    work.iter()
        .map(|&(s, e)| (e.min(to) - s.max(from)).max(Duration::zero()))
        .fold(Duration::zero(), |a, b| a + b)
}

/// Starts of every window of `length` touching `target` where the time worked inside it can
/// change slope: a window edge meets a work boundary. The most worked window starts at one.
fn window_starts(work: &[Span], target: Span, length: Duration) -> Vec<DateTime<Utc>> {
    let lo = target.0 - length;
    let hi = target.1;
    let mut starts = vec![lo, hi, target.0, target.1 - length];
    for &(s, e) in work {
        for point in [s, e, s - length, e - length] {
            if point >= lo && point <= hi {
                starts.push(point);
            }
        }
    }
    starts.retain(|t| *t + length > target.0 && *t < target.1);
    starts.sort();
    starts.dedup();
    starts
}

/// Starts of the rest periods' reference windows that touch `target`: each counted from the start
/// of a shift. Counting from every shift's start, not only where a stretch of work begins, means
/// that a shift booked just before another can never remove the period counted from the later
/// one, so adding a booking can never make a failing check pass.
fn anchors<'a>(
    starts: &'a [DateTime<Utc>],
    target: Span,
    length: Duration,
) -> impl Iterator<Item = DateTime<Utc>> + 'a {
    starts
        .iter()
        .copied()
        .filter(move |t| *t + length > target.0 && *t < target.1)
}

/// Time between 23:00 and 06:00 (by default) on the UK clock within a shift, to the second.
pub fn night_time(rules: &WorkingTimeRules, window: ShiftWindow) -> Duration {
    let (start, end) = (window.start(), window.end());
    let overnight = rules.night_from > rules.night_until;
    // Each UK calendar day from the one before the shift's start has one night period (or, for a
    // night inside one day, one period on that day); sum each one's overlap with the shift.
    let first = start.with_timezone(&RULES_ZONE).date_naive() - chrono::Days::new(1);
    let last = end.with_timezone(&RULES_ZONE).date_naive();
    let mut total = Duration::zero();
    let mut day = first;
    while day <= last {
        let until_day = if overnight {
            day + chrono::Days::new(1)
        } else {
            day
        };
        let from = uk_instant(day.and_time(rules.night_from));
        let until = uk_instant(until_day.and_time(rules.night_until));
        total += (until.min(end) - from.max(start)).max(Duration::zero());
        day = day + chrono::Days::new(1);
    }
    total
}

/// A UK wall-clock time as an instant: in the hour the clocks go back, the first of the two; in
/// the hour they skip going forward, the wall time read with the offset before the change.
fn uk_instant(local: chrono::NaiveDateTime) -> DateTime<Utc> {
    use chrono::offset::LocalResult;
    use chrono::TimeZone;
    match RULES_ZONE.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            // Skipped as the clocks go forward: read the wall time with the offset before the
            // change (an hour back is before the jump; the hour is added back after).
            let earlier = local - Duration::hours(1);
            RULES_ZONE
                .from_local_datetime(&earlier)
                .earliest()
                .map(|t| t.with_timezone(&Utc) + Duration::hours(1))
                .unwrap_or_else(|| local.and_utc())
        }
    }
}

/// Every way booking `proposed` would break the regulations, given everything the worker already
/// holds anywhere (`held`, not including `proposed`). Empty means the booking is lawful.
pub fn check(
    rules: &WorkingTimeRules,
    held: &[Worked],
    proposed: Worked,
    opted_out: bool,
) -> Vec<Breach> {
    let mut all = held.to_vec();
    all.push(proposed);
    let work = merged(&all);
    let starts: Vec<DateTime<Utc>> = all.iter().map(|w| w.window.start()).collect();
    let target = (proposed.window.start(), proposed.window.end());
    let mut breaches = Vec::new();

    let day = Duration::hours(24);
    let daily_ok =
        anchors(&starts, target, day).all(|t| longest_rest(&work, t, t + day) >= rules.daily_rest);
    if !daily_ok {
        breaches.push(daily_breach(rules, held, proposed));
    }

    let week = Duration::days(7);
    let fortnight = Duration::days(14);
    let worst_week = anchors(&starts, target, week)
        .map(|t| longest_rest(&work, t, t + week))
        .min()
        .unwrap_or(week);
    if worst_week < rules.weekly_rest {
        let fortnights_ok = anchors(&starts, target, fortnight).all(|t| {
            longest_rest(&work, t, t + fortnight) >= rules.fortnightly_rest
                || rests_at_least(&work, t, t + fortnight, rules.weekly_rest) >= 2
        });
        if !fortnights_ok {
            breaches.push(Breach::WeeklyRest {
                longest_rest_minutes: worst_week.num_minutes(),
                required_minutes: rules.weekly_rest.num_minutes(),
            });
        }
    }

    let reference = rules.reference();
    let most = window_starts(&work, target, reference)
        .into_iter()
        .map(|t| worked_within(&work, t, t + reference))
        .max()
        .unwrap_or_else(Duration::zero);
    if !opted_out && most > rules.weekly_average * rules.reference_weeks as i32 {
        breaches.push(Breach::WeeklyAverage {
            average_minutes: most.num_minutes() / rules.reference_weeks,
            limit_minutes: rules.weekly_average.num_minutes(),
        });
    }
    let days = reference.num_days();
    // The limit is compared first: it is cheap, and rarely reached.
    if most > rules.night_average_per_day * days as i32 && night_worker(rules, held, proposed) {
        breaches.push(Breach::NightAverage {
            average_minutes: most.num_minutes() / days,
            limit_minutes: rules.night_average_per_day.num_minutes(),
        });
    }
    breaches
}

/// Whether the night workers' limit applies to booking `proposed`: it is a night shift, or night
/// shifts fall in at least a third of the weeks of the reference period before it (see the
/// module's description). Counted in weeks held, so a booking added never takes the status away.
fn night_worker(rules: &WorkingTimeRules, held: &[Worked], proposed: Worked) -> bool {
    let is_night = |w: &Worked| night_time(rules, w.window) >= rules.night_worker_hours;
    if is_night(&proposed) {
        return true;
    }
    let start = proposed.window.start();
    let mut weeks: Vec<i64> = held
        .iter()
        .filter(|w| w.window.start() < start && w.window.start() >= start - rules.reference())
        .filter(|w| is_night(w))
        .map(|w| (start - w.window.start()).num_weeks())
        .collect();
    weeks.sort_unstable();
    weeks.dedup();
    weeks.len() as i64 * 3 >= rules.reference_weeks
}

/// The daily-rest breach as a person would put it: the shortest rest next to the proposed shift.
fn daily_breach(rules: &WorkingTimeRules, held: &[Worked], proposed: Worked) -> Breach {
    let before = held
        .iter()
        .filter(|w| w.window.end() <= proposed.window.start())
        .max_by_key(|w| w.window.end())
        .map(|w| {
            (
                proposed.window.start() - w.window.end(),
                Side::After,
                w.trust,
            )
        });
    let after = held
        .iter()
        .filter(|w| w.window.start() >= proposed.window.end())
        .min_by_key(|w| w.window.start())
        .map(|w| {
            (
                w.window.start() - proposed.window.end(),
                Side::Before,
                w.trust,
            )
        });
    let nearest = [before, after]
        .into_iter()
        .flatten()
        .min_by_key(|(rest, _, _)| *rest);
    let (rest, side, trust) = nearest.unwrap_or((Duration::zero(), Side::After, proposed.trust));
    Breach::DailyRest {
        rest_minutes: rest.num_minutes(),
        required_minutes: rules.daily_rest.num_minutes(),
        side,
        same_trust: trust == proposed.trust,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use proptest::prelude::*;
    use uuid::Uuid;

    const A: OrgId = OrgId(Uuid::from_u128(1));
    const B: OrgId = OrgId(Uuid::from_u128(2));

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap() // a Monday in winter (UTC = UK time)
    }

    fn shift(trust: OrgId, start_h: i64, hours: i64) -> Worked {
        let start = t0() + Duration::hours(start_h);
        Worked {
            window: ShiftWindow::new(start, start + Duration::hours(hours)).unwrap(),
            trust,
        }
    }

    fn rules() -> WorkingTimeRules {
        WorkingTimeRules::default()
    }

    #[test]
    fn exactly_eleven_hours_rest_is_enough_and_one_minute_less_is_not() {
        let day = shift(A, 7, 13); // 07:00-20:00
        let next = shift(B, 31, 12); // 07:00 next day: 11h rest
        assert_eq!(check(&rules(), &[day], next, false), vec![]);
        let early = Worked {
            window: ShiftWindow::new(
                next.window.start() - Duration::minutes(1),
                next.window.end(),
            )
            .unwrap(),
            trust: B,
        };
        let breaches = check(&rules(), &[day], early, false);
        assert_eq!(breaches.len(), 1);
        assert_eq!(
            breaches[0].to_string(),
            "would leave 10h 59m rest after a shift at another trust (at least 11h 00m is required in every 24 hours)"
        );
    }

    #[test]
    fn short_rest_reads_as_a_person_would_say_it() {
        // 08:00-20:00 at trust B, then 05:00-13:00 next day at trust A: 9 hours' rest.
        let b = check(&rules(), &[shift(B, 8, 12)], shift(A, 29, 8), false);
        assert_eq!(
            b[0].to_string(),
            "would leave 9h 00m rest after a shift at another trust (at least 11h 00m is required in every 24 hours)"
        );
        // The same pair proposed the other way round names the shift after.
        let b = check(&rules(), &[shift(A, 29, 8)], shift(A, 8, 12), false);
        assert_eq!(b[0].to_string(), "would leave 9h 00m rest before a shift at this trust (at least 11h 00m is required in every 24 hours)");
    }

    #[test]
    fn fourteen_days_without_a_day_off_breaks_weekly_rest_but_two_days_off_do_not() {
        let unbroken: Vec<Worked> = (0..13).map(|d| shift(A, d * 24 + 8, 12)).collect();
        let breaches = check(&rules(), &unbroken, shift(A, 13 * 24 + 8, 12), false);
        assert!(
            breaches
                .iter()
                .any(|b| matches!(b, Breach::WeeklyRest { .. })),
            "{breaches:?}"
        );
        let spaced: Vec<Worked> = (0..13)
            .filter(|d| *d != 3 && *d != 10)
            .map(|d| shift(A, d * 24 + 8, 12))
            .collect();
        let breaches = check(&rules(), &spaced, shift(A, 13 * 24 + 8, 12), false);
        assert!(
            breaches
                .iter()
                .all(|b| !matches!(b, Breach::WeeklyRest { .. })),
            "{breaches:?}"
        );
    }

    #[test]
    fn seven_days_straight_after_a_long_break_is_allowed_by_the_fortnight_rule() {
        let week: Vec<Worked> = (0..6).map(|d| shift(A, d * 24 + 8, 12)).collect();
        let breaches = check(&rules(), &week, shift(A, 6 * 24 + 8, 12), false);
        assert!(
            breaches
                .iter()
                .all(|b| !matches!(b, Breach::WeeklyRest { .. })),
            "{breaches:?}"
        );
    }

    /// 17 weeks of shifts totalling `hours_a_week` each week, split across trusts A and B.
    fn seventeen_weeks(hours_a_week: i64) -> Vec<Worked> {
        let mut held = Vec::new();
        for week in 0..17 {
            let mut left = hours_a_week;
            let mut day = 0;
            while left > 0 {
                let hours = left.min(12);
                let trust = if day % 2 == 0 { A } else { B };
                held.push(shift(trust, week * 168 + day * 24 + 8, hours));
                left -= hours;
                day += 1;
            }
        }
        held
    }

    #[test]
    fn exactly_forty_eight_hours_average_is_allowed_and_more_is_not() {
        let mut held = seventeen_weeks(48);
        let last = held.pop().unwrap();
        assert!(check(&rules(), &held, last, false)
            .iter()
            .all(|b| !matches!(b, Breach::WeeklyAverage { .. })));
        let extra = shift(A, 16 * 168 + 6 * 24 + 8, 1); // one more hour in week 17
        let breaches = check(&rules(), &seventeen_weeks(48), extra, false);
        assert!(
            breaches
                .iter()
                .any(|b| matches!(b, Breach::WeeklyAverage { .. })),
            "{breaches:?}"
        );
        assert!(
            check(&rules(), &seventeen_weeks(48), extra, true)
                .iter()
                .all(|b| !matches!(b, Breach::WeeklyAverage { .. })),
            "an opt-out lifts the average limit"
        );
    }

    #[test]
    fn two_trusts_together_break_the_average_though_neither_alone_does() {
        let held = seventeen_weeks(48);
        let at_a: Vec<Worked> = held.iter().copied().filter(|w| w.trust == A).collect();
        let at_b: Vec<Worked> = held.iter().copied().filter(|w| w.trust == B).collect();
        let extra = shift(A, 16 * 168 + 6 * 24 + 8, 4);
        let average = |held: &[Worked]| {
            check(&rules(), held, extra, false)
                .iter()
                .any(|b| matches!(b, Breach::WeeklyAverage { .. }))
        };
        assert!(!average(&at_a) && !average(&at_b));
        assert!(average(&held));
    }

    #[test]
    fn night_workers_have_the_lower_daily_average_even_when_opted_out() {
        // 56 hours a week for 17 weeks is 8h a day: at the night limit. An opted-out day worker
        // may add a shift; a night shift on top is refused.
        let held = seventeen_weeks(56);
        let day = shift(A, 17 * 168 - 12, 4);
        assert!(check(&rules(), &held, day, true)
            .iter()
            .all(|b| !matches!(b, Breach::NightAverage { .. })));
        let night = shift(A, 17 * 168 - 24 + 22, 8); // 22:00-06:00
        assert!(night_time(&rules(), night.window) >= Duration::hours(3));
        let breaches = check(&rules(), &held, night, true);
        assert!(
            breaches
                .iter()
                .any(|b| matches!(b, Breach::NightAverage { .. })),
            "{breaches:?}"
        );
    }

    #[test]
    fn nights_one_week_in_three_make_a_night_worker_for_a_day_shift_too() {
        // 56 hours a week for 17 weeks, at the night limit, with one night shift (22:00-06:00)
        // in some of the weeks before a 4-hour day shift is proposed on top.
        let with_nights = |weeks: &[i64]| {
            let mut held = seventeen_weeks(56);
            for week in weeks {
                let night = shift(A, week * 168 + 6 * 24 + 22, 8);
                held.retain(|w| !w.window.overlaps(night.window));
                held.push(night);
            }
            held
        };
        let day = shift(A, 17 * 168 - 12, 4);
        let night_limit = |held: &[Worked]| {
            check(&rules(), held, day, true)
                .iter()
                .any(|b| matches!(b, Breach::NightAverage { .. }))
        };
        assert!(
            night_limit(&with_nights(&[0, 3, 6, 9, 12, 15])),
            "six weeks in seventeen"
        );
        assert!(
            !night_limit(&with_nights(&[3, 9, 15])),
            "three weeks in seventeen"
        );
    }

    #[test]
    fn a_night_worker_exactly_at_the_night_average_may_book_and_a_minute_more_may_not() {
        // 56 hours a week for 17 weeks but the last week's 8-hour day: 944 hours. An 8-hour night
        // (22:00-06:00) then makes 952, exactly 8 hours a day over the 119 days.
        let mut held = seventeen_weeks(56);
        let last_day = shift(A, 16 * 168 + 4 * 24 + 8, 8);
        held.retain(|w| *w != last_day);
        assert_eq!(held.len(), 17 * 5 - 1);
        let night = shift(A, 16 * 168 + 5 * 24 + 22, 8);
        assert!(night_time(&rules(), night.window) >= Duration::hours(3));
        assert_eq!(check(&rules(), &held, night, true), vec![]);
        let longer = Worked {
            window: ShiftWindow::new(
                night.window.start(),
                night.window.end() + Duration::minutes(1),
            )
            .unwrap(),
            trust: A,
        };
        assert!(matches!(
            check(&rules(), &held, longer, true)[..],
            [Breach::NightAverage { .. }]
        ));
    }

    #[test]
    fn nights_at_the_far_end_of_the_reference_period_still_count() {
        // Six weeks of nights in seventeen make a night worker; the earliest, 16 weeks and 14 hours
        // before the proposed day shift, is inside the 17-week look-back and counts.
        let mut held = seventeen_weeks(56);
        let day = shift(A, 17 * 168 - 12, 4);
        let nights: Vec<Worked> = [5 * 24 + 22, 3 * 168 + 6 * 24 + 22, 6 * 168 + 6 * 24 + 22]
            .into_iter()
            .chain([9, 12, 15].map(|week| week * 168 + 6 * 24 + 22))
            .map(|start| shift(A, start, 8))
            .collect();
        for night in &nights {
            held.retain(|w| !w.window.overlaps(night.window));
            held.push(*night);
        }
        let earliest = day.window.start() - nights[0].window.start();
        assert!(earliest > Duration::weeks(16) && earliest < Duration::weeks(17));
        assert!(check(&rules(), &held, day, true)
            .iter()
            .any(|b| matches!(b, Breach::NightAverage { .. })));
        // Without that one, five weeks in seventeen: not a night worker, so no night limit.
        held.retain(|w| *w != nights[0]);
        assert!(check(&rules(), &held, day, true)
            .iter()
            .all(|b| !matches!(b, Breach::NightAverage { .. })));
    }

    #[test]
    fn rest_across_the_clocks_going_back_is_measured_on_the_real_clock() {
        // 2026-10-24 night 20:00-07:00 BST->GMT is 12 real hours; next shift 17:00 GMT gives 10h.
        let d = NaiveDate::from_ymd_opt(2026, 10, 24).unwrap();
        let night = ShiftWindow::from_london(
            d,
            NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        )
        .unwrap();
        assert_eq!(night.length(), Duration::hours(12));
        let next_day = d.succ_opt().unwrap();
        let next = ShiftWindow::from_london(
            next_day,
            NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(23, 0, 0).unwrap(),
        )
        .unwrap();
        let breaches = check(
            &rules(),
            &[Worked {
                window: night,
                trust: A,
            }],
            Worked {
                window: next,
                trust: A,
            },
            false,
        );
        assert_eq!(breaches, vec![]); // 07:00 -> 18:00 is 11h
        let closer = ShiftWindow::from_london(
            next_day,
            NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
            NaiveTime::from_hms_opt(23, 0, 0).unwrap(),
        )
        .unwrap();
        let breaches = check(
            &rules(),
            &[Worked {
                window: night,
                trust: A,
            }],
            Worked {
                window: closer,
                trust: A,
            },
            false,
        );
        assert!(
            matches!(
                breaches.as_slice(),
                [Breach::DailyRest {
                    rest_minutes: 630,
                    ..
                }]
            ),
            "{breaches:?}"
        );
    }

    #[test]
    fn a_shift_just_before_a_short_rest_does_not_excuse_it() {
        // 08:00-20:00, then 05:00-13:00 next day: 9 hours' rest. Booking 04:00-08:00 on the first
        // day as well makes the first day longer, not the rest.
        let proposed = shift(A, 29, 8);
        let held = [shift(B, 8, 12)];
        let daily = |held: &[Worked]| {
            check(&rules(), held, proposed, false)
                .iter()
                .any(|b| matches!(b, Breach::DailyRest { .. }))
        };
        assert!(daily(&held));
        assert!(daily(&[held[0], shift(B, 4, 4)]));
    }

    #[test]
    fn night_time_is_counted_to_the_minute_on_the_uk_clock() {
        let start = t0() + Duration::minutes(20 * 60 + 10);
        let late = ShiftWindow::new(start, start + Duration::minutes(5 * 60 + 55)).unwrap();
        assert_eq!(night_time(&rules(), late), Duration::minutes(3 * 60 + 5)); // 23:00-02:05
                                                                               // The night the clocks go forward: 23:00 GMT to 06:00 BST is six real hours.
        let d = NaiveDate::from_ymd_opt(2026, 3, 28).unwrap();
        let night = ShiftWindow::from_london(
            d,
            NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        )
        .unwrap();
        assert_eq!(night.length(), Duration::hours(8));
        assert_eq!(night_time(&rules(), night), Duration::hours(6));
    }

    /// Where the generated shifts start: winter, and a month either side of each change of the
    /// clocks (29 March and 25 October 2026), so the night rule meets both.
    fn arb_base() -> impl Strategy<Value = DateTime<Utc>> {
        prop::sample::select(vec![
            t0(),
            Utc.with_ymd_and_hms(2026, 3, 15, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 11, 0, 0, 0).unwrap(),
        ])
    }

    /// A shift of 4 to 12 hours within 30 days of `base`, on the quarter hour.
    fn arb_shift() -> impl Strategy<Value = (i64, i64, bool)> {
        (0i64..(30 * 96), 16i64..49, any::<bool>())
    }

    fn at(base: DateTime<Utc>, (q, len, at_a): (i64, i64, bool)) -> Worked {
        let start = base + Duration::minutes(15 * q);
        Worked {
            window: ShiftWindow::new(start, start + Duration::minutes(15 * len)).unwrap(),
            trust: if at_a { A } else { B },
        }
    }

    /// Shifts laid end to end from where the first starts, with the given gaps in quarter hours
    /// (zero: touching), so stretches of several shifts are common.
    fn chained(
        base: DateTime<Utc>,
        first: (i64, i64, bool),
        rest: &[(i64, i64, bool)],
    ) -> Vec<Worked> {
        let mut out = vec![at(base, first)];
        let mut q = first.0 + first.1;
        for &(gap, len, at_a) in rest {
            let q_start = q + gap % 48;
            out.push(at(base, (q_start, len, at_a)));
            q = q_start + len;
        }
        out
    }

    fn disjoint(shifts: Vec<Worked>) -> Vec<Worked> {
        let mut out: Vec<Worked> = Vec::new();
        for s in shifts {
            if out.iter().all(|o| !o.window.overlaps(s.window)) {
                out.push(s);
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn adding_a_shift_never_makes_a_failing_check_pass(
            base in arb_base(),
            first in arb_shift(),
            rest in prop::collection::vec(arb_shift(), 0..25),
            extra in arb_shift(),
            proposed in arb_shift(),
            opted_out in any::<bool>(),
        ) {
            let proposed_at = proposed.0;
            // Half the time the proposed shift follows a held one after a short rest, and half
            // the time the extra shift ends as a held one starts (often that same one).
            let held = disjoint(chained(base, first, &rest));
            let near = |i: i64| held.get(i as usize % held.len().max(1)).copied();
            let proposed = match near(proposed.0) {
                Some(h) if proposed.2 => {
                    let start = h.window.end() + Duration::minutes(15 * (proposed.0 % 60));
                    Worked { window: ShiftWindow::new(start, start + Duration::minutes(15 * proposed.1)).unwrap(), trust: A }
                }
                _ => at(base, proposed),
            };
            let touched = if extra.0 % 2 == 0 { near(proposed_at) } else { near(extra.0) };
            let extra = match touched {
                Some(h) if extra.2 => {
                    let end = h.window.start();
                    Worked { window: ShiftWindow::new(end - Duration::minutes(15 * extra.1), end).unwrap(), trust: h.trust }
                }
                _ => at(base, extra),
            };
            prop_assume!(held.iter().all(|h| !h.window.overlaps(proposed.window)));
            prop_assume!(!extra.window.overlaps(proposed.window) && held.iter().all(|h| !h.window.overlaps(extra.window)));
            let before = check(&rules(), &held, proposed, opted_out);
            let mut more = held.clone();
            more.push(extra);
            let after = check(&rules(), &more, proposed, opted_out);
            for breach in &before {
                prop_assert!(
                    after.iter().any(|b| std::mem::discriminant(b) == std::mem::discriminant(breach)),
                    "{breach:?} disappeared after adding {extra:?}"
                );
            }
        }

        #[test]
        fn night_time_matches_a_minute_by_minute_count(
            base in arb_base(),
            shift in arb_shift(),
            offset in 0i64..15,
        ) {
            // Off the quarter hour too, and across both changes of the clocks.
            let w = at(base + Duration::minutes(offset), shift).window;
            let mut minutes = 0;
            let mut t = w.start();
            while t < w.end() {
                let local = t.with_timezone(&RULES_ZONE).time();
                if local >= rules().night_from || local < rules().night_until {
                    minutes += 1;
                }
                t += Duration::minutes(1);
            }
            prop_assert_eq!(night_time(&rules(), w), Duration::minutes(minutes));
        }

        #[test]
        fn daily_rest_matches_a_brute_force_count(
            shifts in prop::collection::vec((0i64..(4 * 96), 8i64..53), 1..6),
            proposed in (0i64..(4 * 96), 8i64..53),
        ) {
            // Everything on a 15-minute grid over four days; the reference walks the slots,
            // starts a 24-hour period wherever a shift starts, and measures the longest free run
            // inside it.
            let slot = Duration::minutes(15);
            let at = |q: i64, len: i64, trust| Worked {
                window: ShiftWindow::new(t0() + slot * q as i32, t0() + slot * (q + len) as i32).unwrap(),
                trust,
            };
            let held = disjoint(shifts.into_iter().map(|(q, len)| at(q, len, A)).collect());
            let proposed = at(proposed.0, proposed.1, B);
            prop_assume!(held.iter().all(|h| !h.window.overlaps(proposed.window)));
            let mut busy = vec![false; 6 * 96];
            let mark = |busy: &mut Vec<bool>, w: &Worked| {
                let from = ((w.window.start() - t0()).num_minutes() / 15) as usize;
                let to = ((w.window.end() - t0()).num_minutes() / 15) as usize;
                for b in busy.iter_mut().take(to).skip(from) { *b = true; }
            };
            for h in &held { mark(&mut busy, h); }
            mark(&mut busy, &proposed);
            let (p_from, p_to) = (
                (proposed.window.start() - t0()).num_minutes() / 15,
                (proposed.window.end() - t0()).num_minutes() / 15,
            );
            let shift_starts: Vec<i64> = held
                .iter()
                .chain([&proposed])
                .map(|w| (w.window.start() - t0()).num_minutes() / 15)
                .collect();
            let mut reference_breach = false;
            let is_busy = |s: i64| s >= 0 && (s as usize) < busy.len() && busy[s as usize];
            for start in (p_from - 95).max(0)..p_to {
                if !shift_starts.contains(&start) {
                    continue; // a 24-hour period starts where a shift starts
                }
                let (mut longest, mut run) = (0, 0);
                for s in start..start + 96 {
                    run = if is_busy(s) { 0 } else { run + 1 };
                    longest = longest.max(run);
                }
                if longest < 44 { reference_breach = true; }
            }
            let ours = check(&rules(), &held, proposed, false).iter().any(|b| matches!(b, Breach::DailyRest { .. }));
            prop_assert_eq!(ours, reference_breach);
        }

        #[test]
        fn weekly_rest_matches_a_brute_force_count(
            shifts in prop::collection::vec((4i64..15, rests()), 2..40),
            pick in any::<prop::sample::Index>(),
        ) {
            // Shifts one after another on an hour grid, mostly with short rests between, so that
            // some weeks have no day off, and often with rests at the limits. The reference walks
            // the hours: from every shift's start whose 7 days touch the proposed shift, the
            // longest free run; if one is under 24 hours, every such 14 days needs a free run of
            // 48 hours or two of 24.
            let grid = Grid::chain(&shifts, pick.index(shifts.len()));
            let touching = |length: i64| {
                grid.starts()
                    .filter(move |&t| t + length > grid.proposed.0 && t < grid.proposed.1)
            };
            let short_week = touching(168).any(|t| grid.longest_free(t, t + 168) < 24);
            let fortnight_fails = touching(336).any(|t| {
                grid.longest_free(t, t + 336) < 48 && grid.free_runs_of(t, t + 336, 24) < 2
            });
            let reference_breach = short_week && fortnight_fails;
            let ours = check(&rules(), &grid.held, grid.proposed_shift(), false)
                .iter()
                .any(|b| matches!(b, Breach::WeeklyRest { .. }));
            prop_assert_eq!(ours, reference_breach);
        }

        #[test]
        fn averages_match_a_brute_force_count(
            shifts in prop::collection::vec((6i64..14, 0i64..30), 2..45),
            pick in any::<prop::sample::Index>(),
            opted_out in any::<bool>(),
        ) {
            // A three-week reference period, so that a few dozen shifts reach both limits: 144
            // hours' work in any 21 days, and for a night worker 168. The reference sums the busy
            // hours of every 21 days touching the proposed shift (on an hour grid the most
            // worked window starts on the hour).
            let rules = WorkingTimeRules { reference_weeks: 3, ..rules() };
            let grid = Grid::chain(&shifts, pick.index(shifts.len()));
            let most = (grid.proposed.0 - 504 + 1..grid.proposed.1)
                .map(|t| grid.busy_within(t, t + 504))
                .max()
                .unwrap_or(0);
            // In winter the UK clock is UTC, so night hours are 23:00 to 06:00 of the grid.
            let nights = |(from, to): (i64, i64)| (from..to).filter(|h| {
                !(6..23).contains(&h.rem_euclid(24))
            }).count();
            let night_weeks: std::collections::BTreeSet<i64> = grid.spans.iter()
                .filter(|&&(from, to)| from < grid.proposed.0 && from >= grid.proposed.0 - 504 && nights((from, to)) >= 3)
                .map(|&(from, _)| (grid.proposed.0 - from) / 168)
                .collect();
            let night_worker = nights(grid.proposed) >= 3 || !night_weeks.is_empty();
            let breaches = check(&rules, &grid.held, grid.proposed_shift(), opted_out);
            let weekly = breaches.iter().find_map(|b| match b {
                Breach::WeeklyAverage { average_minutes, .. } => Some(*average_minutes),
                _ => None,
            });
            let expected_weekly = (!opted_out && most > 144).then_some(most * 60 / 3);
            prop_assert_eq!(weekly, expected_weekly);
            let night = breaches.iter().find_map(|b| match b {
                Breach::NightAverage { average_minutes, .. } => Some(*average_minutes),
                _ => None,
            });
            let expected_night = (night_worker && most > 168).then_some(most * 60 / 21);
            prop_assert_eq!(night, expected_night);
        }
    }

    /// Rests between shifts in hours: mostly under a day, often at the weekly limits.
    fn rests() -> impl Strategy<Value = i64> {
        prop_oneof![4 => 6i64..24, 1 => 23i64..26, 1 => 47i64..50]
    }

    /// Shifts on an hour grid from [`t0`], with the brute-force counts the property tests compare
    /// the rules against.
    struct Grid {
        /// The held shifts.
        held: Vec<Worked>,
        /// Their hours, `[from, to)`.
        spans: Vec<(i64, i64)>,
        /// The proposed shift's hours.
        proposed: (i64, i64),
        /// Busy hours, from hour 0.
        busy: Vec<bool>,
    }

    impl Grid {
        /// Shifts of `(length, rest after)` hours one after another from hour 0; the one at
        /// `pick` is the proposed one, the rest are held.
        fn chain(shifts: &[(i64, i64)], pick: usize) -> Self {
            let mut spans = Vec::new();
            let mut at = 0;
            for &(length, rest) in shifts {
                spans.push((at, at + length));
                at += length + rest;
            }
            let proposed = spans.remove(pick);
            let held = spans
                .iter()
                .map(|&(from, to)| shift(A, from, to - from))
                .collect();
            let mut busy = vec![false; at.max(0) as usize + 1];
            for &(from, to) in spans.iter().chain([&proposed]) {
                for b in &mut busy[from as usize..to as usize] {
                    *b = true;
                }
            }
            Self {
                held,
                spans,
                proposed,
                busy,
            }
        }

        /// Every shift's start, the proposed one's included.
        fn starts(&self) -> impl Iterator<Item = i64> + '_ {
            self.spans.iter().chain([&self.proposed]).map(|s| s.0)
        }

        fn proposed_shift(&self) -> Worked {
            shift(B, self.proposed.0, self.proposed.1 - self.proposed.0)
        }

        fn is_busy(&self, h: i64) -> bool {
            h >= 0 && (h as usize) < self.busy.len() && self.busy[h as usize]
        }

        /// Maximal free runs inside `[from, to)`, cut at its edges.
        fn free_runs(&self, from: i64, to: i64) -> Vec<i64> {
            let mut runs = vec![0];
            for h in from..to {
                if self.is_busy(h) {
                    runs.push(0);
                } else if let Some(last) = runs.last_mut() {
                    *last += 1;
                }
            }
            runs
        }

        fn longest_free(&self, from: i64, to: i64) -> i64 {
            self.free_runs(from, to).into_iter().max().unwrap_or(0)
        }

        fn free_runs_of(&self, from: i64, to: i64, at_least: i64) -> usize {
            self.free_runs(from, to)
                .into_iter()
                .filter(|r| *r >= at_least)
                .count()
        }

        fn busy_within(&self, from: i64, to: i64) -> i64 {
            (from..to).filter(|h| self.is_busy(*h)).count() as i64
        }
    }
}
