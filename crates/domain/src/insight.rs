//! The bank office's dashboard ("insight"): the figures it adds up, and how a day of shifts is
//! classified (day or night, weekday or weekend). Pure: the store keeps the figures per shift
//! and per day, the app adds them up for any span of days.
//!
//! Time to fill (posted to booked) is kept as a histogram over fixed buckets rather than each
//! value, so that a year of a whole platform adds up from a few thousand rows; the median and
//! 90th centile are then reported as the bucket they fall in (its upper edge), which is exact to
//! the bucket's resolution: [`FILL_BUCKET_EDGES`].

use chrono::{Datelike, NaiveDate, Weekday};

/// Upper edges of the time-to-fill buckets, minutes (each bucket holds times up to and
/// including its edge; one more bucket holds everything longer): 15 and 30 minutes, 1, 2, 4, 8
/// and 12 hours, 1, 2, 3 and 5 days, 1, 2, 4 and 8 weeks.
pub const FILL_BUCKET_EDGES: [i64; 15] = [
    15, 30, 60, 120, 240, 480, 720, 1440, 2880, 4320, 7200, 10080, 20160, 40320, 80640,
];

/// How many time-to-fill buckets there are: one per edge and one for longer.
pub const FILL_BUCKETS: usize = FILL_BUCKET_EDGES.len() + 1;

/// The bucket a time to fill of `minutes` falls in (negative times, a booking stamped before
/// its shift, count as none).
pub fn fill_bucket(minutes: i64) -> usize {
    FILL_BUCKET_EDGES
        .iter()
        .position(|edge| minutes.max(0) <= *edge)
        .unwrap_or(FILL_BUCKET_EDGES.len())
}

/// `weekend` for a Saturday or Sunday, otherwise `weekday`: the stable name stored.
pub fn week_part(day: NaiveDate) -> &'static str {
    if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        "weekend"
    } else {
        "weekday"
    }
}

/// `night` or `day`: the stable name stored for a shift that is (or is not) a night shift.
pub fn time_of_day(night: bool) -> &'static str {
    if night {
        "night"
    } else {
        "day"
    }
}

/// What the dashboard adds up, for one shift, one day or any span: every field is a sum, so
/// any grouping of shifts is the field-by-field total of its parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Shifts posted (cancelled ones included).
    pub shifts: i64,
    /// Places on them.
    pub places: i64,
    /// Places filled by a member of the shift's own bank.
    pub own_bank: i64,
    /// Places filled by someone from outside it (through a collaborative bank).
    pub collaborative: i64,
    /// Places released to an agency.
    pub agency: i64,
    /// Places of shifts still standing that nobody fills.
    pub unfilled: i64,
    /// Places of shifts the trust cancelled.
    pub cancelled: i64,
    /// Late cancellations by the worker.
    pub late_worker: i64,
    /// Late cancellations by the trust.
    pub late_trust: i64,
    /// Seconds paid (pay lines).
    pub paid_seconds: i64,
    /// Pay, pence: everything on the pay lines (base, enhancements, premiums and holiday pay).
    pub pay_pence: i64,
    /// The base-rate part of `pay_pence` (hours at the rate card's rate).
    pub base_pence: i64,
    /// The part of `pay_pence` that is night, weekend and public holiday enhancements.
    pub enhancement_pence: i64,
    /// The part of `pay_pence` that is discretionary premiums.
    pub premium_pence: i64,
    /// The rolled-up holiday pay part of `pay_pence`.
    pub holiday_pence: i64,
    /// Employer's pension contribution on the pay, at the trust's rate, pence.
    pub pension_pence: i64,
    /// Shifts posted with a premium the booker chose over the rate card (a premium override).
    pub premium_overrides: i64,
    /// Places filled, by time to fill bucket ([`FILL_BUCKET_EDGES`]).
    pub fills: [i64; FILL_BUCKETS],
}

/// A centile of time to fill, to the resolution of the buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillTime {
    /// Within this many minutes (the upper edge of its bucket).
    Within(i64),
    /// Longer than the last edge.
    Longer(i64),
}

