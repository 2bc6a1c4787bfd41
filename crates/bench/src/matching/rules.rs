//! The booking invariants, stated again from PRODUCT.md without the product's code, so the
//! benchmark checks the product against an independent reading of the rules.
//!
//! Work is a list of `[start, end)` intervals. Rest is measured in windows that open where a
//! stretch of work starts: each 24 hours must hold 11 hours' unbroken rest; each 7 days 24 hours,
//! or else the 14 days from there 48 hours or two rests of 24; and no 17-week window from a shift's
//! start may hold more than 48 hours a week on average.

use chrono::{DateTime, Duration, Utc};

/// A worked interval.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// Whether any two intervals overlap.
pub fn overlaps(work: &[Span]) -> bool {
    let mut sorted = work.to_vec();
    sorted.sort();
    sorted.windows(2).any(|w| w[1].0 < w[0].1)
}

/// Intervals joined where they touch: the stretches of work.
fn stretches(work: &[Span]) -> Vec<Span> {
    let mut sorted = work.to_vec();
    sorted.sort();
    let mut out: Vec<Span> = Vec::new();
    for (start, end) in sorted {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// The unbroken rests inside `[from, to)`.
fn rests(work: &[Span], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Duration> {
    let mut out = Vec::new();
    let mut free_from = from;
    for &(start, end) in work {
        if end <= from || start >= to {
            continue;
        }
        if start > free_from {
            out.push(start - free_from);
        }
        free_from = free_from.max(end);
    }
    if to > free_from {
        out.push(to - free_from);
    }
    out
}

/// Every breach of the rest and average rules in `work`, in words.
pub fn breaches(work: &[Span], opted_out: bool) -> Vec<String> {
    let work = stretches(work);
    let mut out = Vec::new();
    for &(start, _) in &work {
        let longest = |days: Duration| rests(&work, start, start + days).into_iter().max();
        if longest(Duration::hours(24)).is_none_or(|r| r < Duration::hours(11)) {
            out.push(format!(
                "less than 11 hours' rest in the 24 hours from {start}"
            ));
        }
        if longest(Duration::days(7)).is_none_or(|r| r < Duration::hours(24)) {
            let fortnight = rests(&work, start, start + Duration::days(14));
            let long = fortnight.iter().any(|r| *r >= Duration::hours(48));
            let two = fortnight
                .iter()
                .filter(|r| **r >= Duration::hours(24))
                .count()
                >= 2;
            if !long && !two {
                out.push(format!("no weekly rest in the 7 or 14 days from {start}"));
            }
        }
        let until = start + Duration::weeks(17);
        let worked: Duration = work
            .iter()
            .map(|&(s, e)| (e.min(until) - s.max(start)).max(Duration::zero()))
            .sum();
        if !opted_out && worked > Duration::hours(48 * 17) {
            out.push(format!("over 48 hours a week on average from {start}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000) + Duration::hours(hours)
    }

    #[test]
    fn a_late_then_an_early_is_too_little_rest() {
        let late = (at(14), at(22));
        assert!(breaches(&[late, (at(24 + 9), at(24 + 17))], false).is_empty());
        assert_eq!(breaches(&[late, (at(24 + 7), at(24 + 15))], false).len(), 1);
        assert!(overlaps(&[late, (at(21), at(23))]));
        assert!(!overlaps(&[late, (at(22), at(23))]));
    }

    #[test]
    fn seven_long_days_in_a_row_break_weekly_rest_only_without_a_long_rest_after() {
        let days: Vec<Span> = (0..14).map(|d| (at(24 * d), at(24 * d + 12))).collect();
        assert!(!breaches(&days, false).is_empty());
        assert!(
            breaches(&days[..7], false).is_empty(),
            "48 hours after in 14"
        );
    }
}
