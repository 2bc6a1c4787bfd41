//! Credentials a worker holds and the credentials a shift requires.
//!
//! A credential here is the verified fact itself (type, issuer, subject, validity and status), the
//! same shape a signed passport credential carries, so a record entered by a compliance officer
//! and one verified from a passport are judged by the same rule: present, unrevoked and valid for
//! the *whole* shift, not just today.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{ShiftWindow, StaffGroup};

/// The kinds of credential in PRODUCT.md "Credential types and the rules they carry".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// Assured identity.
    Identity,
    /// Right to work in the UK, with an expiry where the visa has one.
    RightToWork,
    /// A DBS certificate at a stated level.
    DbsCheck,
    /// NMC, GMC, HCPC or GPhC registration in good standing.
    ProfessionalRegistration,
    /// Core Skills Training Framework subjects, valid until the first refresher falls due.
    CoreSkillsTraining,
    /// Occupational health clearance (cleared or not; no clinical detail).
    OccupationalHealth,
    /// Current employment.
    Employment,
    /// Access to a trust's systems.
    SystemsAccess,
}

impl CredentialKind {
    /// Every kind, in display order.
    pub const ALL: [CredentialKind; 8] = [
        Self::Identity,
        Self::RightToWork,
        Self::DbsCheck,
        Self::ProfessionalRegistration,
        Self::CoreSkillsTraining,
        Self::OccupationalHealth,
        Self::Employment,
        Self::SystemsAccess,
    ];

    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::RightToWork => "right_to_work",
            Self::DbsCheck => "dbs_check",
            Self::ProfessionalRegistration => "professional_registration",
            Self::CoreSkillsTraining => "core_skills_training",
            Self::OccupationalHealth => "occupational_health",
            Self::Employment => "employment",
            Self::SystemsAccess => "systems_access",
        }
    }

    /// Parses a stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// How people say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Identity => "Identity check",
            Self::RightToWork => "Right to work",
            Self::DbsCheck => "DBS check",
            Self::ProfessionalRegistration => "Professional registration",
            Self::CoreSkillsTraining => "Core skills training",
            Self::OccupationalHealth => "Occupational health clearance",
            Self::Employment => "Employment",
            Self::SystemsAccess => "Systems access",
        }
    }
}

/// DBS certificate levels, lowest first, so a higher level satisfies a lower requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DbsLevel {
    /// Basic: unspent convictions only.
    Basic,
    /// Standard: spent and unspent convictions, cautions.
    Standard,
    /// Enhanced: standard plus local police information.
    Enhanced,
    /// Enhanced with a check of the adult and/or children's barred lists.
    EnhancedBarred,
}

impl DbsLevel {
    /// Every level, lowest first.
    pub const ALL: [DbsLevel; 4] = [
        Self::Basic,
        Self::Standard,
        Self::Enhanced,
        Self::EnhancedBarred,
    ];

    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Standard => "standard",
            Self::Enhanced => "enhanced",
            Self::EnhancedBarred => "enhanced_barred",
        }
    }

    /// Parses a stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == raw)
    }
}

/// One credential a shift requires: a kind, and for a DBS check the lowest acceptable level.
///
/// Written `kind` or `dbs_check:level`, e.g. `dbs_check:enhanced_barred`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    kind: CredentialKind,
    min_dbs: Option<DbsLevel>,
}

impl Requirement {
    /// A requirement of `kind` (for a DBS check, at least `Basic`).
    pub fn of(kind: CredentialKind) -> Self {
        Self {
            kind,
            min_dbs: (kind == CredentialKind::DbsCheck).then_some(DbsLevel::Basic),
        }
    }

    /// A DBS check at `level` or above.
    pub fn dbs(level: DbsLevel) -> Self {
        Self {
            kind: CredentialKind::DbsCheck,
            min_dbs: Some(level),
        }
    }

    /// Parses `kind` or `dbs_check:level`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().split_once(':') {
            Some(("dbs_check", level)) => DbsLevel::parse(level).map(Self::dbs),
            Some(_) => None,
            None => CredentialKind::parse(raw.trim()).map(Self::of),
        }
    }

    /// Parses a list, refusing unknown names and dropping repeats.
    pub fn parse_list<S: AsRef<str>>(raw: &[S]) -> Result<Vec<Self>, String> {
        let mut out: Vec<Self> = Vec::with_capacity(raw.len());
        for item in raw {
            let parsed = Self::parse(item.as_ref())
                .ok_or_else(|| format!("unknown credential requirement {:?}", item.as_ref()))?;
            if !out.contains(&parsed) {
                out.push(parsed);
            }
        }
        out.sort();
        Ok(out)
    }

    /// The kind required.
    pub fn kind(self) -> CredentialKind {
        self.kind
    }

    /// For a DBS check, the lowest acceptable level.
    pub fn min_dbs(self) -> Option<DbsLevel> {
        self.min_dbs
    }

    /// The written form, the inverse of [`Requirement::parse`].
    pub fn as_string(self) -> String {
        match self.min_dbs {
            Some(level) => format!("dbs_check:{}", level.as_str()),
            None => self.kind.as_str().to_owned(),
        }
    }

    /// Whether `held` is of the right kind and level (validity is judged separately).
    fn accepts(self, held: &HeldCredential) -> bool {
        held.kind == self.kind
            && match self.min_dbs {
                Some(min) => held.dbs_level.is_some_and(|l| l >= min),
                None => true,
            }
    }
}

