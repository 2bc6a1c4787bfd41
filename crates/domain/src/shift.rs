//! Shifts: when they are, how many places they have, and what state they are in.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

/// The zone every shift is shown and ruled in, whatever zone it is stored in (UTC).
pub const RULES_ZONE: chrono_tz::Tz = London;

/// Shortest shift we accept.
pub const MIN_SHIFT: Duration = Duration::minutes(30);
/// Longest shift we accept: longer blocks are posted as several shifts.
pub const MAX_SHIFT: Duration = Duration::hours(24);
/// How far ahead a shift may be posted.
pub const MAX_POSTING_AHEAD: Duration = Duration::days(366);

/// Why a shift's times were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftWindowError {
    /// The end is not after the start.
    #[error("the shift must end after it starts")]
    EndsBeforeStart,
    /// Shorter than [`MIN_SHIFT`].
    #[error("the shift must be at least 30 minutes long")]
    TooShort,
    /// Longer than [`MAX_SHIFT`].
    #[error("the shift must be at most 24 hours long")]
    TooLong,
    /// The start is not in the future.
    #[error("the shift must start in the future")]
    InThePast,
    /// The start is more than [`MAX_POSTING_AHEAD`] away.
    #[error("the shift must start within a year")]
    TooFarAhead,
    /// A local time that the clocks skip when they go forward.
    #[error("that time does not exist in the UK on that day (the clocks go forward)")]
    NonExistentLocalTime,
}

/// A half-open interval `[start, end)` in UTC, between 30 minutes and 24 hours long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl ShiftWindow {
    /// Builds a window from UTC instants, checking order and length.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, ShiftWindowError> {
        if end <= start {
            return Err(ShiftWindowError::EndsBeforeStart);
        }
        let length = end - start;
        if length < MIN_SHIFT {
            return Err(ShiftWindowError::TooShort);
        }
        if length > MAX_SHIFT {
            return Err(ShiftWindowError::TooLong);
        }
        Ok(Self { start, end })
    }

    /// Builds a window from a UK wall-clock date and times; an end at or before the start means the
    /// next day (a night shift). Across the clocks going back, an ambiguous time is taken as its first
    /// occurrence, so the shift's real length is kept.
    pub fn from_london(
        date: NaiveDate,
        start: NaiveTime,
        end: NaiveTime,
    ) -> Result<Self, ShiftWindowError> {
        let end_date = if end <= start {
            date.succ_opt().ok_or(ShiftWindowError::TooLong)?
        } else {
            date
        };
        let start = london_instant(date, start)?;
        let end = london_instant(end_date, end)?;
        Self::new(start, end)
    }

    /// Checks that a window may be posted now: it starts in the future and within a year.
    pub fn check_postable(self, now: DateTime<Utc>) -> Result<Self, ShiftWindowError> {
        if self.start <= now {
            return Err(ShiftWindowError::InThePast);
        }
        if self.start - now > MAX_POSTING_AHEAD {
            return Err(ShiftWindowError::TooFarAhead);
        }
        Ok(self)
    }

    /// First instant of the shift.
    pub fn start(self) -> DateTime<Utc> {
        self.start
    }

    /// First instant after the shift.
    pub fn end(self) -> DateTime<Utc> {
        self.end
    }

    /// Real elapsed length (a night across the clocks going back is an hour longer).
    pub fn length(self) -> Duration {
        self.end - self.start
    }

    /// Whether two shifts share any instant. Back-to-back shifts do not overlap.
    pub fn overlaps(self, other: ShiftWindow) -> bool {
        self.start < other.end && other.start < self.end
    }
}

fn london_instant(date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, ShiftWindowError> {
    match London.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(ShiftWindowError::NonExistentLocalTime),
    }
}

/// Number of places on a shift: 1 to 50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Places(u16);

impl Places {
    /// Most places one shift may have.
    pub const MAX: u16 = 50;

