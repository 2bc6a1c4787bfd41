//! What a trust's compliance officer, or an issuing body's credential issuer, sees of a worker:
//! finding them by what they know (part of a name, an email address, a registration number), and
//! the worker's whole compliance picture, requirement by requirement.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use staffbank_domain::credential::{default_requirements, CredentialKind, CredentialStatus};
use staffbank_domain::credential_claims::{kind_of_vct, vct, CredentialClaims, RefresherPeriods};
use staffbank_domain::role::Role;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::{OrgId, WorkerId};
use staffbank_store::{
    Credential, OfferState, PassportCredential, RevocationState, Worker, WorkerSearch,
};
use uuid::Uuid;

use crate::credentials::CredentialView;
use crate::passport::PassportCredentialView;
use crate::{App, AppError, Principal};

/// The most workers one search returns.
pub const SEARCH_LIMIT: u32 = 50;

/// A worker found by a search.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FoundWorkerView {
    /// Identity.
    pub id: Uuid,
    /// Their name.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// Their staff group in words.
    pub staff_group: String,
    /// Their grade in words.
    pub grade: String,
}

/// Where one requirement of the worker's staff group stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequirementView {
    /// The requirement as written in shifts, e.g. `dbs_check:enhanced_barred`.
    pub requirement: String,
    /// It in words, e.g. "DBS check (enhanced barred)".
    pub label: String,
    /// `held`, `offered`, `expired`, `suspended`, `revoked`, `level_too_low`, `not_yet_valid` or
    /// `missing`.
    pub status: String,
    /// The status in words.
    pub status_label: String,
    /// When what is held ends, or when what expired ended.
    pub expires_at: Option<DateTime<Utc>>,
    /// What it stops them booking, in words; none when nothing is stopped.
    pub stops: Option<String>,
}

/// One Core Skills Training subject and when its refresher is due.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefresherView {
    /// The subject in words.
    pub subject: String,
    /// Its level.
    pub level: u8,
    /// When it was completed.
    pub completed: NaiveDate,
    /// When the refresher is due, if a period is configured.
    pub due: Option<NaiveDate>,
}

/// A passport credential on the worker's picture, with who issued it and what the caller may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PassportEntry {
    /// The credential.
    pub credential: PassportCredentialView,
    /// Its type in words.
    pub type_label: String,
    /// The issuing organisation's name.
    pub issuer_name: String,
    /// Whether the caller may revoke, suspend or reinstate it.
    pub manageable: bool,
    /// For core skills training, each subject's refresher.
    pub refreshers: Vec<RefresherView>,
}

/// A worker's whole compliance picture.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplianceView {
    /// The worker.
    pub worker: FoundWorkerView,
    /// Each credential their staff group needs by default (empty for an issuing body, which sees
    /// only what it issued).
    pub requirements: Vec<RequirementView>,
    /// Passport credentials offered or issued to them (an issuing body sees only its own).
    pub passport: Vec<PassportEntry>,
    /// Credentials recorded by a trust (not for an issuing body).
    pub recorded: Vec<CredentialView>,
    /// The credential types the caller may offer them (stable names).
    pub may_offer: Vec<String>,
}

/// Who is looking, and from where.
enum Desk {
    /// A compliance officer of these trusts, which share a bank with the worker.
    Trust(Vec<OrgId>),
    /// A credential issuer of these issuing bodies.
    Issuer(Vec<OrgId>),
}

fn found(worker: &Worker, email: String) -> FoundWorkerView {
    FoundWorkerView {
        id: worker.id.0,
        name: worker.display_name.to_string(),
        email,
        staff_group: worker.staff_group.label().to_owned(),
        grade: worker.grade.label(),
    }
}

/// A day in words, e.g. "31 March 2027".
fn day(at: DateTime<Utc>) -> String {
    at.with_timezone(&RULES_ZONE)
        .format("%-d %B %Y")
        .to_string()
}

fn in_force(c: &Credential, now: DateTime<Utc>) -> bool {
    c.status == CredentialStatus::Active
        && c.valid_from <= now
        && c.valid_until.is_none_or(|until| until > now)
}

