//! Pay runs: the periods a trust pays in, the settings it pays by, and how much a worker may
//! draw early. Pure: the store gathers the lines, these rules say which and how much.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::PayRules;
use crate::shift::RULES_ZONE;

/// The Monday all pay periods count from (1 April 2024, the start of a tax year and a Monday), so
/// fortnightly and four-weekly periods always fall on the same weeks.
fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or_default()
}

/// How a trust pays its bank: how often, what it adds, and what a worker may draw early.
/// Every field has a default, so a trust that sets nothing pays weekly by the national rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaySettings {
    /// Weeks in a pay period: 1 (the default), 2 or 4.
    pub period_weeks: u8,
    /// The most a discretionary premium may add to the base rate without a break-glass
    /// override, percent (35 by default: the rate reaches at most 1.35 times base).
    pub premium_cap: u32,
    /// Rolled-up holiday pay, basis points of pay, where the bank pays it (none by default).
    pub rolled_up_holiday: Option<u32>,
    /// The employer's pension contribution shown on total rewards, basis points of pay. The
    /// default, 2,370 (23.7%), is the NHS Pension Scheme employer rate from 1 April 2024 (NHS
    /// Business Services Authority).
    pub employer_pension: u32,
    /// The share of approved, unpaid pay a worker may draw as an advance, percent (50 by default).
    pub advance_share: u32,
    /// Hours a submitted timesheet may wait before the ward manager's trust is told (48).
    pub timesheet_escalate_after_hours: u32,
    /// Hours after which a timesheet still waiting is approved as submitted, if the trust allows
    /// it (off by default).
    pub timesheet_auto_approve_after_hours: Option<u32>,
    /// Minutes after a shift starts by which the booked worker must have signed on (15).
    pub sign_on_grace_minutes: u32,
    /// Whose bank holidays are paid as public holidays: one of [`NATIONS`]
    /// (`england-and-wales` by default).
    pub nation: String,
}

/// The nations with a bank-holiday calendar (in `data/pay`).
pub const NATIONS: [&str; 3] = ["england-and-wales", "scotland", "northern-ireland"];

impl Default for PaySettings {
    fn default() -> Self {
        Self {
            period_weeks: 1,
            premium_cap: 35,
            rolled_up_holiday: None,
            employer_pension: 2370,
            advance_share: 50,
            timesheet_escalate_after_hours: 48,
            timesheet_auto_approve_after_hours: None,
            sign_on_grace_minutes: 15,
            nation: NATIONS[0].to_owned(),
        }
    }
}

impl PaySettings {
    /// Checks the settings make sense, naming the first field that does not.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if ![1, 2, 4].contains(&self.period_weeks) {
            return Err(("period_weeks", "must be 1, 2 or 4"));
        }
        if self.premium_cap > 200 {
            return Err(("premium_cap", "must be at most 200 (percent)"));
        }
        if self
            .rolled_up_holiday
            .is_some_and(|bp| bp == 0 || bp > 5000)
        {
            return Err(("rolled_up_holiday", "must be 1 to 5000 basis points"));
        }
        if self.employer_pension > 5000 {
            return Err(("employer_pension", "must be at most 5000 basis points"));
        }
        if self.advance_share > 100 {
            return Err(("advance_share", "must be at most 100 (percent)"));
        }
        if !(1..=24 * 14).contains(&self.timesheet_escalate_after_hours) {
            return Err(("timesheet_escalate_after_hours", "must be 1 to 336"));
        }
        if let Some(after) = self.timesheet_auto_approve_after_hours {
            if after <= self.timesheet_escalate_after_hours || after > 24 * 28 {
                return Err((
                    "timesheet_auto_approve_after_hours",
                    "must be after escalation and at most 672",
                ));
            }
        }
        if !(1..=240).contains(&self.sign_on_grace_minutes) {
            return Err(("sign_on_grace_minutes", "must be 1 to 240"));
        }
        if !NATIONS.contains(&self.nation.as_str()) {
            return Err((
                "nation",
                "must be england-and-wales, scotland or northern-ireland",
            ));
        }
        Ok(())
    }

    /// The pay rules with this trust's cap and holiday pay on the given rate card and tables.
    pub fn apply(&self, base: &PayRules) -> PayRules {
        PayRules {
            premium_cap: self.premium_cap,
            rolled_up_holiday: self.rolled_up_holiday,
            ..base.clone()
        }
    }
}

