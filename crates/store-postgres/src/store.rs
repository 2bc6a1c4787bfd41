//! The Store trait over PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::release::{ReleasePolicy, Tier};
use staffbank_domain::working_time::Worked;
use staffbank_domain::*;
use staffbank_store::*;
use uuid::Uuid;

use crate::error::OrStore;
use crate::PgStore;

pub(crate) use crate::sql::rows::{SHIFT_COLUMNS, WORKER_COLUMNS};

#[async_trait]
impl MatchingStore for PgStore {
    async fn release_policy(&self, org: OrgId) -> Result<Option<ReleasePolicy>, StoreError> {
        crate::matching::release_policy(&self.pool, org).await
    }

    async fn set_release_policy(
        &self,
        org: OrgId,
        policy: &ReleasePolicy,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::set_release_policy(&self.pool, org, policy, audit).await
    }

    async fn set_instant_booking(
        &self,
        ward: WardId,
        instant: bool,
        from: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::set_instant_booking(&self.pool, ward, instant, from, audit).await
    }

    async fn member_hours(
        &self,
        bank: BankId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<MemberHours>, StoreError> {
        crate::matching::member_hours(&self.pool, bank, from, to).await
    }

    async fn set_tier(
        &self,
        worker: WorkerId,
        bank: BankId,
        tier: Option<Tier>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::set_tier(&self.pool, worker, bank, tier, audit).await
    }

    async fn change_tier(
        &self,
        worker: WorkerId,
        bank: BankId,
        from: Option<Tier>,
        to: Option<Tier>,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        crate::matching::change_tier(&self.pool, worker, bank, from, to, audit).await
    }

    async fn matchable_shifts(
        &self,
        query: &MatchQuery,
    ) -> Result<Vec<MatchableShift>, StoreError> {
        crate::candidates::matchable_shifts(&self.pool, query).await
    }

    async fn wards_worked(
        &self,
        worker: WorkerId,
        before: DateTime<Utc>,
    ) -> Result<Vec<WardId>, StoreError> {
        crate::candidates::wards_worked(&self.pool, worker, before).await
    }

    async fn candidate_pool(&self, query: &PoolQuery) -> Result<Vec<PoolMember>, StoreError> {
        crate::candidates::candidate_pool(&self.pool, query).await
    }

    async fn credentials_of_workers(
        &self,
        workers: &[WorkerId],
    ) -> Result<Vec<Credential>, StoreError> {
        crate::candidates::credentials_of_workers(&self.pool, workers).await
    }

    async fn worked_by_workers(
        &self,
        workers: &[WorkerId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(WorkerId, Worked)>, StoreError> {
        crate::candidates::worked_by_workers(&self.pool, workers, from, to).await
    }

    async fn matching_counts(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<MatchingCounts, StoreError> {
        crate::matching::counts(&self.pool, org, from, to).await
    }

    async fn offers_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueOffers>, StoreError> {
        crate::offers::offers_due(&self.pool, now, limit).await
    }

    async fn record_offers(&self, round: &OfferRound) -> Result<bool, StoreError> {
        crate::offers::record_offers(&self.pool, round).await
    }

    async fn offered_workers(&self, shift: ShiftId) -> Result<Vec<WorkerId>, StoreError> {
        crate::offers::offered_workers(&self.pool, shift).await
    }

    async fn offered_shifts(
        &self,
        worker: WorkerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<MatchableShift>, StoreError> {
        crate::offers::offered_shifts(&self.pool, worker, now).await
    }

    async fn outbox_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, OutboxEvent)>, StoreError> {
        crate::offers::outbox_after(&self.pool, after, limit).await
    }
}

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
