//! Whether a worker may book a shift, with every reason they may not.
//!
//! The database separately enforces what must hold under concurrency (places and overlaps); these
//! are the rules that depend only on the worker and the shift.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::shift::ShiftStatus;
use crate::worker::Skill;
use crate::working_time::Breach;
use crate::{BankId, Grade, GradeRange, ShiftWindow, StaffGroup};

/// The facts about a worker that eligibility needs.
#[derive(Debug, Clone)]
pub struct WorkerFacts {
    /// Their staff group.
    pub staff_group: StaffGroup,
    /// Their grade.
    pub grade: Grade,
    /// Their skills and competencies.
    pub skills: Vec<Skill>,
    /// Banks they are an active member of.
    pub banks: Vec<BankId>,
}

/// The facts about a shift that eligibility needs.
#[derive(Debug, Clone)]
pub struct ShiftFacts {
    /// The bank it is posted to.
    pub bank: BankId,
    /// The staff group it asks for.
    pub staff_group: StaffGroup,
    /// Grades it accepts.
    pub grades: GradeRange,
    /// Skills every booked worker must have.
    pub required_skills: Vec<Skill>,
    /// When it is.
    pub window: ShiftWindow,
    /// Whether it can still be booked.
    pub status: ShiftStatus,
}

/// One reason a worker may not book a shift; each carries what a person needs to understand it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Ineligibility {
    /// The shift is posted to a bank the worker has not joined.
    NotInBank,
    /// The shift is filled or cancelled.
    ShiftNotOpen {
        /// Its current status.
        status: ShiftStatus,
    },
    /// The shift has already started.
    ShiftStarted,
    /// The worker's staff group is not the one asked for.
    WrongStaffGroup {
        /// Asked for.
        required: StaffGroup,
        /// Held.
        held: StaffGroup,
    },
    /// The worker's grade is outside the shift's range.
    GradeOutOfRange {
        /// Lowest accepted.
        min: Grade,
        /// Highest accepted.
        max: Grade,
        /// Held.
        held: Grade,
    },
    /// The worker lacks required skills.
    MissingSkills {
        /// The skills they lack.
        missing: Vec<Skill>,
    },
    /// The booking would break the Working Time Regulations, counted across every trust.
    WorkingTime(Breach),
}

impl std::fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotInBank => write!(
                f,
                "you are not a member of the bank this shift is posted to"
            ),
            Self::ShiftNotOpen { status } => write!(f, "the shift is {}", status.as_str()),
            Self::ShiftStarted => write!(f, "the shift has already started"),
            Self::WrongStaffGroup { required, held } => write!(
                f,
                "the shift is for {} staff; you are in {}",
                required.label().to_lowercase(),
                held.label().to_lowercase()
            ),
            Self::GradeOutOfRange { min, max, held } => write!(
                f,
                "the shift needs {} to {}; you are {}",
                min.label(),
                max.label(),
                held.label()
            ),
            Self::MissingSkills { missing } => {
                let names: Vec<&str> = missing.iter().map(Skill::as_str).collect();
                write!(
                    f,
                    "the shift needs skills you have not recorded: {}",
                    names.join(", ")
                )
            }
            Self::WorkingTime(breach) => write!(f, "{breach}"),
        }
    }
}

/// Every reason `worker` may not book `shift` at `now`; empty means eligible.
pub fn check(worker: &WorkerFacts, shift: &ShiftFacts, now: DateTime<Utc>) -> Vec<Ineligibility> {
    let mut reasons = Vec::new();
    if shift.status != ShiftStatus::Open {
        reasons.push(Ineligibility::ShiftNotOpen {
            status: shift.status,
        });
    }
    if shift.window.start() <= now {
        reasons.push(Ineligibility::ShiftStarted);
    }
    if !worker.banks.contains(&shift.bank) {
        reasons.push(Ineligibility::NotInBank);
    }
    if worker.staff_group != shift.staff_group {
        reasons.push(Ineligibility::WrongStaffGroup {
            required: shift.staff_group,
            held: worker.staff_group,
        });
    } else if !shift.grades.contains(worker.grade) {
        reasons.push(Ineligibility::GradeOutOfRange {
            min: shift.grades.min(),
            max: shift.grades.max(),
            held: worker.grade,
        });
    }
    let missing: Vec<Skill> = shift
        .required_skills
        .iter()
        .filter(|s| !worker.skills.contains(s))
        .cloned()
        .collect();
    if !missing.is_empty() {
        reasons.push(Ineligibility::MissingSkills { missing });
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use uuid::Uuid;

    fn grade(s: &str) -> Grade {
        Grade::parse(s).unwrap()
    }

    fn setup() -> (WorkerFacts, ShiftFacts, DateTime<Utc>) {
        let bank = BankId(Uuid::from_u128(1));
        let now = DateTime::<Utc>::UNIX_EPOCH + Duration::days(1000);
        let group = StaffGroup::NursingAndMidwifery;
        let worker = WorkerFacts {
            staff_group: group,
            grade: grade("band_5"),
            skills: Skill::parse_list(&["iv_therapy"]).unwrap(),
            banks: vec![bank],
        };
        let shift = ShiftFacts {
            bank,
            staff_group: group,
            grades: GradeRange::new(group, grade("band_5"), grade("band_6")).unwrap(),
            required_skills: Skill::parse_list(&["iv_therapy"]).unwrap(),
            window: ShiftWindow::new(now + Duration::hours(2), now + Duration::hours(14)).unwrap(),
            status: ShiftStatus::Open,
        };
        (worker, shift, now)
    }

    #[test]
    fn a_matching_worker_is_eligible() {
        let (worker, shift, now) = setup();
        assert_eq!(check(&worker, &shift, now), vec![]);
    }

    #[test]
    fn each_rule_gives_its_reason() {
        let (worker, shift, now) = setup();

        let mut outsider = worker.clone();
        outsider.banks.clear();
        assert_eq!(
            check(&outsider, &shift, now),
            vec![Ineligibility::NotInBank]
        );

        let mut senior = worker.clone();
        senior.grade = grade("band_7");
        assert!(matches!(
            check(&senior, &shift, now).as_slice(),
            [Ineligibility::GradeOutOfRange { .. }]
        ));

        let mut doctor = worker.clone();
        doctor.staff_group = StaffGroup::Medical;
        assert!(matches!(
            check(&doctor, &shift, now).as_slice(),
            [Ineligibility::WrongStaffGroup { .. }]
        ));

        let mut unskilled = worker.clone();
        unskilled.skills.clear();
        let reasons = check(&unskilled, &shift, now);
        assert_eq!(reasons.len(), 1);
        assert_eq!(
            reasons[0].to_string(),
            "the shift needs skills you have not recorded: iv_therapy"
        );

        let mut filled = shift.clone();
        filled.status = ShiftStatus::Filled;
        assert_eq!(
            check(&worker, &filled, now),
            vec![Ineligibility::ShiftNotOpen {
                status: ShiftStatus::Filled
            }]
        );

        let later = shift.window.start();
        assert_eq!(
            check(&worker, &shift, later),
            vec![Ineligibility::ShiftStarted]
        );
    }
}
