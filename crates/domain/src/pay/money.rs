//! Money: whole pence for everything paid and shown, and an exact amount for adding up parts of
//! a shift before the one rounding.
//!
//! The rounding rule, the only one: a pay line's exact amount is rounded to whole pence once,
//! half a penny up (away from zero). Parts of a line are added exactly first, so splitting a
//! shift never gains or loses a penny.

use std::fmt;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

/// Whole pence.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Pence(pub i64);

impl fmt::Display for Pence {
    /// Pounds and pence, e.g. `£1,234.05` or `-£3.10`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let pounds = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, digit) in pounds.chars().enumerate() {
            if i > 0 && (pounds.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{sign}£{grouped}.{:02}", abs % 100)
    }
}

impl Add for Pence {
    type Output = Pence;
    fn add(self, other: Pence) -> Pence {
        Pence(self.0 + other.0)
    }
}

/// The units of [`Exact`] in one penny: a rate in pence per hour (÷ 3,600 seconds), times a
/// percentage (÷ 100), times a share in basis points (÷ 10,000).
pub const EXACT_PER_PENNY: i128 = 3_600 * 100 * 10_000;

/// An amount in 1/3,600,000,000ths of a penny: exact for any rate in pence per hour, any whole
/// number of seconds, any whole percentage and any share in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Exact(pub i128);

impl Exact {
    /// `pence_per_hour` for `seconds`, uplifted by `percent` (100 is the plain rate).
    pub fn of(pence_per_hour: i64, seconds: i64, percent: i64) -> Self {
        Exact(i128::from(pence_per_hour) * i128::from(seconds) * i128::from(percent) * 10_000)
    }

    /// A share of this amount, in basis points (1,207 is 12.07%).
    pub fn share(self, basis_points: u32) -> Self {
        Exact(self.0 * i128::from(basis_points) / 10_000)
    }

    /// Whole pence, half a penny rounded up (away from zero): the one rounding rule.
    pub fn pence(self) -> Pence {
        let half = EXACT_PER_PENNY / 2;
        let rounded = if self.0 >= 0 {
            (self.0 + half) / EXACT_PER_PENNY
        } else {
            -((-self.0 + half) / EXACT_PER_PENNY)
        };
        Pence(i64::try_from(rounded).unwrap_or(i64::MAX))
    }
}

impl Add for Exact {
    type Output = Exact;
    fn add(self, other: Exact) -> Exact {
        Exact(self.0 + other.0)
    }
}

impl AddAssign for Exact {
    fn add_assign(&mut self, other: Exact) {
        self.0 += other.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pence_read_as_pounds() {
        assert_eq!(Pence(0).to_string(), "£0.00");
        assert_eq!(Pence(5).to_string(), "£0.05");
        assert_eq!(Pence(123_405).to_string(), "£1,234.05");
        assert_eq!(Pence(-310).to_string(), "-£3.10");
        assert_eq!(Pence(100_000_000).to_string(), "£1,000,000.00");
    }

    #[test]
    fn half_a_penny_rounds_up_once() {
        // £15.88 an hour for 1 second: 0.4411p, rounds down; for 2 seconds: 0.8822p, up.
        assert_eq!(Exact::of(1588, 1, 100).pence(), Pence(0));
        assert_eq!(Exact::of(1588, 2, 100).pence(), Pence(1));
        assert_eq!(Exact(EXACT_PER_PENNY / 2).pence(), Pence(1));
        assert_eq!(Exact(EXACT_PER_PENNY / 2 - 1).pence(), Pence(0));
        assert_eq!(Exact(-EXACT_PER_PENNY / 2).pence(), Pence(-1));
        // 7.5 hours at £15.88: exactly £119.10.
        assert_eq!(Exact::of(1588, 27_000, 100).pence(), Pence(11_910));
    }
}
