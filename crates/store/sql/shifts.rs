//! Shifts and their bookings, requests and cancellations. Making a booking itself stays with
//! each backend (`crate::booking`), where the databases keep the booking invariants their own way.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::pay::Premium;
use staffbank_domain::text::Label;
use staffbank_domain::working_time::Worked;
use staffbank_domain::*;
use staffbank_store::raw::{self, grade_rank, stored_shift_status, RawRequest};
use staffbank_store::*;
use uuid::Uuid;

use super::rows::{self, BOOKING_COLUMNS, SHIFT_COLUMNS};
use super::types::{At, Ids, Texts};
use super::{bookable_now, decode, get, instant, opt_instant};
use crate::db::{in_ids, overlaps, DbRow, ThisStore, Tx, FOR_UPDATE};
use crate::ledger::insert_audit;
use crate::sql::OrStore;

/// Shift rows into shifts.
pub(crate) fn shifts(rows: Vec<DbRow>) -> Result<Vec<Shift>, StoreError> {
    rows.iter().map(|r| decode(rows::shift(r)?)).collect()
}

fn bookings(rows: Vec<DbRow>) -> Result<Vec<Booking>, StoreError> {
    rows.iter().map(|r| decode(rows::booking(r)?)).collect()
}

/// The shift as a booking's transaction locked and read it: stored status, places booked and
/// offered, and its trust.
pub(crate) type LockedShift = (String, i64, i64, OrgId);

/// An approval's booking judged inside its transaction, once the backend has locked and read the
/// shift (`None` when there is no such shift) and the worker's booking with the same key: the
/// original booking when this is a retry, a refusal, or `None` when the booking may be written.
/// The working-time rules are judged here, under the worker's lock the backend holds.
pub(crate) async fn judge_locked(
    tx: &mut Tx,
    booking: &Booking,
    working_time: Option<&WorkingTimeCheck>,
    shift: Option<LockedShift>,
    existing: Option<Booking>,
) -> Result<Option<BookOutcome>, StoreError> {
    let Some((status, booked, places, trust)) = shift else {
        return match existing {
            // With no such shift, a key used for another shift is still a reused key.
            Some(_) => Err(Conflict::IdempotencyKeyReused.into()),
            None => Err(StoreError::NotFound),
        };
    };
    if let Some(existing) = existing {
        if existing.shift_id != booking.shift_id {
            return Err(Conflict::IdempotencyKeyReused.into());
        }
        return Ok(Some(BookOutcome {
            booking: existing,
            replayed: true,
            shift_booked: staffbank_store::booking::places_count(booked)?,
        }));
    }
    staffbank_store::booking::refuse_unbookable(&status, booked, places)?;
    if let Some(check) = working_time {
        super::working_time::enforce(&mut **tx, booking, trust, check).await?;
    }
    Ok(None)
}

/// A booking request's columns, as the booking_requests table names them.
const REQUEST_COLUMNS: &str = "id, shift_id, worker_id, status, idempotency_key, created_at, \
     decided_at, decided_by, booking_id";

/// [`REQUEST_COLUMNS`] of a request joined as `r`.
const REQUEST_COLUMNS_OF_R: &str =
    "r.id, r.shift_id, r.worker_id, r.status, r.idempotency_key, r.created_at, r.decided_at, \
     r.decided_by, r.booking_id";

fn request_row(row: &DbRow) -> Result<BookingRequest, StoreError> {
    let decided_by: Option<Uuid> = get(row, "decided_by")?;
    decode(RawRequest {
        id: get(row, "id")?,
        shift_id: get(row, "shift_id")?,
        worker_id: get(row, "worker_id")?,
        status: get(row, "status")?,
        idempotency_key: get(row, "idempotency_key")?,
        created_at: instant(row, "created_at")?,
        decided: opt_instant(row, "decided_at")?.zip(decided_by),
        booking_id: get(row, "booking_id")?,
    })
}

/// Where a page starts: after the cursor, or from `floor` (exclusive) on the first page.
fn cursor_parts(after: Option<Cursor>, floor: DateTime<Utc>) -> (DateTime<Utc>, Uuid) {
    match after {
        Some(c) => (c.start, c.id),
        None => (floor, Uuid::max()),
    }
}