impl Serialize for Requirement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_string())
    }
}

/// What a shift requires when the booker states nothing else: the checks NHS Employers' six
/// employment check standards ask of everyone, plus registration for registered staff groups.
pub fn default_requirements(group: StaffGroup) -> Vec<Requirement> {
    let mut out = vec![
        Requirement::of(CredentialKind::Identity),
        Requirement::of(CredentialKind::RightToWork),
        Requirement::of(CredentialKind::CoreSkillsTraining),
        Requirement::of(CredentialKind::OccupationalHealth),
    ];
    match group {
        StaffGroup::Admin => out.push(Requirement::dbs(DbsLevel::Basic)),
        StaffGroup::HealthcareSupport => out.push(Requirement::dbs(DbsLevel::EnhancedBarred)),
        StaffGroup::NursingAndMidwifery | StaffGroup::Medical | StaffGroup::AlliedHealth => {
            out.push(Requirement::dbs(DbsLevel::EnhancedBarred));
            out.push(Requirement::of(CredentialKind::ProfessionalRegistration));
        }
    }
    out.sort();
    out
}

/// Whether a credential still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// In force.
    Active,
    /// Withdrawn by its issuer; never comes back (a new credential is issued instead).
    Revoked,
}

impl CredentialStatus {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
        }
    }

    /// Parses a stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// The facts of one held credential that eligibility needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCredential {
    /// Its kind.
    pub kind: CredentialKind,
    /// For a DBS check, its level.
    pub dbs_level: Option<DbsLevel>,
    /// When it takes effect.
    pub valid_from: DateTime<Utc>,
    /// When it ends, if it does.
    pub valid_until: Option<DateTime<Utc>>,
    /// Whether it still stands.
    pub status: CredentialStatus,
}

impl HeldCredential {
    /// Whether it covers every instant of `window`, which ends exclusively.
    pub fn covers(&self, window: ShiftWindow) -> bool {
        self.status == CredentialStatus::Active
            && self.valid_from <= window.start()
            && self.valid_until.is_none_or(|until| until >= window.end())
    }
}

/// Why a requirement is not met, with what a person needs to put it right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum CredentialGap {
    /// Nothing of this kind is held.
    Missing {
        /// What is required.
        required: Requirement,
    },
    /// Every credential of this kind held has been revoked: the person needs a new one, and
    /// the office should know it was withdrawn rather than never recorded.
    Revoked {
        /// What is required.
        required: Requirement,
    },
    /// A DBS check is held but below the level the shift needs.
    DbsLevelTooLow {
        /// Lowest acceptable.
        required: DbsLevel,
        /// Highest held.
        held: DbsLevel,
    },
    /// The best credential held ends before the shift does.
    Expires {
        /// What is required.
        required: Requirement,
        /// When it ends.
        valid_until: DateTime<Utc>,
        /// When the shift ends.
        shift_ends: DateTime<Utc>,
    },
    /// The credential held only takes effect after the shift starts.
    NotYetValid {
        /// What is required.
        required: Requirement,
        /// When it takes effect.
        valid_from: DateTime<Utc>,
    },
}

fn kind_name(required: Requirement) -> String {
    match required.min_dbs {
        Some(level) if level > DbsLevel::Basic => {
            format!(
                "{} ({})",
                required.kind.label(),
                level.as_str().replace('_', " ")
            )
        }
        _ => required.kind.label().to_owned(),
    }
}

/// "3 days", "5 hours" or "20 minutes": the largest whole unit, for reasons people read.
fn span(d: chrono::Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    // to the nearest minute, so 2 h 59 min 59.9 s reads as 3 hours
    let d = chrono::Duration::minutes((d.num_milliseconds() + 30_000).div_euclid(60_000));
    if d.num_days() >= 1 {
        plural(d.num_days(), "day")
    } else if d.num_hours() >= 1 {
        plural(d.num_hours(), "hour")
    } else {
        plural(d.num_minutes().max(1), "minute")
    }
}

