//! The pay engine: what a worked shift is paid, line by line, from the bank's rules alone.
//!
//! The hours worked (the shift less its breaks) are split on the UK clock at midnight, at the
//! start and end of the night, so every part has one kind of time: plain, a Saturday or weekday
//! night, or a Sunday or public holiday. Each part is paid for its real length, so a night across
//! the clocks going back is paid an hour more and one across the clocks going forward an hour
//! less. Each part earns the base rate for the grade and pay point, and its contractual
//! enhancement in full; a discretionary premium is paid on the base rate for every hour, up to
//! the cap unless overridden; rolled-up holiday pay is a share of all of that. Parts are added
//! exactly and the line is rounded once (see [`money`]). What is shown item by item (each part,
//! the premium, holiday pay; and base, enhancements, premium and holiday pay for reports) is
//! rounded on the running total, so the items always add up to the line to the penny.

pub mod export;
pub mod money;
pub mod premium;
pub mod rules;
pub mod run;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use serde::Serialize;

use crate::shift::RULES_ZONE;
use crate::Grade;
pub use money::{Exact, Pence};
pub use premium::{Premium, MAX_PREMIUM};
pub use rules::{BankHolidays, Enhancements, PayRules, RateCard};
pub use run::{PayPeriod, PaySettings};

/// The kind of time a part of a shift falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeKind {
    /// Weekday daytime: the plain rate.
    Plain,
    /// A Saturday, or a weekday night.
    NightOrSaturday,
    /// A Sunday or a public holiday.
    SundayOrHoliday,
}

/// A shift as worked, to be paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worked {
    /// The worker's grade.
    pub grade: Grade,
    /// Their pay point in the band (1 is the entry point).
    pub pay_point: u8,
    /// When they started.
    pub start: DateTime<Utc>,
    /// When they finished.
    pub end: DateTime<Utc>,
    /// Unpaid breaks, within the shift: from and to.
    pub breaks: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The discretionary premium on the base rate, as agreed on the shift.
    pub premium: Premium,
}

/// One part of a shift: one kind of time, paid at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayPart {
    /// From.
    pub start: DateTime<Utc>,
    /// To.
    pub end: DateTime<Utc>,
    /// Its real length, seconds.
    pub seconds: i64,
    /// Its kind of time.
    pub kind: TimeKind,
    /// Its enhancement, percent.
    pub enhancement: u32,
    /// What it earns (base and enhancement), rounded on the running total so that the parts,
    /// premium and holiday pay add up to the line exactly.
    pub amount: Pence,
}

/// What a shift is paid, with every number's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayLine {
    /// The base rate, pence per hour.
    pub base_rate: i64,
    /// The rate card it came from.
    pub rate_card: String,
    /// Seconds paid (the shift less its breaks).
    pub seconds: i64,
    /// Each part of the shift.
    pub parts: Vec<PayPart>,
    /// The premium, percent, and what it adds.
    pub premium: (u32, Pence),
    /// Rolled-up holiday pay, if the bank pays it.
    pub holiday_pay: Pence,
    /// The whole line, rounded once.
    pub total: Pence,
    /// The same total by what it pays for, for reports of where the money goes.
    pub itemised: Itemised,
    /// The whole line before that rounding, so parts of a shift can be checked to add up.
    #[serde(skip)]
    pub exact: Exact,
}

/// A line's total split by what it pays for, in whole pence that add up to the total exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Itemised {
    /// The base rate for every hour paid.
    pub base: Pence,
    /// The contractual enhancements for nights, Saturdays, Sundays and public holidays.
    pub enhancements: Pence,
    /// The discretionary premium.
    pub premium: Pence,
    /// Rolled-up holiday pay.
    pub holiday_pay: Pence,
}

impl Itemised {
    /// The items added up: always the line's total.
    pub fn total(&self) -> Pence {
        self.base + self.enhancements + self.premium + self.holiday_pay
    }
}

/// Whole pence for each exact amount, rounded on the running total: each item is what the
/// running total gains when rounded, so the items add up to the rounded whole, never a penny
/// more or less, and each is within a penny of its own exact amount.
pub fn apportion(exact: &[Exact]) -> Vec<Pence> {
    let mut running = Exact::default();
    let mut shown = Pence::default();
    exact
        .iter()
        .map(|amount| {
            running += *amount;
            let now = running.pence();
            let item = Pence(now.0 - shown.0);
            shown = now;
            item
        })
        .collect()
}

