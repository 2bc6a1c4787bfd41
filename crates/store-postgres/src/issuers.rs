//! Issuer keys and the trust framework on PostgreSQL.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};
use staffbank_domain::{OrgId, UserId, WorkerId};
use staffbank_store::{
    AuditRecord, Conflict, IssuerKey, OfferState, PassportCredential, RevocationChange,
    RevocationState, StoreError, TrustEntry,
};
use uuid::Uuid;

use crate::error::OrStore;
use crate::ledger::insert_audit;

pub(crate) async fn rotate(
    pool: &PgPool,
    key: &IssuerKey,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    // Rotations of one organisation queue here (NO KEY UPDATE leaves foreign-key checks alone).
    let found = sqlx::query("SELECT 1 FROM organisations WHERE id = $1 FOR NO KEY UPDATE")
        .bind(key.org_id.0)
        .fetch_optional(&mut *tx)
        .await
        .or_store()?;
    if found.is_none() {
        return Err(StoreError::NotFound);
    }
    sqlx::query("UPDATE issuer_keys SET retired_at = $2 WHERE org_id = $1 AND retired_at IS NULL")
        .bind(key.org_id.0)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await
        .or_store()?;
    sqlx::query(
        "INSERT INTO issuer_keys (id, org_id, public_jwk, wrapped_key, sealed_private, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(key.id)
    .bind(key.org_id.0)
    .bind(&key.public_jwk)
    .bind(&key.wrapped_key)
    .bind(&key.sealed_private)
    .bind(key.created_at)
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn keys(pool: &PgPool, org: OrgId) -> Result<Vec<IssuerKey>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, org_id, public_jwk, wrapped_key, sealed_private, created_at, retired_at \
         FROM issuer_keys WHERE org_id = $1 ORDER BY created_at, id",
    )
    .bind(org.0)
    .fetch_all(pool)
    .await
    .or_store()?;
    rows.iter()
        .map(|r| {
            Ok(IssuerKey {
                id: r.try_get("id").or_store()?,
                org_id: OrgId(r.try_get("org_id").or_store()?),
                public_jwk: r.try_get("public_jwk").or_store()?,
                wrapped_key: r.try_get("wrapped_key").or_store()?,
                sealed_private: r.try_get("sealed_private").or_store()?,
                created_at: r.try_get("created_at").or_store()?,
                retired_at: r.try_get("retired_at").or_store()?,
            })
        })
        .collect()
}

pub(crate) async fn set_trusted(
    pool: &PgPool,
    entry: &TrustEntry,
    trusted: bool,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let query = if trusted {
        sqlx::query(
            "INSERT INTO trusted_issuers (org_id, vct, added_by, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, vct) DO NOTHING",
        )
        .bind(entry.org_id.0)
        .bind(&entry.vct)
        .bind(entry.added_by.0)
        .bind(entry.added_at)
    } else {
        sqlx::query("DELETE FROM trusted_issuers WHERE org_id = $1 AND vct = $2")
            .bind(entry.org_id.0)
            .bind(&entry.vct)
    };
    query.execute(&mut *tx).await.or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn framework(pool: &PgPool) -> Result<Vec<TrustEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT org_id, vct, added_by, added_at FROM trusted_issuers ORDER BY org_id, vct",
    )
    .fetch_all(pool)
    .await
    .or_store()?;
    rows.iter()
        .map(|r| {
            Ok(TrustEntry {
                org_id: OrgId(r.try_get("org_id").or_store()?),
                vct: r.try_get("vct").or_store()?,
                added_by: UserId(r.try_get("added_by").or_store()?),
                added_at: r.try_get("added_at").or_store()?,
            })
        })
        .collect()
}

const CREDENTIAL_COLUMNS: &str = "id, org_id, worker_id, vct, claims, expires_at, nonce, state, \
     offered_by, offered_at, decided_at, sd_jwt, holder_jwk, status_idx, revocation";

