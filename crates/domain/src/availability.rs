//! When a worker is available: the days of the week they work and the dates they cannot. A
//! shift is offered to them only if it starts on a day they work and touches no date they said
//! they cannot; both are read on the UK wall clock, as the worker means them.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::shift::RULES_ZONE;
use crate::ShiftWindow;

/// Most dates a worker may mark unavailable at once (a year, near enough).
pub const MAX_UNAVAILABLE_DATES: usize = 400;

/// The days of the week, Monday first, in the order the bits of [`Availability::weekdays`] use.
pub const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// A worker's availability. The default is every day, no dates marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    weekdays: u8,
    unavailable: BTreeSet<NaiveDate>,
}

impl Default for Availability {
    fn default() -> Self {
        Self {
            weekdays: 0b111_1111,
            unavailable: BTreeSet::new(),
        }
    }
}

/// Why an availability cannot be held.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvailabilityError {
    /// No day of the week left.
    #[error("choose at least one day of the week")]
    NoDays,
    /// Too many dates.
    #[error("mark at most {MAX_UNAVAILABLE_DATES} dates")]
    TooManyDates,
}

impl Availability {
    /// From the days of the week worked and the dates marked unavailable.
    pub fn new(
        days: impl IntoIterator<Item = Weekday>,
        unavailable: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, AvailabilityError> {
        let weekdays = days
            .into_iter()
            .fold(0u8, |bits, d| bits | 1 << d.num_days_from_monday());
        Self::from_bits(weekdays, unavailable)
    }

    /// From the stored bit set (bit 0 is Monday) and dates.
    pub fn from_bits(
        weekdays: u8,
        unavailable: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, AvailabilityError> {
        let weekdays = weekdays & 0b111_1111;
        if weekdays == 0 {
            return Err(AvailabilityError::NoDays);
        }
        let unavailable: BTreeSet<NaiveDate> = unavailable.into_iter().collect();
        if unavailable.len() > MAX_UNAVAILABLE_DATES {
            return Err(AvailabilityError::TooManyDates);
        }
        Ok(Self {
            weekdays,
            unavailable,
        })
    }

    /// The days of the week as a bit set, bit 0 Monday.
    pub fn bits(&self) -> u8 {
        self.weekdays
    }

    /// Whether they work on a day of the week.
    pub fn works_on(&self, day: Weekday) -> bool {
        self.weekdays & (1 << day.num_days_from_monday()) != 0
    }

    /// The days of the week they work, Monday first.
    pub fn days(&self) -> impl Iterator<Item = Weekday> + '_ {
        WEEK.into_iter().filter(|d| self.works_on(*d))
    }

    /// The dates marked unavailable, earliest first.
    pub fn unavailable(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.unavailable.iter().copied()
    }

    /// Whether a shift suits them: it starts on a day of the week they work, and no UK date it
    /// covers is one they cannot do (a night ending on a date marked unavailable does not suit).
    pub fn allows(&self, window: ShiftWindow) -> bool {
        self.clashes(window).is_empty()
    }

    /// Each way a shift does not suit them, so a booker can be told why in words: the day of the
    /// week it starts on if they do not work it, then each UK date it covers that they marked.
    pub fn clashes(&self, window: ShiftWindow) -> Vec<Clash> {
        let first = window.start().with_timezone(&RULES_ZONE).date_naive();
        // The last instant worked, so a shift ending at midnight does not reach the next day.
        let last = (window.end() - Duration::seconds(1))
            .with_timezone(&RULES_ZONE)
            .date_naive();
        let mut clashes = Vec::new();
        if !self.works_on(first.weekday()) {
            clashes.push(Clash::DayNotWorked(first.weekday()));
        }
        clashes.extend(
            first
                .iter_days()
                .take_while(|d| *d <= last)
                .filter(|d| self.unavailable.contains(d))
                .map(Clash::DateMarked),
        );
        clashes
    }
}

/// One way a shift does not suit a worker's availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// It starts on a day of the week they do not work.
    DayNotWorked(Weekday),
    /// It covers a date they marked as one they cannot work.
    DateMarked(NaiveDate),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn window(y: i32, m: u32, d: u32, h: u32, hours: i64) -> ShiftWindow {
        let start = Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
        ShiftWindow::new(start, start + Duration::hours(hours)).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn shifts_on_days_not_worked_or_dates_marked_do_not_suit() {
        // Wed 9 Dec 2026 and the Thursday after.
        let weekdays = Availability::new(
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu],
            [date(2026, 12, 10)],
        )
        .unwrap();
        assert!(weekdays.allows(window(2026, 12, 9, 8, 8)));
        assert!(!weekdays.allows(window(2026, 12, 10, 8, 8)), "marked");
        assert!(
            !weekdays.allows(window(2026, 12, 9, 20, 12)),
            "a night into a marked date"
        );
        assert!(
            weekdays.allows(window(2026, 12, 8, 12, 12)),
            "ends at midnight"
        );
        assert!(!weekdays.allows(window(2026, 12, 12, 8, 8)), "a Saturday");
        assert!(Availability::default().allows(window(2026, 12, 12, 8, 8)));
    }

    #[test]
    fn clashes_name_the_day_not_worked_and_each_date_marked() {
        let weekdays = Availability::new(
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu],
            [date(2026, 12, 10), date(2026, 12, 12)],
        )
        .unwrap();
        assert_eq!(weekdays.clashes(window(2026, 12, 9, 8, 8)), vec![]);
        assert_eq!(
            weekdays.clashes(window(2026, 12, 9, 20, 12)),
            vec![Clash::DateMarked(date(2026, 12, 10))]
        );
        assert_eq!(
            weekdays.clashes(window(2026, 12, 12, 8, 8)),
            vec![
                Clash::DayNotWorked(Weekday::Sat),
                Clash::DateMarked(date(2026, 12, 12))
            ]
        );
    }

    #[test]
    fn at_least_one_day_is_worked_and_bits_round_trip() {
        assert_eq!(
            Availability::new([], []).unwrap_err(),
            AvailabilityError::NoDays
        );
        let a = Availability::new([Weekday::Sat, Weekday::Sun], []).unwrap();
        assert_eq!(a.bits(), 0b110_0000);
        assert_eq!(Availability::from_bits(a.bits(), []).unwrap(), a);
        assert_eq!(
            a.days().collect::<Vec<_>>(),
            vec![Weekday::Sat, Weekday::Sun]
        );
    }
}
