//! Credentials recorded by a trust's compliance officer, and revoked by the trust that recorded
//! them. Eligibility reads them for every booking.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::credential::{CredentialKind, CredentialStatus, DbsLevel};
use staffbank_domain::role::Role;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_domain::text::Label;
use staffbank_domain::*;
use staffbank_store::{Credential, Worker};
use uuid::Uuid;

use crate::audit::Change;
use crate::error::Fields;
use crate::{App, AppError, Principal};

/// Record a credential for a worker.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordCredential {
    /// Its kind, e.g. `dbs_check` or `right_to_work`.
    pub kind: String,
    /// For a DBS check: `basic`, `standard`, `enhanced` or `enhanced_barred`.
    #[serde(default)]
    pub dbs_level: Option<String>,
    /// When it takes effect: an RFC 3339 date-time, or a date (the start of that day in the UK).
    pub valid_from: String,
    /// When it ends, if it does: an RFC 3339 date-time, or a date (valid through that whole day).
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// Revoke a credential.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeCredential {
    /// Why, for the ledger and the worker.
    pub reason: String,
}

/// A credential as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CredentialView {
    /// Identity.
    pub id: Uuid,
    /// The worker it is about.
    pub worker_id: Uuid,
    /// Its kind.
    pub kind: String,
    /// How people say the kind.
    pub kind_label: String,
    /// For a DBS check, its level.
    pub dbs_level: Option<String>,
    /// The organisation that recorded it.
    pub issuer_org_id: Uuid,
    /// When it takes effect.
    pub valid_from: DateTime<Utc>,
    /// When it ends, if it does.
    pub valid_until: Option<DateTime<Utc>>,
    /// `active` or `revoked`.
    pub status: String,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl From<&Credential> for CredentialView {
    fn from(c: &Credential) -> Self {
        Self {
            id: c.id.0,
            worker_id: c.worker_id.0,
            kind: c.kind.as_str().to_owned(),
            kind_label: c.kind.label().to_owned(),
            dbs_level: c.dbs_level.map(|l| l.as_str().to_owned()),
            issuer_org_id: c.issuer_org_id.0,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            status: c.status.as_str().to_owned(),
            revoked_at: c.revoked_at,
            recorded_at: c.recorded_at,
        }
    }
}

/// An instant from an RFC 3339 date-time or a UK calendar date (`end_of_day` picks its end).
pub(crate) fn instant_or_date(raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, &'static str> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "must be an RFC 3339 date-time or a date like 2027-03-31")?;
    let day = if end_of_day {
        date.checked_add_days(Days::new(1)).ok_or("out of range")?
    } else {
        date
    };
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(RULES_ZONE).earliest())
        .map(|t| t.with_timezone(&Utc))
        .ok_or("out of range")
}

impl App {
    /// The organisations `who` acts for as compliance officer that `worker` works with: those in
    /// a bank the worker belongs to.
    pub(crate) async fn compliance_orgs_for(
        &self,
        who: &Principal,
        worker: &Worker,
    ) -> Result<Vec<OrgId>, AppError> {
        let mine = who.orgs_as(Role::ComplianceOfficer);
        if mine.is_empty() {
            return Ok(vec![]);
        }
        let mut related = Vec::new();
        for bank in &worker.banks {
            if let Some(bank) = self.store.bank(*bank).await? {
                related.extend(bank.member_orgs.iter().filter(|o| mine.contains(o)));
            }
        }
        related.sort();
        related.dedup();
        Ok(related)
    }

