//! Sign-on challenges, sign-ons, escalations and smartcards.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::{BookingId, OrgId, UserId, WardId, WorkerId};
use staffbank_store::{
    AuditRecord, Conflict, Escalation, OutboxEvent, PayStore, Resolution, SignOn, SignOnChallenge,
    SignOnStore, StoreError, Timesheet,
};
use uuid::Uuid;

use super::types::At;
use super::{get, instant, opt_instant};
use crate::db::{DbRow, ThisStore};
use crate::ledger::insert_audit;
use crate::sql::OrStore;

const ESCALATION_COLUMNS: &str =
    "id, booking_id, org_id, ward_id, kind, detail, raised_at, resolved_by, resolved_at, resolution";

fn sign_on_row(r: &DbRow) -> Result<SignOn, StoreError> {
    Ok(SignOn {
        booking_id: BookingId(get(r, "booking_id")?),
        worker_id: WorkerId(get(r, "worker_id")?),
        org_id: OrgId(get(r, "org_id")?),
        ward_id: WardId(get(r, "ward_id")?),
        method: get(r, "method")?,
        signed_on_at: instant(r, "signed_on_at")?,
        signed_off_at: opt_instant(r, "signed_off_at")?,
    })
}

fn escalation_row(r: &DbRow) -> Result<Escalation, StoreError> {
    let resolved_by: Option<Uuid> = get(r, "resolved_by")?;
    let resolved_at = opt_instant(r, "resolved_at")?;
    let note: Option<String> = get(r, "resolution")?;
    Ok(Escalation {
        id: get(r, "id")?,
        booking_id: BookingId(get(r, "booking_id")?),
        org_id: OrgId(get(r, "org_id")?),
        ward_id: WardId(get(r, "ward_id")?),
        kind: get(r, "kind")?,
        detail: get(r, "detail")?,
        raised_at: instant(r, "raised_at")?,
        resolution: match (resolved_by, resolved_at, note) {
            (Some(by), Some(at), Some(note)) => Some(Resolution {
                by: UserId(by),
                at,
                note,
            }),
            _ => None,
        },
    })
}

#[async_trait]
impl SignOnStore for ThisStore {
    async fn create_sign_on_challenge(
        &self,
        c: &SignOnChallenge,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO sign_on_challenges (id, booking_id, org_id, ward_id, nonce, created_by, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.id)
        .bind(c.booking_id.0)
        .bind(c.org_id.0)
        .bind(c.ward_id.0)
        .bind(&c.nonce)
        .bind(c.created_by.0)
        .bind(At(c.expires_at));
        self.write_audited(query, audit).await
    }