impl std::fmt::Display for CredentialGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing { required } => {
                write!(f, "no valid {} is recorded", kind_name(*required))
            }
            Self::Revoked { required } => {
                write!(f, "the {} recorded has been revoked", kind_name(*required))
            }
            Self::DbsLevelTooLow { required, held } => write!(
                f,
                "the shift needs a DBS check at {} level; yours is {}",
                required.as_str().replace('_', " "),
                held.as_str().replace('_', " ")
            ),
            Self::Expires {
                required,
                valid_until,
                shift_ends,
            } => write!(
                f,
                "{} expires {} before the shift ends",
                kind_name(*required),
                span(*shift_ends - *valid_until)
            ),
            Self::NotYetValid {
                required,
                valid_from,
            } => write!(
                f,
                "{} only takes effect on {}",
                kind_name(*required),
                valid_from
                    .with_timezone(&crate::shift::RULES_ZONE)
                    .format("%-d %B %Y")
            ),
        }
    }
}

/// Every requirement `held` does not meet for the whole of `window`; empty means all are met.
pub fn gaps(
    required: &[Requirement],
    held: &[HeldCredential],
    window: ShiftWindow,
) -> Vec<CredentialGap> {
    required
        .iter()
        .filter_map(|req| gap(*req, held, window))
        .collect()
}