fn credential(r: &sqlx::postgres::PgRow) -> Result<PassportCredential, StoreError> {
    let bad = |what: &str| StoreError::Unexpected(anyhow::anyhow!("stored {what} is not valid"));
    let state: String = r.try_get("state").or_store()?;
    let revocation: String = r.try_get("revocation").or_store()?;
    let idx: i32 = r.try_get("status_idx").or_store()?;
    Ok(PassportCredential {
        id: r.try_get("id").or_store()?,
        org_id: OrgId(r.try_get("org_id").or_store()?),
        worker_id: WorkerId(r.try_get("worker_id").or_store()?),
        vct: r.try_get("vct").or_store()?,
        claims: r.try_get("claims").or_store()?,
        expires_at: r.try_get("expires_at").or_store()?,
        nonce: r.try_get("nonce").or_store()?,
        state: OfferState::parse(&state).ok_or_else(|| bad("offer state"))?,
        offered_by: UserId(r.try_get("offered_by").or_store()?),
        offered_at: r.try_get("offered_at").or_store()?,
        decided_at: r.try_get("decided_at").or_store()?,
        sd_jwt: r.try_get("sd_jwt").or_store()?,
        holder_jwk: r.try_get("holder_jwk").or_store()?,
        status_idx: u32::try_from(idx).map_err(|_| bad("status index"))?,
        revocation: RevocationState::parse(&revocation).ok_or_else(|| bad("revocation"))?,
    })
}

pub(crate) async fn offer(
    pool: &PgPool,
    c: &PassportCredential,
    indices: &[u32],
    audit: &[AuditRecord],
) -> Result<PassportCredential, StoreError> {
    // A taken index fails the unique constraint, and the offer is tried again with the next
    // (rare while the list is sparse).
    for &idx in indices {
        let mut tx = pool.begin().await.or_store()?;
        let inserted = sqlx::query(
            "INSERT INTO passport_credentials (id, org_id, worker_id, vct, claims, expires_at, nonce, \
             state, offered_by, offered_at, status_idx) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'offered', $8, $9, $10)",
        )
        .bind(c.id)
        .bind(c.org_id.0)
        .bind(c.worker_id.0)
        .bind(&c.vct)
        .bind(&c.claims)
        .bind(c.expires_at)
        .bind(&c.nonce)
        .bind(c.offered_by.0)
        .bind(c.offered_at)
        .bind(i32::try_from(idx).unwrap_or(i32::MAX))
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(db))
                if db.constraint() == Some("passport_credentials_status_idx") =>
            {
                continue
            }
            other => {
                other.or_store()?;
            }
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

pub(crate) async fn one(pool: &PgPool, id: Uuid) -> Result<Option<PassportCredential>, StoreError> {
    let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM passport_credentials WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await
        .or_store()?;
    row.as_ref().map(credential).transpose()
}

pub(crate) async fn of_worker(
    pool: &PgPool,
    worker: WorkerId,
) -> Result<Vec<PassportCredential>, StoreError> {
    let sql = format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM passport_credentials WHERE worker_id = $1 \
         ORDER BY offered_at DESC, id"
    );
    let rows = sqlx::query(&sql)
        .bind(worker.0)
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(credential).collect()
}

pub(crate) async fn decide(
    pool: &PgPool,
    id: Uuid,
    accepted: Option<(&str, &str, &staffbank_store::Credential)>,
    at: DateTime<Utc>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let changed = sqlx::query(
        "UPDATE passport_credentials SET state = $2, decided_at = $3, sd_jwt = $4, holder_jwk = $5 \
         WHERE id = $1 AND state = 'offered'",
    )
    .bind(id)
    .bind(if accepted.is_some() { "accepted" } else { "rejected" })
    .bind(at)
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
        crate::credentials::insert(&mut tx, record, Some(id)).await?;
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

/// Why an update guarded by a state matched no row: `conflict` if the row is in `table`,
/// otherwise not found.
pub(crate) async fn missing_or(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    table: &str,
    id: Uuid,
    conflict: Conflict,
) -> StoreError {
    match sqlx::query(&format!("SELECT 1 FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
    {
        Ok(Some(_)) => conflict.into(),
        Ok(None) => StoreError::NotFound,
        Err(e) => crate::error::map(e),
    }
}

pub(crate) async fn set_revocation(
    pool: &PgPool,
    change: &RevocationChange<'_>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
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
            .bind(change.at)
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
                crate::credentials::insert(&mut tx, record, Some(change.id)).await?;
            }
        }
        (RevocationState::Valid, None) => {}
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn revocations(
    pool: &PgPool,
    org: OrgId,
) -> Result<Vec<(u32, RevocationState)>, StoreError> {
    let rows: Vec<(i32, String)> = sqlx::query_as(
        "SELECT status_idx, revocation FROM passport_credentials \
         WHERE org_id = $1 AND revocation <> 'valid'",
    )
    .bind(org.0)
    .fetch_all(pool)
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
