//! Issuer keys and the trust framework on SQLite (its single writer serialises rotations).

use sqlx::{Row, SqlitePool};
use staffbank_domain::{OrgId, UserId};
use staffbank_store::{AuditRecord, IssuerKey, StoreError, TrustEntry};

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