/// One pay period: from midnight on a Monday, UK time, for one, two or four weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PayPeriod {
    /// Its first day.
    pub first_day: NaiveDate,
    /// Its first instant.
    pub start: DateTime<Utc>,
    /// The first instant after it.
    pub end: DateTime<Utc>,
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    // Midnight always exists on the UK clock (the clocks change at 01:00 and 02:00).
    RULES_ZONE
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || day.and_time(chrono::NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

impl PayPeriod {
    /// The period of `weeks` weeks that holds the instant.
    pub fn containing(at: DateTime<Utc>, weeks: u8) -> Self {
        let day = at.with_timezone(&RULES_ZONE).date_naive();
        let length = i64::from(weeks.max(1)) * 7;
        let since = (day - anchor()).num_days();
        let first_day = anchor() + Duration::days(since.div_euclid(length) * length);
        Self::starting(first_day, weeks)
    }

    /// The period of `weeks` weeks starting on a day, if periods of that length start on it.
    pub fn starting_on(first_day: NaiveDate, weeks: u8) -> Option<Self> {
        let length = i64::from(weeks.max(1)) * 7;
        ((first_day - anchor()).num_days().rem_euclid(length) == 0)
            .then(|| Self::starting(first_day, weeks))
    }

    fn starting(first_day: NaiveDate, weeks: u8) -> Self {
        let last = first_day + Duration::days(i64::from(weeks.max(1)) * 7);
        Self {
            first_day,
            start: midnight(first_day),
            end: midnight(last),
        }
    }
}

/// How much a worker may still draw: the share of their approved, unpaid pay, less what they
/// have drawn and not yet repaid. Never negative; rounded down to the penny.
pub fn advance_available(unpaid: i64, drawn: i64, share_percent: u32) -> i64 {
    let allowed = i128::from(unpaid.max(0)) * i128::from(share_percent) / 100;
    i64::try_from(allowed)
        .unwrap_or(i64::MAX)
        .saturating_sub(drawn)
        .max(0)
}

/// The employer's pension contribution on an amount of pay, basis points, rounded half up.
pub fn employer_pension(pay: i64, basis_points: u32) -> i64 {
    let exact = i128::from(pay) * i128::from(basis_points);
    i64::try_from((exact + 5_000).div_euclid(10_000)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn weekly_periods_run_monday_midnight_uk_time() {
        // Wednesday 25 March 2026; the clocks go forward on Sunday 29 March, so the week is
        // 167 hours long and ends at 23:00 UTC on the Sunday (midnight BST).
        let p = PayPeriod::containing(at("2026-03-25T12:00:00Z"), 1);
        assert_eq!(p.first_day, NaiveDate::from_ymd_opt(2026, 3, 23).unwrap());
        assert_eq!(p.start, at("2026-03-23T00:00:00Z"));
        assert_eq!(p.end, at("2026-03-29T23:00:00Z"));
        assert_eq!((p.end - p.start).num_hours(), 167);
        // 23:30 UTC on that Sunday is already Monday in the UK: the next period.
        let next = PayPeriod::containing(at("2026-03-29T23:30:00Z"), 1);
        assert_eq!(next.start, p.end);
    }

    #[test]
    fn longer_periods_count_from_the_anchor() {
        let p = PayPeriod::containing(at("2024-04-15T10:00:00Z"), 2);
        assert_eq!(p.first_day, NaiveDate::from_ymd_opt(2024, 4, 15).unwrap());
        let p = PayPeriod::containing(at("2024-04-14T10:00:00Z"), 2);
        assert_eq!(p.first_day, anchor());
        assert!(PayPeriod::starting_on(NaiveDate::from_ymd_opt(2024, 4, 8).unwrap(), 2).is_none());
        assert!(PayPeriod::starting_on(NaiveDate::from_ymd_opt(2024, 4, 8).unwrap(), 1).is_some());
        // Before the anchor too.
        let p = PayPeriod::containing(at("2024-03-30T10:00:00Z"), 4);
        assert_eq!(p.first_day, NaiveDate::from_ymd_opt(2024, 3, 4).unwrap());
    }

    #[test]
    fn advances_are_a_share_of_unpaid_pay_less_what_is_drawn() {
        assert_eq!(advance_available(10_001, 0, 50), 5_000);
        assert_eq!(advance_available(10_000, 3_000, 50), 2_000);
        assert_eq!(advance_available(10_000, 6_000, 50), 0);
        assert_eq!(advance_available(-500, 0, 50), 0);
        assert_eq!(advance_available(10_000, 0, 0), 0);
    }

    #[test]
    fn pension_is_rounded_half_up_once() {
        // 23.7% of £100.00 is £23.70; of 1p is 0.237p, which rounds to nothing.
        assert_eq!(employer_pension(10_000, 2370), 2370);
        assert_eq!(employer_pension(1, 2370), 0);
        // 23.7% of 1,000,002p is 237,000.474p: 237,000p.
        assert_eq!(employer_pension(1_000_002, 2370), 237_000);
        // Exactly half a penny rounds up: 50% of 1p.
        assert_eq!(employer_pension(1, 5000), 1);
    }

    #[test]
    fn settings_refuse_what_makes_no_sense() {
        assert!(PaySettings::default().check().is_ok());
        let bad = PaySettings {
            period_weeks: 3,
            ..PaySettings::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "period_weeks");
        let bad = PaySettings {
            timesheet_auto_approve_after_hours: Some(24),
            ..PaySettings::default()
        };
        assert_eq!(
            bad.check().unwrap_err().0,
            "timesheet_auto_approve_after_hours"
        );
        let bad = PaySettings {
            advance_share: 101,
            ..PaySettings::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "advance_share");
        let bad = PaySettings {
            nation: "wales".into(),
            ..PaySettings::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "nation");
        for nation in NATIONS {
            let good = PaySettings {
                nation: nation.into(),
                ..PaySettings::default()
            };
            assert!(good.check().is_ok());
        }
    }
}
