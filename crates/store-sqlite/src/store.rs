//! The Store trait over SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Sqlite, Transaction};
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
use crate::rows::{self, json_list, ms};
use crate::SqliteStore;

pub(crate) use crate::sql::decode;
pub(crate) use crate::sql::rows::{
    BOOKING_COLUMNS, BOOKING_COLUMNS_OF_B, SHIFT_COLUMNS, WORKER_COLUMNS,
};

fn skill_names(skills: &[staffbank_domain::worker::Skill]) -> Vec<String> {
    skills.iter().map(|s| s.as_str().to_owned()).collect()
}

pub(crate) fn shifts(rows: Vec<SqliteRow>) -> Result<Vec<Shift>, StoreError> {
    rows.iter().map(|r| decode(rows::shift(r)?)).collect()
}

fn bookings(rows: Vec<SqliteRow>) -> Result<Vec<Booking>, StoreError> {
    rows.iter().map(|r| decode(rows::booking(r)?)).collect()
}

/// Books inside an open transaction: the shift's state, the working-time rules, then the insert
/// (places and overlaps are refused by triggers). A repeated key replays the first booking.
pub(crate) async fn book_in(
    tx: &mut Transaction<'static, Sqlite>,
    booking: &Booking,
    working_time: Option<&WorkingTimeCheck>,
) -> Result<BookOutcome, StoreError> {
    // The shift and any earlier booking with this key, in one query.
    let state: Option<(String, i64, i64, Uuid, Option<Uuid>)> = sqlx::query_as(
        "SELECT status, booked, places, org_id, \
         (SELECT id FROM bookings WHERE worker_id = ?2 AND idempotency_key = ?3) \
         FROM shifts WHERE id = ?1",
    )
    .bind(booking.shift_id.0)
    .bind(booking.worker_id.0)
    .bind(&booking.idempotency_key)
    .fetch_optional(&mut **tx)
    .await
    .or_store()?;
    let booked_now = state.as_ref().map_or(0, |(_, booked, ..)| *booked);
    // Read in full only when there is one (with no such shift, a key used for another shift is
    // still a reused key).
    let repeated = match &state {
        Some((.., None)) => None,
        _ => find_booking_by_key(tx, booking.worker_id, &booking.idempotency_key).await?,
    };
    if let Some(existing) = repeated {
        if existing.shift_id != booking.shift_id {
            return Err(Conflict::IdempotencyKeyReused.into());
        }
        return Ok(BookOutcome {
            booking: existing,
            replayed: true,
            shift_booked: staffbank_store::booking::places_count(booked_now)?,
        });
    }
    let trust = match state {
        None => return Err(StoreError::NotFound),
        Some((status, ..)) if status != "open" => return Err(Conflict::ShiftNotOpen.into()),
        Some((_, booked, places, ..)) if booked >= places => return Err(Conflict::ShiftFull.into()),
        Some((.., org, _)) => OrgId(org),
    };
    if let Some(check) = working_time {
        crate::sql::working_time::enforce(&mut **tx, booking, trust, check).await?;
    }
    // The worker's bookings version moves on with every booking (see [`crate::booking`]).
    bind_new_booking(
        sqlx::query(
        "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, \
         created_at, ward_id) VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, \
         (SELECT ward_id FROM shifts WHERE id = ?2)); \
         UPDATE workers SET bookings_version = bookings_version + 1 WHERE id = ?3",
        ),
        booking,
    )
    .execute(&mut **tx)
    .await
    .or_store()?;
    BookOutcome::made(booking, booked_now + 1)
}

/// Binds a new booking's columns as `?1` to `?7`: id, shift, worker, start, end, idempotency key,
/// created.
pub(crate) fn bind_new_booking<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    booking: &'q Booking,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    query
        .bind(booking.id.0)
        .bind(booking.shift_id.0)
        .bind(booking.worker_id.0)
        .bind(ms(booking.window.start()))
        .bind(ms(booking.window.end()))
        .bind(&booking.idempotency_key)
        .bind(ms(booking.created_at))
}

