//! The fairness report in words: groupings, groups and measures named as the bank office says
//! them, and each flag as one plain sentence with the test, p-value and sample size, so the page
//! never shows a stable name or a bare number without saying what it is.

use staffbank_domain::fairness::contract::Contract;
use staffbank_domain::fairness::equality::QUESTIONS;
use staffbank_domain::fairness::{GroupShare, Measure, MeasureShare};
use staffbank_domain::{Grade, StaffGroup};

/// A grouping's heading: "Contract", "Sex (self-declared)".
pub fn grouping_name(grouping: &str) -> String {
    match grouping {
        "contract" => "Contract".to_owned(),
        "tier" => "Priority tier".to_owned(),
        "staff_group" => "Staff group".to_owned(),
        "grade" => "Grade".to_owned(),
        other => QUESTIONS.iter().find(|q| q.name == other).map_or_else(
            || other.replace('_', " "),
            |q| format!("{} (self-declared)", q.label),
        ),
    }
}

/// Whether a grouping comes only from workers' own declarations.
pub fn is_declared(grouping: &str) -> bool {
    QUESTIONS.iter().any(|q| q.name == grouping)
}

/// A group as the subject of a sentence: "Part-time staff", "Staff declaring “Female”".
pub fn group_name(grouping: &str, group: &str) -> String {
    let known = match grouping {
        "contract" => match Contract::parse(group) {
            Some(c) => Some(format!("{} staff", c.label())),
            None => Some("Staff whose contract is not recorded".to_owned()),
        },
        "tier" => Some(
            match group {
                "core" => "Core (super-bank) tier staff",
                "silver" => "Silver (returning retiree) tier staff",
                _ => "Staff with no tier",
            }
            .to_owned(),
        ),
        "staff_group" => StaffGroup::parse(group).map(|g| g.label().to_owned()),
        "grade" => Grade::parse(group).map(|g| format!("{} staff", g.label())),
        _ => QUESTIONS
            .iter()
            .find(|q| q.name == grouping)
            .and_then(|q| q.answers.iter().find(|(name, _)| *name == group))
            .map(|(_, words)| format!("Staff declaring “{words}”")),
    };
    known.unwrap_or_else(|| group.replace('_', " "))
}

/// What a measure counts, after "of": "shifts offered".
pub fn measure_name(measure: Measure) -> &'static str {
    match measure {
        Measure::Offered => "shifts offered",
        Measure::Booked => "shifts booked",
        Measure::Desirable => "desirable shifts booked",
    }
}

/// A share as a whole percentage.
pub fn percent(share: f64) -> i64 {
    (share * 100.0).round() as i64
}

/// A p-value as a reader expects it: "p = 0.003", "p < 0.001".
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_owned()
    } else {
        format!("p = {p:.3}")
    }
}

/// One flag as a sentence: "Part-time staff got 31% of shifts booked against 45% of members;
/// significant (exact binomial test, p = 0.003, n = 240)."
pub fn flag_sentence(grouping: &str, group: &GroupShare, m: &MeasureShare) -> String {
    format!(
        "{} got {}% of {} against {}% of members; significant (exact binomial test, {}, n = {}).",
        group_name(grouping, &group.group),
        percent(m.share),
        measure_name(m.measure),
        percent(group.member_share.unwrap_or(0.0)),
        p_value(m.p_value),
        m.total
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_reads_as_one_sentence() {
        let group = GroupShare {
            group: "part_time".into(),
            suppressed: false,
            members: Some(45),
            member_share: Some(0.45),
            measures: vec![],
        };
        let m = MeasureShare {
            measure: Measure::Desirable,
            count: 74,
            total: 240,
            share: 74.0 / 240.0,
            relative_difference: -0.31,
            p_value: 0.0031,
            flagged: true,
        };
        assert_eq!(
            flag_sentence("contract", &group, &m),
            "Part-time staff got 31% of desirable shifts booked against 45% of members; \
             significant (exact binomial test, p = 0.003, n = 240)."
        );
    }

    #[test]
    fn groups_read_as_words() {
        assert_eq!(group_name("tier", "none"), "Staff with no tier");
        assert_eq!(
            group_name("contract", "not_recorded"),
            "Staff whose contract is not recorded"
        );
        assert_eq!(group_name("sex", "female"), "Staff declaring “Female”");
        assert_eq!(
            group_name("age_band", "35_44"),
            "Staff declaring “35 to 44”"
        );
        assert_eq!(grouping_name("age_band"), "Age band (self-declared)");
        assert_eq!(p_value(0.0002), "p < 0.001");
    }
}