    async fn use_sign_on_challenge(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<SignOnChallenge>, StoreError> {
        sqlx::query(
            "UPDATE sign_on_challenges SET used_at = $2 \
             WHERE id = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING id, booking_id, org_id, ward_id, nonce, created_by, expires_at, used_at",
        )
        .bind(id)
        .bind(At(now))
        .fetch_optional(self.writer())
        .await
        .or_store()?
        .map(|r| {
            Ok(SignOnChallenge {
                id: get(&r, "id")?,
                booking_id: BookingId(get(&r, "booking_id")?),
                org_id: OrgId(get(&r, "org_id")?),
                ward_id: WardId(get(&r, "ward_id")?),
                nonce: get(&r, "nonce")?,
                created_by: UserId(get(&r, "created_by")?),
                expires_at: instant(&r, "expires_at")?,
                used_at: opt_instant(&r, "used_at")?,
            })
        })
        .transpose()
    }

    async fn record_sign_on(&self, s: &SignOn, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO sign_ons (booking_id, worker_id, org_id, ward_id, method, signed_on_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (booking_id) DO NOTHING",
        )
        .bind(s.booking_id.0)
        .bind(s.worker_id.0)
        .bind(s.org_id.0)
        .bind(s.ward_id.0)
        .bind(&s.method)
        .bind(At(s.signed_on_at))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if inserted == 0 {
            return Err(Conflict::AlreadySignedOn.into());
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn sign_on_of(&self, booking: BookingId) -> Result<Option<SignOn>, StoreError> {
        sqlx::query(
            "SELECT booking_id, worker_id, org_id, ward_id, method, signed_on_at, signed_off_at \
             FROM sign_ons WHERE booking_id = $1",
        )
        .bind(booking.0)
        .fetch_optional(self.reader())
        .await
        .or_store()?
        .as_ref()
        .map(sign_on_row)
        .transpose()
    }

    async fn record_sign_off(
        &self,
        booking: BookingId,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE sign_ons SET signed_off_at = $2 WHERE booking_id = $1 AND signed_off_at IS NULL",
        )
        .bind(booking.0)
        .bind(At(at))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if changed == 0 {
            let exists: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM sign_ons WHERE booking_id = $1")
                    .bind(booking.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .or_store()?;
            return Err(match exists {
                Some(_) => Conflict::AlreadySignedOn.into(),
                None => StoreError::NotFound,
            });
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn raise_escalation(
        &self,
        e: &Escalation,
        event: &OutboxEvent,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO escalations (id, booking_id, org_id, ward_id, kind, detail, raised_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (booking_id, kind) DO NOTHING",
        )
        .bind(e.id)
        .bind(e.booking_id.0)
        .bind(e.org_id.0)
        .bind(e.ward_id.0)
        .bind(&e.kind)
        .bind(&e.detail)
        .bind(At(e.raised_at))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if inserted == 1 {
            super::offers::insert_events(&mut tx, std::slice::from_ref(event)).await?;
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await.or_store()?;
        Ok(inserted == 1)
    }

    async fn escalations_of(&self, org: OrgId) -> Result<Vec<Escalation>, StoreError> {
        let sql = format!(
            "SELECT {ESCALATION_COLUMNS} FROM escalations WHERE org_id = $1 \
             ORDER BY raised_at DESC, id"
        );
        self.read_all(&sql, org.0, escalation_row).await
    }

    async fn escalation(&self, id: Uuid) -> Result<Option<Escalation>, StoreError> {
        let sql = format!("SELECT {ESCALATION_COLUMNS} FROM escalations WHERE id = $1");
        self.read_one(&sql, id, escalation_row).await
    }

    async fn resolve_escalation(
        &self,
        id: Uuid,
        resolution: &Resolution,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE escalations SET resolved_by = $1, resolved_at = $2, resolution = $3 \
             WHERE id = $4 AND resolved_at IS NULL",
        )
        .bind(resolution.by.0)
        .bind(At(resolution.at))
        .bind(&resolution.note)
        .bind(id)
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if changed == 0 {
            let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM escalations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .or_store()?;
            return Err(match exists {
                Some(_) => Conflict::EscalationResolved.into(),
                None => StoreError::NotFound,
            });
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn unsigned_bookings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<BookingId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT b.id FROM bookings b WHERE b.status = 'active' AND b.starts_at >= $1 \
             AND b.starts_at < $2 \
             AND NOT EXISTS (SELECT 1 FROM sign_ons s WHERE s.booking_id = b.id) \
             AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.booking_id = b.id \
             AND e.kind = 'no_show') \
             ORDER BY b.starts_at, b.id LIMIT $3",
        )
        .bind(At(from))
        .bind(At(to))
        .bind(limit)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(ids.into_iter().map(BookingId).collect())
    }

    async fn waiting_timesheets(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Timesheet>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM timesheets WHERE state = 'submitted' AND updated_at < $1 \
             ORDER BY updated_at, id LIMIT $2",
        )
        .bind(At(before))
        .bind(limit)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(t) = self.timesheet(id).await? {
                out.push(t);
            }
        }
        Ok(out)
    }

    async fn set_smartcard(
        &self,
        worker: WorkerId,
        card: &str,
        by: UserId,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "INSERT INTO smartcards (worker_id, card_uuid, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (worker_id) DO UPDATE SET card_uuid = $2, \
             recorded_by = $3, recorded_at = $4",
        )
        .bind(worker.0)
        .bind(card)
        .bind(by.0)
        .bind(At(at))
        .execute(&mut *tx)
        .await;
        match changed {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(Conflict::SmartcardTaken.into())
            }
            Err(e) => return Err(crate::error::map(e)),
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn smartcard_of(&self, worker: WorkerId) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT card_uuid FROM smartcards WHERE worker_id = $1")
            .bind(worker.0)
            .fetch_optional(self.reader())
            .await
            .or_store()
    }
}
