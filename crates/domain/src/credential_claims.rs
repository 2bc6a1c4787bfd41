//! What each passport credential type says (PRODUCT.md "Credential types and the rules they
//! carry"): its claims, how they are validated, and which of them a worker may disclose one by
//! one. The passport signs these claims; matching judges the facts they prove.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::credential::{CredentialKind, DbsLevel};

/// The prefix of every Staffbank credential type identifier (`vct`); the type's stable name
/// and a version follow, e.g. `urn:staffbank:vct:dbs_check:1`.
pub const VCT_PREFIX: &str = "urn:staffbank:vct:";

/// The `vct` of a credential kind.
pub fn vct(kind: CredentialKind) -> String {
    format!("{VCT_PREFIX}{}:1", kind.as_str())
}

/// The credential kind a `vct` names, if it is one of ours.
pub fn kind_of_vct(vct: &str) -> Option<CredentialKind> {
    let rest = vct.strip_prefix(VCT_PREFIX)?.strip_suffix(":1")?;
    CredentialKind::parse(rest)
}

/// Why a credential's claims were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{claim}: {problem}")]
pub struct ClaimError {
    /// The claim at fault.
    pub claim: String,
    /// What is wrong, in words for the officer who entered it.
    pub problem: String,
}

fn claim_error(claim: &str, problem: impl Into<String>) -> ClaimError {
    ClaimError {
        claim: claim.to_owned(),
        problem: problem.into(),
    }
}

/// The regulators whose registration numbers we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regulator {
    /// Nursing and Midwifery Council: PIN `NNANNNNA`, e.g. `71A2998E`.
    Nmc,
    /// General Medical Council: reference number of 7 digits.
    Gmc,
    /// Health and Care Professions Council: `AANNNNNN`, e.g. `PH095159`.
    Hcpc,
    /// General Pharmaceutical Council: 7 digits.
    Gphc,
}

impl Regulator {
    /// Whether `number` has this regulator's format (PRODUCT.md).
    pub fn accepts(self, number: &str) -> bool {
        let b = number.as_bytes();
        let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        let a = |i: usize| b.get(i).is_some_and(u8::is_ascii_uppercase);
        match self {
            Regulator::Nmc => b.len() == 8 && d(0) && d(1) && a(2) && (3..7).all(d) && a(7),
            Regulator::Gmc | Regulator::Gphc => b.len() == 7 && (0..7).all(d),
            Regulator::Hcpc => b.len() == 8 && a(0) && a(1) && (2..8).all(d),
        }
    }
}

/// Who a DBS check covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DbsWorkforce {
    /// The adult workforce.
    Adult,
    /// The child workforce.
    Child,
    /// Both.
    AdultAndChild,
}

/// The Core Skills Training Framework's 11 subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CstfSubject {
    /// Conflict resolution.
    ConflictResolution,
    /// Equality, diversity and human rights.
    EqualityDiversityHumanRights,
    /// Fire safety.
    FireSafety,
    /// Health, safety and welfare.
    HealthSafetyWelfare,
    /// Infection prevention and control.
    InfectionPreventionControl,
    /// Information governance and data security.
    InformationGovernance,
    /// Moving and handling.
    MovingHandling,
    /// Preventing radicalisation.
    PreventingRadicalisation,
    /// Resuscitation.
    Resuscitation,
    /// Safeguarding adults.
    SafeguardingAdults,
    /// Safeguarding children.
    SafeguardingChildren,
}

impl CstfSubject {
    /// Every subject.
    pub const ALL: [CstfSubject; 11] = [
        Self::ConflictResolution,
        Self::EqualityDiversityHumanRights,
        Self::FireSafety,
        Self::HealthSafetyWelfare,
        Self::InfectionPreventionControl,
        Self::InformationGovernance,
        Self::MovingHandling,
        Self::PreventingRadicalisation,
        Self::Resuscitation,
        Self::SafeguardingAdults,
        Self::SafeguardingChildren,
    ];
}

