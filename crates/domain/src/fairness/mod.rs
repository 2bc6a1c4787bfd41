//! The fairness auditor (PRODUCT.md flow 10): does each group of a bank's members get its share
//! of the shifts offered, booked and desirable-booked?
//!
//! A group's *member share* is its members over all members counted in that grouping; its share of
//! a measure is its shifts over all shifts counted in that grouping. A group is flagged when its
//! share differs from its member share by more than the tolerance (10% of the member share by
//! default) *and* an exact two-sided binomial test ([`binomial::two_sided_p`]) says the
//! difference is unlikely to be chance (p < 0.05). Groups with fewer members than the minimum
//! size are suppressed (small-number disclosure control): their figures are not shown and never
//! flagged. Only aggregates go out; the input names no one.

pub mod binomial;
pub mod contract;
pub mod desirable;
pub mod equality;

use serde::Serialize;

/// Share difference, relative to the member share, above which a group may be flagged.
pub const DEFAULT_TOLERANCE: f64 = 0.10;

/// Significance level of the binomial test.
pub const SIGNIFICANCE: f64 = 0.05;

/// Groups with fewer members than this are suppressed (PRODUCT.md: "groups of 20 or more").
pub const DEFAULT_MIN_GROUP: u64 = 20;

/// The test named in every report, so a reader knows what "significant" means.
pub const TEST_NAME: &str = "exact two-sided binomial test of the group's shifts out of all \
                             shifts against its member share, p < 0.05";

/// One member's groups and shift counts over the period: what the audit reads, with no name or id.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberCounts {
    /// (grouping, group) pairs, e.g. ("staff_group", "nursing"). A member missing from a grouping
    /// (no consent to count a protected characteristic) is not counted in it at all.
    pub groups: Vec<(String, String)>,
    /// Shifts they were offered in the period.
    pub offered: u64,
    /// Shifts they booked in the period (active bookings).
    pub booked: u64,
    /// Of those, the ones the bank counts as desirable.
    pub desirable: u64,
}

/// Which measure a figure is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Shifts offered.
    Offered,
    /// Shifts booked.
    Booked,
    /// Desirable shifts booked.
    Desirable,
}

impl Measure {
    /// Every measure, in report order.
    pub const ALL: [Measure; 3] = [Measure::Offered, Measure::Booked, Measure::Desirable];

    /// Stable name used in the API and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offered => "offered",
            Self::Booked => "booked",
            Self::Desirable => "desirable",
        }
    }

    fn of(self, m: &MemberCounts) -> u64 {
        match self {
            Self::Offered => m.offered,
            Self::Booked => m.booked,
            Self::Desirable => m.desirable,
        }
    }
}

/// One group's figures for one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureShare {
    /// Which measure.
    pub measure: Measure,
    /// The group's shifts.
    pub count: u64,
    /// All shifts counted in the grouping (the test's sample size).
    pub total: u64,
    /// count / total, 0 when there are none.
    pub share: f64,
    /// (share - member share) / member share.
    pub relative_difference: f64,
    /// The binomial test's p-value.
    pub p_value: f64,
    /// Whether the difference is both over the tolerance and significant.
    pub flagged: bool,
}

/// One group within a grouping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupShare {
    /// The group, e.g. "nursing".
    pub group: String,
    /// Whether it is too small to show (then members and measures are empty).
    pub suppressed: bool,
    /// Its members (None when suppressed).
    pub members: Option<u64>,
    /// members / all members counted in the grouping (None when suppressed).
    pub member_share: Option<f64>,
    /// Its figures for each measure (empty when suppressed).
    pub measures: Vec<MeasureShare>,
}

/// One grouping (contract, tier, staff group, ...).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grouping {
    /// The grouping's stable name.
    pub grouping: String,
    /// Members counted in it.
    pub members: u64,
    /// Its groups, by name.
    pub groups: Vec<GroupShare>,
}

/// The audit's rules: tolerance and minimum group size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuditRules {
    /// Relative difference above which a group may be flagged.
    pub tolerance: f64,
    /// Groups with fewer members are suppressed.
    pub min_group: u64,
}

impl Default for AuditRules {
    fn default() -> Self {
        Self {
            tolerance: DEFAULT_TOLERANCE,
            min_group: DEFAULT_MIN_GROUP,
        }
    }
}

#[derive(Default)]
struct Tally {
    members: u64,
    counts: [u64; 3],
}

/// Audits `members` grouping by grouping, in the order of `groupings`.
pub fn audit(members: &[MemberCounts], groupings: &[&str], rules: AuditRules) -> Vec<Grouping> {
    groupings
        .iter()
        .map(|&name| audit_one(members, name, rules))
        .collect()
}

