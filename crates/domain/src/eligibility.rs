//! Whether a worker may book a shift, with every reason they may not.
//!
//! The database separately enforces what must hold under concurrency (places, overlaps and the
//! working-time rules); these are the rules that depend only on the worker, the shift and the time.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::credential::{gaps, CredentialGap, HeldCredential, Requirement};
use crate::release::Schedule;
use crate::shift::{bookable, BookingTime, ShiftStatus, RULES_ZONE};
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
    /// Banks in which they hold a priority tier.
    pub tiered: Vec<BankId>,
    /// Their credentials, including revoked and expired ones.
    pub credentials: Vec<HeldCredential>,
}

/// The facts about a shift that eligibility needs.
#[derive(Debug, Clone)]
pub struct ShiftFacts {
    /// Who may book it, and from when.
    pub schedule: Schedule,
    /// The staff group it asks for.
    pub staff_group: StaffGroup,
    /// Grades it accepts.
    pub grades: GradeRange,
    /// Skills every booked worker must have.
    pub required_skills: Vec<Skill>,
    /// Credentials every booked worker must hold for the whole shift.
    pub required_credentials: Vec<Requirement>,
    /// When it is.
    pub window: ShiftWindow,
    /// Whether it can still be booked.
    pub status: ShiftStatus,
}

/// One reason a worker may not book a shift; each carries what a person needs to understand it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Ineligibility {
    /// The shift is not released to any bank the worker has joined.
    NotInBank,
    /// The shift is released to the worker's bank later (the horizon, the cascade or a priority
    /// window for tiered workers).
    NotYetOpen {
        /// When the worker may first book it.
        opens_at: DateTime<Utc>,
    },
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
    /// The worker holds a booking, anywhere on the platform, that overlaps this shift.
    HoldsOverlappingBooking {
        /// When the booking they hold starts: absent where it is at another trust and the reason
        /// is shown to this shift's trust (see [`Ineligibility::as_seen_by_the_shifts_trust`]).
        starts_at: Option<DateTime<Utc>>,
        /// When it ends, absent likewise.
        ends_at: Option<DateTime<Utc>>,
        /// Whether it is at the shift's own trust.
        same_trust: bool,
    },
    /// A required credential is missing, revoked, too low or not valid for the whole shift.
    Credential(CredentialGap),
    /// The booking would break the Working Time Regulations, counted across every trust.
    WorkingTime(Breach),
}

impl std::fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotInBank => write!(
                f,
                "you are not a member of a bank this shift is released to"
            ),
            Self::NotYetOpen { opens_at } => write!(
                f,
                "opens to you at {}",
                opens_at
                    .with_timezone(&RULES_ZONE)
                    .format("%H:%M on %-d %B")
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
            Self::HoldsOverlappingBooking {
                starts_at,
                ends_at,
                same_trust,
            } => {
                let local = |t: &DateTime<Utc>| t.with_timezone(&RULES_ZONE);
                let place = if *same_trust {
                    "this trust"
                } else {
                    "another trust"
                };
                match (starts_at, ends_at) {
                    (Some(starts_at), Some(ends_at)) => write!(
                        f,
                        "you are already booked at {place} from {} to {}, which overlaps this shift",
                        local(starts_at).format("%H:%M on %-d %B"),
                        local(ends_at).format("%H:%M on %-d %B"),
                    ),
                    _ => write!(
                        f,
                        "already booked at {place} at a time that overlaps this shift"
                    ),
                }
            }
            Self::Credential(gap) => write!(f, "{gap}"),
            Self::WorkingTime(breach) => write!(f, "{breach}"),
        }
    }
}

impl Ineligibility {
    /// The reason as the shift's trust may see it: when a booking the worker holds at another
    /// trust is in the way, that it is there, but not when. Another trust's rota is its own, and
    /// the worker's; the reason's data is for the worker (PRODUCT.md: tenancy).
    pub fn as_seen_by_the_shifts_trust(self) -> Self {
        match self {
            Self::HoldsOverlappingBooking {
                same_trust: false, ..
            } => Self::HoldsOverlappingBooking {
                starts_at: None,
                ends_at: None,
                same_trust: false,
            },
            other => other,
        }
    }
}

/// Every reason `worker` may not book `shift` at `now`; empty means eligible.
pub fn check(worker: &WorkerFacts, shift: &ShiftFacts, now: DateTime<Utc>) -> Vec<Ineligibility> {
    let mut reasons = Vec::new();
    let time = BookingTime {
        starts_at: shift.window.start(),
        now,
    };
    if let Err(unbookable) = bookable(shift.status, Some(time)) {
        if let Some(status) = unbookable.closed {
            reasons.push(Ineligibility::ShiftNotOpen { status });
        }
        if unbookable.started {
            reasons.push(Ineligibility::ShiftStarted);
        }
    }
    match shift.schedule.opens_for(&worker.banks, &worker.tiered) {
        None => reasons.push(Ineligibility::NotInBank),
        Some(opens_at) if opens_at > now => reasons.push(Ineligibility::NotYetOpen { opens_at }),
        Some(_) => {}
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
    reasons.extend(
        gaps(
            &shift.required_credentials,
            &worker.credentials,
            shift.window,
        )
        .into_iter()
        .map(Ineligibility::Credential),
    );
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{CredentialKind, CredentialStatus};
    use crate::release::ReleasePolicy;
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
            tiered: vec![],
            credentials: vec![HeldCredential {
                kind: CredentialKind::RightToWork,
                dbs_level: None,
                valid_from: now - Duration::days(30),
                valid_until: None,
                status: CredentialStatus::Active,
            }],
        };
        let window = ShiftWindow::new(now + Duration::hours(2), now + Duration::hours(14)).unwrap();
        let shift = ShiftFacts {
            schedule: Schedule::plan(
                &ReleasePolicy {
                    priority_window: Duration::hours(2),
                    ..ReleasePolicy::default()
                },
                window,
                now - Duration::hours(3),
                bank,
                None,
            ),
            staff_group: group,
            grades: GradeRange::new(group, grade("band_5"), grade("band_6")).unwrap(),
            required_skills: Skill::parse_list(&["iv_therapy"]).unwrap(),
            required_credentials: vec![Requirement::of(CredentialKind::RightToWork)],
            window,
            status: ShiftStatus::Open,
        };
        (worker, shift, now)
    }

    #[test]
    fn a_matching_worker_is_eligible() {
        let (mut worker, shift, now) = setup();
        worker.tiered = worker.banks.clone();
        assert_eq!(check(&worker, &shift, now), vec![]);
    }

    #[test]
    fn each_rule_gives_its_reason() {
        let (mut worker, shift, now) = setup();
        worker.tiered = worker.banks.clone();

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

        let mut lapsing = worker.clone();
        lapsing.credentials[0].valid_until = Some(shift.window.end() - Duration::minutes(1));
        assert!(matches!(
            check(&lapsing, &shift, now).as_slice(),
            [Ineligibility::Credential(CredentialGap::Expires { .. })]
        ));
    }

    #[test]
    fn untiered_workers_wait_out_the_priority_window() {
        let (mut worker, shift, _) = setup();
        let released = shift.schedule.first.1;
        let opens_at = released + Duration::hours(2);
        assert_eq!(
            check(&worker, &shift, released + Duration::minutes(1)),
            vec![Ineligibility::NotYetOpen { opens_at }]
        );
        assert_eq!(check(&worker, &shift, opens_at), vec![]);
        worker.tiered = worker.banks.clone();
        assert_eq!(check(&worker, &shift, released), vec![]);
    }
}
