//! Agency spend against a trust's cap: what an agency fill costs, the default cap, the period
//! spend is counted over (UK calendar days), and the forecast to the period's end.
//!
//! Money is integer pence. A fill's cost is rounded once, half a penny up; the default cap is
//! rounded down, so it is never more than 85% of the baseline; the forecast's run-rate part is
//! rounded down.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc};

use crate::shift::RULES_ZONE;

/// Highest agency rate accepted, pence an hour (£500): above it is surely a typing slip.
pub const MAX_RATE_PENCE: i64 = 50_000;
/// The default cap is this share of the baseline period's spend, percent: the brief's 15% cut.
pub const DEFAULT_CAP_PERCENT: i64 = 85;
/// The forecast's run-rate is the spend of shifts that started in this many days before now.
pub const RUN_RATE_DAYS: i64 = 28;
/// Longest period a cap or a report may cover, days (a leap year).
pub const MAX_PERIOD_DAYS: i64 = 366;
/// Highest cap accepted, pence (£1,000 million): keeps every sum far inside an `i64`.
pub const MAX_CAP_PENCE: i64 = 100_000_000_000;

/// The agreed agency rate, pence an hour: 1p to [`MAX_RATE_PENCE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgencyRate(i64);

impl AgencyRate {
    /// Parses a rate in pence an hour.
    pub fn parse(pence: i64) -> Result<Self, &'static str> {
        if pence < 1 {
            Err("must be a positive number of pence an hour")
        } else if pence > MAX_RATE_PENCE {
            Err("must be at most 50000 pence (£500) an hour")
        } else {
            Ok(Self(pence))
        }
    }

    /// Pence an hour.
    pub fn pence(self) -> i64 {
        self.0
    }
}

/// What an agency fill costs: the rate for the shift's paid time (its whole length: a shift
/// carries no planned unpaid break) for each place it fills, rounded half a penny up.
pub fn fill_spend_pence(rate: AgencyRate, paid: Duration, places: u16) -> i64 {
    let seconds = i128::from(paid.num_seconds().max(0));
    let exact = i128::from(rate.0) * seconds * i128::from(places);
    // pence = exact / 3600, half up.
    let rounded = (exact * 2 + 3600) / 7200;
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// The cap a trust has when it has set no figure: 85% of its baseline spend, rounded down.
pub fn default_cap_pence(baseline_pence: i64) -> i64 {
    let cap = i128::from(baseline_pence.max(0)) * i128::from(DEFAULT_CAP_PERCENT) / 100;
    i64::try_from(cap).unwrap_or(i64::MAX)
}

/// Why a period was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The last day is before the first.
    #[error("the period must end on or after the day it starts")]
    EndsBeforeStart,
    /// More than [`MAX_PERIOD_DAYS`].
    #[error("the period must be at most 366 days long")]
    TooLong,
}

/// A run of whole UK calendar days, first and last included: a financial year, a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    /// The days `from` to `to`, both included.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, PeriodError> {
        if to < from {
            return Err(PeriodError::EndsBeforeStart);
        }
        if (to - from).num_days() + 1 > MAX_PERIOD_DAYS {
            return Err(PeriodError::TooLong);
        }
        Ok(Self { from, to })
    }

    /// The NHS financial year (1 April to 31 March) holding `day`.
    pub fn financial_year_of(day: NaiveDate) -> Self {
        let start_year = if day.month() >= 4 {
            day.year()
        } else {
            day.year() - 1
        };
        let from = NaiveDate::from_ymd_opt(start_year, 4, 1).unwrap_or(day);
        let to = NaiveDate::from_ymd_opt(start_year + 1, 3, 31).unwrap_or(day);
        Self { from, to }
    }

    /// First day.
    pub fn from(self) -> NaiveDate {
        self.from
    }

    /// Last day (included).
    pub fn to(self) -> NaiveDate {
        self.to
    }

    /// How many days it has.
    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period of the same length that ends the day before this one starts: the default
    /// baseline.
    pub fn preceding(self) -> Self {
        let to = self.from.pred_opt().unwrap_or(self.from);
        let from = to - Duration::days(self.days() - 1);
        Self { from, to }
    }

    /// Its first instant: midnight UK time at the start of the first day.
    pub fn start(self) -> DateTime<Utc> {
        uk_midnight(self.from)
    }

    /// The instant after it: midnight UK time after the last day.
    pub fn end(self) -> DateTime<Utc> {
        uk_midnight(self.to.succ_opt().unwrap_or(self.to))
    }

    /// Its weeks: seven-day runs from the first day, the last cut short at the period's end.
    /// Each is its first day with its first instant and the instant after it.
    pub fn weeks(self) -> Vec<Week> {
        let mut weeks = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            let next = day + Duration::days(7);
            let last = (next - Duration::days(1)).min(self.to);
            weeks.push(Week {
                first_day: day,
                start: uk_midnight(day),
                end: uk_midnight(last.succ_opt().unwrap_or(last)),
            });
            day = next;
        }
        weeks
    }
}

/// One week of a [`Period`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    /// Its first day.
    pub first_day: NaiveDate,
    /// Its first instant.
    pub start: DateTime<Utc>,
    /// The instant after it.
    pub end: DateTime<Utc>,
}

/// Midnight at the start of `day` in the UK (the clocks never change at midnight there).
fn uk_midnight(day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match RULES_ZONE.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => naive.and_utc(),
    }
}

