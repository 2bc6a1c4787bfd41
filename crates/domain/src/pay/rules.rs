//! What pay is computed from, all of it data a bank sets (the defaults are files in `data/pay`,
//! never constants here): the rate card, the unsocial-hours enhancements, the bank-holiday
//! calendar, the premium cap and rolled-up holiday pay.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::Grade;

/// Why a pay rule set cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RulesError(pub String);

/// Hourly rates in pence by grade and pay point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateCard {
    /// Its name, shown on every pay line.
    pub name: String,
    /// Where its numbers come from.
    pub source: String,
    /// Pence per hour for each grade's pay points, entry point first.
    pub rates: BTreeMap<String, Vec<i64>>,
}

/// Most pay points a grade may have on a card (Agenda for Change bands have at most three).
pub const MAX_PAY_POINTS: usize = 20;
/// The highest hourly rate a card may hold, pence: £1,000, a guard against a slipped digit.
pub const MAX_HOURLY_RATE: i64 = 100_000;

impl RateCard {
    /// Checks a card a bank sets: named with a source, known grades only, each with one to
    /// [`MAX_PAY_POINTS`] rates from 1p to [`MAX_HOURLY_RATE`] that never fall from one point
    /// to the next. Every problem is reported, by field.
    pub fn check(&self) -> Result<(), Vec<(String, String)>> {
        let mut problems = Vec::new();
        for (field, text) in [("name", &self.name), ("source", &self.source)] {
            if text.trim().is_empty() || text.chars().count() > 200 {
                problems.push((field.to_owned(), "must be 1 to 200 characters".to_owned()));
            }
        }
        if self.rates.is_empty() {
            problems.push((
                "rates".to_owned(),
                "must name at least one grade".to_owned(),
            ));
        }
        for (grade, points) in &self.rates {
            let field = format!("rates.{grade}");
            if Grade::parse(grade).is_none() {
                problems.push((field, "unknown grade".to_owned()));
            } else if points.is_empty() || points.len() > MAX_PAY_POINTS {
                problems.push((field, format!("must have 1 to {MAX_PAY_POINTS} pay points")));
            } else if points.iter().any(|p| !(1..=MAX_HOURLY_RATE).contains(p)) {
                problems.push((
                    field,
                    format!("each rate must be 1 to {MAX_HOURLY_RATE} pence an hour"),
                ));
            } else if points.windows(2).any(|w| w[1] < w[0]) {
                problems.push((field, "a higher pay point must not pay less".to_owned()));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The hourly rate for a grade at a pay point (1 is the entry point). A point the card does
    /// not have is none: paying it at the nearest point would hide a wrong record.
    pub fn rate(&self, grade: Grade, pay_point: u8) -> Option<i64> {
        self.rates
            .get(grade.as_str())?
            .get(usize::from(pay_point).checked_sub(1)?)
            .copied()
    }

    /// How many pay points the card has for a grade (none if it has no rate for it).
    pub fn points(&self, grade: Grade) -> Option<usize> {
        self.rates.get(grade.as_str()).map(Vec::len)
    }
}

/// One row of the enhancement table: the grades it covers and their uplifts, in percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnhancementRule {
    /// The grades (stable names).
    pub grades: Vec<String>,
    /// The uplift for Saturdays and weekday nights.
    pub night_and_saturday: u32,
    /// The uplift for Sundays and public holidays.
    pub sunday_and_holiday: u32,
}

/// Unsocial-hours enhancements: when nights are, and each grade's uplifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enhancements {
    /// Where its numbers come from.
    pub source: String,
    /// When a weekday night starts, UK time.
    pub night_starts: NaiveTime,
    /// When it ends, the next morning.
    pub night_ends: NaiveTime,
    /// The uplifts by grade.
    pub rules: Vec<EnhancementRule>,
}

impl Enhancements {
    /// A grade's uplifts: (Saturdays and weekday nights, Sundays and public holidays). A grade
    /// the table does not name has none.
    pub fn for_grade(&self, grade: Grade) -> (u32, u32) {
        self.rules
            .iter()
            .find(|r| r.grades.iter().any(|g| g == grade.as_str()))
            .map_or((0, 0), |r| (r.night_and_saturday, r.sunday_and_holiday))
    }
}

/// A nation's bank holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankHolidays {
    /// Which nation (`england-and-wales`, `scotland`, `northern-ireland`).
    pub nation: String,
    /// Where the dates come from.
    pub source: String,
    /// The dates.
    pub dates: BTreeSet<NaiveDate>,
}

