//! What a bank counts as a "desirable" shift for the fairness auditor: its own definition, with a
//! default of weekday day shifts on any ward.

use chrono::{Datelike, Weekday};
use serde::{Deserialize, Serialize};

use crate::ranking::is_night;
use crate::shift::RULES_ZONE;
use crate::{ShiftWindow, WardId};

/// At most this many low-acuity wards in a bank's definition.
pub const MAX_WARDS: usize = 200;

/// A bank's definition of a desirable shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desirable {
    /// Only day shifts (not nights, as the Working Time Regulations count them).
    pub day_shifts_only: bool,
    /// Shifts starting on a Saturday or Sunday (UK time) are not desirable.
    pub exclude_weekends: bool,
    /// When not empty, only shifts on these (low-acuity) wards are desirable.
    pub low_acuity_wards: Vec<WardId>,
}

impl Default for Desirable {
    /// Weekday day shifts on any ward: the shifts most staff ask for first.
    fn default() -> Self {
        Self {
            day_shifts_only: true,
            exclude_weekends: true,
            low_acuity_wards: Vec::new(),
        }
    }
}

impl Desirable {
    /// Whether a shift on `ward` over `window` is desirable.
    pub fn includes(&self, window: ShiftWindow, ward: WardId) -> bool {
        if self.day_shifts_only && is_night(window) {
            return false;
        }
        let weekday = window.start().with_timezone(&RULES_ZONE).weekday();
        if self.exclude_weekends && matches!(weekday, Weekday::Sat | Weekday::Sun) {
            return false;
        }
        self.low_acuity_wards.is_empty() || self.low_acuity_wards.contains(&ward)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime};

    use super::*;

    fn window(day: u32, start: u32, end: u32) -> ShiftWindow {
        let date = NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default();
        let time = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
        ShiftWindow::from_london(date, time(start), time(end)).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn default_is_weekday_days_anywhere() {
        let rules = Desirable::default();
        let ward = WardId(uuid::Uuid::nil());
        // Tue 8 Dec 2026
        assert!(rules.includes(window(8, 7, 19), ward));
        assert!(!rules.includes(window(8, 19, 7), ward));
        // Sat 12 Dec 2026
        assert!(!rules.includes(window(12, 7, 19), ward));
    }

    #[test]
    fn wards_list_limits_and_weekends_can_count() {
        let calm = WardId(uuid::Uuid::from_u128(1));
        let busy = WardId(uuid::Uuid::from_u128(2));
        let rules = Desirable {
            day_shifts_only: false,
            exclude_weekends: false,
            low_acuity_wards: vec![calm],
        };
        assert!(rules.includes(window(12, 19, 7), calm));
        assert!(!rules.includes(window(8, 7, 19), busy));
    }
}
