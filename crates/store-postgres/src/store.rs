//! The Store trait over PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Transaction};
use staffbank_domain::pay::Premium;
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::release::{ReleasePolicy, Tier};
use staffbank_domain::text::Label;
use staffbank_domain::working_time::Worked;
use staffbank_domain::*;
use staffbank_store::raw::{self, grade_rank, scope_parts, stored_shift_status};
use staffbank_store::WorkingTimeCheck;
use staffbank_store::*;
use uuid::Uuid;

use crate::error::OrStore;
use crate::ledger::insert_audit;
use crate::rows;
use crate::PgStore;

pub(crate) use crate::sql::decode;
pub(crate) use crate::sql::rows::{
    BOOKING_COLUMNS, BOOKING_COLUMNS_OF_B, SHIFT_COLUMNS, WORKER_COLUMNS,
};

fn skill_names(skills: &[staffbank_domain::worker::Skill]) -> Vec<String> {
    skills.iter().map(|s| s.as_str().to_owned()).collect()
}

pub(crate) fn shifts(rows: Vec<PgRow>) -> Result<Vec<Shift>, StoreError> {
    rows.iter().map(|r| decode(rows::shift(r)?)).collect()
}

fn bookings(rows: Vec<PgRow>) -> Result<Vec<Booking>, StoreError> {
    rows.iter().map(|r| decode(rows::booking(r)?)).collect()
}

