//! The release cascade: who may book a shift, and from when.
//!
//! A shift goes to its first bank (usually the trust's own), then to a collaborative bank after a
//! set delay or lead time, whichever comes first; agency is reached only by a break-glass action.
//! Nothing is released more than the horizon ahead of its start. Workers in a priority tier of a
//! bank ("super-bank" core workers, "silver" returning retirees) may book from the moment a stage
//! opens; everyone else after the priority window.
//!
//! The schedule is worked out once, when the shift is posted, from the trust's policy at that
//! moment, and stored with the shift: a later change of policy never moves a published schedule.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{BankId, ShiftWindow};

/// A trust's rules for releasing its shifts and for cancelling them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleasePolicy {
    /// Never released more than this ahead of the start (PRODUCT.md: 28 days by default).
    pub horizon: Duration,
    /// The collaborative bank sees a shift this long after it is released to the first bank...
    pub collaborative_after: Duration,
    /// ...or this long before it starts, whichever comes first.
    pub collaborative_lead: Duration,
    /// How long tiered workers have a stage to themselves.
    pub priority_window: Duration,
    /// A trust cancelling a booking less than this before the start owes a cancellation payment,
    /// and a worker cancelling inside it is recorded as a late cancellation.
    pub cancellation_notice: Duration,
    /// The "super-bank" tier by hours worked: a member of a bank this trust leads who worked at
    /// least this many hours on the bank's shifts in the last [`CORE_TIER_WEEKS`] weeks holds
    /// the core tier, given and taken away as the hours change. None: given by hand.
    pub core_tier_hours: Option<i64>,
}

/// The weeks of work that earn the core tier, about a quarter of a year.
pub const CORE_TIER_WEEKS: i64 = 13;

/// The tier a member should hold after counting `minutes` worked against the trust's
/// `threshold` in hours, if it differs from `current`. The silver tier is only ever given by hand.
pub fn earned_tier(current: Option<Tier>, minutes: i64, threshold: i64) -> Option<Option<Tier>> {
    let earned = minutes >= threshold * 60;
    match current {
        None if earned => Some(Some(Tier::Core)),
        Some(Tier::Core) if !earned => Some(None),
        _ => None,
    }
}

impl Default for ReleasePolicy {
    fn default() -> Self {
        Self {
            horizon: Duration::days(28),
            collaborative_after: Duration::hours(24),
            collaborative_lead: Duration::hours(72),
            // none until a trust gives a tier early access
            priority_window: Duration::zero(),
            cancellation_notice: Duration::hours(48),
            core_tier_hours: None,
        }
    }
}

/// Longest horizon a trust may set; also bounds how far ahead shifts may be posted.
pub const MAX_HORIZON: Duration = Duration::days(366);

impl ReleasePolicy {
    /// Refuses settings a bank office could not mean: negative spans or a horizon past a year.
    pub fn validate(self) -> Result<Self, &'static str> {
        let spans = [
            self.horizon,
            self.collaborative_after,
            self.collaborative_lead,
            self.priority_window,
            self.cancellation_notice,
        ];
        if spans.iter().any(|d| *d < Duration::zero()) {
            return Err("spans cannot be negative");
        }
        if self.horizon < Duration::days(1) || self.horizon > MAX_HORIZON {
            return Err("the horizon must be between 1 and 366 days");
        }
        if self.priority_window > Duration::days(7) {
            return Err("the priority window cannot exceed 7 days");
        }
        // 13 weeks of 48 hours is 624.
        if self
            .core_tier_hours
            .is_some_and(|h| !(1..=624).contains(&h))
        {
            return Err("the core tier's hours must be between 1 and 624");
        }
        Ok(self)
    }
}

/// A shift's stored release schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The first bank and when it may book.
    pub first: (BankId, DateTime<Utc>),
    /// The collaborative bank and when it may book, if the shift cascades.
    pub collaborative: Option<(BankId, DateTime<Utc>)>,
    /// How long tiered workers have each stage to themselves.
    pub priority_window: Duration,
}

impl Schedule {
    /// The schedule for a shift over `window` posted at `posted_at` under `policy`.
    pub fn plan(
        policy: &ReleasePolicy,
        window: ShiftWindow,
        posted_at: DateTime<Utc>,
        first: BankId,
        collaborative: Option<BankId>,
    ) -> Self {
        let released = posted_at.max(window.start() - policy.horizon);
        let cascade = (released + policy.collaborative_after)
            .min(window.start() - policy.collaborative_lead)
            .max(released);
        Self {
            first: (first, released),
            collaborative: collaborative
                .filter(|bank| *bank != first)
                .map(|bank| (bank, cascade)),
            priority_window: policy.priority_window,
        }
    }

