//! The rest break a long working day needs: the Working Time Regulations 1998, regulation 12,
//! give a worker whose daily working time is more than six hours an uninterrupted break of at
//! least 20 minutes. A timesheet that lacks one is not silently changed: it is flagged with the
//! rule, and the ward manager decides.

use chrono::{DateTime, Duration, Utc};

/// Working time above which a break is due.
pub const LONG_DAY: Duration = Duration::hours(6);
/// The shortest break that satisfies the rule.
pub const SHORTEST_BREAK: Duration = Duration::minutes(20);

/// The warning for a worked day with no break long enough, citing the rule; `None` when the
/// day is short enough or has one. `breaks` are from and to, within the day.
pub fn missing_break(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    breaks: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Option<String> {
    let resting: Duration = breaks.iter().map(|(from, to)| *to - *from).sum();
    let working = end - start - resting;
    let has_one = breaks
        .iter()
        .any(|(from, to)| *to - *from >= SHORTEST_BREAK);
    (working > LONG_DAY && !has_one).then(|| {
        format!(
            "{}h {:02}m of work with no break of 20 minutes: the Working Time Regulations 1998, \
             regulation 12, give a break of at least 20 minutes when working time is more than 6 hours",
            working.num_minutes() / 60,
            working.num_minutes() % 60
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 2, h, m, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn more_than_six_hours_needs_one_break_of_twenty_minutes() {
        // Exactly six hours of work: no break needed.
        assert_eq!(missing_break(at(8, 0), at(14, 0), &[]), None);
        // Six hours and a minute: needed, and the rule is cited.
        let warning = missing_break(at(8, 0), at(14, 1), &[]).unwrap_or_default();
        assert!(warning.contains("regulation 12") && warning.starts_with("6h 01m"));
        // A 20-minute break satisfies it; two of 10 minutes do not.
        assert_eq!(
            missing_break(at(8, 0), at(16, 0), &[(at(12, 0), at(12, 20))]),
            None
        );
        let split = [(at(10, 0), at(10, 10)), (at(13, 0), at(13, 10))];
        assert!(missing_break(at(8, 0), at(16, 0), &split).is_some());
        // A long break that brings working time to six hours or less: none needed.
        assert_eq!(
            missing_break(at(8, 0), at(14, 15), &[(at(11, 0), at(11, 15))]),
            None
        );
    }
}