fn gap(
    required: Requirement,
    held: &[HeldCredential],
    window: ShiftWindow,
) -> Option<CredentialGap> {
    let standing: Vec<&HeldCredential> = held
        .iter()
        .filter(|c| c.kind == required.kind && c.status == CredentialStatus::Active)
        .collect();
    let fitting: Vec<&HeldCredential> = standing
        .iter()
        .copied()
        .filter(|c| required.accepts(c))
        .collect();
    if fitting.iter().any(|c| c.covers(window)) {
        return None;
    }
    if fitting.is_empty() {
        let best = standing.iter().filter_map(|c| c.dbs_level).max();
        let revoked = held
            .iter()
            .any(|c| c.kind == required.kind && c.status == CredentialStatus::Revoked);
        return Some(match (required.min_dbs, best) {
            (Some(min), Some(held)) => CredentialGap::DbsLevelTooLow {
                required: min,
                held,
            },
            _ if revoked => CredentialGap::Revoked { required },
            _ => CredentialGap::Missing { required },
        });
    }
    // The one that reaches furthest explains best what is wrong.
    let started: Vec<&&HeldCredential> = fitting
        .iter()
        .filter(|c| c.valid_from <= window.start())
        .collect();
    if let Some(best) = started
        .iter()
        .max_by_key(|c| c.valid_until.unwrap_or(DateTime::<Utc>::MAX_UTC))
    {
        if let Some(valid_until) = best.valid_until {
            return Some(CredentialGap::Expires {
                required,
                valid_until,
                shift_ends: window.end(),
            });
        }
    }
    let soonest = fitting.iter().map(|c| c.valid_from).min()?;
    Some(CredentialGap::NotYetValid {
        required,
        valid_from: soonest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn window() -> ShiftWindow {
        let start = DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000);
        ShiftWindow::new(start, start + Duration::hours(12)).unwrap()
    }

    fn held(kind: CredentialKind, until: Option<Duration>) -> HeldCredential {
        HeldCredential {
            kind,
            dbs_level: (kind == CredentialKind::DbsCheck).then_some(DbsLevel::EnhancedBarred),
            valid_from: window().start() - Duration::days(365),
            valid_until: until.map(|d| window().end() + d),
            status: CredentialStatus::Active,
        }
    }

    #[test]
    fn requirements_round_trip_through_their_written_form() {
        for req in default_requirements(StaffGroup::NursingAndMidwifery) {
            assert_eq!(Requirement::parse(&req.as_string()), Some(req));
        }
        assert_eq!(Requirement::parse("dbs_check:gold"), None);
        assert_eq!(Requirement::parse("identity:basic"), None);
        assert!(Requirement::parse_list(&["flying"]).is_err());
        assert_eq!(
            Requirement::parse_list(&["identity", "identity"])
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn a_credential_valid_to_the_last_minute_covers_the_shift() {
        let req = [Requirement::of(CredentialKind::RightToWork)];
        let exact = held(CredentialKind::RightToWork, Some(Duration::zero()));
        assert_eq!(gaps(&req, &[exact], window()), vec![]);
        let open_ended = held(CredentialKind::RightToWork, None);
        assert_eq!(gaps(&req, &[open_ended], window()), vec![]);
    }

    #[test]
    fn a_credential_that_expires_mid_shift_does_not() {
        let req = [Requirement::dbs(DbsLevel::Enhanced)];
        let expiring = held(CredentialKind::DbsCheck, Some(-Duration::hours(3)));
        let found = gaps(&req, &[expiring], window());
        assert!(matches!(found.as_slice(), [CredentialGap::Expires { .. }]));
        assert_eq!(
            found[0].to_string(),
            "DBS check (enhanced) expires 3 hours before the shift ends"
        );
        let long_gone = held(CredentialKind::DbsCheck, Some(-Duration::days(15)));
        assert_eq!(
            gaps(&req, &[long_gone], window())[0].to_string(),
            "DBS check (enhanced) expires 15 days before the shift ends"
        );
    }

    #[test]
    fn a_renewal_starting_after_the_old_one_ends_is_judged_on_its_own() {
        let req = [Requirement::of(CredentialKind::CoreSkillsTraining)];
        let old = held(
            CredentialKind::CoreSkillsTraining,
            Some(-Duration::hours(1)),
        );
        let mut renewal = held(CredentialKind::CoreSkillsTraining, None);
        renewal.valid_from = window().start() + Duration::hours(1);
        let found = gaps(&req, &[old.clone(), renewal.clone()], window());
        assert!(matches!(found.as_slice(), [CredentialGap::Expires { .. }]));
        renewal.valid_from = window().start();
        assert_eq!(gaps(&req, &[old, renewal], window()), vec![]);
    }

    #[test]
    fn revoked_and_low_level_credentials_do_not_count() {
        let req = [Requirement::dbs(DbsLevel::EnhancedBarred)];
        let mut revoked = held(CredentialKind::DbsCheck, None);
        revoked.status = CredentialStatus::Revoked;
        assert_eq!(
            gaps(&req, std::slice::from_ref(&revoked), window()),
            vec![CredentialGap::Revoked { required: req[0] }]
        );
        assert_eq!(
            gaps(&req, &[], window()),
            vec![CredentialGap::Missing { required: req[0] }]
        );
        assert_eq!(
            CredentialGap::Revoked { required: req[0] }.to_string(),
            "the DBS check (enhanced barred) recorded has been revoked"
        );
        // A revoked one beside a standing one at too low a level: the level is what to fix.
        let mut low = held(CredentialKind::DbsCheck, None);
        low.dbs_level = Some(DbsLevel::Standard);
        assert!(matches!(
            gaps(&req, &[revoked, low], window()).as_slice(),
            [CredentialGap::DbsLevelTooLow { .. }]
        ));
        let mut basic = held(CredentialKind::DbsCheck, None);
        basic.dbs_level = Some(DbsLevel::Basic);
        assert_eq!(
            gaps(&req, &[basic], window()),
            vec![CredentialGap::DbsLevelTooLow {
                required: DbsLevel::EnhancedBarred,
                held: DbsLevel::Basic
            }]
        );
        let mut future = held(CredentialKind::DbsCheck, None);
        future.valid_from = window().start() + Duration::days(2);
        assert!(matches!(
            gaps(&req, &[future], window()).as_slice(),
            [CredentialGap::NotYetValid { .. }]
        ));
    }

    #[test]
    fn registered_staff_groups_need_registration_and_admin_does_not() {
        let reg = Requirement::of(CredentialKind::ProfessionalRegistration);
        assert!(default_requirements(StaffGroup::Medical).contains(&reg));
        assert!(!default_requirements(StaffGroup::Admin).contains(&reg));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    proptest! {
        /// A requirement is met exactly when some active credential of an accepted level spans the
        /// whole shift, whatever else is held.
        #[test]
        fn met_exactly_when_one_credential_spans_the_shift(
            creds in prop::collection::vec((0i64..96, prop::option::of(0i64..96), any::<bool>(), 0usize..4), 0..5),
        ) {
            let base = DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000);
            let window = ShiftWindow::new(base + Duration::hours(40), base + Duration::hours(52)).unwrap();
            let held: Vec<HeldCredential> = creds.iter().map(|(from, until, active, level)| HeldCredential {
                kind: CredentialKind::DbsCheck,
                dbs_level: Some(DbsLevel::ALL[*level]),
                valid_from: base + Duration::hours(*from),
                valid_until: until.map(|u| base + Duration::hours(from + u)),
                status: if *active { CredentialStatus::Active } else { CredentialStatus::Revoked },
            }).collect();
            let req = Requirement::dbs(DbsLevel::Enhanced);
            let expected = held.iter().any(|c| c.status == CredentialStatus::Active
                && c.dbs_level >= Some(DbsLevel::Enhanced)
                && c.valid_from <= window.start()
                && c.valid_until.is_none_or(|u| u >= window.end()));
            prop_assert_eq!(gaps(&[req], &held, window).is_empty(), expected);
        }
    }
}