/// One completed subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    /// Level 1 to 3.
    pub level: u8,
    /// When it was completed.
    pub completed: NaiveDate,
}

/// How long each subject at each level lasts before a refresher is due, in months. Set by
/// configuration: trusts agree these locally against the framework, so none is assumed here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefresherPeriods(BTreeMap<(CstfSubject, u8), u32>);

impl RefresherPeriods {
    /// Sets the period for a subject at a level.
    pub fn set(&mut self, subject: CstfSubject, level: u8, months: u32) {
        self.0.insert((subject, level), months);
    }

    /// When the refresher for `done` falls due; `None` if no period is configured (then the
    /// completion cannot be relied on).
    pub fn due(&self, subject: CstfSubject, done: Completion) -> Option<NaiveDate> {
        let months = self.0.get(&(subject, done.level))?;
        done.completed.checked_add_months(Months::new(*months))
    }

    /// Every configured period: subject, level, months.
    pub fn entries(&self) -> impl Iterator<Item = (CstfSubject, u8, u32)> + '_ {
        self.0.iter().map(|((s, l), m)| (*s, *l, *m))
    }

    /// The day a training record stops counting: the first refresher to fall due among its
    /// subjects. Refused, naming the subject and level, if any has no period configured.
    pub fn first_due(
        &self,
        subjects: &BTreeMap<CstfSubject, Completion>,
    ) -> Result<NaiveDate, ClaimError> {
        let mut first: Option<NaiveDate> = None;
        for (subject, done) in subjects {
            let due = self.due(*subject, *done).ok_or_else(|| ClaimError {
                claim: format!("subjects.{}", subject.as_str()),
                problem: format!(
                    "no refresher period is configured for level {}; a platform administrator sets them",
                    done.level
                ),
            })?;
            first = Some(first.map_or(due, |f| f.min(due)));
        }
        first.ok_or_else(|| ClaimError {
            claim: "subjects".into(),
            problem: "at least one subject".into(),
        })
    }
}

impl CstfSubject {
    /// Its name in claims and configuration, e.g. `fire_safety`.
    pub fn as_str(self) -> String {
        serde_name(&self)
    }

    /// The subject with that name.
    pub fn parse(name: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
    }
}

/// Whether someone is cleared, with no clinical detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clearance {
    /// Cleared.
    Cleared,
    /// Not cleared.
    NotCleared,
}

/// Immunisations occupational health records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Immunisation {
    /// Hepatitis B.
    HepatitisB,
    /// Measles, mumps and rubella.
    Mmr,
    /// Varicella (chickenpox).
    Varicella,
    /// Tuberculosis.
    Tb,
    /// COVID-19.
    Covid19,
    /// Influenza.
    Influenza,
}

impl Immunisation {
    /// Every immunisation recorded.
    pub const ALL: [Immunisation; 6] = [
        Self::HepatitisB,
        Self::Mmr,
        Self::Varicella,
        Self::Tb,
        Self::Covid19,
        Self::Influenza,
    ];
}