    /// The banks this shift is, or will be, released to.
    pub fn banks(&self) -> impl Iterator<Item = BankId> + '_ {
        std::iter::once(self.first.0).chain(self.collaborative.map(|c| c.0))
    }

    /// When a member of `banks` (tiered in `tiered`) may first book, or `None` if no stage
    /// reaches any of their banks.
    pub fn opens_for(&self, banks: &[BankId], tiered: &[BankId]) -> Option<DateTime<Utc>> {
        [Some(self.first), self.collaborative]
            .into_iter()
            .flatten()
            .filter(|(bank, _)| banks.contains(bank))
            .map(|(bank, from)| {
                if tiered.contains(&bank) {
                    from
                } else {
                    from + self.priority_window
                }
            })
            .min()
    }

    /// Every moment at which more workers may book: each stage's opening, and the end of its
    /// priority window. Offers go out at each of them.
    pub fn openings(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        [Some(self.first), self.collaborative]
            .into_iter()
            .flatten()
            .flat_map(|(_, from)| [from, from + self.priority_window])
    }

    /// The first opening strictly after `now`, if any is left: when offers are next due.
    pub fn next_opening_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.openings().filter(|t| *t > now).min()
    }

    /// The stage the shift has reached at `now` (agency is recorded separately, by break glass).
    pub fn stage(&self, now: DateTime<Utc>) -> Stage {
        match self.collaborative {
            Some((_, from)) if from <= now => Stage::Collaborative,
            _ if self.first.1 <= now => Stage::FirstBank,
            _ => Stage::NotReleased,
        }
    }
}

/// How far a shift has been released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for the horizon.
    NotReleased,
    /// Its first bank may book.
    FirstBank,
    /// The collaborative bank may book too.
    Collaborative,
}

impl Stage {
    /// Stable name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotReleased => "not_released",
            Self::FirstBank => "first_bank",
            Self::Collaborative => "collaborative",
        }
    }
}

/// A priority tier a worker may hold in a bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Loyal core workers, by hours worked ("super-bank").
    Core,
    /// Returning retirees.
    Silver,
}

impl Tier {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Core => "core",
            Self::Silver => "silver",
        }
    }

    /// Parses a stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "core" => Some(Self::Core),
            "silver" => Some(Self::Silver),
            _ => None,
        }
    }
}

