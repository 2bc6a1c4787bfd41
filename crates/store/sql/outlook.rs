//! Forecasts and retention: a trust's bank workers, its shifts in a span, the offers and
//! bookings on them, and the nudges its bank office sends.

use chrono::{DateTime, Utc};
use staffbank_domain::{OrgId, ShiftId, UserId, WardId, WorkerId};
use staffbank_store::{
    AuditRecord, Nudge, OutboxEvent, OutlookStore, Shift, StoreError, TrustBooking, TrustOffer,
};
use uuid::Uuid;

use super::offers::insert_events;
use super::shifts::shifts;
use super::types::At;
use crate::db::ThisStore;
use crate::ledger::insert_audit;
use crate::rows::SHIFT_COLUMNS;
use crate::sql::OrStore;

/// A nudge row as stored.
type NudgeRow = (Uuid, Uuid, Uuid, String, Option<String>, String, Uuid, At);

fn nudge(row: NudgeRow) -> Result<Nudge, StoreError> {
    let (id, org, worker, kind, message, shift_ids, sent_by, sent_at) = row;
    let shifts: Vec<Uuid> = serde_json::from_str(&shift_ids)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("nudge shifts: {e}")))?;
    Ok(Nudge {
        id,
        org_id: OrgId(org),
        worker_id: WorkerId(worker),
        kind,
        message,
        shifts: shifts.into_iter().map(ShiftId).collect(),
        sent_by: UserId(sent_by),
        sent_at: sent_at.0,
    })
}

#[async_trait::async_trait]
impl OutlookStore for ThisStore {
    async fn bank_worker_ids(&self, org: OrgId) -> Result<Vec<WorkerId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT m.worker_id FROM bank_memberships m \
             JOIN bank_members b ON b.bank_id = m.bank_id WHERE b.org_id = $1 \
             ORDER BY m.worker_id",
        )
        .bind(org.0)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(ids.into_iter().map(WorkerId).collect())
    }

    async fn trust_shifts_between(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Shift>, StoreError> {
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts WHERE org_id = $1 AND starts_at >= $2 \
             AND starts_at < $3 ORDER BY starts_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(At(from))
            .bind(At(to))
            .fetch_all(self.reader())
            .await
            .or_store()?;
        shifts(rows)
    }

    async fn trust_bookings_since(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<Vec<TrustBooking>, StoreError> {
        let rows: Vec<(Uuid, Uuid, Uuid, At, String)> = sqlx::query_as(
            "SELECT b.shift_id, s.ward_id, b.worker_id, b.created_at, b.status FROM bookings b \
             JOIN shifts s ON s.id = b.shift_id WHERE s.org_id = $1 \
             AND (b.created_at >= $2 OR b.starts_at >= $2) ORDER BY b.created_at, b.id",
        )
        .bind(org.0)
        .bind(At(since))
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(rows
            .into_iter()
            .map(|(shift, ward, worker, at, status)| TrustBooking {
                shift_id: ShiftId(shift),
                ward_id: WardId(ward),
                worker_id: WorkerId(worker),
                booked_at: at.0,
                active: status == "active",
            })
            .collect())
    }

    async fn trust_offers_since(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<Vec<TrustOffer>, StoreError> {
        let rows: Vec<(Uuid, Uuid, At, i64)> = sqlx::query_as(
            "SELECT o.worker_id, o.shift_id, o.offered_at, \
             (SELECT count(*) FROM bookings b WHERE b.shift_id = o.shift_id \
              AND b.worker_id = o.worker_id) \
             FROM offers o JOIN shifts s ON s.id = o.shift_id \
             WHERE s.org_id = $1 AND o.offered_at >= $2 ORDER BY o.offered_at",
        )
        .bind(org.0)
        .bind(At(since))
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(rows
            .into_iter()
            .map(|(worker, shift, at, booked)| TrustOffer {
                worker_id: WorkerId(worker),
                shift_id: ShiftId(shift),
                offered_at: at.0,
                booked: booked > 0,
            })
            .collect())
    }

    async fn record_nudge(
        &self,
        nudge: &Nudge,
        event: Option<&OutboxEvent>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let shifts: Vec<Uuid> = nudge.shifts.iter().map(|s| s.0).collect();
        let shift_ids = serde_json::to_string(&shifts)
            .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("nudge shifts: {e}")))?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO nudges (id, org_id, worker_id, kind, message, shift_ids, sent_by, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(nudge.id)
        .bind(nudge.org_id.0)
        .bind(nudge.worker_id.0)
        .bind(&nudge.kind)
        .bind(&nudge.message)
        .bind(shift_ids)
        .bind(nudge.sent_by.0)
        .bind(At(nudge.sent_at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        if let Some(event) = event {
            insert_events(&mut tx, std::slice::from_ref(event)).await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn nudges(&self, org: OrgId) -> Result<Vec<Nudge>, StoreError> {
        let rows: Vec<NudgeRow> = sqlx::query_as(
            "SELECT id, org_id, worker_id, kind, message, shift_ids, sent_by, sent_at \
             FROM nudges WHERE org_id = $1 ORDER BY sent_at DESC, id",
        )
        .bind(org.0)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        rows.into_iter().map(nudge).collect()
    }
}