/// Why a shift cannot be paid as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    /// The rate card has no rate for the grade.
    #[error("the rate card has no rate for {0}")]
    NoRate(String),
    /// The rate card has no such pay point for the grade.
    #[error("the rate card has {points} pay point(s) for {grade}, not point {point}: correct the worker's pay point")]
    UnknownPayPoint {
        /// The grade, in words.
        grade: String,
        /// The worker's pay point.
        point: u8,
        /// How many the card has.
        points: usize,
    },
    /// The shift falls in a year the bank-holiday calendar has no dates for, so its public
    /// holidays cannot be told from plain days.
    #[error("the {nation} bank-holiday calendar has no dates for {year}: add that year's bank holidays before paying this shift")]
    OutsideCalendar {
        /// The calendar's nation.
        nation: String,
        /// The year missing.
        year: i32,
    },
    /// The premium is above the cap and no override allows it.
    #[error("a premium of {asked}% is above the cap of {cap}%: it needs a break-glass override with a reason")]
    PremiumOverCap {
        /// Asked.
        asked: u32,
        /// The cap.
        cap: u32,
    },
    /// The premium is beyond [`MAX_PREMIUM`], override or not.
    #[error("a premium may be at most {MAX_PREMIUM}% of the base rate")]
    PremiumTooLarge,
    /// The end is not after the start, or a break is outside the shift.
    #[error("{0}")]
    Times(&'static str),
}

/// The instants where the kind of time can change on one UK day: midnight, the end of the
/// night and its start.
fn boundaries(day: NaiveDate, rules: &Enhancements) -> impl Iterator<Item = DateTime<Utc>> {
    [chrono::NaiveTime::MIN, rules.night_ends, rules.night_starts]
        .into_iter()
        .filter_map(move |t| {
            // These times never fall in the hour the clocks skip (01:00 to 02:00 in the UK), so
            // each names one instant; `earliest` keeps that true for any other table too.
            RULES_ZONE
                .from_local_datetime(&day.and_time(t))
                .earliest()
                .map(|local| local.with_timezone(&Utc))
        })
}

/// The kind of time at an instant.
fn kind_at(at: DateTime<Utc>, rules: &PayRules) -> TimeKind {
    let local = at.with_timezone(&RULES_ZONE);
    let (day, time) = (local.date_naive(), local.time());
    let night = if rules.enhancements.night_starts > rules.enhancements.night_ends {
        time >= rules.enhancements.night_starts || time < rules.enhancements.night_ends
    } else {
        time >= rules.enhancements.night_starts && time < rules.enhancements.night_ends
    };
    if day.weekday() == Weekday::Sun || rules.holidays.dates.contains(&day) {
        TimeKind::SundayOrHoliday
    } else if day.weekday() == Weekday::Sat || night {
        TimeKind::NightOrSaturday
    } else {
        TimeKind::Plain
    }
}

/// A stretch of time, from and to.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The worked intervals: the shift less its breaks.
fn worked_intervals(worked: &Worked) -> Result<Vec<Span>, PayError> {
    if worked.end <= worked.start {
        return Err(PayError::Times("the end must be after the start"));
    }
    let mut breaks = worked.breaks.clone();
    breaks.sort();
    let mut out = Vec::new();
    let mut from = worked.start;
    for (b_start, b_end) in breaks {
        if b_start < from || b_end > worked.end || b_end <= b_start {
            return Err(PayError::Times(
                "breaks must lie within the shift, one after another",
            ));
        }
        if b_start > from {
            out.push((from, b_start));
        }
        from = b_end;
    }
    if worked.end > from {
        out.push((from, worked.end));
    }
    Ok(out)
}

/// Splits `[start, end)` where the kind of time changes; adjacent parts of one kind are merged.
fn split(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rules: &PayRules,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, TimeKind)> {
    let first_day = start.with_timezone(&RULES_ZONE).date_naive();
    let last_day = end.with_timezone(&RULES_ZONE).date_naive();
    let mut cuts: Vec<DateTime<Utc>> = first_day
        .iter_days()
        .take_while(|d| *d <= last_day)
        .flat_map(|d| boundaries(d, &rules.enhancements))
        .filter(|t| *t > start && *t < end)
        .collect();
    cuts.sort();
    cuts.push(end);
    let mut parts: Vec<(DateTime<Utc>, DateTime<Utc>, TimeKind)> = Vec::new();
    let mut from = start;
    for to in cuts {
        if to <= from {
            continue;
        }
        let kind = kind_at(from, rules);
        match parts.last_mut() {
            Some(last) if last.1 == from && last.2 == kind => last.1 = to,
            _ => parts.push((from, to, kind)),
        }
        from = to;
    }
    parts
}

