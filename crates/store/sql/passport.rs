//! The passport: credentials recorded for workers, issuer keys and the trust framework, passport
//! credentials from offer to wallet and their revocation, presentation requests, and the Core
//! Skills Training refresher periods.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::credential_claims::{CstfSubject, RefresherPeriods};
use staffbank_domain::text::Label;
use staffbank_domain::{CredentialId, OrgId, UserId, WorkerId};
use staffbank_store::{
    AuditRecord, Conflict, Credential, IssuerKey, OfferState, PassportCredential, PassportStore,
    PresentationRequest, RequestState, RevocationChange, RevocationState, StoreError, TrustEntry,
};
use uuid::Uuid;

use super::types::At;
use super::{get, instant, missing_or, opt_instant};
use crate::db::{DbRow, ThisStore, Tx, FOR_NO_KEY_UPDATE, FOR_UPDATE};
use crate::ledger::insert_audit;
use crate::rows;
use crate::sql::OrStore;

/// The columns of `credentials` that [`credential_row`] reads.
const CREDENTIAL_COLUMNS: &str = "id, worker_id, kind, dbs_level, issuer_org_id, valid_from, \
     valid_until, status, revoked_at, recorded_by, recorded_at";

/// The columns of `passport_credentials` that [`passport_row`] reads.
const PASSPORT_COLUMNS: &str = "id, org_id, worker_id, vct, claims, expires_at, nonce, state, \
     offered_by, offered_at, decided_at, sd_jwt, holder_jwk, status_idx, revocation";

/// The columns of `presentation_requests` that [`presentation_row`] reads.
const PRESENTATION_COLUMNS: &str = "id, verifier_org, worker_id, vct, claims, purpose, nonce, \
     requested_by, requested_at, expires_at, state, decided_at, result";

/// A credential, from the columns [`CREDENTIAL_COLUMNS`], checked as the domain checks a new one.
fn credential_row(row: &DbRow) -> Result<Credential, StoreError> {
    Credential::try_from(rows::credential(row)?).map_err(StoreError::Unexpected)
}

/// A stored value that does not parse: the database holds what the store never writes.
fn not_valid(what: &str) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("stored {what} is not valid"))
}

/// A passport credential, from the columns [`PASSPORT_COLUMNS`].
fn passport_row(r: &DbRow) -> Result<PassportCredential, StoreError> {
    let state: String = get(r, "state")?;
    let revocation: String = get(r, "revocation")?;
    let idx: i32 = get(r, "status_idx")?;
    Ok(PassportCredential {
        id: get(r, "id")?,
        org_id: OrgId(get(r, "org_id")?),
        worker_id: WorkerId(get(r, "worker_id")?),
        vct: get(r, "vct")?,
        claims: get(r, "claims")?,
        expires_at: opt_instant(r, "expires_at")?,
        nonce: get(r, "nonce")?,
        state: OfferState::parse(&state).ok_or_else(|| not_valid("offer state"))?,
        offered_by: UserId(get(r, "offered_by")?),
        offered_at: instant(r, "offered_at")?,
        decided_at: opt_instant(r, "decided_at")?,
        sd_jwt: get(r, "sd_jwt")?,
        holder_jwk: get(r, "holder_jwk")?,
        status_idx: u32::try_from(idx).map_err(|_| not_valid("status index"))?,
        revocation: RevocationState::parse(&revocation).ok_or_else(|| not_valid("revocation"))?,
    })
}

/// A presentation request, from the columns [`PRESENTATION_COLUMNS`].
fn presentation_row(r: &DbRow) -> Result<PresentationRequest, StoreError> {
    let state: String = get(r, "state")?;
    Ok(PresentationRequest {
        id: get(r, "id")?,
        verifier_org: OrgId(get(r, "verifier_org")?),
        worker_id: WorkerId(get(r, "worker_id")?),
        vct: get(r, "vct")?,
        claims: get(r, "claims")?,
        purpose: get(r, "purpose")?,
        nonce: get(r, "nonce")?,
        requested_by: UserId(get(r, "requested_by")?),
        requested_at: instant(r, "requested_at")?,
        expires_at: instant(r, "expires_at")?,
        state: RequestState::parse(&state)
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored request state")))?,
        decided_at: opt_instant(r, "decided_at")?,
        result: get(r, "result")?,
    })
}