    /// The worker, and the trust `who` acts for as compliance officer with them (the first that
    /// shares a bank with them): `Forbidden` without the role, `NotFound` if none does.
    pub(crate) async fn compliance_org_for(
        &self,
        who: &Principal,
        worker_id: WorkerId,
    ) -> Result<(Worker, OrgId), AppError> {
        if !who.has_role(Role::ComplianceOfficer) {
            return Err(AppError::Forbidden);
        }
        let worker = self
            .store
            .worker(worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        match self
            .compliance_orgs_for(who, &worker)
            .await?
            .first()
            .copied()
        {
            Some(org) => Ok((worker, org)),
            None => Err(AppError::NotFound),
        }
    }

    /// The worker with this email address, for a compliance officer of a trust they work with
    /// (`NotFound` for anyone else, so addresses cannot be probed).
    pub async fn worker_by_email(
        &self,
        who: &Principal,
        email: &str,
    ) -> Result<WorkerId, AppError> {
        let user = self
            .store
            .user_by_email(email.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        let worker = self
            .store
            .worker_for_user(user.id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.compliance_org_for(who, worker.id).await?;
        Ok(worker.id)
    }

    /// Records a credential for a worker (compliance officer of a trust the worker works with).
    #[tracing::instrument(skip_all, fields(worker = %worker_id))]
    pub async fn record_credential(
        &self,
        who: &Principal,
        worker_id: WorkerId,
        input: RecordCredential,
    ) -> Result<CredentialView, AppError> {
        let (worker, issuer) = self.compliance_org_for(who, worker_id).await?;
        let mut fields = Fields::default();
        let kind = fields.take(
            "kind",
            CredentialKind::parse(input.kind.trim()).ok_or("unknown credential kind"),
        );
        let level = match (&kind, &input.dbs_level) {
            (Some(CredentialKind::DbsCheck), Some(raw)) => fields.take(
                "dbs_level",
                DbsLevel::parse(raw.trim())
                    .map(Some)
                    .ok_or("unknown DBS level"),
            ),
            (Some(CredentialKind::DbsCheck), None) => {
                fields.push("dbs_level", "a DBS check needs its level");
                None
            }
            (_, Some(_)) => {
                fields.push("dbs_level", "only a DBS check has a level");
                None
            }
            (_, None) => Some(None),
        };
        let from = fields.take("valid_from", instant_or_date(&input.valid_from, false));
        let until = match &input.valid_until {
            Some(raw) => fields
                .take("valid_until", instant_or_date(raw, true))
                .map(Some),
            None => Some(None),
        };
        if let (Some(from), Some(Some(until))) = (from, until) {
            if until <= from {
                fields.push("valid_until", "must be after valid_from");
            }
        }
        fields.finish()?;
        let (Some(kind), Some(dbs_level), Some(valid_from), Some(valid_until)) =
            (kind, level, from, until)
        else {
            return Err(AppError::field("kind", "invalid"));
        };
        let now = self.now();
        let credential = Credential {
            id: CredentialId(Uuid::now_v7()),
            worker_id,
            kind,
            dbs_level,
            issuer_org_id: issuer,
            valid_from,
            valid_until,
            status: CredentialStatus::Active,
            revoked_at: None,
            recorded_by: who.user.id,
            recorded_at: now,
        };
        let record = self
            .audit_record(Change {
                action: "credential.recorded",
                actor: Some(who.user.id),
                tenant: Some(issuer),
                subject: Some(worker.user_id),
                facts: json!({"credential": credential.id, "worker": worker.id,
                    "kind": kind.as_str(), "dbs_level": dbs_level.map(DbsLevel::as_str),
                    "issuer": issuer, "valid_from": valid_from, "valid_until": valid_until}),
                personal: None,
            })
            .await?;
        self.store.record_credential(&credential, &[record]).await?;
        Ok(CredentialView::from(&credential))
    }

    /// Revokes a credential (compliance officer of the trust that recorded it).
    #[tracing::instrument(skip_all, fields(credential = %id))]
    pub async fn revoke_credential(
        &self,
        who: &Principal,
        id: CredentialId,
        input: RevokeCredential,
    ) -> Result<CredentialView, AppError> {
        let credential = self.store.credential(id).await?.ok_or(AppError::NotFound)?;
        if !who
            .orgs_as(Role::ComplianceOfficer)
            .contains(&credential.issuer_org_id)
        {
            return Err(AppError::NotFound);
        }
        let reason = Label::parse(&input.reason, 500).map_err(|e| AppError::field("reason", e))?;
        let worker = self
            .store
            .worker(credential.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let record = self
            .audit_record(Change {
                action: "credential.revoked",
                actor: Some(who.user.id),
                tenant: Some(credential.issuer_org_id),
                subject: Some(worker.user_id),
                facts: json!({"credential": id, "worker": worker.id, "kind": credential.kind.as_str()}),
                personal: Some(json!({"reason": reason.as_str()})),
            })
            .await?;
        let revoked = self
            .store
            .revoke_credential(id, who.user.id, &reason, self.now(), &[record])
            .await?;
        Ok(CredentialView::from(&revoked))
    }

    /// A worker's credentials: for the worker themself, or a compliance officer of a trust they
    /// work with. Anyone else is told the worker does not exist.
    pub async fn worker_credentials(
        &self,
        who: &Principal,
        worker_id: WorkerId,
    ) -> Result<Vec<CredentialView>, AppError> {
        let is_self = who.worker.as_ref().is_some_and(|w| w.id == worker_id);
        if !is_self {
            let worker = self
                .store
                .worker(worker_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if self.compliance_orgs_for(who, &worker).await?.is_empty() {
                return Err(AppError::NotFound);
            }
        }
        Ok(self
            .store
            .credentials_of(worker_id)
            .await?
            .iter()
            .map(CredentialView::from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_means_the_whole_uk_day() {
        // 31 March 2027 is in British Summer Time: the day runs 23:00 UTC to 23:00 UTC.
        let from = instant_or_date("2027-03-31", false).unwrap();
        let until = instant_or_date("2027-03-31", true).unwrap();
        assert_eq!(from.to_rfc3339(), "2027-03-30T23:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2027-03-31T23:00:00+00:00");
        assert!(instant_or_date("31/03/2027", false).is_err());
        assert!(instant_or_date("2027-03-31T10:00:00+01:00", true).is_ok());
    }
}
