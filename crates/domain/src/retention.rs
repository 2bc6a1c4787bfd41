//! Retention signals: bank workers whose activity at a trust is falling, so its bank office can
//! offer them something before they drift away, and whether a nudge brought them back.
//!
//! Weeks are the seven-day spans counting back from now (week 0 is the last seven days), so a
//! signal does not wait for a calendar week to end. Pure: the clock and the history are
//! parameters.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// The thresholds of the rules; [`RetentionRules::default`] holds the bank office defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionRules {
    /// Consecutive weeks of offers all declined or ignored that raise a signal.
    pub ignored_weeks: u32,
    /// Weeks without a booking that make a regular booker quiet.
    pub quiet_weeks: u32,
    /// The weeks before the quiet ones in which regularity is judged.
    pub regular_span: u32,
    /// Of those, the weeks with a booking that make someone a regular booker.
    pub regular_min: u32,
}

impl Default for RetentionRules {
    fn default() -> Self {
        Self {
            ignored_weeks: 3,
            quiet_weeks: 3,
            regular_span: 8,
            regular_min: 4,
        }
    }
}

/// How far back the rules look, so a caller reads no more history than they need.
pub fn history_needed(rules: &RetentionRules) -> Duration {
    let weeks = rules
        .ignored_weeks
        .max(rules.quiet_weeks + rules.regular_span);
    Duration::weeks(i64::from(weeks))
}

/// One offer a worker received and whether they took it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferTaken {
    /// When it was made.
    pub offered_at: DateTime<Utc>,
    /// Whether they booked the shift offered.
    pub booked: bool,
}

/// A worker's activity at one trust.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// Offers made to them.
    pub offers: Vec<OfferTaken>,
    /// When they made each booking (cancelled ones included: they did book).
    pub booked_at: Vec<DateTime<Utc>>,
}

/// Why a worker is flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum Signal {
    /// Every offer in each of the last weeks was declined or ignored.
    IgnoringOffers {
        /// Consecutive weeks.
        weeks: u32,
        /// Offers made in those weeks.
        offers: u32,
    },
    /// A regular booker who has stopped booking.
    StoppedBooking {
        /// Weeks with a booking in the span before the quiet ones.
        booked_weeks: u32,
        /// That span, in weeks.
        of_weeks: u32,
        /// Weeks without a booking.
        quiet_weeks: u32,
        /// Their last booking.
        last_booked: DateTime<Utc>,
    },
}

impl Signal {
    /// Stable name for the API and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::IgnoringOffers { .. } => "ignoring_offers",
            Self::StoppedBooking { .. } => "stopped_booking",
        }
    }

    /// The reason in plain words.
    pub fn reason(&self) -> String {
        match self {
            Self::IgnoringOffers { weeks, offers } => format!(
                "Declined or ignored all {offers} shifts offered over the last {weeks} weeks"
            ),
            Self::StoppedBooking {
                booked_weeks,
                of_weeks,
                quiet_weeks,
                ..
            } => format!(
                "Booked in {booked_weeks} of the {of_weeks} weeks before, but nothing in the last {quiet_weeks} weeks"
            ),
        }
    }
}

/// Which week back from `now` an instant falls in (0 = the last seven days); `None` in the future.
fn week_back(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<u32> {
    if at > now {
        return None;
    }
    u32::try_from((now - at).num_seconds() / Duration::weeks(1).num_seconds()).ok()
}

/// Every signal a worker's activity raises at `now`.
pub fn signals(activity: &Activity, now: DateTime<Utc>, rules: &RetentionRules) -> Vec<Signal> {
    let mut found = Vec::new();
    let mut offers = 0u32;
    let ignoring = (0..rules.ignored_weeks).all(|week| {
        let in_week: Vec<&OfferTaken> = activity
            .offers
            .iter()
            .filter(|o| week_back(o.offered_at, now) == Some(week))
            .collect();
        offers += u32::try_from(in_week.len()).unwrap_or(u32::MAX);
        !in_week.is_empty() && in_week.iter().all(|o| !o.booked)
    });
    if ignoring && rules.ignored_weeks > 0 {
        found.push(Signal::IgnoringOffers {
            weeks: rules.ignored_weeks,
            offers,
        });
    }
    let weeks: Vec<u32> = activity
        .booked_at
        .iter()
        .filter_map(|at| week_back(*at, now))
        .collect();
    let quiet = !weeks.iter().any(|w| *w < rules.quiet_weeks);
    let mut booked_weeks: Vec<u32> = weeks
        .iter()
        .copied()
        .filter(|w| (rules.quiet_weeks..rules.quiet_weeks + rules.regular_span).contains(w))
        .collect();
    booked_weeks.sort_unstable();
    booked_weeks.dedup();
    let booked_weeks = u32::try_from(booked_weeks.len()).unwrap_or(u32::MAX);
    let last = activity.booked_at.iter().filter(|at| **at <= now).max();
    if let (true, Some(last)) = (quiet && booked_weeks >= rules.regular_min, last) {
        found.push(Signal::StoppedBooking {
            booked_weeks,
            of_weeks: rules.regular_span,
            quiet_weeks: rules.quiet_weeks,
            last_booked: *last,
        });
    }
    found
}

/// Days after a nudge within which a booking counts as the worker coming back.
pub const NUDGE_WINDOW_DAYS: i64 = 14;

/// What became of a nudge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NudgeOutcome {
    /// They booked within the window.
    BookedAgain,
    /// The window is still running and they have not booked yet.
    Waiting,
    /// The window passed without a booking.
    NoBooking,
}