async fn find_booking_by_key(
    tx: &mut Transaction<'static, Sqlite>,
    worker: WorkerId,
    key: &str,
) -> Result<Option<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE worker_id = ? AND idempotency_key = ?"
    );
    let row = sqlx::query(&sql)
        .bind(worker.0)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
        .or_store()?;
    row.map(|r| decode(rows::booking(&r)?)).transpose()
}

#[async_trait]
impl ShiftStore for SqliteStore {
    async fn worked_between(
        &self,
        worker: WorkerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Worked>, StoreError> {
        crate::sql::working_time::worked(&self.reader, worker, from, to).await
    }

    async fn raise_premium(
        &self,
        shift: ShiftId,
        premium: &Premium,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::raise_premium(self, shift, premium, audit).await
    }

    async fn release_to_agency(
        &self,
        shift: ShiftId,
        release: &AgencyRelease,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::release_to_agency(self, shift, release, audit).await
    }

    async fn post_shifts(&self, shifts: &[Shift], audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
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
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
                 ?, ?)",
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
            .bind(min_rank)
            .bind(max_rank)
            .bind(json_list(&shift.required_skills.iter().map(|s| s.as_str()).collect::<Vec<_>>()))
            .bind(ms(shift.window.start()))
            .bind(ms(shift.window.end()))
            .bind(i64::from(shift.places.get()))
            .bind(stored_shift_status(shift.status))
            .bind(shift.posted_by.0)
            .bind(ms(shift.created_at))
            .bind(json_list(&raw::requirement_names(&shift.required_credentials)))
            .bind(ms(shift.released_at))
            .bind(shift.collaborative.map(|c| c.0 .0))
            .bind(shift.collaborative.map(|c| ms(c.1)))
            .bind(shift.priority_window.num_minutes())
            .bind(shift.booking_mode.as_str())
            .bind(shift.cancellation_notice.num_minutes())
            // offers first fall due when the first bank may book
            .bind(ms(shift.released_at))
            .bind(i64::from(shift.premium.percent))
            .bind(shift.premium.override_reason.as_ref().map(Label::as_str))
            .execute(&mut *tx)
            .await
            .or_store()?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn shift(&self, id: ShiftId) -> Result<Option<Shift>, StoreError> {
        let sql = format!("SELECT {SHIFT_COLUMNS} FROM shifts WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.reader)
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
        // SQLite reads `IN ()` as false, so either list may be empty.
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts WHERE (org_id IN ({}) OR ward_id IN ({})) \
             AND starts_at > ? AND (starts_at > ? OR (starts_at = ? AND id > ?)) \
             ORDER BY starts_at, id LIMIT ?",
            vec!["?"; orgs.len()].join(", "),
            vec!["?"; wards.len()].join(", "),
        );
        let mut query = sqlx::query(&sql);
        for id in orgs.iter().map(|o| o.0).chain(wards.iter().map(|w| w.0)) {
            query = query.bind(id);
        }
        let rows = query
            .bind(ms(starts_after))
            .bind(after_start)
            .bind(after_start)
            .bind(after_id)
            .bind(i64::from(page.limit))
            .fetch_all(&self.reader)
            .await
            .or_store()?;
        shifts(rows)
    }

    async fn open_shifts(&self, q: &OpenShiftQuery) -> Result<Vec<Shift>, StoreError> {
        if q.banks.is_empty() {
            return Ok(vec![]);
        }
        let (family, rank) = grade_rank(q.grade);
        let (after_start, after_id) = cursor_parts(q.page.after, q.starts_after);
        let banks = vec!["?"; q.banks.len()].join(", ");
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts s WHERE (bank_id IN ({banks}) \
             OR collaborative_bank_id IN ({banks})) AND status = 'open' \
             AND booked < places AND starts_at > ? AND staff_group = ? AND grade_family = ? \
             AND grade_min_rank <= ? AND grade_max_rank >= ? \
             AND (starts_at > ? OR (starts_at = ? AND id > ?)) \
             AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.worker_id = ? AND b.status = 'active' \
                             AND b.starts_at < s.ends_at AND b.ends_at > s.starts_at) \
             ORDER BY starts_at, id LIMIT ?"
        );
        let mut query = sqlx::query(&sql);
        for bank in q.banks.iter().chain(&q.banks) {
            query = query.bind(bank.0);
        }
        let rows = query
            .bind(ms(q.starts_after))
            .bind(q.staff_group.as_str())
            .bind(family)
            .bind(rank)
            .bind(rank)
            .bind(after_start)
            .bind(after_start)
            .bind(after_id)
            .bind(q.worker_id.0)
            .bind(i64::from(q.page.limit))
            .fetch_all(&self.reader)
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
        crate::booking::book(self, booking, audit, working_time).await
    }

    async fn request_booking(
        &self,
        request: &BookingRequest,
        audit: &[AuditRecord],
    ) -> Result<RequestOutcome, StoreError> {
        crate::requests::request(self, request, audit).await
    }

    async fn booking_request(&self, id: RequestId) -> Result<Option<BookingRequest>, StoreError> {
        crate::requests::one(&self.reader, id).await
    }

    async fn pending_requests(&self, org: OrgId) -> Result<Vec<BookingRequest>, StoreError> {
        crate::requests::pending(&self.reader, org).await
    }

    async fn requests_of_worker(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<BookingRequest>, StoreError> {
        crate::requests::of_worker(&self.reader, worker).await
    }

    async fn decide_request(
        &self,
        id: RequestId,
        decision: &Decision,
        audit: &[AuditRecord],
        working_time: Option<&WorkingTimeCheck>,
    ) -> Result<BookingRequest, StoreError> {
        crate::requests::decide(self, id, decision, audit, working_time).await
    }

    async fn cancel_booking(
        &self,
        id: BookingId,
        c: &CancellationRecord,
        payment: Option<&CancellationPayment>,
        pay_line: Option<&PayLineRecord>,
        audit: &[AuditRecord],
    ) -> Result<Booking, StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE bookings SET status = 'cancelled', cancelled_by = ?, cancelled_by_user = ?, \
             cancel_reason = ?, cancelled_at = ?, late_cancellation = ? \
             WHERE id = ? AND status = 'active'",
        )
        .bind(c.by.as_str())
        .bind(c.by_user.0)
        .bind(c.reason.as_str())
        .bind(ms(c.at))
        .bind(c.late)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        let sql = format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = ?");
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
        crate::matching::cancellation_payments(self, org).await
    }

    async fn booking_by_key(
        &self,
        worker: WorkerId,
        key: &str,
    ) -> Result<Option<Booking>, StoreError> {
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE worker_id = ? AND idempotency_key = ?"
        );
        let row = sqlx::query(&sql)
            .bind(worker.0)
            .bind(key)
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        row.map(|r| decode(rows::booking(&r)?)).transpose()
    }

    async fn booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError> {
        let sql = format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.reader)
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
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE worker_id = ? \
             AND (starts_at > ? OR (starts_at = ? AND id > ?)) ORDER BY starts_at, id LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(worker.0)
            .bind(after_start)
            .bind(after_start)
            .bind(after_id)
            .bind(i64::from(page.limit))
            .fetch_all(&self.reader)
            .await
            .or_store()?;
        bookings(rows)
    }

    async fn bookings_of_shift(&self, shift: ShiftId) -> Result<Vec<Booking>, StoreError> {
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE shift_id = ? ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(shift.0)
            .fetch_all(&self.reader)
            .await
            .or_store()?;
        bookings(rows)
    }
}

