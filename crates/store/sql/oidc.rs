//! OpenID Connect providers, sign-in attempts and linked subjects.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::{OrgId, UserId};
use staffbank_store::{AuditRecord, OidcAttempt, OidcLink, OidcProvider, OidcStore, StoreError};
use uuid::Uuid;

use super::types::At;
use super::{get, instant};
use crate::db::{DbRow, ThisStore};
use crate::sql::OrStore;

const PROVIDER_COLUMNS: &str = "id, org_id, issuer_url, client_id, sealed_secret, display_name, \
                                passwords_off, created_at";

/// Rows of accounts that belong to the organisation `org` (an SQL expression): a grant over it,
/// one of its wards or one of its banks, or a worker in one of its banks.
fn members_of(user: &str, org: &str) -> String {
    let banks = format!(
        "SELECT id FROM banks WHERE lead_org_id = {org} \
         UNION SELECT bank_id FROM bank_members WHERE org_id = {org}"
    );
    format!(
        "(EXISTS (SELECT 1 FROM user_grants g WHERE g.user_id = {user} AND (\
           (g.scope_kind = 'organisation' AND g.scope_id = {org}) \
           OR (g.scope_kind = 'ward' AND g.scope_id IN (SELECT id FROM wards WHERE org_id = {org})) \
           OR (g.scope_kind = 'bank' AND g.scope_id IN ({banks})))) \
         OR EXISTS (SELECT 1 FROM workers w JOIN bank_memberships m ON m.worker_id = w.id \
           WHERE w.user_id = {user} AND m.bank_id IN ({banks})))"
    )
}

fn provider_row(r: &DbRow) -> Result<OidcProvider, StoreError> {
    Ok(OidcProvider {
        id: get(r, "id")?,
        org_id: OrgId(get(r, "org_id")?),
        issuer_url: get(r, "issuer_url")?,
        client_id: get(r, "client_id")?,
        sealed_secret: get(r, "sealed_secret")?,
        display_name: get(r, "display_name")?,
        passwords_off: get(r, "passwords_off")?,
        created_at: instant(r, "created_at")?,
    })
}

fn attempt_row(r: &DbRow) -> Result<OidcAttempt, StoreError> {
    Ok(OidcAttempt {
        state_hash: get(r, "state_hash")?,
        provider_id: get(r, "provider_id")?,
        nonce: get(r, "nonce")?,
        pkce_verifier: get(r, "pkce_verifier")?,
        expires_at: instant(r, "expires_at")?,
    })
}

#[async_trait]
impl OidcStore for ThisStore {
    async fn save_oidc_provider(
        &self,
        p: &OidcProvider,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO oidc_providers (id, org_id, issuer_url, client_id, sealed_secret, \
             display_name, passwords_off, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET issuer_url = excluded.issuer_url, \
             client_id = excluded.client_id, sealed_secret = excluded.sealed_secret, \
             display_name = excluded.display_name, passwords_off = excluded.passwords_off",
        )
        .bind(p.id)
        .bind(p.org_id.0)
        .bind(&p.issuer_url)
        .bind(&p.client_id)
        .bind(&p.sealed_secret)
        .bind(&p.display_name)
        .bind(p.passwords_off)
        .bind(At(p.created_at));
        self.write_audited(query, audit).await
    }

    async fn remove_oidc_provider(
        &self,
        id: Uuid,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        for table in ["oidc_links", "oidc_attempts"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE provider_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await
                .or_store()?;
        }
        let gone = sqlx::query("DELETE FROM oidc_providers WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .or_store()?;
        if gone.rows_affected() == 0 {
            return Ok(false);
        }
        crate::ledger::insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(true)
    }

    async fn oidc_provider(&self, id: Uuid) -> Result<Option<OidcProvider>, StoreError> {
        let sql = format!("SELECT {PROVIDER_COLUMNS} FROM oidc_providers WHERE id = $1");
        self.read_one(&sql, id, provider_row).await
    }

    async fn oidc_providers(&self) -> Result<Vec<OidcProvider>, StoreError> {
        let sql =
            format!("SELECT {PROVIDER_COLUMNS} FROM oidc_providers ORDER BY display_name, id");
        sqlx::query(&sql)
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(provider_row)
            .collect()
    }

    async fn create_oidc_attempt(&self, a: &OidcAttempt) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_attempts (state_hash, provider_id, nonce, pkce_verifier, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&a.state_hash)
        .bind(a.provider_id)
        .bind(&a.nonce)
        .bind(&a.pkce_verifier)
        .bind(At(a.expires_at))
        .execute(self.writer())
        .await
        .or_store()?;
        // Attempts nobody came back from are of no further use.
        sqlx::query("DELETE FROM oidc_attempts WHERE expires_at < $1")
            .bind(At(a.expires_at - chrono::Duration::days(1)))
            .execute(self.writer())
            .await
            .or_store()?;
        Ok(())
    }

    async fn take_oidc_attempt(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OidcAttempt>, StoreError> {
        let taken = sqlx::query(
            "DELETE FROM oidc_attempts WHERE state_hash = $1 \
             RETURNING state_hash, provider_id, nonce, pkce_verifier, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(self.writer())
        .await
        .or_store()?
        .as_ref()
        .map(attempt_row)
        .transpose()?;
        Ok(taken.filter(|a| a.expires_at > now))
    }

    async fn link_oidc_subject(
        &self,
        link: &OidcLink,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO oidc_links (provider_id, subject, user_id, linked_by, linked_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider_id, subject) DO UPDATE SET \
             user_id = excluded.user_id, linked_by = excluded.linked_by, \
             linked_at = excluded.linked_at",
        )
        .bind(link.provider_id)
        .bind(&link.subject)
        .bind(link.user_id.0)
        .bind(link.linked_by.0)
        .bind(At(link.linked_at));
        self.write_audited(query, audit).await
    }

    async fn oidc_linked_user(
        &self,
        provider: Uuid,
        subject: &str,
    ) -> Result<Option<UserId>, StoreError> {
        let row =
            sqlx::query("SELECT user_id FROM oidc_links WHERE provider_id = $1 AND subject = $2")
                .bind(provider)
                .bind(subject)
                .fetch_optional(self.reader())
                .await
                .or_store()?;
        row.as_ref()
            .map(|r| get(r, "user_id").map(UserId))
            .transpose()
    }

    async fn user_in_org(&self, user: UserId, org: OrgId) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND {}",
            members_of("$1", "$2")
        );
        let row = sqlx::query(&sql)
            .bind(user.0)
            .bind(org.0)
            .fetch_one(self.reader())
            .await
            .or_store()?;
        Ok(get::<i64>(&row, "n")? > 0)
    }

    async fn passwords_off_for(&self, user: UserId) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM oidc_providers p WHERE p.passwords_off = $2 AND {}",
            members_of("$1", "p.org_id")
        );
        let row = sqlx::query(&sql)
            .bind(user.0)
            .bind(true)
            .fetch_one(self.reader())
            .await
            .or_store()?;
        Ok(get::<i64>(&row, "n")? > 0)
    }
}