impl NudgeOutcome {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BookedAgain => "booked_again",
            Self::Waiting => "waiting",
            Self::NoBooking => "no_booking",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Self::BookedAgain => "Booked again",
            Self::Waiting => "Waiting",
            Self::NoBooking => "No booking",
        }
    }
}

/// Whether a worker nudged at `nudged_at` booked within the window, given when they booked.
pub fn nudge_outcome(
    nudged_at: DateTime<Utc>,
    booked_at: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> NudgeOutcome {
    let closes = nudged_at + Duration::days(NUDGE_WINDOW_DAYS);
    if booked_at
        .iter()
        .any(|at| *at >= nudged_at && *at <= closes && *at <= now)
    {
        NudgeOutcome::BookedAgain
    } else if now < closes {
        NudgeOutcome::Waiting
    } else {
        NudgeOutcome::NoBooking
    }
}

/// The share of decided nudges (not still waiting) after which the worker booked again, in
/// per cent; `None` before any is decided.
pub fn success_rate(outcomes: &[NudgeOutcome]) -> Option<f64> {
    let booked = outcomes
        .iter()
        .filter(|o| **o == NudgeOutcome::BookedAgain)
        .count();
    let decided = outcomes
        .iter()
        .filter(|o| **o != NudgeOutcome::Waiting)
        .count();
    (decided > 0).then(|| booked as f64 * 100.0 / decided as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000)
    }

    fn days_ago(d: i64) -> DateTime<Utc> {
        now() - Duration::days(d)
    }

    fn offer(d: i64, booked: bool) -> OfferTaken {
        OfferTaken {
            offered_at: days_ago(d),
            booked,
        }
    }

    #[test]
    fn three_weeks_of_ignored_offers_raise_a_signal() {
        let rules = RetentionRules::default();
        let activity = Activity {
            offers: vec![
                offer(1, false),
                offer(2, false),
                offer(9, false),
                offer(16, false),
            ],
            booked_at: vec![],
        };
        let found = signals(&activity, now(), &rules);
        assert_eq!(
            found,
            vec![Signal::IgnoringOffers {
                weeks: 3,
                offers: 4
            }]
        );
        assert_eq!(
            found[0].reason(),
            "Declined or ignored all 4 shifts offered over the last 3 weeks"
        );
    }

    #[test]
    fn a_week_without_offers_or_with_one_taken_breaks_the_run() {
        let rules = RetentionRules::default();
        let gap = Activity {
            offers: vec![offer(1, false), offer(16, false)],
            booked_at: vec![],
        };
        assert!(signals(&gap, now(), &rules).is_empty());
        let taken = Activity {
            offers: vec![
                offer(1, false),
                offer(9, true),
                offer(10, false),
                offer(16, false),
            ],
            booked_at: vec![],
        };
        assert!(signals(&taken, now(), &rules).is_empty());
    }

    #[test]
    fn a_regular_booker_gone_quiet_is_flagged_and_an_occasional_one_is_not() {
        let rules = RetentionRules::default();
        // weeks 3, 4, 5 and 6 back: four of the eight before the quiet three
        let regular = Activity {
            offers: vec![],
            booked_at: vec![days_ago(22), days_ago(30), days_ago(38), days_ago(45)],
        };
        let found = signals(&regular, now(), &rules);
        assert_eq!(found.len(), 1);
        assert!(matches!(
            found[0],
            Signal::StoppedBooking {
                booked_weeks: 4,
                of_weeks: 8,
                quiet_weeks: 3,
                ..
            }
        ));
        assert_eq!(
            found[0].reason(),
            "Booked in 4 of the 8 weeks before, but nothing in the last 3 weeks"
        );
        let occasional = Activity {
            offers: vec![],
            booked_at: vec![days_ago(22), days_ago(23), days_ago(38)],
        };
        assert!(signals(&occasional, now(), &rules).is_empty());
        let mut still = regular.clone();
        still.booked_at.push(days_ago(3));
        assert!(signals(&still, now(), &rules).is_empty());
    }

    #[test]
    fn a_nudge_succeeds_on_a_booking_within_the_window() {
        let nudged = days_ago(20);
        assert_eq!(
            nudge_outcome(nudged, &[days_ago(10)], now()),
            NudgeOutcome::BookedAgain
        );
        assert_eq!(
            nudge_outcome(nudged, &[days_ago(1)], now()),
            NudgeOutcome::NoBooking,
            "too late to count"
        );
        assert_eq!(
            nudge_outcome(days_ago(3), &[days_ago(10)], now()),
            NudgeOutcome::Waiting
        );
        let rate = success_rate(&[
            NudgeOutcome::BookedAgain,
            NudgeOutcome::NoBooking,
            NudgeOutcome::Waiting,
        ]);
        assert_eq!(rate, Some(50.0));
        assert_eq!(success_rate(&[NudgeOutcome::Waiting]), None);
    }

    #[test]
    fn history_covers_every_rule() {
        assert_eq!(
            history_needed(&RetentionRules::default()),
            Duration::weeks(11)
        );
    }
}