impl Figures {
    /// Adds another group's figures to these.
    pub fn add(&mut self, other: &Figures) {
        self.shifts += other.shifts;
        self.places += other.places;
        self.own_bank += other.own_bank;
        self.collaborative += other.collaborative;
        self.agency += other.agency;
        self.unfilled += other.unfilled;
        self.cancelled += other.cancelled;
        self.late_worker += other.late_worker;
        self.late_trust += other.late_trust;
        self.paid_seconds += other.paid_seconds;
        self.pay_pence += other.pay_pence;
        self.base_pence += other.base_pence;
        self.enhancement_pence += other.enhancement_pence;
        self.premium_pence += other.premium_pence;
        self.holiday_pence += other.holiday_pence;
        self.pension_pence += other.pension_pence;
        self.premium_overrides += other.premium_overrides;
        for (mine, theirs) in self.fills.iter_mut().zip(other.fills.iter()) {
            *mine += theirs;
        }
    }

    /// The part of `pay_pence` that is not itemised: adjustments (money alone) and lines paid
    /// before pay lines were itemised.
    pub fn other_pay_pence(&self) -> i64 {
        self.pay_pence
            - self.base_pence
            - self.enhancement_pence
            - self.premium_pence
            - self.holiday_pence
    }

    /// Places filled by the bank, own or collaborative.
    pub fn bank_filled(&self) -> i64 {
        self.own_bank + self.collaborative
    }

    /// Places of shifts still standing: filled, released to agency or unfilled.
    pub fn standing(&self) -> i64 {
        self.own_bank + self.collaborative + self.agency + self.unfilled
    }

    /// Share of standing places the bank filled, in tenths of a percent (rounded down); none
    /// with no standing places.
    pub fn fill_rate_permille(&self) -> Option<i64> {
        let standing = self.standing();
        (standing > 0).then(|| self.bank_filled() * 1000 / standing)
    }

    /// The `percent`th centile of time to fill (50 for the median), to the bucket: the first
    /// bucket by which at least that share of fills had happened. None with no fills.
    pub fn fill_time(&self, percent: i64) -> Option<FillTime> {
        let total: i64 = self.fills.iter().sum();
        if total == 0 {
            return None;
        }
        // The rank of the centile, rounded up: at least `percent`% of fills are at or below it.
        let rank = (total * percent + 99) / 100;
        let mut seen = 0;
        for (bucket, count) in self.fills.iter().enumerate() {
            seen += count;
            if seen >= rank.max(1) {
                return Some(match FILL_BUCKET_EDGES.get(bucket) {
                    Some(edge) => FillTime::Within(*edge),
                    None => FillTime::Longer(FILL_BUCKET_EDGES[FILL_BUCKET_EDGES.len() - 1]),
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_edges() {
        assert_eq!(fill_bucket(-5), 0);
        assert_eq!(fill_bucket(15), 0);
        assert_eq!(fill_bucket(16), 1);
        assert_eq!(fill_bucket(1440), 7);
        assert_eq!(fill_bucket(80_640), 14);
        assert_eq!(fill_bucket(80_641), 15);
    }

    #[test]
    fn centiles_are_the_bucket_they_reach() {
        let mut f = Figures::default();
        assert_eq!(f.fill_time(50), None);
        // 10 fills: 5 within 15 minutes, 4 within a day, 1 over 8 weeks.
        f.fills[0] = 5;
        f.fills[7] = 4;
        f.fills[15] = 1;
        assert_eq!(f.fill_time(50), Some(FillTime::Within(15)));
        assert_eq!(f.fill_time(90), Some(FillTime::Within(1440)));
        assert_eq!(f.fill_time(100), Some(FillTime::Longer(80_640)));
    }

    #[test]
    fn sums_add_field_by_field() {
        let a = Figures {
            shifts: 1,
            places: 2,
            own_bank: 1,
            unfilled: 1,
            pay_pence: 100,
            fills: [1; FILL_BUCKETS],
            ..Figures::default()
        };
        let mut b = a;
        b.add(&a);
        assert_eq!(b.places, 4);
        assert_eq!(b.pay_pence, 200);
        assert_eq!(b.fills[3], 2);
        assert_eq!(b.fill_rate_permille(), Some(500));
    }

    #[test]
    fn weekends_and_nights_are_named() {
        let sat = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        assert_eq!(week_part(sat), "weekend");
        assert_eq!(week_part(sat + chrono::Days::new(2)), "weekday");
        assert_eq!(time_of_day(true), "night");
    }
}
