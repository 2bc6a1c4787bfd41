//! Issuer keys and the trust framework on PostgreSQL.

use sqlx::{PgPool, Row};
use staffbank_domain::{OrgId, UserId};
use staffbank_store::{AuditRecord, IssuerKey, StoreError, TrustEntry};

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
