//! Pay runs, their exports and earned-wage advances as the store keeps them.

use chrono::{DateTime, NaiveDate, Utc};
use staffbank_domain::{OrgId, UserId, WorkerId};
use uuid::Uuid;

/// A closed pay run: what a trust paid for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRun {
    /// Identity.
    pub id: Uuid,
    /// The paying trust.
    pub org_id: OrgId,
    /// The period's first day (UK date).
    pub first_day: NaiveDate,
    /// Its last day.
    pub last_day: NaiveDate,
    /// The first instant after the period: lines approved and advances drawn before it are in
    /// the run unless an earlier run took them.
    pub period_end: DateTime<Utc>,
    /// The payroll officer who closed it.
    pub closed_by: UserId,
    /// When.
    pub closed_at: DateTime<Utc>,
    /// Detail records (pay lines and advance recoveries), counted by the store at closing.
    pub lines: i64,
    /// Their total in pence, worked out by the store at closing.
    pub total: i64,
}

/// A run's payroll file, written to the outbox when the run closes and delivered by the
/// exporter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayExport {
    /// The run.
    pub pay_run_id: Uuid,
    /// The file's name in the export directory.
    pub file_name: String,
    /// When it was queued (the run's closing).
    pub created_at: DateTime<Utc>,
    /// When the whole file was in place, if it is.
    pub delivered_at: Option<DateTime<Utc>>,
    /// The delivered file's SHA-256, hex.
    pub sha256: Option<String>,
    /// Its size.
    pub bytes: Option<i64>,
}

/// An advance a worker drew on approved, unpaid pay (earned-wage access).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advance {
    /// Identity.
    pub id: Uuid,
    /// The worker.
    pub worker_id: WorkerId,
    /// The trust whose pay it is drawn on, and whose next run recovers it.
    pub org_id: OrgId,
    /// Pence, more than nothing.
    pub amount: i64,
    /// When it was drawn.
    pub drawn_at: DateTime<Utc>,
    /// The run that recovered it, once one has.
    pub pay_run_id: Option<Uuid>,
}

/// The export element a stored pay line kind (or `advance`) is paid as.
pub fn export_element(kind: &str) -> &'static str {
    match kind {
        "pay" => "bank_shift",
        "adjustment" => "adjustment",
        "cancellation" => "cancellation_payment",
        _ => "advance_recovery",
    }
}
