//! The Store trait over PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_store::*;
use uuid::Uuid;

use crate::sql::OrStore;
use crate::PgStore;

#[async_trait]
impl LedgerStore for PgStore {
    async fn append_audit(&self, audit: &[AuditRecord]) -> Result<(), StoreError> {
        self.ledger_append_audit(audit).await
    }

    async fn person_key(&self, subject: Uuid) -> Result<Option<PersonKey>, StoreError> {
        self.ledger_person_key(subject).await
    }

    async fn create_person_key(
        &self,
        subject: Uuid,
        wrapped: &[u8],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.ledger_create_person_key(subject, wrapped, at).await
    }

    async fn erase_person_key(
        &self,
        subject: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        self.ledger_erase_person_key(subject, reason, at, audit)
            .await
    }

    async fn hold_sequencer_lease(
        &self,
        holder: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.ledger_hold_lease(holder, now, until).await
    }

    async fn pending_entries(&self, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        self.ledger_pending(limit).await
    }

    async fn ledger_size(&self) -> Result<u64, StoreError> {
        PgStore::ledger_size(self).await
    }

    async fn ledger_nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Option<Hash>>, StoreError> {
        PgStore::ledger_nodes(self, ids).await
    }

    async fn append_sequenced(&self, batch: &SequencedBatch) -> Result<(), StoreError> {
        self.ledger_append_sequenced(batch).await
    }

    async fn latest_head(&self) -> Result<Option<SignedHead>, StoreError> {
        self.ledger_latest_head().await
    }

    async fn head_of_size(&self, size: u64) -> Result<Option<SignedHead>, StoreError> {
        self.ledger_head_of_size(size).await
    }

    async fn heads(
        &self,
        after: Option<(u64, i64)>,
        limit: u32,
    ) -> Result<Vec<SignedHead>, StoreError> {
        self.ledger_heads(after, limit).await
    }

    async fn entry_at(&self, seq: u64) -> Result<Option<LedgerEntry>, StoreError> {
        self.ledger_entry_at(seq).await
    }

    async fn entry(&self, id: Uuid) -> Result<Option<LedgerEntry>, StoreError> {
        self.ledger_entry(id).await
    }

    async fn entries_about(
        &self,
        subject: Uuid,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        self.ledger_entries_about(subject, after, limit).await
    }

    async fn leaves_from(&self, from: u64, limit: u32) -> Result<Vec<LeafWithBody>, StoreError> {
        self.ledger_leaves_from(from, limit).await
    }
}

#[async_trait]
impl OperationsStore for PgStore {
    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE")
            .execute(&self.pool)
            .await
            .or_store()
            .map(drop)
    }

    async fn orphan_entries(&self, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        self.ledger_orphans(limit).await
    }
}