fn audit_one(members: &[MemberCounts], name: &str, rules: AuditRules) -> Grouping {
    let mut tallies: std::collections::BTreeMap<&str, Tally> = Default::default();
    let mut all = Tally::default();
    for member in members {
        for (grouping, group) in &member.groups {
            if grouping != name {
                continue;
            }
            let tally = tallies.entry(group.as_str()).or_default();
            for t in [&mut *tally, &mut all] {
                t.members += 1;
                for (i, measure) in Measure::ALL.iter().enumerate() {
                    t.counts[i] += measure.of(member);
                }
            }
        }
    }
    let groups = tallies
        .into_iter()
        .map(|(group, tally)| share(group, &tally, &all, rules))
        .collect();
    Grouping {
        grouping: name.to_owned(),
        members: all.members,
        groups,
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn share(group: &str, tally: &Tally, all: &Tally, rules: AuditRules) -> GroupShare {
    if tally.members < rules.min_group {
        return GroupShare {
            group: group.to_owned(),
            suppressed: true,
            members: None,
            member_share: None,
            measures: Vec::new(),
        };
    }
    let member_share = ratio(tally.members, all.members);
    let measures = Measure::ALL
        .iter()
        .enumerate()
        .map(|(i, &measure)| {
            let (count, total) = (tally.counts[i], all.counts[i]);
            let share = ratio(count, total);
            let relative_difference = if member_share > 0.0 {
                (share - member_share) / member_share
            } else {
                0.0
            };
            let p_value = binomial::two_sided_p(count, total, member_share);
            MeasureShare {
                measure,
                count,
                total,
                share,
                relative_difference,
                p_value,
                flagged: total > 0
                    && relative_difference.abs() > rules.tolerance
                    && p_value < SIGNIFICANCE,
            }
        })
        .collect();
    GroupShare {
        group: group.to_owned(),
        suppressed: false,
        members: Some(tally.members),
        member_share: Some(member_share),
        measures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(group: &str, booked: u64) -> MemberCounts {
        MemberCounts {
            groups: vec![("contract".into(), group.into())],
            offered: 10,
            booked,
            desirable: 0,
        }
    }

    #[test]
    fn flags_a_group_booked_well_below_its_share() {
        // 30 part-time members booked 1 shift each, 30 full-time booked 3 each: part-time hold
        // half the members but a quarter of the bookings (30 of 120).
        let mut members: Vec<_> = (0..30).map(|_| member("part_time", 1)).collect();
        members.extend((0..30).map(|_| member("full_time", 3)));
        let report = audit(&members, &["contract"], AuditRules::default());
        let part = &report[0].groups[1];
        assert_eq!(part.group, "part_time");
        assert_eq!(part.members, Some(30));
        assert_eq!(part.member_share, Some(0.5));
        let booked = &part.measures[1];
        assert_eq!((booked.count, booked.total), (30, 120));
        assert!((booked.relative_difference + 0.5).abs() < 1e-12);
        assert!(booked.p_value < 1e-6);
        assert!(booked.flagged);
        // offers are even: no flag
        assert!(!part.measures[0].flagged);
        // no desirable shifts at all: nothing to flag
        assert!(!part.measures[2].flagged);
    }

    #[test]
    fn a_big_difference_by_chance_is_not_flagged() {
        // 20 and 20 members, 3 bookings against 5: 40% off, but p = 0.73.
        let mut members: Vec<_> = (0..20).map(|i| member("a", u64::from(i < 3))).collect();
        members.extend((0..20).map(|i| member("b", u64::from(i < 5))));
        let report = audit(&members, &["contract"], AuditRules::default());
        let a = &report[0].groups[0].measures[1];
        assert!(a.relative_difference.abs() > 0.1);
        assert!(!a.flagged);
    }

    #[test]
    fn small_groups_are_suppressed_and_others_missing_are_not_counted() {
        let mut members: Vec<_> = (0..25).map(|_| member("full_time", 2)).collect();
        members.extend((0..5).map(|_| member("part_time", 0)));
        members.push(MemberCounts {
            groups: vec![],
            offered: 99,
            booked: 99,
            desirable: 99,
        });
        let report = audit(&members, &["contract"], AuditRules::default());
        assert_eq!(report[0].members, 30);
        let part = &report[0].groups[1];
        assert!(part.suppressed);
        assert_eq!(part.members, None);
        assert!(part.measures.is_empty());
        let full = &report[0].groups[0];
        assert_eq!(full.measures[1].total, 50);
    }
}
