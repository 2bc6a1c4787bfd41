//! Who is asking, and what their grants let them touch. Every use case decides from this.

use staffbank_domain::role::{Role, Scope};
use staffbank_domain::{OrgId, WardId};
use staffbank_store::{Session, SignedIn, User, Ward, Worker};

use crate::AppError;

/// A signed-in user with their grants and, if they are a bank worker, their worker profile.
///
/// How they signed in (password today; an OpenID Connect provider can be added as another way to
/// produce a session) does not matter past this point.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account.
    pub user: User,
    /// Their worker profile, if they work bank shifts.
    pub worker: Option<Worker>,
    /// The session they are using.
    pub session: Session,
}

impl From<SignedIn> for Principal {
    fn from(signed_in: SignedIn) -> Self {
        Self {
            user: signed_in.user,
            worker: signed_in.worker,
            session: signed_in.session,
        }
    }
}

impl Principal {
    /// Whether they hold `role` anywhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.user.grants.iter().any(|g| g.role == role)
    }

    /// Whether they hold `role` over the whole platform.
    pub fn has_platform_role(&self, role: Role) -> bool {
        self.user
            .grants
            .iter()
            .any(|g| g.role == role && g.scope == Scope::Platform)
    }

    /// Whether they administer the platform.
    pub fn is_platform_admin(&self) -> bool {
        self.has_platform_role(Role::PlatformAdmin)
    }

    /// Whether they may read the whole ledger: platform auditors and administrators.
    pub fn reads_whole_ledger(&self) -> bool {
        self.has_platform_role(Role::Auditor) || self.is_platform_admin()
    }

    /// Fails unless they administer the platform.
    pub fn require_platform_admin(&self) -> Result<(), AppError> {
        if self.is_platform_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Their worker profile, or `Forbidden` if they are not a worker.
    pub fn require_worker(&self) -> Result<&Worker, AppError> {
        self.worker.as_ref().ok_or(AppError::Forbidden)
    }

    /// Whether they may post and manage shifts on this ward: a booker of its trust or of the ward.
    pub fn books_for_ward(&self, ward: &Ward) -> bool {
        self.user.grants.iter().any(|g| {
            g.role == Role::Booker
                && (g.scope == Scope::Organisation(ward.org_id) || g.scope == Scope::Ward(ward.id))
        })
    }

    /// Trusts they book for as a whole.
    pub fn booker_orgs(&self) -> Vec<OrgId> {
        self.orgs_as(Role::Booker)
    }

    /// Organisations over which they hold `role` as a whole.
    pub fn orgs_as(&self, role: Role) -> Vec<OrgId> {
        self.user
            .grants
            .iter()
            .filter(|g| g.role == role)
            .filter_map(|g| match g.scope {
                Scope::Organisation(org) => Some(org),
                _ => None,
            })
            .collect()
    }

    /// Whether they book for any trust or ward: who gets the bookers' pages.
    pub fn is_booker(&self) -> bool {
        !self.booker_orgs().is_empty() || !self.booker_wards().is_empty()
    }

    /// Wards they book for individually.
    pub fn booker_wards(&self) -> Vec<WardId> {
        self.user
            .grants
            .iter()
            .filter(|g| g.role == Role::Booker)
            .filter_map(|g| match g.scope {
                Scope::Ward(ward) => Some(ward),
                _ => None,
            })
            .collect()
    }
}