/// Where one requirement stands given what is recorded and what the passport holds.
fn requirement_view(
    required: staffbank_domain::credential::Requirement,
    group: &str,
    recorded: &[Credential],
    passport: &[PassportCredential],
    now: DateTime<Utc>,
) -> RequirementView {
    let kind = required.kind();
    let level_ok = |c: &Credential| match required.min_dbs() {
        Some(min) => c.dbs_level.is_some_and(|l| l >= min),
        None => true,
    };
    let of_kind: Vec<&Credential> = recorded.iter().filter(|c| c.kind == kind).collect();
    let in_passport = |state: OfferState, revocation: RevocationState| {
        passport.iter().any(|p| {
            kind_of_vct(&p.vct) == Some(kind) && p.state == state && p.revocation == revocation
        })
    };
    let every_shift =
        format!("Every {group} shift, as each needs it unless the booker asks for less");
    let held = of_kind
        .iter()
        .filter(|c| in_force(c, now) && level_ok(c))
        .max_by_key(|c| c.valid_until.unwrap_or(DateTime::<Utc>::MAX_UTC));
    let (status, status_label, expires_at, stops) = if let Some(c) = held {
        let stops = c
            .valid_until
            .map(|until| format!("Shifts that end after {}", day(until)));
        ("held", "Held", c.valid_until, stops)
    } else if in_passport(OfferState::Accepted, RevocationState::Suspended) {
        ("suspended", "Suspended", None, Some(every_shift))
    } else if in_passport(OfferState::Offered, RevocationState::Valid) {
        let stops = format!("{every_shift}, until they accept it");
        (
            "offered",
            "Offered, waiting for the worker",
            None,
            Some(stops),
        )
    } else if let Some(c) = of_kind
        .iter()
        .find(|c| c.status == CredentialStatus::Active && level_ok(c) && c.valid_from > now)
    {
        let stops = format!("Shifts that start before {}", day(c.valid_from));
        ("not_yet_valid", "Starts later", None, Some(stops))
    } else if let Some(c) = of_kind
        .iter()
        .filter(|c| c.status == CredentialStatus::Active && level_ok(c))
        .filter_map(|c| c.valid_until.map(|u| (c, u)))
        .max_by_key(|(_, u)| *u)
    {
        ("expired", "Expired", Some(c.1), Some(every_shift))
    } else if of_kind.iter().any(|c| in_force(c, now)) {
        let stops = "Shifts that need a higher DBS level than the one held".to_owned();
        ("level_too_low", "Level too low", None, Some(stops))
    } else if of_kind
        .iter()
        .any(|c| c.status == CredentialStatus::Revoked)
        || in_passport(OfferState::Accepted, RevocationState::Revoked)
    {
        ("revoked", "Revoked", None, Some(every_shift))
    } else {
        ("missing", "Missing", None, Some(every_shift))
    };
    let label = match required.min_dbs() {
        Some(level) if level > staffbank_domain::credential::DbsLevel::Basic => {
            format!("{} ({})", kind.label(), level.as_str().replace('_', " "))
        }
        _ => kind.label().to_owned(),
    };
    RequirementView {
        requirement: required.as_string(),
        label,
        status: status.to_owned(),
        status_label: status_label.to_owned(),
        expires_at,
        stops,
    }
}