#[async_trait]
impl MatchingStore for SqliteStore {
    async fn release_policy(&self, org: OrgId) -> Result<Option<ReleasePolicy>, StoreError> {
        crate::matching::release_policy(self, org).await
    }

    async fn set_release_policy(
        &self,
        org: OrgId,
        policy: &ReleasePolicy,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::set_release_policy(self, org, policy, audit).await
    }

    async fn set_instant_booking(
        &self,
        ward: WardId,
        instant: bool,
        from: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::set_instant_booking(self, ward, instant, from, audit).await
    }

    async fn member_hours(
        &self,
        bank: BankId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<MemberHours>, StoreError> {
        crate::matching::member_hours(self, bank, from, to).await
    }

    async fn set_tier(
        &self,
        worker: WorkerId,
        bank: BankId,
        tier: Option<Tier>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::set_tier(self, worker, bank, tier, audit).await
    }

    async fn change_tier(
        &self,
        worker: WorkerId,
        bank: BankId,
        from: Option<Tier>,
        to: Option<Tier>,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        crate::matching::change_tier(self, worker, bank, from, to, audit).await
    }

    async fn matchable_shifts(
        &self,
        query: &MatchQuery,
    ) -> Result<Vec<MatchableShift>, StoreError> {
        crate::candidates::matchable_shifts(self, query).await
    }

    async fn wards_worked(
        &self,
        worker: WorkerId,
        before: DateTime<Utc>,
    ) -> Result<Vec<WardId>, StoreError> {
        crate::candidates::wards_worked(self, worker, before).await
    }

    async fn candidate_pool(&self, query: &PoolQuery) -> Result<Vec<PoolMember>, StoreError> {
        crate::candidates::candidate_pool(self, query).await
    }

    async fn credentials_of_workers(
        &self,
        workers: &[WorkerId],
    ) -> Result<Vec<Credential>, StoreError> {
        crate::candidates::credentials_of_workers(self, workers).await
    }

    async fn worked_by_workers(
        &self,
        workers: &[WorkerId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(WorkerId, Worked)>, StoreError> {
        crate::candidates::worked_by_workers(self, workers, from, to).await
    }

    async fn matching_counts(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<MatchingCounts, StoreError> {
        crate::matching::counts(self, org, from, to).await
    }

    async fn offers_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueOffers>, StoreError> {
        crate::offers::offers_due(self, now, limit).await
    }

    async fn record_offers(&self, round: &OfferRound) -> Result<bool, StoreError> {
        crate::offers::record_offers(self, round).await
    }

    async fn offered_workers(&self, shift: ShiftId) -> Result<Vec<WorkerId>, StoreError> {
        crate::offers::offered_workers(self, shift).await
    }

    async fn offered_shifts(
        &self,
        worker: WorkerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<MatchableShift>, StoreError> {
        crate::offers::offered_shifts(self, worker, now).await
    }

    async fn outbox_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, OutboxEvent)>, StoreError> {
        crate::offers::outbox_after(self, after, limit).await
    }
}

#[async_trait]
impl LedgerStore for SqliteStore {
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
        SqliteStore::ledger_size(self).await
    }

    async fn ledger_nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Option<Hash>>, StoreError> {
        SqliteStore::ledger_nodes(self, ids).await
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
impl OperationsStore for SqliteStore {
    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        sqlx::query("PRAGMA optimize")
            .execute(&self.writer)
            .await
            .or_store()
            .map(drop)
    }

    async fn orphan_entries(&self, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        self.ledger_orphans(limit).await
    }
}

/// Keyset position: items strictly after (start, id); with no cursor, everything after `floor`.
fn cursor_parts(after: Option<Cursor>, floor: DateTime<Utc>) -> (i64, Uuid) {
    match after {
        Some(c) => (ms(c.start), c.id),
        None => (ms(floor), Uuid::max()),
    }
}
