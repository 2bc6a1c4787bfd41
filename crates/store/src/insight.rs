//! The dashboard's read model ("insight"): shifts whose figures may have changed, the facts to
//! rebuild them from, the rebuilt figures, and the per-day sums the dashboard reads. Kept apart
//! from the tables it sums so a year of a platform reads a few thousand rows, not a million.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use staffbank_domain::insight::Figures;
use staffbank_domain::{OrgId, ShiftId, SiteId, WardId, WorkerId};
use uuid::Uuid;

use crate::{Shift, StoreError};

/// Whose figures: one trust's shifts, one bank's (the shifts posted to it), or every shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsightScope {
    /// A trust.
    Trust(OrgId),
    /// A bank.
    Bank(staffbank_domain::BankId),
    /// The whole platform.
    Platform,
}

impl InsightScope {
    /// The stored scope letter and id (the nil uuid for the platform).
    pub fn key(self) -> (&'static str, Uuid) {
        match self {
            Self::Trust(org) => ("t", org.0),
            Self::Bank(bank) => ("b", bank.0),
            Self::Platform => ("p", Uuid::nil()),
        }
    }
}

/// A booking of a shift being rebuilt, as the figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightBooking {
    /// The shift.
    pub shift_id: ShiftId,
    /// Who booked (turned into a pseudonym before anything is stored).
    pub worker_id: WorkerId,
    /// When they booked: time to fill runs from the shift's posting to this.
    pub booked_at: DateTime<Utc>,
    /// Whether it still stands.
    pub active: bool,
    /// `worker` or `trust` if it was cancelled late.
    pub late_cancelled_by: Option<String>,
    /// Whether the worker is a member of the shift's own bank (otherwise they came through a
    /// collaborative bank).
    pub own_bank: bool,
}

/// A pay line of a shift being rebuilt.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightPay {
    /// The shift.
    pub shift_id: ShiftId,
    /// Who is paid.
    pub worker_id: WorkerId,
    /// Seconds paid.
    pub seconds: i64,
    /// Pence, all in.
    pub amount: i64,
    /// The base-rate part, pence.
    pub base: i64,
    /// The enhancements part, pence.
    pub enhancements: i64,
    /// The premium part, pence.
    pub premium: i64,
    /// The holiday pay part, pence.
    pub holiday: i64,
}

/// Everything the figures of some shifts are rebuilt from, read at one moment.
#[derive(Debug, Clone, Default)]
pub struct InsightSources {
    /// The shifts (any of those asked for that exist).
    pub shifts: Vec<Shift>,
    /// The site of each of their wards.
    pub ward_sites: Vec<(WardId, SiteId)>,
    /// Their bookings, cancelled ones included.
    pub bookings: Vec<InsightBooking>,
    /// Their pay lines.
    pub pay: Vec<InsightPay>,
}

/// One shift's rebuilt figures and the groups it falls in.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightShift {
    /// The shift.
    pub shift_id: ShiftId,
    /// Its trust.
    pub org_id: OrgId,
    /// Its bank.
    pub bank_id: staffbank_domain::BankId,
    /// The UK day it starts on.
    pub day: NaiveDate,
    /// Its ward.
    pub ward_id: WardId,
    /// The ward's site.
    pub site_id: SiteId,
    /// Staff group, stable name.
    pub staff_group: String,
    /// Lowest grade asked for, stable name.
    pub grade: String,
    /// `day` or `night`.
    pub time_of_day: String,
    /// `weekday` or `weekend`.
    pub week_part: String,
    /// Its figures.
    pub figures: Figures,
}

/// One worker's part of one shift, under their pseudonym.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightWorker {
    /// The shift.
    pub shift_id: ShiftId,
    /// Its trust.
    pub org_id: OrgId,
    /// Its UK day.
    pub day: NaiveDate,
    /// The keyed pseudonym of the worker.
    pub pseudonym: String,
    /// 1 if their booking stands, else 0.
    pub booked: i64,
    /// Seconds paid.
    pub paid_seconds: i64,
    /// Pence paid.
    pub pay_pence: i64,
}

/// One row of the per-day sums: a day, a grouping and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightDay {
    /// The UK day.
    pub day: NaiveDate,
    /// `all`, `ward`, `site`, `trust`, `staff_group`, `grade`, `time_of_day` or `week_part`.
    pub dimension: String,
    /// The group's key (an id for wards, sites and trusts; a stable name otherwise).
    pub value: String,
    /// The sums.
    pub figures: Figures,
}

/// A worker's totals over a span, under their pseudonym.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightWorkerTotal {
    /// The pseudonym.
    pub pseudonym: String,
    /// Shifts they hold.
    pub shifts: i64,
    /// Seconds paid.
    pub paid_seconds: i64,
    /// Pence paid.
    pub pay_pence: i64,
}

/// The dashboard's read model.
#[async_trait]
pub trait InsightStore: Send + Sync + 'static {
    /// Up to `limit` marks of shifts whose figures may have changed (mark id, shift), oldest
    /// first.
    async fn insight_dirty(&self, limit: u32) -> Result<Vec<(i64, ShiftId)>, StoreError>;

    /// The facts to rebuild `shifts` from.
    async fn insight_sources(&self, shifts: &[ShiftId]) -> Result<InsightSources, StoreError>;

    /// In one transaction: replaces the figures of every shift in `shifts` (those with no row
    /// in `rows` are removed), marks every day those shifts fall or fell on as stale for their
    /// trust, bank and the platform, and deletes the marks `done`.
    async fn save_insight(
        &self,
        shifts: &[ShiftId],
        rows: &[InsightShift],
        workers: &[InsightWorker],
        done: &[i64],
    ) -> Result<(), StoreError>;

    /// Sums again up to `days` stale days (every stale trust, bank and the platform on each, one
    /// transaction a day); returns how many days it did (none left when 0).
    async fn resum_insight(&self, days: u32) -> Result<usize, StoreError>;

    /// Per-day sums of one scope over the days `from` to `to` (both included): the whole day
    /// (`all`) for each day, and every other grouping summed over the span (with `day` = `from`).
    async fn insight_days(
        &self,
        scope: InsightScope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<InsightDay>, StoreError>;

    /// A trust's workers by pseudonym over the days `from` to `to`, most hours first, at most
    /// `limit`.
    async fn insight_workers(
        &self,
        org: OrgId,
        from: NaiveDate,
        to: NaiveDate,
        limit: u32,
    ) -> Result<Vec<InsightWorkerTotal>, StoreError>;
}