/// Books inside an open transaction: locks the shift, then the worker; replays a repeated key;
/// judges the working-time rules under the worker's lock; inserts (the exclusion constraint and
/// the place trigger refuse overlaps and over-booking).
pub(crate) async fn book_in(
    tx: &mut Transaction<'static, Postgres>,
    booking: &Booking,
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookOutcome, StoreError> {
    // Lock the shift first: racing requests for it queue here, and a retry with the same key
    // then sees the first request's committed booking below.
    let state: Option<(String, i32, i32, Uuid)> = sqlx::query_as(
        "SELECT status, booked, places, org_id FROM shifts WHERE id = $1 FOR UPDATE",
    )
    .bind(booking.shift_id.0)
    .fetch_optional(&mut **tx)
    .await
    .or_store()?;
    // Then the worker: two bookings for one worker queue here instead of both inserting and
    // deadlocking on each other's uncommitted row in the exclusion constraint's check. Moving the
    // worker's bookings version on tells an instant booking judged on an earlier read to judge
    // again (see `crate::booking`). The same statement looks for an earlier booking with this key
    // (the statement's snapshot already sees what was committed before the shift lock).
    let sql = format!(
        "WITH w AS (UPDATE workers SET bookings_version = bookings_version + 1 WHERE id = $1 \
         RETURNING id) SELECT {BOOKING_COLUMNS_OF_B} FROM w LEFT JOIN bookings b \
         ON b.worker_id = w.id AND b.idempotency_key = $2"
    );
    let worker_row = sqlx::query(&sql)
        .bind(booking.worker_id.0)
        .bind(&booking.idempotency_key)
        .fetch_optional(&mut **tx)
        .await
        .or_store()?;
    let booked_now = state.as_ref().map_or(0, |(_, booked, ..)| *booked);
    let existing = match &worker_row {
        Some(row)
            if sqlx::Row::try_get::<Option<Uuid>, _>(row, "id")
                .or_store()?
                .is_some() =>
        {
            Some(decode::<_, Booking>(rows::booking(row)?)?)
        }
        _ => None,
    };
    if let Some(existing) = existing {
        if existing.shift_id != booking.shift_id {
            return Err(Conflict::IdempotencyKeyReused.into());
        }
        return Ok(BookOutcome {
            booking: existing,
            replayed: true,
            shift_booked: staffbank_store::booking::places_count(i64::from(booked_now))?,
        });
    }
    let trust = match state {
        None => return Err(StoreError::NotFound),
        Some((status, ..)) if status != "open" => return Err(Conflict::ShiftNotOpen.into()),
        Some((_, booked, places, _)) if booked >= places => return Err(Conflict::ShiftFull.into()),
        Some((.., org)) => OrgId(org),
    };
    // Under the worker lock taken above, so simultaneous bookings for one worker are judged
    // one after the other.
    if let Some(check) = working_time {
        crate::sql::working_time::enforce(&mut **tx, booking, trust, check).await?;
    }
    sqlx::query(
        "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, \
         created_at, ward_id) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, \
         (SELECT ward_id FROM shifts WHERE id = $2))",
    )
    .bind(booking.id.0)
    .bind(booking.shift_id.0)
    .bind(booking.worker_id.0)
    .bind(booking.window.start())
    .bind(booking.window.end())
    .bind(&booking.idempotency_key)
    .bind(booking.created_at)
    .execute(&mut **tx)
    .await
    .or_store()?;
    BookOutcome::made(booking, i64::from(booked_now) + 1)
}

#[async_trait]
impl ShiftStore for PgStore {
    async fn worked_between(
        &self,
        worker: WorkerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Worked>, StoreError> {
        crate::sql::working_time::worked(&self.pool, worker, from, to).await
    }

    async fn booking_context(
        &self,
        shift: ShiftId,
        worker: WorkerId,
        key: &str,
    ) -> Result<Option<BookingContext>, StoreError> {
        crate::booking_context::booking_context(&self.pool, shift, worker, key).await
    }

    async fn signed_in_to_book(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        shift: ShiftId,
        key: &str,
    ) -> Result<Option<SignedInToBook>, StoreError> {
        crate::booking_context::signed_in_to_book(&self.pool, token_hash, now, shift, key).await
    }

    async fn raise_premium(
        &self,
        shift: ShiftId,
        premium: &Premium,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::raise_premium(&self.pool, shift, premium, audit).await
    }

    async fn release_to_agency(
        &self,
        shift: ShiftId,
        release: &AgencyRelease,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::release_to_agency(&self.pool, shift, release, audit).await
    }

    async fn post_shifts(&self, shifts: &[Shift], audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        for shift in shifts {
            let (family, min_rank) = grade_rank(shift.grades.min());
            let (_, max_rank) = grade_rank(shift.grades.max());
            sqlx::query(
                "INSERT INTO shifts (id, org_id, ward_id, bank_id, role, staff_group, grade_min, \
                 grade_max, grade_family, grade_min_rank, grade_max_rank, required_skills, starts_at, \
                 ends_at, places, status, posted_by, created_at, required_credentials, released_at, \
                 collaborative_bank_id, collaborative_at, priority_window_minutes, booking_mode, \
                 cancellation_notice_minutes, offers_due_at, premium_percent, \
                 premium_override_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                 $19, $20, $21, $22, $23, $24, $25, $20, $26, $27)",
            )
            .bind(shift.id.0)
            .bind(shift.org_id.0)
            .bind(shift.ward_id.0)
            .bind(shift.bank_id.0)
            .bind(shift.role.as_str())
            .bind(shift.staff_group.as_str())
            .bind(shift.grades.min().as_str())
            .bind(shift.grades.max().as_str())
            .bind(family)
            .bind(i32::try_from(min_rank).unwrap_or(0))
            .bind(i32::try_from(max_rank).unwrap_or(0))
            .bind(skill_names(&shift.required_skills))
            .bind(shift.window.start())
            .bind(shift.window.end())
            .bind(i32::from(shift.places.get()))
            .bind(stored_shift_status(shift.status))
            .bind(shift.posted_by.0)
            .bind(shift.created_at)
            .bind(raw::requirement_names(&shift.required_credentials))
            .bind(shift.released_at)
            .bind(shift.collaborative.map(|c| c.0 .0))
            .bind(shift.collaborative.map(|c| c.1))
            .bind(shift.priority_window.num_minutes())
            .bind(shift.booking_mode.as_str())
            .bind(shift.cancellation_notice.num_minutes())
            .bind(i32::try_from(shift.premium.percent).unwrap_or(i32::MAX))
            .bind(shift.premium.override_reason.as_ref().map(Label::as_str))
            .execute(&mut *tx)
            .await
            .or_store()?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn shift(&self, id: ShiftId) -> Result<Option<Shift>, StoreError> {
        let sql = format!("SELECT {SHIFT_COLUMNS} FROM shifts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.map(|r| decode(rows::shift(&r)?)).transpose()
    }

    async fn shifts_posted_for(
        &self,
        orgs: &[OrgId],
        wards: &[WardId],
        starts_after: DateTime<Utc>,
        page: Page,
    ) -> Result<Vec<Shift>, StoreError> {
        let (after_start, after_id) = cursor_parts(page.after, starts_after);
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts WHERE (org_id = ANY($1) OR ward_id = ANY($2)) \
             AND starts_at > $3 AND (starts_at, id) > ($4, $5) ORDER BY starts_at, id LIMIT $6"
        );
        let rows = sqlx::query(&sql)
            .bind(orgs.iter().map(|o| o.0).collect::<Vec<_>>())
            .bind(wards.iter().map(|w| w.0).collect::<Vec<_>>())
            .bind(starts_after)
            .bind(after_start)
            .bind(after_id)
            .bind(i64::from(page.limit))
            .fetch_all(&self.pool)
            .await
            .or_store()?;
        shifts(rows)
    }

    async fn open_shifts(&self, q: &OpenShiftQuery) -> Result<Vec<Shift>, StoreError> {
        let (family, rank) = grade_rank(q.grade);
        let (after_start, after_id) = cursor_parts(q.page.after, q.starts_after);
        let banks: Vec<Uuid> = q.banks.iter().map(|b| b.0).collect();
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts s WHERE (bank_id = ANY($1) \
             OR collaborative_bank_id = ANY($1)) AND status = 'open' \
             AND booked < places AND starts_at > $2 AND staff_group = $3 AND grade_family = $4 \
             AND grade_min_rank <= $5 AND grade_max_rank >= $5 AND (starts_at, id) > ($6, $7) \
             AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.worker_id = $8 AND b.status = 'active' \
                             AND b.during && tstzrange(s.starts_at, s.ends_at, '[)')) \
             ORDER BY starts_at, id LIMIT $9"
        );
        let rows = sqlx::query(&sql)
            .bind(&banks)
            .bind(q.starts_after)
            .bind(q.staff_group.as_str())
            .bind(family)
            .bind(i32::try_from(rank).unwrap_or(0))
            .bind(after_start)
            .bind(after_id)
            .bind(q.worker_id.0)
            .bind(i64::from(q.page.limit))
            .fetch_all(&self.pool)
            .await
            .or_store()?;
        shifts(rows)
    }

    async fn book(
        &self,
        booking: &Booking,
        audit: &[AuditRecord],
        working_time: Option<&WorkingTimeCheck>,
    ) -> Result<BookOutcome, StoreError> {
        crate::booking::book(&self.pool, booking, audit, working_time).await
    }

    async fn request_booking(
        &self,
        request: &BookingRequest,
        audit: &[AuditRecord],
    ) -> Result<RequestOutcome, StoreError> {
        crate::requests::request(&self.pool, request, audit).await
    }

    async fn booking_request(&self, id: RequestId) -> Result<Option<BookingRequest>, StoreError> {
        crate::requests::one(&self.pool, id).await
    }

    async fn pending_requests(&self, org: OrgId) -> Result<Vec<BookingRequest>, StoreError> {
        crate::requests::pending(&self.pool, org).await
    }

    async fn requests_of_worker(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<BookingRequest>, StoreError> {
        crate::requests::of_worker(&self.pool, worker).await
    }

    async fn decide_request(
        &self,
        id: RequestId,
        decision: &Decision,
        audit: &[AuditRecord],
        working_time: Option<&WorkingTimeCheck>,
    ) -> Result<BookingRequest, StoreError> {
        crate::requests::decide(&self.pool, id, decision, audit, working_time).await
    }

    async fn cancel_booking(
        &self,
        id: BookingId,
        c: &CancellationRecord,
        payment: Option<&CancellationPayment>,
        pay_line: Option<&PayLineRecord>,
        audit: &[AuditRecord],
    ) -> Result<Booking, StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        let changed = sqlx::query(
            "UPDATE bookings SET status = 'cancelled', cancelled_by = $1, cancelled_by_user = $2, \
             cancel_reason = $3, cancelled_at = $4, late_cancellation = $5 \
             WHERE id = $6 AND status = 'active'",
        )
        .bind(c.by.as_str())
        .bind(c.by_user.0)
        .bind(c.reason.as_str())
        .bind(c.at)
        .bind(c.late)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        let sql = format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        if changed == 0 {
            return Err(Conflict::AlreadyCancelled.into());
        }
        let booking: Booking = decode(rows::booking(&row)?)?;
        crate::offers::due_now(&mut tx, booking.shift_id, c.at).await?;
        if let Some(p) = payment {
            crate::matching::insert_payment(&mut tx, p, pay_line).await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(booking)
    }

    async fn cancellation_payments(
        &self,
        org: OrgId,
    ) -> Result<Vec<CancellationPayment>, StoreError> {
        crate::matching::cancellation_payments(&self.pool, org).await
    }

    async fn booking_by_key(
        &self,
        worker: WorkerId,
        key: &str,
    ) -> Result<Option<Booking>, StoreError> {
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE worker_id = $1 AND idempotency_key = $2"
        );
        let row = sqlx::query(&sql)
            .bind(worker.0)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.map(|r| decode(rows::booking(&r)?)).transpose()
    }

    async fn booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError> {
        let sql = format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.map(|r| decode(rows::booking(&r)?)).transpose()
    }

    async fn bookings_of_worker(
        &self,
        worker: WorkerId,
        page: Page,
    ) -> Result<Vec<Booking>, StoreError> {
        let (after_start, after_id) = cursor_parts(page.after, DateTime::<Utc>::UNIX_EPOCH);
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE worker_id = $1 \
             AND (starts_at, id) > ($2, $3) ORDER BY starts_at, id LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(worker.0)
            .bind(after_start)
            .bind(after_id)
            .bind(i64::from(page.limit))
            .fetch_all(&self.pool)
            .await
            .or_store()?;
        bookings(rows)
    }

    async fn bookings_of_shift(&self, shift: ShiftId) -> Result<Vec<Booking>, StoreError> {
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE shift_id = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(shift.0)
            .fetch_all(&self.pool)
            .await
            .or_store()?;
        bookings(rows)
    }
}

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

/// Keyset position: rows strictly after (start, id); with no cursor, everything after `floor`.
fn cursor_parts(after: Option<Cursor>, floor: DateTime<Utc>) -> (DateTime<Utc>, Uuid) {
    match after {
        Some(c) => (c.start, c.id),
        None => (floor, Uuid::max()),
    }
}