/// What the forecast to the period's end is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastInputs {
    /// Spend on shifts in the period that have started.
    pub to_date_pence: i64,
    /// Spend on shifts in the period already released to agency that have not started.
    pub committed_pence: i64,
    /// Spend on shifts that started in the [`RUN_RATE_DAYS`] days before now.
    pub recent_pence: i64,
    /// Time from now (or the period's start, if later) to the period's end; zero once it is over.
    pub remaining: Duration,
}

/// The forecast spend for the whole period: spend to date, plus the larger of the fills already
/// committed and the recent run-rate carried over the time left. Committed fills are a floor on
/// what is still to come; the run-rate covers the releases not made yet (break glass is mostly
/// short notice, so committed fills rarely reach far ahead).
pub fn forecast_pence(inputs: ForecastInputs) -> i64 {
    let remaining = i128::from(inputs.remaining.num_seconds().max(0));
    let window = i128::from(RUN_RATE_DAYS * 24 * 3600);
    let run_rate = i128::from(inputs.recent_pence.max(0)) * remaining / window;
    let run_rate = i64::try_from(run_rate).unwrap_or(i64::MAX);
    inputs
        .to_date_pence
        .saturating_add(inputs.committed_pence.max(run_rate))
}

/// Percent of the cap, rounded down; none when the cap is zero.
pub fn percent_of_cap(spend_pence: i64, cap_pence: i64) -> Option<i64> {
    if cap_pence <= 0 {
        return None;
    }
    let percent = i128::from(spend_pence) * 100 / i128::from(cap_pence);
    Some(i64::try_from(percent).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn rates_are_positive_and_bounded() {
        assert!(AgencyRate::parse(0).is_err());
        assert!(AgencyRate::parse(-5).is_err());
        assert!(AgencyRate::parse(MAX_RATE_PENCE + 1).is_err());
        assert_eq!(AgencyRate::parse(6_500).map(AgencyRate::pence), Ok(6_500));
    }

    #[test]
    fn a_fill_costs_the_rate_for_its_hours_and_places_rounded_half_up() {
        let rate = AgencyRate::parse(6_001).unwrap_or(AgencyRate(1));
        assert_eq!(fill_spend_pence(rate, Duration::hours(12), 1), 72_012);
        assert_eq!(fill_spend_pence(rate, Duration::hours(12), 3), 216_036);
        // 7h30m at 1p an hour is 7.5p: half up to 8p.
        let penny = AgencyRate(1);
        assert_eq!(fill_spend_pence(penny, Duration::minutes(450), 1), 8);
        assert_eq!(fill_spend_pence(penny, Duration::minutes(441), 1), 7);
    }

    #[test]
    fn the_default_cap_is_85_percent_rounded_down() {
        assert_eq!(default_cap_pence(100_000), 85_000);
        assert_eq!(default_cap_pence(99), 84);
        assert_eq!(default_cap_pence(0), 0);
    }

    #[test]
    fn periods_are_whole_uk_days_and_the_baseline_precedes_them() {
        assert!(Period::new(day(2026, 5, 2), day(2026, 5, 1)).is_err());
        assert!(Period::new(day(2026, 1, 1), day(2027, 1, 2)).is_err());
        let fy = Period::financial_year_of(day(2027, 2, 10));
        assert_eq!((fy.from(), fy.to()), (day(2026, 4, 1), day(2027, 3, 31)));
        assert_eq!(fy.days(), 365);
        let before = fy.preceding();
        assert_eq!(
            (before.from(), before.to()),
            (day(2025, 4, 1), day(2026, 3, 31))
        );
        // 1 April is in summer time: midnight there is 23:00 UTC the day before.
        assert_eq!(fy.start().to_rfc3339(), "2026-03-31T23:00:00+00:00");
        assert_eq!(fy.end().to_rfc3339(), "2027-03-31T23:00:00+00:00");
    }

    #[test]
    fn weeks_run_from_the_first_day_and_the_last_is_cut_short() {
        let p = Period::new(day(2026, 12, 1), day(2026, 12, 16)).unwrap_or(Period {
            from: day(2026, 12, 1),
            to: day(2026, 12, 1),
        });
        let weeks = p.weeks();
        assert_eq!(weeks.len(), 3);
        assert_eq!(weeks[2].first_day, day(2026, 12, 15));
        assert_eq!(weeks[2].end, p.end());
        assert_eq!(weeks[0].end, weeks[1].start);
    }

    #[test]
    fn the_forecast_adds_the_larger_of_committed_and_run_rate() {
        let inputs = ForecastInputs {
            to_date_pence: 1_000,
            committed_pence: 500,
            recent_pence: 2_800,
            remaining: Duration::days(14),
        };
        assert_eq!(forecast_pence(inputs), 1_000 + 1_400);
        let committed = ForecastInputs {
            committed_pence: 5_000,
            ..inputs
        };
        assert_eq!(forecast_pence(committed), 6_000);
        let over = ForecastInputs {
            remaining: Duration::zero(),
            committed_pence: 0,
            ..inputs
        };
        assert_eq!(forecast_pence(over), 1_000);
    }

    #[test]
    fn percent_of_cap_needs_a_cap() {
        assert_eq!(percent_of_cap(50, 200), Some(25));
        assert_eq!(percent_of_cap(50, 0), None);
    }
}