/// Whether a cancellation at `at` of a booking starting at `start` is inside the notice period.
pub fn is_late(policy_notice: Duration, start: DateTime<Utc>, at: DateTime<Utc>) -> bool {
    start - at < policy_notice
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_core_tier_is_earned_at_the_threshold_and_silver_is_never_touched() {
        assert_eq!(earned_tier(None, 20 * 60, 20), Some(Some(Tier::Core)));
        assert_eq!(earned_tier(None, 20 * 60 - 1, 20), None);
        assert_eq!(earned_tier(Some(Tier::Core), 20 * 60 - 1, 20), Some(None));
        assert_eq!(earned_tier(Some(Tier::Core), 20 * 60, 20), None);
        assert_eq!(earned_tier(Some(Tier::Silver), 0, 20), None);
        assert_eq!(earned_tier(Some(Tier::Silver), 100 * 60, 20), None);
        let with = |hours| ReleasePolicy {
            core_tier_hours: Some(hours),
            ..ReleasePolicy::default()
        };
        assert!(with(0).validate().is_err());
        assert!(with(625).validate().is_err());
        assert!(with(1).validate().is_ok() && with(624).validate().is_ok());
    }

    use super::*;
    use uuid::Uuid;

    fn t0() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000)
    }

    fn bank(n: u128) -> BankId {
        BankId(Uuid::from_u128(n))
    }

    fn window_in(days: i64) -> ShiftWindow {
        window_in_hours(days * 24)
    }

    fn window_in_hours(hours: i64) -> ShiftWindow {
        let start = t0() + Duration::hours(hours);
        ShiftWindow::new(start, start + Duration::hours(12)).unwrap()
    }

    #[test]
    fn a_shift_far_ahead_waits_for_the_horizon() {
        let plan = Schedule::plan(
            &ReleasePolicy::default(),
            window_in(40),
            t0(),
            bank(1),
            Some(bank(2)),
        );
        assert_eq!(plan.first.1, t0() + Duration::days(12));
        assert_eq!(plan.collaborative.unwrap().1, t0() + Duration::days(13));
        assert_eq!(plan.stage(t0()), Stage::NotReleased);
        assert_eq!(
            plan.stage(t0() + Duration::days(12)),
            Stage::FirstBank,
            "released exactly at the horizon"
        );
    }

    #[test]
    fn a_near_shift_cascades_at_its_lead_time_not_after_the_delay() {
        let plan = Schedule::plan(
            &ReleasePolicy::default(),
            window_in(2),
            t0(),
            bank(1),
            Some(bank(2)),
        );
        assert_eq!(plan.first.1, t0());
        // 72 h lead time before a start 48 h away is already past: straight to the collaborative bank.
        assert_eq!(plan.collaborative.unwrap().1, t0());
        // Starting in 84 h: the lead time (12 h from now) comes before the delay (24 h).
        let lead = Schedule::plan(
            &ReleasePolicy::default(),
            window_in_hours(84),
            t0(),
            bank(1),
            Some(bank(2)),
        );
        assert_eq!(lead.collaborative.unwrap().1, t0() + Duration::hours(12));
        // Starting in 10 days: the delay comes first.
        let delay = Schedule::plan(
            &ReleasePolicy::default(),
            window_in(10),
            t0(),
            bank(1),
            Some(bank(2)),
        );
        assert_eq!(delay.collaborative.unwrap().1, t0() + Duration::hours(24));
    }

    #[test]
    fn offers_fall_due_at_each_opening_in_turn() {
        let policy = ReleasePolicy {
            priority_window: Duration::hours(2),
            ..ReleasePolicy::default()
        };
        let plan = Schedule::plan(&policy, window_in(10), t0(), bank(1), Some(bank(2)));
        let mut due = vec![];
        let mut now = t0() - Duration::seconds(1);
        while let Some(next) = plan.next_opening_after(now) {
            due.push(next - t0());
            now = next;
        }
        let hours = |h| Duration::hours(h);
        assert_eq!(due, [hours(0), hours(2), hours(24), hours(26)]);
        // No priority window: one opening per stage.
        let plain = Schedule::plan(
            &ReleasePolicy::default(),
            window_in(10),
            t0(),
            bank(1),
            None,
        );
        assert_eq!(plain.next_opening_after(t0() - hours(1)), Some(t0()));
        assert_eq!(plain.next_opening_after(t0()), None);
    }

    #[test]
    fn tiered_members_open_before_the_rest() {
        let policy = ReleasePolicy {
            priority_window: Duration::hours(2),
            ..ReleasePolicy::default()
        };
        let plan = Schedule::plan(&policy, window_in(10), t0(), bank(1), Some(bank(2)));
        assert_eq!(plan.opens_for(&[bank(1)], &[bank(1)]), Some(t0()));
        assert_eq!(
            plan.opens_for(&[bank(1)], &[]),
            Some(t0() + Duration::hours(2))
        );
        assert_eq!(
            plan.opens_for(&[bank(2)], &[]),
            Some(t0() + Duration::hours(26))
        );
        assert_eq!(plan.opens_for(&[bank(3)], &[bank(3)]), None);
        let tier_elsewhere = plan.opens_for(&[bank(2)], &[bank(1)]);
        assert_eq!(tier_elsewhere, Some(t0() + Duration::hours(26)));
    }

    #[test]
    fn a_cascade_to_the_first_bank_is_no_cascade() {
        let plan = Schedule::plan(
            &ReleasePolicy::default(),
            window_in(3),
            t0(),
            bank(1),
            Some(bank(1)),
        );
        assert_eq!(plan.collaborative, None);
        assert_eq!(plan.banks().count(), 1);
    }

    #[test]
    fn notice_is_judged_against_the_start() {
        let notice = Duration::hours(48);
        let start = t0() + Duration::hours(48);
        assert!(!is_late(notice, start, t0()), "exactly 48 h is on time");
        assert!(is_late(notice, start, t0() + Duration::seconds(1)));
    }

    #[test]
    fn silly_policies_are_refused() {
        let negative = ReleasePolicy {
            priority_window: Duration::hours(-1),
            ..ReleasePolicy::default()
        };
        assert!(negative.validate().is_err());
        let huge = ReleasePolicy {
            horizon: Duration::days(400),
            ..ReleasePolicy::default()
        };
        assert!(huge.validate().is_err());
        assert!(ReleasePolicy::default().validate().is_ok());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    proptest! {
        /// Whatever the policy: nothing opens before it is posted or earlier than the horizon
        /// allows, the collaborative bank never opens before the first, and tiers never wait longer.
        #[test]
        fn the_schedule_respects_its_policy(
            horizon_h in 24i64..2000, after_h in 0i64..200, lead_h in 0i64..200, window_h in 0i64..48,
            start_h in 1i64..3000,
        ) {
            let t0 = DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000);
            let policy = ReleasePolicy {
                horizon: Duration::hours(horizon_h),
                collaborative_after: Duration::hours(after_h),
                collaborative_lead: Duration::hours(lead_h),
                priority_window: Duration::hours(window_h),
                cancellation_notice: Duration::hours(48),
                core_tier_hours: None,
            };
            let start = t0 + Duration::hours(start_h);
            let window = ShiftWindow::new(start, start + Duration::hours(8)).unwrap();
            let (a, b) = (BankId(Uuid::from_u128(1)), BankId(Uuid::from_u128(2)));
            let plan = Schedule::plan(&policy, window, t0, a, Some(b));
            prop_assert!(plan.first.1 >= t0);
            prop_assert!(plan.first.1 >= start - policy.horizon);
            let (_, collab) = plan.collaborative.unwrap();
            prop_assert!(collab >= plan.first.1);
            prop_assert!(collab <= plan.first.1 + policy.collaborative_after);
            let tiered = plan.opens_for(&[a, b], &[a, b]).unwrap();
            let untiered = plan.opens_for(&[a, b], &[]).unwrap();
            prop_assert_eq!(untiered - tiered, policy.priority_window);
        }
    }
}