/// Inserts a credential record, linked to the passport credential it stands for, if any:
/// recording one by hand and accepting or reinstating a passport credential write the same row.
async fn insert_credential(
    tx: &mut Tx,
    c: &Credential,
    passport: Option<Uuid>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO credentials (id, worker_id, kind, dbs_level, issuer_org_id, valid_from, \
         valid_until, status, recorded_by, recorded_at, passport_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id.0)
    .bind(c.worker_id.0)
    .bind(c.kind.as_str())
    .bind(c.dbs_level.map(|l| l.as_str()))
    .bind(c.issuer_org_id.0)
    .bind(At(c.valid_from))
    .bind(c.valid_until.map(At))
    .bind(c.status.as_str())
    .bind(c.recorded_by.0)
    .bind(At(c.recorded_at))
    .bind(passport)
    .execute(&mut **tx)
    .await
    .or_store()
    .map(drop)
}

#[async_trait]
impl PassportStore for ThisStore {
    async fn record_credential(
        &self,
        credential: &Credential,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert_credential(&mut tx, credential, None).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn record_credentials(
        &self,
        credentials: &[Credential],
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for credential in credentials {
            insert_credential(&mut tx, credential, None).await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn revoke_credential(
        &self,
        id: CredentialId,
        by: UserId,
        reason: &Label,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<Credential, StoreError> {
        let mut tx = self.begin().await?;
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1{FOR_UPDATE}");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?
            .ok_or(StoreError::NotFound)?;
        if credential_row(&row)?.revoked_at.is_some() {
            return Err(Conflict::AlreadyRevoked.into());
        }
        let sql = format!(
            "UPDATE credentials SET status = 'revoked', revoked_at = $1, revoked_by = $2, \
             revoke_reason = $3 WHERE id = $4 RETURNING {CREDENTIAL_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(At(at))
            .bind(by.0)
            .bind(reason.as_str())
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .or_store()?;
        let revoked = credential_row(&row)?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(revoked)
    }

    async fn credential(&self, id: CredentialId) -> Result<Option<Credential>, StoreError> {
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1");
        self.read_one(&sql, id.0, credential_row).await
    }

    async fn credentials_of(&self, worker: WorkerId) -> Result<Vec<Credential>, StoreError> {
        let sql = format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE worker_id = $1 \
             ORDER BY recorded_at DESC, id"
        );
        self.read_all(&sql, worker.0, credential_row).await
    }

    async fn rotate_issuer_key(
        &self,
        key: &IssuerKey,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // Rotations of one organisation queue here.
        let sql = format!("SELECT 1 FROM organisations WHERE id = $1{FOR_NO_KEY_UPDATE}");
        let found = sqlx::query(&sql)
            .bind(key.org_id.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "UPDATE issuer_keys SET retired_at = $2 WHERE org_id = $1 AND retired_at IS NULL",
        )
        .bind(key.org_id.0)
        .bind(At(key.created_at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        sqlx::query(
            "INSERT INTO issuer_keys (id, org_id, public_jwk, wrapped_key, sealed_private, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key.id)
        .bind(key.org_id.0)
        .bind(&key.public_jwk)
        .bind(&key.wrapped_key)
        .bind(&key.sealed_private)
        .bind(At(key.created_at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn issuer_keys(&self, org: OrgId) -> Result<Vec<IssuerKey>, StoreError> {
        sqlx::query(
            "SELECT id, org_id, public_jwk, wrapped_key, sealed_private, created_at, retired_at \
             FROM issuer_keys WHERE org_id = $1 ORDER BY created_at, id",
        )
        .bind(org.0)
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(|r| {
            Ok(IssuerKey {
                id: get(r, "id")?,
                org_id: OrgId(get(r, "org_id")?),
                public_jwk: get(r, "public_jwk")?,
                wrapped_key: get(r, "wrapped_key")?,
                sealed_private: get(r, "sealed_private")?,
                created_at: instant(r, "created_at")?,
                retired_at: opt_instant(r, "retired_at")?,
            })
        })
        .collect()
    }

    async fn set_trusted_issuer(
        &self,
        entry: &TrustEntry,
        trusted: bool,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let query = if trusted {
            sqlx::query(
                "INSERT INTO trusted_issuers (org_id, vct, added_by, added_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, vct) DO NOTHING",
            )
            .bind(entry.org_id.0)
            .bind(&entry.vct)
            .bind(entry.added_by.0)
            .bind(At(entry.added_at))
        } else {
            sqlx::query("DELETE FROM trusted_issuers WHERE org_id = $1 AND vct = $2")
                .bind(entry.org_id.0)
                .bind(&entry.vct)
        };
        query.execute(&mut *tx).await.or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn trust_framework(&self) -> Result<Vec<TrustEntry>, StoreError> {
        sqlx::query(
            "SELECT org_id, vct, added_by, added_at FROM trusted_issuers ORDER BY org_id, vct",
        )
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(|r| {
            Ok(TrustEntry {
                org_id: OrgId(get(r, "org_id")?),
                vct: get(r, "vct")?,
                added_by: UserId(get(r, "added_by")?),
                added_at: instant(r, "added_at")?,
            })
        })
        .collect()
    }

    async fn refresher_periods(&self) -> Result<RefresherPeriods, StoreError> {
        let rows = sqlx::query("SELECT subject, level, months FROM refresher_periods")
            .fetch_all(self.reader())
            .await
            .or_store()?;
        let mut periods = RefresherPeriods::default();
        for row in rows {
            let subject: String = get(&row, "subject")?;
            let level: i16 = get(&row, "level")?;
            let months: i32 = get(&row, "months")?;
            let subject = CstfSubject::parse(&subject).ok_or_else(|| {
                StoreError::Unexpected(anyhow::anyhow!("stored subject {subject}"))
            })?;
            periods.set(
                subject,
                u8::try_from(level).unwrap_or(0),
                u32::try_from(months).unwrap_or(0),
            );
        }
        Ok(periods)
    }

    async fn set_refresher_periods(
        &self,
        periods: &RefresherPeriods,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM refresher_periods")
            .execute(&mut *tx)
            .await
            .or_store()?;
        for (subject, level, months) in periods.entries() {
            sqlx::query(
                "INSERT INTO refresher_periods (subject, level, months) VALUES ($1, $2, $3)",
            )
            .bind(subject.as_str())
            .bind(i16::from(level))
            .bind(i32::try_from(months).unwrap_or(i32::MAX))
            .execute(&mut *tx)
            .await
            .or_store()?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn offer_passport_credential(
        &self,
        c: &PassportCredential,
        indices: &[u32],
        audit: &[AuditRecord],
    ) -> Result<PassportCredential, StoreError> {
        let mut tx = self.begin().await?;
        // An index another credential of the issuer holds writes nothing, and the next is tried
        // (rare while the list is sparse); a racing offer's index counts once it commits.
        for &idx in indices {
            let inserted = sqlx::query(
                "INSERT INTO passport_credentials (id, org_id, worker_id, vct, claims, \
                 expires_at, nonce, state, offered_by, offered_at, status_idx) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'offered', $8, $9, $10) \
                 ON CONFLICT (org_id, status_idx) DO NOTHING",
            )
            .bind(c.id)
            .bind(c.org_id.0)
            .bind(c.worker_id.0)
            .bind(&c.vct)
            .bind(&c.claims)
            .bind(c.expires_at.map(At))
            .bind(&c.nonce)
            .bind(c.offered_by.0)
            .bind(At(c.offered_at))
            .bind(i32::try_from(idx).unwrap_or(i32::MAX))
            .execute(&mut *tx)
            .await
            .or_store()?
            .rows_affected();
            if inserted == 0 {
                continue;
            }
            insert_audit(&mut tx, audit).await?;
            tx.commit().await.or_store()?;
            let mut stored = c.clone();
            stored.status_idx = idx;
            stored.state = OfferState::Offered;
            return Ok(stored);
        }
        Err(StoreError::Unexpected(anyhow::anyhow!(
            "none of the status list indices offered is free"
        )))
    }

    async fn passport_credential(
        &self,
        id: Uuid,
    ) -> Result<Option<PassportCredential>, StoreError> {
        let sql = format!("SELECT {PASSPORT_COLUMNS} FROM passport_credentials WHERE id = $1");
        self.read_one(&sql, id, passport_row).await
    }

    async fn passport_credentials_of(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<PassportCredential>, StoreError> {
        let sql = format!(
            "SELECT {PASSPORT_COLUMNS} FROM passport_credentials WHERE worker_id = $1 \
             ORDER BY offered_at DESC, id"
        );
        self.read_all(&sql, worker.0, passport_row).await
    }

    async fn holder_key_workers(&self, holder_jwk: &str) -> Result<Vec<WorkerId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT worker_id FROM passport_credentials WHERE holder_jwk = $1",
        )
        .bind(holder_jwk)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(ids.into_iter().map(WorkerId).collect())
    }

    async fn renew_passport_offer_nonce(
        &self,
        id: Uuid,
        old: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE passport_credentials SET nonce = $3 \
             WHERE id = $1 AND state = 'offered' AND nonce = $2",
        )
        .bind(id)
        .bind(old)
        .bind(new)
        .execute(self.writer())
        .await
        .or_store()?
        .rows_affected();
        Ok(changed == 1)
    }

    async fn decide_passport_offer(
        &self,
        id: Uuid,
        accepted: Option<(&str, &str, &Credential)>,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE passport_credentials SET state = $2, decided_at = $3, sd_jwt = $4, \
             holder_jwk = $5 WHERE id = $1 AND state = 'offered'",
        )
        .bind(id)
        .bind(if accepted.is_some() {
            "accepted"
        } else {
            "rejected"
        })
        .bind(At(at))
        .bind(accepted.map(|(sd_jwt, _, _)| sd_jwt))
        .bind(accepted.map(|(_, jwk, _)| jwk))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if changed == 0 {
            return Err(missing_or(
                &mut tx,
                "passport_credentials",
                id,
                Conflict::RequestDecided,
            )
            .await);
        }
        if let Some((_, _, record)) = accepted {
            insert_credential(&mut tx, record, Some(id)).await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn set_passport_revocation(
        &self,
        change: &RevocationChange<'_>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE passport_credentials SET revocation = $2 \
             WHERE id = $1 AND state = 'accepted' AND revocation <> 'revoked'",
        )
        .bind(change.id)
        .bind(change.state.as_str())
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if changed == 0 {
            return Err(missing_or(
                &mut tx,
                "passport_credentials",
                change.id,
                Conflict::AlreadyRevoked,
            )
            .await);
        }
        match (change.state, change.reinstated) {
            (RevocationState::Revoked | RevocationState::Suspended, _) => {
                sqlx::query(
                    "UPDATE credentials SET status = 'revoked', revoked_at = $2, revoked_by = $3, \
                     revoke_reason = $4 WHERE passport_id = $1 AND status = 'active'",
                )
                .bind(change.id)
                .bind(At(change.at))
                .bind(change.by.0)
                .bind(change.reason)
                .execute(&mut *tx)
                .await
                .or_store()?;
            }
            (RevocationState::Valid, Some(record)) => {
                let active = sqlx::query(
                    "SELECT 1 FROM credentials WHERE passport_id = $1 AND status = 'active'",
                )
                .bind(change.id)
                .fetch_optional(&mut *tx)
                .await
                .or_store()?;
                if active.is_none() {
                    insert_credential(&mut tx, record, Some(change.id)).await?;
                }
            }
            (RevocationState::Valid, None) => {}
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn passport_revocations(
        &self,
        org: OrgId,
    ) -> Result<Vec<(u32, RevocationState)>, StoreError> {
        let rows: Vec<(i32, String)> = sqlx::query_as(
            "SELECT status_idx, revocation FROM passport_credentials \
             WHERE org_id = $1 AND revocation <> 'valid'",
        )
        .bind(org.0)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        rows.into_iter()
            .map(|(idx, state)| {
                let bad = || StoreError::Unexpected(anyhow::anyhow!("stored revocation not valid"));
                Ok((
                    u32::try_from(idx).map_err(|_| bad())?,
                    RevocationState::parse(&state).ok_or_else(bad)?,
                ))
            })
            .collect()
    }

    async fn create_presentation_request(
        &self,
        p: &PresentationRequest,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO presentation_requests (id, verifier_org, worker_id, vct, claims, \
             purpose, nonce, requested_by, requested_at, expires_at, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')",
        )
        .bind(p.id)
        .bind(p.verifier_org.0)
        .bind(p.worker_id.0)
        .bind(&p.vct)
        .bind(&p.claims)
        .bind(&p.purpose)
        .bind(&p.nonce)
        .bind(p.requested_by.0)
        .bind(At(p.requested_at))
        .bind(At(p.expires_at));
        self.write_audited(query, audit).await
    }

    async fn presentation_request(
        &self,
        id: Uuid,
    ) -> Result<Option<PresentationRequest>, StoreError> {
        let sql = format!("SELECT {PRESENTATION_COLUMNS} FROM presentation_requests WHERE id = $1");
        self.read_one(&sql, id, presentation_row).await
    }

    async fn presentation_requests_of(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<PresentationRequest>, StoreError> {
        let sql = format!(
            "SELECT {PRESENTATION_COLUMNS} FROM presentation_requests WHERE worker_id = $1 \
             ORDER BY requested_at DESC, id"
        );
        self.read_all(&sql, worker.0, presentation_row).await
    }

    async fn answer_presentation_request(
        &self,
        id: Uuid,
        state: RequestState,
        result: Option<&str>,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE presentation_requests SET state = $2, result = $3, decided_at = $4 \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(state.as_str())
        .bind(result)
        .bind(At(at))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if changed == 0 {
            return Err(missing_or(
                &mut tx,
                "presentation_requests",
                id,
                Conflict::RequestDecided,
            )
            .await);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }
}