/// Every claim a verifier may ask for of a credential type: the claims that type lets a holder
/// disclose one by one, with every CSTF subject and immunisation a credential could hold.
pub fn askable_claims(kind: CredentialKind) -> Vec<String> {
    let names: &[&str] = match kind {
        CredentialKind::Identity => &["given_name", "family_name", "birthdate"],
        CredentialKind::RightToWork => &["unlimited", "ends"],
        CredentialKind::DbsCheck => &["level", "workforce", "certificate_date", "update_service"],
        CredentialKind::ProfessionalRegistration => &["number", "registered", "renewal"],
        CredentialKind::CoreSkillsTraining => {
            return CstfSubject::ALL
                .iter()
                .map(|s| format!("subjects.{}", serde_name(s)))
                .collect()
        }
        CredentialKind::OccupationalHealth => {
            let mut out = vec!["clearance".to_owned()];
            out.extend(
                Immunisation::ALL
                    .iter()
                    .map(|i| format!("immunisations.{}", serde_name(i))),
            );
            return out;
        }
        CredentialKind::Employment => &["role", "grade", "started"],
        CredentialKind::SystemsAccess => &["account"],
    };
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// A credential's own claims, by type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CredentialClaims {
    /// Assured identity.
    Identity {
        /// Given name.
        given_name: String,
        /// Family name.
        family_name: String,
        /// Date of birth.
        birthdate: NaiveDate,
    },
    /// Right to work in the UK.
    RightToWork {
        /// Whether the right is without time limit.
        unlimited: bool,
        /// When a time-limited right ends.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends: Option<NaiveDate>,
    },
    /// A DBS certificate.
    DbsCheck {
        /// The certificate's level.
        level: DbsLevel,
        /// Who it covers.
        workforce: DbsWorkforce,
        /// The certificate's date.
        certificate_date: NaiveDate,
        /// Whether it is kept current on the DBS Update Service.
        update_service: bool,
    },
    /// Registration with a regulator.
    ProfessionalRegistration {
        /// The regulator.
        regulator: Regulator,
        /// The registration number in the regulator's format.
        number: String,
        /// Whether the registration is effective.
        registered: bool,
        /// When it must next be renewed or revalidated.
        renewal: NaiveDate,
    },
    /// Core skills training.
    CoreSkillsTraining {
        /// Completed subjects.
        subjects: BTreeMap<CstfSubject, Completion>,
    },
    /// Occupational health clearance.
    OccupationalHealth {
        /// Fit for the role.
        clearance: Clearance,
        /// Immunisation status, cleared or not.
        #[serde(default)]
        immunisations: BTreeMap<Immunisation, Clearance>,
    },
    /// Employment at a trust.
    Employment {
        /// The role.
        role: String,
        /// Agenda for Change band or medical grade, as written.
        grade: String,
        /// Start date.
        started: NaiveDate,
    },
    /// Access to a trust's system.
    SystemsAccess {
        /// The system.
        system: String,
        /// The account or user name.
        account: String,
    },
}

fn check_text(claim: &str, value: &str) -> Result<(), ClaimError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.len() > 200 || trimmed.chars().any(char::is_control) {
        return Err(claim_error(claim, "must be 1 to 200 characters of text"));
    }
    Ok(())
}

impl CredentialClaims {
    /// The kind of credential these claims make.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Self::Identity { .. } => CredentialKind::Identity,
            Self::RightToWork { .. } => CredentialKind::RightToWork,
            Self::DbsCheck { .. } => CredentialKind::DbsCheck,
            Self::ProfessionalRegistration { .. } => CredentialKind::ProfessionalRegistration,
            Self::CoreSkillsTraining { .. } => CredentialKind::CoreSkillsTraining,
            Self::OccupationalHealth { .. } => CredentialKind::OccupationalHealth,
            Self::Employment { .. } => CredentialKind::Employment,
            Self::SystemsAccess { .. } => CredentialKind::SystemsAccess,
        }
    }

    /// Refuses claims that break the type's rules.
    pub fn validate(&self) -> Result<(), ClaimError> {
        match self {
            Self::Identity {
                given_name,
                family_name,
                ..
            } => {
                check_text("given_name", given_name)?;
                check_text("family_name", family_name)
            }
            Self::RightToWork { unlimited, ends } => match (unlimited, ends) {
                (true, Some(_)) => Err(claim_error("ends", "an unlimited right has no end")),
                (false, None) => Err(claim_error("ends", "a time-limited right needs its end")),
                _ => Ok(()),
            },
            Self::DbsCheck { .. } => Ok(()),
            Self::ProfessionalRegistration {
                regulator, number, ..
            } => {
                if regulator.accepts(number) {
                    Ok(())
                } else {
                    Err(claim_error(
                        "number",
                        format!("{number:?} is not in the {regulator:?} format"),
                    ))
                }
            }
            Self::CoreSkillsTraining { subjects } => {
                if subjects.is_empty() {
                    return Err(claim_error("subjects", "at least one subject"));
                }
                match subjects.values().find(|c| !(1..=3).contains(&c.level)) {
                    Some(_) => Err(claim_error("level", "must be 1, 2 or 3")),
                    None => Ok(()),
                }
            }
            Self::OccupationalHealth { .. } => Ok(()),
            Self::Employment { role, grade, .. } => {
                check_text("role", role)?;
                check_text("grade", grade)
            }
            Self::SystemsAccess { system, account } => {
                check_text("system", system)?;
                check_text("account", account)
            }
        }
    }

    /// The claims a worker may disclose one at a time, as paths (`subjects.fire_safety`); the
    /// rest are always shown. Each is chosen so a verifier can ask for just what a role needs.
    pub fn disclosable(&self) -> Vec<String> {
        match self {
            Self::CoreSkillsTraining { subjects } => subjects
                .keys()
                .map(|s| format!("subjects.{}", serde_name(s)))
                .collect(),
            Self::OccupationalHealth { immunisations, .. } => {
                let mut out = vec!["clearance".to_owned()];
                out.extend(
                    immunisations
                        .keys()
                        .map(|i| format!("immunisations.{}", serde_name(i))),
                );
                out
            }
            other => askable_claims(other.kind()),
        }
    }
}

fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn registration_numbers_follow_each_regulators_format() {
        assert!(Regulator::Nmc.accepts("71A2998E"));
        for bad in ["71A2998", "7AA2998E", "71a2998E", "71A2998EE", "71A29X8E"] {
            assert!(!Regulator::Nmc.accepts(bad), "{bad}");
        }
        assert!(Regulator::Hcpc.accepts("PH095159"));
        for bad in ["P1095159", "PH09515", "ph095159"] {
            assert!(!Regulator::Hcpc.accepts(bad), "{bad}");
        }
        assert!(Regulator::Gmc.accepts("1234567") && Regulator::Gphc.accepts("2087654"));
        assert!(!Regulator::Gmc.accepts("123456") && !Regulator::Gphc.accepts("12345678"));
    }

    #[test]
    fn claims_parse_validate_and_name_their_disclosable_parts() {
        let raw = json!({"type": "professional_registration", "regulator": "nmc",
            "number": "71A2998E", "registered": true, "renewal": "2027-03-31"});
        let claims: CredentialClaims = serde_json::from_value(raw).unwrap();
        assert_eq!(claims.kind(), CredentialKind::ProfessionalRegistration);
        assert!(claims.validate().is_ok());
        let wrong = json!({"type": "professional_registration", "regulator": "gmc",
            "number": "71A2998E", "registered": true, "renewal": "2027-03-31"});
        let wrong: CredentialClaims = serde_json::from_value(wrong).unwrap();
        assert_eq!(wrong.validate().unwrap_err().claim, "number");
        let unknown = json!({"type": "dbs_check", "level": "enhanced", "workforce": "adult",
            "certificate_date": "2025-01-01", "update_service": true, "photo": "x"});
        assert!(serde_json::from_value::<CredentialClaims>(unknown).is_err());
    }

    #[test]
    fn training_and_immunisations_disclose_one_subject_at_a_time() {
        let training: CredentialClaims = serde_json::from_value(json!({
            "type": "core_skills_training",
            "subjects": {"fire_safety": {"level": 1, "completed": "2026-01-10"},
                         "resuscitation": {"level": 2, "completed": "2026-02-01"}}}))
        .unwrap();
        assert_eq!(
            training.disclosable(),
            vec!["subjects.fire_safety", "subjects.resuscitation"]
        );
        let bad: CredentialClaims = serde_json::from_value(json!({
            "type": "core_skills_training",
            "subjects": {"fire_safety": {"level": 4, "completed": "2026-01-10"}}}))
        .unwrap();
        assert!(bad.validate().is_err());
        let oh: CredentialClaims = serde_json::from_value(json!({
            "type": "occupational_health", "clearance": "cleared",
            "immunisations": {"hepatitis_b": "cleared", "mmr": "not_cleared"}}))
        .unwrap();
        assert_eq!(
            oh.disclosable(),
            vec![
                "clearance",
                "immunisations.hepatitis_b",
                "immunisations.mmr"
            ]
        );
    }

    #[test]
    fn a_right_to_work_is_unlimited_or_has_an_end() {
        let limited = CredentialClaims::RightToWork {
            unlimited: false,
            ends: None,
        };
        assert!(limited.validate().is_err());
        let both = CredentialClaims::RightToWork {
            unlimited: true,
            ends: Some(d(2027, 1, 1)),
        };
        assert!(both.validate().is_err());
    }

    #[test]
    fn a_refresher_falls_due_by_subject_and_level_and_only_when_configured() {
        let mut periods = RefresherPeriods::default();
        periods.set(CstfSubject::Resuscitation, 2, 12);
        let done = Completion {
            level: 2,
            completed: d(2026, 2, 28),
        };
        assert_eq!(
            periods.due(CstfSubject::Resuscitation, done),
            Some(d(2027, 2, 28))
        );
        let level3 = Completion { level: 3, ..done };
        assert_eq!(periods.due(CstfSubject::Resuscitation, level3), None);
        assert_eq!(periods.due(CstfSubject::FireSafety, done), None);

        // A record counts until its first refresher falls due; an unconfigured one is refused.
        periods.set(CstfSubject::FireSafety, 2, 24);
        let record: BTreeMap<_, _> = [
            (CstfSubject::Resuscitation, done),
            (CstfSubject::FireSafety, done),
        ]
        .into();
        assert_eq!(periods.first_due(&record), Ok(d(2027, 2, 28)));
        let unknown: BTreeMap<_, _> = [(CstfSubject::Resuscitation, level3)].into();
        assert_eq!(
            periods.first_due(&unknown).map_err(|e| e.claim),
            Err("subjects.resuscitation".to_owned())
        );
        assert_eq!(
            CstfSubject::parse("fire_safety"),
            Some(CstfSubject::FireSafety)
        );
        assert_eq!(CstfSubject::parse("fire"), None);
    }

    #[test]
    fn every_kind_has_a_vct_that_names_it_back() {
        for kind in CredentialKind::ALL {
            assert_eq!(kind_of_vct(&vct(kind)), Some(kind));
        }
        assert_eq!(kind_of_vct("urn:staffbank:vct:dbs_check:2"), None);
        assert_eq!(kind_of_vct("https://example.com/dbs_check:1"), None);
    }

    #[test]
    fn a_verifier_may_ask_for_whatever_a_holder_could_disclose() {
        let training = CredentialClaims::CoreSkillsTraining {
            subjects: CstfSubject::ALL
                .iter()
                .map(|s| {
                    (
                        *s,
                        Completion {
                            level: 1,
                            completed: d(2026, 1, 5),
                        },
                    )
                })
                .collect(),
        };
        assert_eq!(
            training.disclosable(),
            askable_claims(CredentialKind::CoreSkillsTraining)
        );
        let health = CredentialClaims::OccupationalHealth {
            clearance: Clearance::Cleared,
            immunisations: Immunisation::ALL
                .iter()
                .map(|i| (*i, Clearance::Cleared))
                .collect(),
        };
        assert_eq!(
            health.disclosable(),
            askable_claims(CredentialKind::OccupationalHealth)
        );
        assert!(askable_claims(CredentialKind::OccupationalHealth)
            .contains(&"immunisations.hepatitis_b".to_owned()));
        assert_eq!(askable_claims(CredentialKind::SystemsAccess), ["account"]);
    }
}