/// Records what a late cancellation by the trust owes, with the pay line that pays it.
async fn insert_payment(
    tx: &mut Tx,
    p: &staffbank_store::CancellationPayment,
    pay_line: Option<&staffbank_store::PayLineRecord>,
) -> Result<(), StoreError> {
    if let Some(line) = pay_line {
        crate::sql::payroll::insert_line(tx, line).await?;
    }
    sqlx::query(
        "INSERT INTO cancellation_payments (booking_id, org_id, worker_id, shift_minutes, created_at, \
         pay_line_id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(p.booking_id.0)
    .bind(p.org_id.0)
    .bind(p.worker_id.0)
    .bind(p.shift_minutes)
    .bind(At(p.created_at))
    .bind(p.pay_line_id)
    .execute(&mut **tx)
    .await
    .or_store()?;
    Ok(())
}

#[async_trait]
impl ShiftStore for ThisStore {
    async fn worked_between(
        &self,
        worker: WorkerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Worked>, StoreError> {
        super::working_time::worked(self.reader(), worker, from, to).await
    }

    async fn booking_context(
        &self,
        shift: ShiftId,
        worker: WorkerId,
        key: &str,
    ) -> Result<Option<BookingContext>, StoreError> {
        crate::booking::booking_context(self, shift, worker, key).await
    }

    async fn signed_in_to_book(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        shift: ShiftId,
        key: &str,
    ) -> Result<Option<SignedInToBook>, StoreError> {
        crate::booking::signed_in_to_book(self, token_hash, now, shift, key).await
    }

    async fn raise_premium(
        &self,
        shift: ShiftId,
        premium: &Premium,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let percent = i32::try_from(premium.percent).unwrap_or(i32::MAX);
        let mut tx = self.begin().await?;
        // The comparison is in the update itself, so two raises at once can never lower it.
        let changed = sqlx::query(
            "UPDATE shifts SET premium_percent = $1, premium_override_reason = $2, \
             premium_cap_percent = $4 WHERE id = $3 AND premium_percent < $1",
        )
        .bind(percent)
        .bind(premium.override_reason.as_ref().map(Label::as_str))
        .bind(shift.0)
        .bind(premium.cap.map(|c| i32::try_from(c).unwrap_or(i32::MAX)))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if changed == 0 {
            let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM shifts WHERE id = $1")
                .bind(shift.0)
                .fetch_optional(&mut *tx)
                .await
                .or_store()?;
            return Err(match exists {
                Some(_) => Conflict::PremiumNotRaised.into(),
                None => StoreError::NotFound,
            });
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn release_to_agency(
        &self,
        shift: ShiftId,
        release: &AgencyRelease,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // The trust's lock first (as everything that takes both does), so that releases judged
        // against its agency cap are judged one after another.
        if let Some(seen) = &release.spend_seen {
            sqlx::query(&format!(
                "SELECT id FROM organisations WHERE id = $1{FOR_UPDATE}"
            ))
            .bind(seen.org.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
        }
        // Judged under the shift's lock: a place taken since the caller read it is seen here.
        let sql = format!(
            "SELECT agency_at, status, booked, places, starts_at, ends_at FROM shifts \
             WHERE id = $1{FOR_UPDATE}"
        );
        let row: Option<(Option<At>, String, i32, i32, At, At)> = sqlx::query_as(&sql)
            .bind(shift.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
        let (unfilled, paid) = match row {
            None => return Err(StoreError::NotFound),
            Some((Some(_), ..)) => return Err(Conflict::AlreadyAtAgency.into()),
            Some((None, status, ..)) if status != "open" => {
                return Err(Conflict::ShiftNotOpen.into())
            }
            Some((None, _, booked, places, ..)) if booked >= places => {
                return Err(Conflict::ShiftFull.into())
            }
            Some((None, _, booked, places, starts, ends)) => (
                u16::try_from(places - booked).unwrap_or(0),
                ends.0 - starts.0,
            ),
        };
        if let Some(seen) = &release.spend_seen {
            // The same spend the cap was judged on (see `read_agency_fills`), read under the lock.
            let (now,): (Option<i64>,) = sqlx::query_as(
                "SELECT CAST(SUM(agency_spend_pence) AS BIGINT) FROM shifts \
                 WHERE org_id = $1 AND agency_at IS NOT NULL AND status <> 'cancelled' \
                 AND starts_at >= $2 AND starts_at < $3",
            )
            .bind(seen.org.0)
            .bind(At(seen.from))
            .bind(At(seen.to))
            .fetch_one(&mut *tx)
            .await
            .or_store()?;
            if now.unwrap_or(0) != seen.pence {
                return Err(Conflict::AgencySpendChanged.into());
            }
        }
        let spend = release
            .rate_pence
            .and_then(|r| staffbank_domain::agency::AgencyRate::parse(r).ok())
            .map(|rate| staffbank_domain::agency::fill_spend_pence(rate, paid, unfilled));
        sqlx::query(
            "UPDATE shifts SET agency_at = $1, agency_by = $2, agency_reason = $3, \
             agency_rate_pence = $4, agency_name = $5, agency_places = $6, \
             agency_spend_pence = $7 WHERE id = $8",
        )
        .bind(At(release.at))
        .bind(release.by.0)
        .bind(release.reason.as_str())
        .bind(release.rate_pence)
        .bind(release.agency_name.as_ref().map(|n| n.as_str()))
        .bind(i64::from(unfilled))
        .bind(spend)
        .bind(shift.0)
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
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
                 premium_override_reason, premium_cap_percent) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                 $19, $20, $21, $22, $23, $24, $25, $20, $26, $27, $28)",
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
            .bind(Texts::of(shift.required_skills.iter().map(|s| s.as_str())))
            .bind(At(shift.window.start()))
            .bind(At(shift.window.end()))
            .bind(i32::from(shift.places.get()))
            .bind(stored_shift_status(shift.status))
            .bind(shift.posted_by.0)
            .bind(At(shift.created_at))
            .bind(Texts(raw::requirement_names(&shift.required_credentials)))
            .bind(At(shift.released_at))
            .bind(shift.collaborative.map(|c| c.0 .0))
            .bind(shift.collaborative.map(|c| At(c.1)))
            .bind(shift.priority_window.num_minutes())
            .bind(shift.booking_mode.as_str())
            .bind(shift.cancellation_notice.num_minutes())
            .bind(i32::try_from(shift.premium.percent).unwrap_or(i32::MAX))
            .bind(shift.premium.override_reason.as_ref().map(Label::as_str))
            .bind(shift.premium.cap.map(|c| i32::try_from(c).unwrap_or(i32::MAX)))
            .execute(&mut *tx)
            .await
            .or_store()?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn shift(&self, id: ShiftId) -> Result<Option<Shift>, StoreError> {
        let sql = format!("SELECT {SHIFT_COLUMNS} FROM shifts WHERE id = $1");
        self.read_one(&sql, id.0, |r| decode(rows::shift(r)?)).await
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
            "SELECT {SHIFT_COLUMNS} FROM shifts WHERE (org_id {} OR ward_id {}) \
             AND starts_at > $3 AND (starts_at, id) > ($4, $5) ORDER BY starts_at, id LIMIT $6",
            in_ids(1),
            in_ids(2)
        );
        let rows = sqlx::query(&sql)
            .bind(Ids::of(orgs, |o| o.0))
            .bind(Ids::of(wards, |w| w.0))
            .bind(At(starts_after))
            .bind(At(after_start))
            .bind(after_id)
            .bind(i64::from(page.limit))
            .fetch_all(self.reader())
            .await
            .or_store()?;
        shifts(rows)
    }

    async fn open_shifts(&self, q: &OpenShiftQuery) -> Result<Vec<Shift>, StoreError> {
        let (family, rank) = grade_rank(q.grade);
        let (after_start, after_id) = cursor_parts(q.page.after, q.starts_after);
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts s WHERE (bank_id {banks} \
             OR collaborative_bank_id {banks}) AND {bookable} \
             AND staff_group = $3 AND grade_family = $4 \
             AND grade_min_rank <= $5 AND grade_max_rank >= $5 AND (starts_at, id) > ($6, $7) \
             AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.worker_id = $8 AND b.status = 'active' \
                             AND {}) \
             ORDER BY starts_at, id LIMIT $9",
            overlaps("s.starts_at", "s.ends_at"),
            banks = in_ids(1),
            bookable = bookable_now("$2"),
        );
        let rows = sqlx::query(&sql)
            .bind(Ids::of(&q.banks, |b| b.0))
            .bind(At(q.starts_after))
            .bind(q.staff_group.as_str())
            .bind(family)
            .bind(i32::try_from(rank).unwrap_or(0))
            .bind(At(after_start))
            .bind(after_id)
            .bind(q.worker_id.0)
            .bind(i64::from(q.page.limit))
            .fetch_all(self.reader())
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
        let r = request;
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM booking_requests \
             WHERE worker_id = $1 AND idempotency_key = $2"
        );
        let existing = sqlx::query(&sql)
            .bind(r.worker_id.0)
            .bind(&r.idempotency_key)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
        if let Some(row) = existing {
            let existing = request_row(&row)?;
            if existing.shift_id != r.shift_id {
                return Err(Conflict::IdempotencyKeyReused.into());
            }
            return Ok(RequestOutcome {
                request: existing,
                replayed: true,
            });
        }
        sqlx::query(
            "INSERT INTO booking_requests (id, shift_id, worker_id, status, idempotency_key, \
             created_at) VALUES ($1, $2, $3, 'pending', $4, $5)",
        )
        .bind(r.id.0)
        .bind(r.shift_id.0)
        .bind(r.worker_id.0)
        .bind(&r.idempotency_key)
        .bind(At(r.created_at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(RequestOutcome {
            request: r.clone(),
            replayed: false,
        })
    }

    async fn booking_request(&self, id: RequestId) -> Result<Option<BookingRequest>, StoreError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM booking_requests WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.reader())
            .await
            .or_store()?;
        row.as_ref().map(request_row).transpose()
    }

    async fn pending_requests(&self, org: OrgId) -> Result<Vec<BookingRequest>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS_OF_R} FROM booking_requests r JOIN shifts s ON s.id = r.shift_id \
             WHERE s.org_id = $1 AND r.status = 'pending' ORDER BY r.created_at, r.id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .fetch_all(self.reader())
            .await
            .or_store()?;
        rows.iter().map(request_row).collect()
    }

    async fn requests_of_worker(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<BookingRequest>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM booking_requests WHERE worker_id = $1 \
             ORDER BY created_at DESC, id"
        );
        let rows = sqlx::query(&sql)
            .bind(worker.0)
            .fetch_all(self.reader())
            .await
            .or_store()?;
        rows.iter().map(request_row).collect()
    }

    async fn decide_request(
        &self,
        id: RequestId,
        decision: &Decision,
        audit: &[AuditRecord],
        working_time: Option<&WorkingTimeCheck>,
    ) -> Result<BookingRequest, StoreError> {
        let mut tx = self.begin().await?;
        let sql =
            format!("SELECT {REQUEST_COLUMNS} FROM booking_requests WHERE id = $1{FOR_UPDATE}");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?
            .ok_or(StoreError::NotFound)?;
        let current = request_row(&row)?;
        if current.status != RequestStatus::Pending {
            return Err(Conflict::RequestDecided.into());
        }
        let (status, by, at, booking) = match decision {
            Decision::Approve { booking, by, at } => {
                let outcome = crate::booking::book_in(&mut tx, booking, working_time).await?;
                ("approved", by, at, Some(outcome.booking.id.0))
            }
            Decision::Decline { by, at } => ("declined", by, at, None),
            Decision::Withdraw { by, at } => ("withdrawn", by, at, None),
        };
        let sql = format!(
            "UPDATE booking_requests SET status = $1, decided_by = $2, decided_at = $3, \
             booking_id = $4 WHERE id = $5 RETURNING {REQUEST_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(status)
            .bind(by.0)
            .bind(At(*at))
            .bind(booking)
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .or_store()?;
        let decided = request_row(&row)?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(decided)
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
            "UPDATE bookings SET status = 'cancelled', cancelled_by = $1, cancelled_by_user = $2, \
             cancel_reason = $3, cancelled_at = $4, late_cancellation = $5 \
             WHERE id = $6 AND status = 'active'",
        )
        .bind(c.by.as_str())
        .bind(c.by_user.0)
        .bind(c.reason.as_str())
        .bind(At(c.at))
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
        super::offers::due_now(&mut tx, booking.shift_id, c.at).await?;
        if let Some(p) = payment {
            insert_payment(&mut tx, p, pay_line).await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(booking)
    }

    async fn cancellation_payments(
        &self,
        org: OrgId,
    ) -> Result<Vec<CancellationPayment>, StoreError> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(uuid::Uuid, uuid::Uuid, i64, At, Option<uuid::Uuid>)> = sqlx::query_as(
            "SELECT booking_id, worker_id, shift_minutes, created_at, pay_line_id \
             FROM cancellation_payments \
             WHERE org_id = $1 ORDER BY created_at, booking_id",
        )
        .bind(org.0)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        Ok(rows
            .into_iter()
            .map(
                |(booking, worker, minutes, at, line)| staffbank_store::CancellationPayment {
                    booking_id: staffbank_domain::BookingId(booking),
                    org_id: org,
                    worker_id: WorkerId(worker),
                    shift_minutes: minutes,
                    pay_line_id: line,
                    created_at: at.0,
                },
            )
            .collect())
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
            .fetch_optional(self.reader())
            .await
            .or_store()?;
        row.map(|r| decode(rows::booking(&r)?)).transpose()
    }

    async fn booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError> {
        let sql = format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1");
        self.read_one(&sql, id.0, |r| decode(rows::booking(r)?))
            .await
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
            .bind(At(after_start))
            .bind(after_id)
            .bind(i64::from(page.limit))
            .fetch_all(self.reader())
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
            .fetch_all(self.reader())
            .await
            .or_store()?;
        bookings(rows)
    }
}