/// Pays a worked shift by `rules`.
pub fn pay(worked: &Worked, rules: &PayRules) -> Result<PayLine, PayError> {
    let points = rules
        .rate_card
        .points(worked.grade)
        .ok_or_else(|| PayError::NoRate(worked.grade.label()))?;
    let base = rules
        .rate_card
        .rate(worked.grade, worked.pay_point)
        .ok_or_else(|| PayError::UnknownPayPoint {
            grade: worked.grade.label(),
            point: worked.pay_point,
            points,
        })?;
    let first_day = worked.start.with_timezone(&RULES_ZONE).date_naive();
    let last_day = worked.end.with_timezone(&RULES_ZONE).date_naive();
    if let Some(day) = first_day
        .iter_days()
        .take_while(|d| *d <= last_day)
        .find(|d| !rules.holidays.covers(*d))
    {
        return Err(PayError::OutsideCalendar {
            nation: rules.holidays.nation.clone(),
            year: day.year(),
        });
    }
    worked.premium.payable(rules.premium_cap)?;
    let (night, sunday) = rules.enhancements.for_grade(worked.grade);
    let mut parts = Vec::new();
    let mut exact_parts = Vec::new();
    let (mut earned, mut base_pay) = (Exact::default(), Exact::default());
    let mut seconds = 0;
    for (from, to) in worked_intervals(worked)? {
        for (start, end, kind) in split(from, to, rules) {
            let length = (end - start).num_seconds();
            let enhancement = match kind {
                TimeKind::Plain => 0,
                TimeKind::NightOrSaturday => night,
                TimeKind::SundayOrHoliday => sunday,
            };
            let amount = Exact::of(base, length, 100 + i64::from(enhancement));
            earned += amount;
            base_pay += Exact::of(base, length, 100);
            seconds += length;
            exact_parts.push(amount);
            parts.push(PayPart {
                start,
                end,
                seconds: length,
                kind,
                enhancement,
                amount: Pence::default(),
            });
        }
    }
    let premium = Exact::of(base, seconds, i64::from(worked.premium.percent));
    let before_holiday = earned + premium;
    let holiday = rules
        .rolled_up_holiday
        .map_or(Exact::default(), |bp| before_holiday.share(bp));
    let total = before_holiday + holiday;
    // Each part, the premium and holiday pay as shown: they add up to the total.
    exact_parts.extend([premium, holiday]);
    let mut shown = apportion(&exact_parts).into_iter();
    for (part, amount) in parts.iter_mut().zip(shown.by_ref()) {
        part.amount = amount;
    }
    let premium_shown = shown.next().unwrap_or_default();
    let holiday_shown = shown.next().unwrap_or_default();
    let enhancements = Exact(earned.0 - base_pay.0);
    let by_kind = apportion(&[base_pay, enhancements, premium, holiday]);
    let item = |i: usize| by_kind.get(i).copied().unwrap_or_default();
    Ok(PayLine {
        base_rate: base,
        rate_card: rules.rate_card.name.clone(),
        seconds,
        parts,
        premium: (worked.premium.percent, premium_shown),
        holiday_pay: holiday_shown,
        total: total.pence(),
        itemised: Itemised {
            base: item(0),
            enhancements: item(1),
            premium: item(2),
            holiday_pay: item(3),
        },
        exact: total,
    })
}

impl PayLine {
    /// The line in words, one row per part, each with its source.
    pub fn explain(&self) -> Vec<String> {
        let rate = Pence(self.base_rate);
        let mut rows: Vec<String> = self
            .parts
            .iter()
            .map(|p| {
                let start = p.start.with_timezone(&RULES_ZONE);
                let end = p.end.with_timezone(&RULES_ZONE);
                let kind = match p.kind {
                    TimeKind::Plain => "plain time",
                    TimeKind::NightOrSaturday => "Saturday or weekday night",
                    TimeKind::SundayOrHoliday => "Sunday or public holiday",
                };
                format!(
                    "{} to {}: {} at {rate}/h + {}% ({kind}) = {}",
                    start.format("%a %-d %b %H:%M"),
                    end.format("%a %-d %b %H:%M"),
                    hours(p.seconds),
                    p.enhancement,
                    p.amount
                )
            })
            .collect();
        if self.premium.0 > 0 {
            rows.push(format!(
                "Premium: {}% of {rate}/h for {} = {}",
                self.premium.0,
                hours(self.seconds),
                self.premium.1
            ));
        }
        if self.holiday_pay.0 != 0 {
            rows.push(format!("Rolled-up holiday pay: {}", self.holiday_pay));
        }
        rows.push(format!(
            "Base rate {rate}/h from {}; total {} (rounded once, half a penny up)",
            self.rate_card, self.total
        ));
        rows
    }
}

/// A length of time as pay lines show it, e.g. "7h 30m" (whole minutes).
pub fn hours(seconds: i64) -> String {
    let minutes = seconds / 60;
    format!("{}h {:02}m", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests;