impl BankHolidays {
    /// Whether the calendar covers `day`'s year: every nation of the UK has bank holidays every
    /// year, so a year without a single date is one nobody has entered yet, and a shift in it
    /// cannot be told from a plain day.
    pub fn covers(&self, day: NaiveDate) -> bool {
        use chrono::Datelike;
        self.dates.iter().any(|d| d.year() == day.year())
    }
}

/// Everything one bank pays by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRules {
    /// Hourly rates.
    pub rate_card: RateCard,
    /// Unsocial-hours enhancements.
    pub enhancements: Enhancements,
    /// Public holidays.
    pub holidays: BankHolidays,
    /// The most a discretionary premium may add to the base rate without an override, percent
    /// (35 lets the rate reach 1.35 times base).
    pub premium_cap: u32,
    /// Rolled-up holiday pay, in basis points of the pay for the hours, where the bank pays it.
    pub rolled_up_holiday: Option<u32>,
}

impl PayRules {
    /// Rules from the three data files (JSON), with a premium cap and rolled-up holiday pay.
    pub fn from_json(
        rate_card: &str,
        enhancements: &str,
        holidays: &str,
        premium_cap: u32,
        rolled_up_holiday: Option<u32>,
    ) -> Result<Self, RulesError> {
        let read = |what: &str, e: serde_json::Error| RulesError(format!("{what}: {e}"));
        Ok(Self {
            rate_card: serde_json::from_str(rate_card).map_err(|e| read("rate card", e))?,
            enhancements: serde_json::from_str(enhancements)
                .map_err(|e| read("enhancements", e))?,
            holidays: serde_json::from_str(holidays).map_err(|e| read("bank holidays", e))?,
            premium_cap,
            rolled_up_holiday,
        })
    }
}

#[cfg(test)]
pub(crate) mod defaults {
    //! The repository's default data, for tests.
    use super::PayRules;

    /// The defaults: AfC 2025/26 England, the default enhancements, England and Wales bank
    /// holidays, a 35% premium cap, no rolled-up holiday pay.
    pub fn rules() -> PayRules {
        PayRules::from_json(
            include_str!("../../../../data/pay/afc-2025-26-england.json"),
            include_str!("../../../../data/pay/unsocial-hours-default.json"),
            include_str!("../../../../data/pay/bank-holidays-england-and-wales.json"),
            35,
            None,
        )
        .unwrap_or_else(|e| unreachable!("the default pay data must load: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_data_loads_and_reads_by_grade_and_point() {
        let rules = defaults::rules();
        let band = |name: &str| Grade::parse(name).unwrap_or_else(|| unreachable!());
        // Bands 5 to 7 have an intermediate point; a point the card lacks is none, not the top.
        assert_eq!(rules.rate_card.rate(band("band_5"), 1), Some(1588));
        assert_eq!(rules.rate_card.rate(band("band_5"), 2), Some(1713));
        assert_eq!(rules.rate_card.rate(band("band_5"), 3), Some(1933));
        assert_eq!(rules.rate_card.rate(band("band_5"), 4), None);
        assert_eq!(rules.rate_card.rate(band("band_6"), 2), Some(2088));
        assert_eq!(rules.rate_card.rate(band("band_7"), 2), Some(2571));
        assert_eq!(rules.rate_card.rate(band("band_2"), 0), None);
        assert_eq!(rules.rate_card.points(band("band_8a")), Some(2));
        assert_eq!(rules.rate_card.rate(band("fy1"), 1), None);
        assert_eq!(rules.enhancements.for_grade(band("band_2")), (41, 83));
        assert_eq!(rules.enhancements.for_grade(band("band_3")), (35, 69));
        assert_eq!(rules.enhancements.for_grade(band("band_8c")), (30, 60));
        assert_eq!(rules.holidays.dates.len(), 16);
        assert!(PayRules::from_json("{}", "{}", "{}", 35, None).is_err());
    }

    #[test]
    fn a_bank_card_is_checked_field_by_field() {
        let default = defaults::rules().rate_card;
        assert_eq!(default.check(), Ok(()), "the seed card passes");
        let mut card = default.clone();
        card.name = " ".into();
        card.rates.insert("band_12".into(), vec![2000]);
        card.rates.insert("band_5".into(), vec![1933, 1588]);
        card.rates.insert("band_6".into(), vec![0]);
        card.rates.insert("band_7".into(), vec![]);
        let fields: Vec<String> = card.check().unwrap_err().into_iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            [
                "name",
                "rates.band_12",
                "rates.band_5",
                "rates.band_6",
                "rates.band_7"
            ]
        );
        card.rates.clear();
        card.name = "Bank".into();
        assert_eq!(card.check().unwrap_err()[0].0, "rates");
    }
}
