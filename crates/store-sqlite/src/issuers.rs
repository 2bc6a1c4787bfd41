//! Issuer keys and the trust framework on SQLite (its single writer serialises rotations).

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};
use staffbank_domain::{OrgId, UserId, WorkerId};
use staffbank_store::{
    AuditRecord, Conflict, IssuerKey, OfferState, PassportCredential, RevocationChange,
    RevocationState, StoreError, TrustEntry,
};
use uuid::Uuid;

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::rows::{instant, ms, opt_instant};
use crate::SqliteStore;

pub(crate) async fn rotate(
    store: &SqliteStore,
    key: &IssuerKey,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let found = sqlx::query("SELECT 1 FROM organisations WHERE id = ?")
        .bind(key.org_id.0)
        .fetch_optional(&mut *tx)
        .await
        .or_store()?;
    if found.is_none() {
        return Err(StoreError::NotFound);
    }
    sqlx::query("UPDATE issuer_keys SET retired_at = ? WHERE org_id = ? AND retired_at IS NULL")
        .bind(ms(key.created_at))
        .bind(key.org_id.0)
        .execute(&mut *tx)
        .await
        .or_store()?;
    sqlx::query(
        "INSERT INTO issuer_keys (id, org_id, public_jwk, wrapped_key, sealed_private, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(key.id)
    .bind(key.org_id.0)
    .bind(&key.public_jwk)
    .bind(&key.wrapped_key)
    .bind(&key.sealed_private)
    .bind(ms(key.created_at))
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn keys(pool: &SqlitePool, org: OrgId) -> Result<Vec<IssuerKey>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, org_id, public_jwk, wrapped_key, sealed_private, created_at, retired_at \
         FROM issuer_keys WHERE org_id = ? ORDER BY created_at, id",
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
                created_at: instant(r, "created_at")?,
                retired_at: opt_instant(r, "retired_at")?,
            })
        })
        .collect()
}

pub(crate) async fn set_trusted(
    store: &SqliteStore,
    entry: &TrustEntry,
    trusted: bool,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let query = if trusted {
        sqlx::query(
            "INSERT INTO trusted_issuers (org_id, vct, added_by, added_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (org_id, vct) DO NOTHING",
        )
        .bind(entry.org_id.0)
        .bind(&entry.vct)
        .bind(entry.added_by.0)
        .bind(ms(entry.added_at))
    } else {
        sqlx::query("DELETE FROM trusted_issuers WHERE org_id = ? AND vct = ?")
            .bind(entry.org_id.0)
            .bind(&entry.vct)
    };
    query.execute(&mut *tx).await.or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn framework(pool: &SqlitePool) -> Result<Vec<TrustEntry>, StoreError> {
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
                added_at: instant(r, "added_at")?,
            })
        })
        .collect()
}

const CREDENTIAL_COLUMNS: &str = "id, org_id, worker_id, vct, claims, expires_at, nonce, state, \
     offered_by, offered_at, decided_at, sd_jwt, holder_jwk, status_idx, revocation";

fn credential(r: &sqlx::sqlite::SqliteRow) -> Result<PassportCredential, StoreError> {
    let bad = |what: &str| StoreError::Unexpected(anyhow::anyhow!("stored {what} is not valid"));
    let state: String = r.try_get("state").or_store()?;
    let revocation: String = r.try_get("revocation").or_store()?;
    let idx: i64 = r.try_get("status_idx").or_store()?;
    Ok(PassportCredential {
        id: r.try_get("id").or_store()?,
        org_id: OrgId(r.try_get("org_id").or_store()?),
        worker_id: WorkerId(r.try_get("worker_id").or_store()?),
        vct: r.try_get("vct").or_store()?,
        claims: r.try_get("claims").or_store()?,
        expires_at: opt_instant(r, "expires_at")?,
        nonce: r.try_get("nonce").or_store()?,
        state: OfferState::parse(&state).ok_or_else(|| bad("offer state"))?,
        offered_by: UserId(r.try_get("offered_by").or_store()?),
        offered_at: instant(r, "offered_at")?,
        decided_at: opt_instant(r, "decided_at")?,
        sd_jwt: r.try_get("sd_jwt").or_store()?,
        holder_jwk: r.try_get("holder_jwk").or_store()?,
        status_idx: u32::try_from(idx).map_err(|_| bad("status index"))?,
        revocation: RevocationState::parse(&revocation).ok_or_else(|| bad("revocation"))?,
    })
}

