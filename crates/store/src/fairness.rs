//! What the fairness auditor reads, the equality declarations workers give it, and each bank's
//! definition of a desirable shift. Kept in its own trait so that matching and ranking, which
//! read through [`crate::MatchingStore`], have no way to reach a declaration.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::fairness::contract::Contract;
use staffbank_domain::fairness::desirable::Desirable;
use staffbank_domain::fairness::equality::Declaration;
use staffbank_domain::{BankId, ShiftWindow, WardId, WorkerId};

use crate::{AuditRecord, StoreError};

/// One active member of a bank as the audit sees them: groups and shift facts, no name.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessMember {
    /// Staff group (stable name).
    pub staff_group: String,
    /// Grade (stable name).
    pub grade: String,
    /// Priority tier in this bank, if any.
    pub tier: Option<String>,
    /// `part_time` or `full_time`, if this bank recorded it.
    pub contract: Option<String>,
    /// Their equality declaration, only while they consent.
    pub declaration: Option<Declaration>,
    /// Shifts of the bank starting in the period that they were offered.
    pub offered: u64,
    /// Their active bookings of the bank's shifts starting in the period.
    pub booked: Vec<(ShiftWindow, WardId)>,
}

/// The fairness auditor's storage.
#[async_trait]
pub trait FairnessStore: Send + Sync + 'static {
    /// Every member of `bank`, with their offers and bookings of its shifts starting in
    /// `[from, to)`.
    async fn fairness_members(
        &self,
        bank: BankId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FairnessMember>, StoreError>;

    /// Records (or, with `None`, forgets) a member's contract in `bank`; `NotFound` unless they
    /// are a member. Kept on the membership so that each bank records its own.
    async fn set_contract(
        &self,
        worker: WorkerId,
        bank: BankId,
        contract: Option<Contract>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// A worker's equality declaration and when they gave it, if they have.
    async fn equality_declaration(
        &self,
        worker: WorkerId,
    ) -> Result<Option<(Declaration, DateTime<Utc>)>, StoreError>;

    /// Records (or replaces) a worker's declaration, given with their consent at `at`.
    async fn save_equality_declaration(
        &self,
        worker: WorkerId,
        declaration: &Declaration,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Deletes a worker's declaration (consent withdrawn); false if there was none.
    async fn delete_equality_declaration(
        &self,
        worker: WorkerId,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// Whether the weekly fairness run has recorded `week` (ISO, e.g. `2026-W49`) for `bank`.
    async fn fairness_week_recorded(&self, bank: BankId, week: &str) -> Result<bool, StoreError>;

    /// Records the weekly fairness run of `week` for `bank` with its ledger entry, once: false
    /// (and nothing written) if that week was already recorded, by this server or another.
    async fn record_fairness_week(
        &self,
        bank: BankId,
        week: &str,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// A bank's definition of a desirable shift, if it has set one.
    async fn fairness_settings(&self, bank: BankId) -> Result<Option<Desirable>, StoreError>;

    /// Sets a bank's definition of a desirable shift.
    async fn set_fairness_settings(
        &self,
        bank: BankId,
        desirable: &Desirable,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;
}