/// Each subject of a core skills training credential with its refresher due date.
fn refreshers(claims: &str, periods: &RefresherPeriods) -> Vec<RefresherView> {
    match serde_json::from_str(claims) {
        Ok(CredentialClaims::CoreSkillsTraining { subjects }) => subjects
            .iter()
            .map(|(subject, done)| {
                let words = subject.as_str().replace('_', " ");
                let mut chars = words.chars();
                let subject_words = chars
                    .next()
                    .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                    .unwrap_or_default();
                RefresherView {
                    subject: subject_words,
                    level: done.level,
                    completed: done.completed,
                    due: periods.due(*subject, *done),
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl App {
    /// Where `who` looks at workers from: as compliance officer if they are one, else as a
    /// credential issuer; `Forbidden` for anyone else.
    fn desk(who: &Principal) -> Result<Desk, AppError> {
        let trusts = who.orgs_as(Role::ComplianceOfficer);
        if !trusts.is_empty() {
            return Ok(Desk::Trust(trusts));
        }
        let bodies = who.orgs_as(Role::CredentialIssuer);
        if !bodies.is_empty() {
            return Ok(Desk::Issuer(bodies));
        }
        Err(AppError::Forbidden)
    }

    /// Finds workers by part of their name or email address, or the start of their registration
    /// number, in any case: a compliance officer finds the workers of their trusts' banks, a
    /// credential issuer any worker (an issuing body registers people wherever they work).
    #[tracing::instrument(skip_all)]
    pub async fn find_workers(
        &self,
        who: &Principal,
        text: &str,
    ) -> Result<Vec<FoundWorkerView>, AppError> {
        let orgs = match Self::desk(who)? {
            Desk::Trust(orgs) => Some(orgs),
            Desk::Issuer(_) => None,
        };
        let text = text.trim();
        let length = text.chars().count();
        if length < 2 {
            return Err(AppError::field("q", "enter at least 2 characters"));
        }
        if length > 100 || text.chars().any(char::is_control) {
            return Err(AppError::field("q", "enter at most 100 characters of text"));
        }
        let search = WorkerSearch {
            text: text.to_owned(),
            orgs,
            limit: SEARCH_LIMIT,
        };
        Ok(self
            .store
            .find_workers(&search)
            .await?
            .into_iter()
            .map(|f| found(&f.worker, f.email))
            .collect())
    }

    /// The credential types `who` may offer from their desk: every type for a trust, the types
    /// the trust framework trusts an issuing body for.
    async fn offerable(&self, desk: &Desk) -> Result<Vec<CredentialKind>, AppError> {
        Ok(match desk {
            Desk::Trust(_) => CredentialKind::ALL.to_vec(),
            Desk::Issuer(bodies) => {
                let trusted = self.store.trust_framework().await?;
                CredentialKind::ALL
                    .into_iter()
                    .filter(|k| {
                        trusted
                            .iter()
                            .any(|t| bodies.contains(&t.org_id) && t.vct == vct(*k))
                    })
                    .collect()
            }
        })
    }

    /// The credential types `who` may offer to workers, as an issuer page lists them.
    pub async fn offerable_kinds(&self, who: &Principal) -> Result<Vec<CredentialKind>, AppError> {
        self.offerable(&Self::desk(who)?).await
    }

    /// Whether `who` may revoke, suspend or reinstate `c`: a platform administrator or a
    /// compliance officer of the issuing trust may; a credential issuer of the issuing body only
    /// while the trust framework still trusts it for the type. Anyone else is told it does not
    /// exist.
    pub(crate) async fn may_set_revocation(
        &self,
        who: &Principal,
        c: &PassportCredential,
    ) -> Result<(), AppError> {
        if !Self::may_manage_issuer(who, c.org_id) {
            return Err(AppError::NotFound);
        }
        if who.is_platform_admin() || who.orgs_as(Role::ComplianceOfficer).contains(&c.org_id) {
            return Ok(());
        }
        let trusted = self.store.trust_framework().await?;
        if trusted
            .iter()
            .any(|t| t.org_id == c.org_id && t.vct == c.vct)
        {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// A passport credential `who` may revoke, suspend or reinstate, with its worker's name,
    /// for the page that asks them to confirm.
    pub async fn credential_to_manage(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<(PassportEntry, String), AppError> {
        let c = self
            .store
            .passport_credential(id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.may_set_revocation(who, &c).await?;
        let worker = self
            .store
            .worker(c.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let entry = PassportEntry {
            credential: self.passport_view(&c, false),
            type_label: kind_of_vct(&c.vct).map_or_else(|| c.vct.clone(), |k| k.label().to_owned()),
            issuer_name: self.organisation_name(c.org_id).await?,
            manageable: true,
            refreshers: Vec::new(),
        };
        Ok((entry, worker.display_name.to_string()))
    }

    /// A worker's whole compliance picture: for a compliance officer of a trust they work with,
    /// every requirement of their staff group and every credential; for a credential issuer, the
    /// credentials its body issued them. Anyone else is told the worker does not exist.
    #[tracing::instrument(skip_all, fields(worker = %worker_id))]
    pub async fn worker_compliance(
        &self,
        who: &Principal,
        worker_id: WorkerId,
    ) -> Result<ComplianceView, AppError> {
        let desk = Self::desk(who)?;
        let worker = self
            .store
            .worker(worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let officer = matches!(desk, Desk::Trust(_));
        if officer && self.compliance_orgs_for(who, &worker).await?.is_empty() {
            return Err(AppError::NotFound);
        }
        let email = self
            .store
            .user(worker.user_id)
            .await?
            .map(|u| u.email.as_str().to_owned())
            .unwrap_or_default();
        let now = self.now();
        let mut passport = self.store.passport_credentials_of(worker_id).await?;
        if let Desk::Issuer(bodies) = &desk {
            passport.retain(|p| bodies.contains(&p.org_id));
        }
        let recorded = if officer {
            self.store.credentials_of(worker_id).await?
        } else {
            Vec::new()
        };
        let group = worker.staff_group.label().to_lowercase();
        let requirements = if officer {
            default_requirements(worker.staff_group)
                .into_iter()
                .map(|r| requirement_view(r, &group, &recorded, &passport, now))
                .collect()
        } else {
            Vec::new()
        };
        let periods = self.store.refresher_periods().await?;
        let mut entries = Vec::with_capacity(passport.len());
        for c in passport.iter().rev() {
            let manageable = c.state == OfferState::Accepted
                && c.revocation != RevocationState::Revoked
                && self.may_set_revocation(who, c).await.is_ok();
            entries.push(PassportEntry {
                credential: self.passport_view(c, false),
                type_label: kind_of_vct(&c.vct)
                    .map_or_else(|| c.vct.clone(), |k| k.label().to_owned()),
                issuer_name: self.organisation_name(c.org_id).await?,
                manageable,
                refreshers: refreshers(&c.claims, &periods),
            });
        }
        let may_offer = self
            .offerable(&desk)
            .await?
            .into_iter()
            .map(|k| k.as_str().to_owned())
            .collect();
        Ok(ComplianceView {
            worker: found(&worker, email),
            requirements,
            passport: entries,
            recorded: recorded.iter().map(CredentialView::from).collect(),
            may_offer,
        })
    }
}