    /// Parses a count of places.
    pub fn new(value: i64) -> Option<Self> {
        u16::try_from(value)
            .ok()
            .filter(|v| (1..=Self::MAX).contains(v))
            .map(Self)
    }

    /// The count.
    pub fn get(self) -> u16 {
        self.0
    }
}

/// Where a shift is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftStatus {
    /// Has free places and can be booked.
    Open,
    /// Every place is booked; hidden from every search.
    Filled,
    /// Withdrawn by the trust.
    Cancelled,
}

impl ShiftStatus {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Filled => "filled",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "open" => Some(Self::Open),
            "filled" => Some(Self::Filled),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }

    /// The status a shift has with `booked` of `places` taken.
    pub fn from_counts(booked: u16, places: Places) -> Self {
        Self::from_stored("open", i64::from(booked), i64::from(places.get()))
    }

    /// The status of a shift as stored: its stored status (`open` or `cancelled`) and its places
    /// booked and offered. Anything but `open` is cancelled; an open shift with every place taken
    /// is filled.
    pub fn from_stored(stored: &str, booked: i64, places: i64) -> Self {
        if stored != "open" {
            Self::Cancelled
        } else if booked >= places {
            Self::Filled
        } else {
            Self::Open
        }
    }
}

/// A shift's start and the time a booking of it is judged at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingTime {
    /// When the shift starts.
    pub starts_at: DateTime<Utc>,
    /// The time now.
    pub now: DateTime<Utc>,
}

/// What keeps a shift from being booked. It can fail on more than one count at once; each caller
/// names the one its answer has always named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unbookable {
    /// Its status, when that is not open: filled (every place taken) or cancelled.
    pub closed: Option<ShiftStatus>,
    /// Whether it has started (or finished) by the time judged.
    pub started: bool,
}