pub(crate) async fn offer(
    store: &SqliteStore,
    c: &PassportCredential,
    indices: &[u32],
    audit: &[AuditRecord],
) -> Result<PassportCredential, StoreError> {
    let mut tx = store.begin().await?;
    // Under the single writer: the first index no other credential of the issuer holds.
    let mut free = None;
    for &idx in indices {
        let taken =
            sqlx::query("SELECT 1 FROM passport_credentials WHERE org_id = ? AND status_idx = ?")
                .bind(c.org_id.0)
                .bind(i64::from(idx))
                .fetch_optional(&mut *tx)
                .await
                .or_store()?;
        if taken.is_none() {
            free = Some(idx);
            break;
        }
    }
    let Some(idx) = free else {
        return Err(StoreError::Unexpected(anyhow::anyhow!(
            "none of the status list indices offered is free"
        )));
    };
    sqlx::query(
        "INSERT INTO passport_credentials (id, org_id, worker_id, vct, claims, expires_at, nonce, \
         state, offered_by, offered_at, status_idx) VALUES (?, ?, ?, ?, ?, ?, ?, 'offered', ?, ?, ?)",
    )
    .bind(c.id)
    .bind(c.org_id.0)
    .bind(c.worker_id.0)
    .bind(&c.vct)
    .bind(&c.claims)
    .bind(c.expires_at.map(ms))
    .bind(&c.nonce)
    .bind(c.offered_by.0)
    .bind(ms(c.offered_at))
    .bind(i64::from(idx))
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()?;
    let mut stored = c.clone();
    stored.status_idx = idx;
    stored.state = OfferState::Offered;
    Ok(stored)
}

pub(crate) async fn one(
    pool: &SqlitePool,
    id: Uuid,
) -> Result<Option<PassportCredential>, StoreError> {
    let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM passport_credentials WHERE id = ?");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await
        .or_store()?;
    row.as_ref().map(credential).transpose()
}

pub(crate) async fn of_worker(
    pool: &SqlitePool,
    worker: WorkerId,
) -> Result<Vec<PassportCredential>, StoreError> {
    let sql = format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM passport_credentials WHERE worker_id = ? \
         ORDER BY offered_at DESC, id"
    );
    let rows = sqlx::query(&sql)
        .bind(worker.0)
        .fetch_all(pool)
        .await
        .or_store()?;
    rows.iter().map(credential).collect()
}

/// Why an update guarded by a state matched no row: `conflict` if the row is in `table`,
/// otherwise not found.
pub(crate) async fn missing_or(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    table: &str,
    id: Uuid,
    conflict: Conflict,
) -> StoreError {
    match sqlx::query(&format!("SELECT 1 FROM {table} WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
    {
        Ok(Some(_)) => conflict.into(),
        Ok(None) => StoreError::NotFound,
        Err(e) => crate::error::map(e),
    }
}

pub(crate) async fn decide(
    store: &SqliteStore,
    id: Uuid,
    accepted: Option<(&str, &str, &staffbank_store::Credential)>,
    at: DateTime<Utc>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let changed = sqlx::query(
        "UPDATE passport_credentials SET state = ?, decided_at = ?, sd_jwt = ?, holder_jwk = ? \
         WHERE id = ? AND state = 'offered'",
    )
    .bind(if accepted.is_some() {
        "accepted"
    } else {
        "rejected"
    })
    .bind(ms(at))
    .bind(accepted.map(|(sd_jwt, _, _)| sd_jwt))
    .bind(accepted.map(|(_, jwk, _)| jwk))
    .bind(id)
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

pub(crate) async fn set_revocation(
    store: &SqliteStore,
    change: &RevocationChange<'_>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let changed = sqlx::query(
        "UPDATE passport_credentials SET revocation = ? \
         WHERE id = ? AND state = 'accepted' AND revocation <> 'revoked'",
    )
    .bind(change.state.as_str())
    .bind(change.id)
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
                "UPDATE credentials SET status = 'revoked', revoked_at = ?, revoked_by = ?, \
                 revoke_reason = ? WHERE passport_id = ? AND status = 'active'",
            )
            .bind(ms(change.at))
            .bind(change.by.0)
            .bind(change.reason)
            .bind(change.id)
            .execute(&mut *tx)
            .await
            .or_store()?;
        }
        (RevocationState::Valid, Some(record)) => {
            let active = sqlx::query(
                "SELECT 1 FROM credentials WHERE passport_id = ? AND status = 'active'",
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
    pool: &SqlitePool,
    org: OrgId,
) -> Result<Vec<(u32, RevocationState)>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT status_idx, revocation FROM passport_credentials \
         WHERE org_id = ? AND revocation <> 'valid'",
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
