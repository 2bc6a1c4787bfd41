//! Whether a shift suits a worker by their own preferences: their travel limit, the days or
//! nights they work, the days of the week they work and the dates they said they cannot.
//!
//! These are not eligibility rules (the worker may still book the shift themselves), but a worker
//! is never offered a shift they said does not suit them, whether by an offer round or by a
//! booker, so the booker sees such a worker as not available, with the reasons in words.

use chrono::Weekday;
use staffbank_domain::availability::{Availability, Clash};
use staffbank_domain::ranking::{Rank, RankFacts, ShiftTimes};
use staffbank_domain::ShiftWindow;

/// Each way `window` does not suit a worker preferring `shift_times`, ranked as `rank` from
/// `facts`, in words about them for a booker (empty: it suits). No availability read means every
/// day, no dates marked.
pub(crate) fn unsuited(
    shift_times: ShiftTimes,
    rank: &Rank,
    facts: &RankFacts,
    availability: Option<&Availability>,
    window: ShiftWindow,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if !rank.within_travel_limit {
        if let (Some(km), Some(max)) = (facts.distance_km, facts.max_travel_km) {
            reasons.push(format!(
                "lives about {km:.0} km away, beyond the {max:.0} km they will travel"
            ));
        }
    }
    if !facts.preferred_times {
        reasons.push(
            match shift_times {
                ShiftTimes::Nights => "works night shifts only, and this is a day shift",
                _ => "works day shifts only, and this is a night shift",
            }
            .to_owned(),
        );
    }
    for clash in availability.map_or_else(Vec::new, |a| a.clashes(window)) {
        reasons.push(match clash {
            Clash::DayNotWorked(day) => format!("does not work on {}", day_plural(day)),
            Clash::DateMarked(date) => {
                format!("has said they cannot work on {}", date.format("%a %-d %b"))
            }
        });
    }
    reasons
}

/// "Mondays" for Monday: how a regular day off is said.
fn day_plural(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mondays",
        Weekday::Tue => "Tuesdays",
        Weekday::Wed => "Wednesdays",
        Weekday::Thu => "Thursdays",
        Weekday::Fri => "Fridays",
        Weekday::Sat => "Saturdays",
        Weekday::Sun => "Sundays",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate, TimeZone, Utc};

    #[test]
    fn a_marked_date_and_a_day_off_are_said_in_words() {
        // Sat 12 Dec 2026, 08:00 to 16:00 UTC (also UK time in December).
        let start = Utc.with_ymd_and_hms(2026, 12, 12, 8, 0, 0).unwrap();
        let window = ShiftWindow::new(start, start + Duration::hours(8)).unwrap();
        let weekdays = Availability::new(
            [Weekday::Mon, Weekday::Fri],
            [NaiveDate::from_ymd_opt(2026, 12, 12).unwrap()],
        )
        .unwrap();
        let rank = Rank {
            within_travel_limit: true,
            points: 0,
            distance_km: None,
        };
        let facts = RankFacts {
            distance_km: None,
            max_travel_km: None,
            worked_ward_before: false,
            preferred_times: true,
            hours_this_period: 0.0,
        };
        assert_eq!(
            unsuited(ShiftTimes::Any, &rank, &facts, Some(&weekdays), window),
            vec![
                "does not work on Saturdays".to_owned(),
                "has said they cannot work on Sat 12 Dec".to_owned()
            ]
        );
        assert!(unsuited(ShiftTimes::Any, &rank, &facts, None, window).is_empty());
        let far = Rank {
            within_travel_limit: false,
            ..rank
        };
        let facts = RankFacts {
            distance_km: Some(74.6),
            max_travel_km: Some(50.0),
            preferred_times: false,
            ..facts
        };
        assert_eq!(
            unsuited(ShiftTimes::Nights, &far, &facts, None, window),
            vec![
                "lives about 75 km away, beyond the 50 km they will travel".to_owned(),
                "works night shifts only, and this is a day shift".to_owned()
            ]
        );
    }
}