/// The one rule for whether a shift can be booked now: its status is open (not cancelled, with a
/// place free: see [`ShiftStatus::from_stored`]) and it has not started. `time` is `None` only
/// for a store's write, which races for the last place alone: its caller judged the start
/// against the clock before asking.
pub fn bookable(status: ShiftStatus, time: Option<BookingTime>) -> Result<(), Unbookable> {
    let refusal = Unbookable {
        closed: (status != ShiftStatus::Open).then_some(status),
        started: time.is_some_and(|t| t.starts_at <= t.now),
    };
    if refusal.closed.is_none() && !refusal.started {
        Ok(())
    } else {
        Err(refusal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::hours(h)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    #[test]
    fn windows_check_order_and_length() {
        assert!(ShiftWindow::new(at(0), at(12)).is_ok());
        assert_eq!(
            ShiftWindow::new(at(5), at(5)),
            Err(ShiftWindowError::EndsBeforeStart)
        );
        assert_eq!(
            ShiftWindow::new(at(0), at(25)),
            Err(ShiftWindowError::TooLong)
        );
        assert_eq!(
            ShiftWindow::new(at(0), at(0) + Duration::minutes(29)),
            Err(ShiftWindowError::TooShort)
        );
    }

    #[test]
    fn back_to_back_shifts_do_not_overlap() {
        let (Ok(a), Ok(b), Ok(c)) = (
            ShiftWindow::new(at(0), at(8)),
            ShiftWindow::new(at(8), at(16)),
            ShiftWindow::new(at(7), at(9)),
        ) else {
            panic!("valid windows")
        };
        assert!(!a.overlaps(b));
        assert!(a.overlaps(c) && b.overlaps(c));
    }

    #[test]
    fn night_shift_across_clocks_going_back_is_an_hour_longer() {
        // 2026-10-25: UK clocks go back at 02:00 BST to 01:00 GMT.
        let night = ShiftWindow::from_london(d(2026, 10, 24), t(20, 0), t(8, 0));
        assert_eq!(night.map(|w| w.length()), Ok(Duration::hours(13)));
        let ordinary = ShiftWindow::from_london(d(2026, 11, 7), t(20, 0), t(8, 0));
        assert_eq!(ordinary.map(|w| w.length()), Ok(Duration::hours(12)));
    }

    #[test]
    fn night_shift_across_clocks_going_forward_is_an_hour_shorter() {
        // 2026-03-29: UK clocks go forward at 01:00 GMT to 02:00 BST.
        let night = ShiftWindow::from_london(d(2026, 3, 28), t(20, 0), t(8, 0));
        assert_eq!(night.map(|w| w.length()), Ok(Duration::hours(11)));
        assert_eq!(
            ShiftWindow::from_london(d(2026, 3, 29), t(1, 30), t(9, 0)),
            Err(ShiftWindowError::NonExistentLocalTime)
        );
    }

    #[test]
    fn london_times_are_stored_in_utc() {
        let summer = ShiftWindow::from_london(d(2026, 7, 1), t(7, 30), t(19, 30));
        assert_eq!(
            summer.map(|w| w.start().to_rfc3339()),
            Ok("2026-07-01T06:30:00+00:00".to_string())
        );
    }

    #[test]
    fn posting_must_be_future_and_within_a_year() {
        let Ok(w) = ShiftWindow::new(at(100), at(108)) else {
            panic!("valid window")
        };
        assert!(w.check_postable(at(99)).is_ok());
        assert_eq!(w.check_postable(at(100)), Err(ShiftWindowError::InThePast));
        assert_eq!(
            w.check_postable(at(100) - Duration::days(400)),
            Err(ShiftWindowError::TooFarAhead)
        );
    }

    #[test]
    fn a_shift_is_bookable_only_open_with_a_free_place_and_not_started() {
        let time = |start: i64| {
            Some(BookingTime {
                starts_at: at(start),
                now: at(10),
            })
        };
        let status = |stored: &str, booked: i64| ShiftStatus::from_stored(stored, booked, 2);
        assert_eq!(bookable(status("open", 1), time(11)), Ok(()));
        assert_eq!(bookable(status("open", 1), None), Ok(()));
        let refused =
            |closed: Option<ShiftStatus>, started: bool| Err(Unbookable { closed, started });
        assert_eq!(
            bookable(status("open", 2), time(11)),
            refused(Some(ShiftStatus::Filled), false)
        );
        assert_eq!(
            bookable(status("cancelled", 2), None),
            refused(Some(ShiftStatus::Cancelled), false)
        );
        assert_eq!(bookable(status("open", 0), time(10)), refused(None, true));
        assert_eq!(
            bookable(status("cancelled", 0), time(9)),
            refused(Some(ShiftStatus::Cancelled), true)
        );
    }

    #[test]
    fn places_are_bounded() {
        assert!(Places::new(0).is_none());
        assert_eq!(Places::new(1).map(Places::get), Some(1));
        assert_eq!(Places::new(50).map(Places::get), Some(50));
        assert!(Places::new(51).is_none());
        assert!(Places::new(-3).is_none());
        let Some(three) = Places::new(3) else { return };
        assert_eq!(ShiftStatus::from_counts(2, three), ShiftStatus::Open);
        assert_eq!(ShiftStatus::from_counts(3, three), ShiftStatus::Filled);
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric_and_matches_a_shared_instant(
            a in 0i64..200, la in 1i64..24, b in 0i64..200, lb in 1i64..24
        ) {
            let x = ShiftWindow::new(at(a), at(a + la));
            let y = ShiftWindow::new(at(b), at(b + lb));
            prop_assert!(x.is_ok() && y.is_ok());
            if let (Ok(x), Ok(y)) = (x, y) {
                prop_assert_eq!(x.overlaps(y), y.overlaps(x));
                let shared = (a..a + la).any(|h| (b..b + lb).contains(&h));
                prop_assert_eq!(x.overlaps(y), shared);
            }
        }
    }
}
