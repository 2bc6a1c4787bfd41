//! The Store trait over PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Transaction};
use staffbank_domain::credential_claims::RefresherPeriods;
use staffbank_domain::pay::export::ExportLine;
use staffbank_domain::pay::{PaySettings, Premium, RateCard};
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::release::{ReleasePolicy, Tier};
use staffbank_domain::text::Label;
use staffbank_domain::timesheet::TimesheetState;
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

fn decode<R, T: TryFrom<R, Error = anyhow::Error>>(raw: R) -> Result<T, StoreError> {
    T::try_from(raw).map_err(StoreError::Unexpected)
}

pub(crate) const SHIFT_COLUMNS: &str =
    "id, org_id, ward_id, bank_id, role, staff_group, grade_min, grade_max, \
     required_skills, starts_at, ends_at, places, booked, status, posted_by, created_at, \
     required_credentials, released_at, collaborative_bank_id, collaborative_at, \
     priority_window_minutes, booking_mode, cancellation_notice_minutes, agency_at, agency_by, \
     agency_reason, premium_percent, premium_override_reason";
pub(crate) const BOOKING_COLUMNS: &str =
    "id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, \
     created_at, cancelled_by, cancelled_by_user, cancel_reason, cancelled_at, late_cancellation";
/// [`BOOKING_COLUMNS`] of a booking joined as `b`.
const BOOKING_COLUMNS_OF_B: &str =
    "b.id, b.shift_id, b.worker_id, b.starts_at, b.ends_at, b.status, b.idempotency_key, \
     b.created_at, b.cancelled_by, b.cancelled_by_user, b.cancel_reason, b.cancelled_at, \
     b.late_cancellation";
const BANK_SELECT: &str = "SELECT b.id, b.name, b.kind, b.lead_org_id, \
     ARRAY(SELECT m.org_id FROM bank_members m WHERE m.bank_id = b.id ORDER BY m.org_id) AS members \
     FROM banks b";
/// A worker's columns (alias `w`), with the banks they belong to and those where they hold a
/// priority tier.
pub(crate) const WORKER_COLUMNS: &str = "w.*, ARRAY(SELECT m.bank_id FROM bank_memberships m \
     WHERE m.worker_id = w.id ORDER BY m.joined_at, m.bank_id) AS banks, \
     ARRAY(SELECT m.bank_id FROM bank_memberships m WHERE m.worker_id = w.id AND m.tier IS NOT NULL \
     ORDER BY m.bank_id) AS tiered";

pub(crate) fn shifts(rows: Vec<PgRow>) -> Result<Vec<Shift>, StoreError> {
    rows.iter().map(|r| decode(rows::shift(r)?)).collect()
}

fn bookings(rows: Vec<PgRow>) -> Result<Vec<Booking>, StoreError> {
    rows.iter().map(|r| decode(rows::booking(r)?)).collect()
}

impl PgStore {
    async fn load_user(&self, row: Option<PgRow>) -> Result<Option<User>, StoreError> {
        let Some(row) = row else { return Ok(None) };
        let id: Uuid = sqlx::Row::try_get(&row, "id").or_store()?;
        let grants =
            sqlx::query("SELECT role, scope_kind, scope_id FROM user_grants WHERE user_id = $1")
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .or_store()?
                .iter()
                .map(rows::grant)
                .collect::<Result<Vec<_>, _>>()?;
        decode(rows::user(&row, grants)?).map(Some)
    }
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
        crate::working_time::enforce(&mut **tx, booking, trust, check).await?;
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

async fn insert_user(
    tx: &mut Transaction<'static, Postgres>,
    user: &User,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.id.0)
    .bind(user.email.as_str())
    .bind(user.display_name.as_str())
    .bind(&user.password_hash)
    .bind(user.created_at)
    .execute(&mut **tx)
    .await
    .or_store()?;
    for grant in &user.grants {
        let (kind, id) = scope_parts(grant.scope);
        sqlx::query(
            "INSERT INTO user_grants (user_id, role, scope_kind, scope_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(user.id.0)
        .bind(grant.role.as_str())
        .bind(kind)
        .bind(id)
        .execute(&mut **tx)
        .await
        .or_store()?;
    }
    Ok(())
}

fn skill_names(skills: &[staffbank_domain::worker::Skill]) -> Vec<String> {
    skills.iter().map(|s| s.as_str().to_owned()).collect()
}

#[async_trait]
impl DirectoryStore for PgStore {
    async fn create_organisation(
        &self,
        org: &Organisation,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        sqlx::query("INSERT INTO organisations (id, ods_code, name, kind) VALUES ($1, $2, $3, $4)")
            .bind(org.id.0)
            .bind(org.ods_code.as_str())
            .bind(org.name.as_str())
            .bind(org.kind.as_str())
            .execute(&mut *tx)
            .await
            .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn organisation(&self, id: OrgId) -> Result<Option<Organisation>, StoreError> {
        let row = sqlx::query("SELECT id, ods_code, name, kind FROM organisations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.map(|r| decode(rows::organisation(&r)?)).transpose()
    }

    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query("SELECT id, ods_code, name, kind FROM organisations ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .or_store()?;
        rows.iter()
            .map(|r| decode(rows::organisation(r)?))
            .collect()
    }

    async fn create_site(&self, site: &Site, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        sqlx::query("INSERT INTO sites (id, org_id, name, lat, lon) VALUES ($1, $2, $3, $4, $5)")
            .bind(site.id.0)
            .bind(site.org_id.0)
            .bind(site.name.as_str())
            .bind(site.location.lat())
            .bind(site.location.lon())
            .execute(&mut *tx)
            .await
            .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn site(&self, id: SiteId) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query("SELECT id, org_id, name, lat, lon FROM sites WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.map(|r| decode(rows::site(&r)?)).transpose()
    }

    async fn sites(&self, org: OrgId) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, org_id, name, lat, lon FROM sites WHERE org_id = $1 ORDER BY name",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await
        .or_store()?;
        rows.iter().map(|r| decode(rows::site(r)?)).collect()
    }

    async fn create_ward(&self, ward: &Ward, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        sqlx::query(
            "INSERT INTO wards (id, site_id, org_id, name, instant_booking) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(ward.id.0)
        .bind(ward.site_id.0)
        .bind(ward.org_id.0)
        .bind(ward.name.as_str())
        .bind(ward.instant_booking)
            .execute(&mut *tx)
            .await
            .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn ward(&self, id: WardId) -> Result<Option<Ward>, StoreError> {
        let row = sqlx::query(
            "SELECT id, site_id, org_id, name, instant_booking FROM wards WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .or_store()?;
        row.map(|r| decode(rows::ward(&r)?)).transpose()
    }

    async fn wards(&self, org: OrgId) -> Result<Vec<Ward>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, site_id, org_id, name, instant_booking FROM wards WHERE org_id = $1 ORDER BY name",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await
        .or_store()?;
        rows.iter().map(|r| decode(rows::ward(r)?)).collect()
    }

    async fn create_bank(&self, bank: &Bank, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        sqlx::query("INSERT INTO banks (id, name, kind, lead_org_id) VALUES ($1, $2, $3, $4)")
            .bind(bank.id.0)
            .bind(bank.name.as_str())
            .bind(bank.kind.as_str())
            .bind(bank.lead_org_id.0)
            .execute(&mut *tx)
            .await
            .or_store()?;
        let members: Vec<Uuid> = bank.member_orgs.iter().map(|m| m.0).collect();
        sqlx::query(
            "INSERT INTO bank_members (bank_id, org_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        )
        .bind(bank.id.0)
        .bind(&members)
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn bank(&self, id: BankId) -> Result<Option<Bank>, StoreError> {
        let sql = format!("{BANK_SELECT} WHERE b.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.map(|r| decode(rows::bank(&r)?)).transpose()
    }

    async fn banks(&self) -> Result<Vec<Bank>, StoreError> {
        let sql = format!("{BANK_SELECT} ORDER BY b.name");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.or_store()?;
        rows.iter().map(|r| decode(rows::bank(r)?)).collect()
    }

    async fn create_user(&self, user: &User, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        insert_user(&mut tx, user).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn register_worker(
        &self,
        user: &User,
        worker: &Worker,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        insert_user(&mut tx, user).await?;
        sqlx::query(
            "INSERT INTO workers (id, user_id, display_name, staff_group, grade, pay_point, skills, \
             home_lat, home_lon, weekly_limit_opt_out, max_travel_km, shift_times) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(worker.id.0)
        .bind(worker.user_id.0)
        .bind(worker.display_name.as_str())
        .bind(worker.staff_group.as_str())
        .bind(worker.grade.as_str())
        .bind(i32::from(worker.pay_point))
        .bind(skill_names(&worker.skills))
        .bind(worker.home.map(|h| h.lat()))
        .bind(worker.home.map(|h| h.lon()))
        .bind(worker.weekly_limit_opt_out)
        .bind(worker.max_travel_km)
        .bind(worker.shift_times.as_str())
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        self.load_user(row).await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        self.load_user(row).await
    }

    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&session.token_hash)
            .bind(session.user_id.0)
            .bind(&session.csrf_token)
            .bind(session.expires_at)
            .execute(&self.pool)
            .await
            .or_store()
            .map(drop)
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        let row: Option<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .or_store()?;
        Ok(row.map(|(user_id, csrf_token, expires_at)| Session {
            token_hash: token_hash.to_owned(),
            user_id: UserId(user_id),
            csrf_token,
            expires_at,
        }))
    }

    async fn signed_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SignedIn>, StoreError> {
        crate::sessions::signed_in(&self.pool, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .or_store()
            .map(drop)
    }

    async fn worker(&self, id: WorkerId) -> Result<Option<Worker>, StoreError> {
        let sql = format!("SELECT {WORKER_COLUMNS} FROM workers w WHERE w.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.map(|r| decode(rows::worker(&r)?)).transpose()
    }

    async fn worker_for_user(&self, user: UserId) -> Result<Option<Worker>, StoreError> {
        let sql = format!("SELECT {WORKER_COLUMNS} FROM workers w WHERE w.user_id = $1");
        let row = sqlx::query(&sql)
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.map(|r| decode(rows::worker(&r)?)).transpose()
    }

    async fn join_bank(
        &self,
        worker: WorkerId,
        bank: BankId,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        sqlx::query(
            "INSERT INTO bank_memberships (worker_id, bank_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT (worker_id, bank_id) DO NOTHING",
        )
        .bind(worker.0)
        .bind(bank.0)
        .bind(at)
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn set_weekly_limit_opt_out(
        &self,
        worker: WorkerId,
        opted_out: bool,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        let changed = sqlx::query("UPDATE workers SET weekly_limit_opt_out = $1 WHERE id = $2")
            .bind(opted_out)
            .bind(worker.0)
            .execute(&mut *tx)
            .await
            .or_store()?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn set_preferences(
        &self,
        worker: WorkerId,
        max_travel_km: Option<f64>,
        shift_times: ShiftTimes,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::matching::set_preferences(&self.pool, worker, max_travel_km, shift_times, audit)
            .await
    }
}

#[async_trait]
impl ShiftStore for PgStore {
    async fn worked_between(
        &self,
        worker: WorkerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Worked>, StoreError> {
        crate::working_time::worked(&self.pool, worker, from, to).await
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
impl PassportStore for PgStore {
    async fn record_credential(
        &self,
        credential: &Credential,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::credentials::record(&self.pool, credential, audit).await
    }

    async fn revoke_credential(
        &self,
        id: CredentialId,
        by: UserId,
        reason: &Label,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<Credential, StoreError> {
        crate::credentials::revoke(&self.pool, id, by, reason, at, audit).await
    }

    async fn credential(&self, id: CredentialId) -> Result<Option<Credential>, StoreError> {
        crate::credentials::one(&self.pool, id).await
    }

    async fn credentials_of(&self, worker: WorkerId) -> Result<Vec<Credential>, StoreError> {
        crate::credentials::of_worker(&self.pool, worker).await
    }

    async fn rotate_issuer_key(
        &self,
        key: &IssuerKey,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::issuers::rotate(&self.pool, key, audit).await
    }

    async fn issuer_keys(&self, org: OrgId) -> Result<Vec<IssuerKey>, StoreError> {
        crate::issuers::keys(&self.pool, org).await
    }

    async fn set_trusted_issuer(
        &self,
        entry: &TrustEntry,
        trusted: bool,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::issuers::set_trusted(&self.pool, entry, trusted, audit).await
    }

    async fn trust_framework(&self) -> Result<Vec<TrustEntry>, StoreError> {
        crate::issuers::framework(&self.pool).await
    }

    async fn refresher_periods(&self) -> Result<RefresherPeriods, StoreError> {
        crate::refreshers::read(&self.pool).await
    }

    async fn set_refresher_periods(
        &self,
        periods: &RefresherPeriods,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::refreshers::replace(&self.pool, periods, audit).await
    }

    async fn offer_passport_credential(
        &self,
        credential: &PassportCredential,
        indices: &[u32],
        audit: &[AuditRecord],
    ) -> Result<PassportCredential, StoreError> {
        crate::issuers::offer(&self.pool, credential, indices, audit).await
    }

    async fn passport_credential(
        &self,
        id: Uuid,
    ) -> Result<Option<PassportCredential>, StoreError> {
        crate::issuers::one(&self.pool, id).await
    }

    async fn passport_credentials_of(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<PassportCredential>, StoreError> {
        crate::issuers::of_worker(&self.pool, worker).await
    }

    async fn decide_passport_offer(
        &self,
        id: Uuid,
        accepted: Option<(&str, &str, &Credential)>,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::issuers::decide(&self.pool, id, accepted, at, audit).await
    }

    async fn set_passport_revocation(
        &self,
        change: &RevocationChange<'_>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::issuers::set_revocation(&self.pool, change, audit).await
    }

    async fn passport_revocations(
        &self,
        org: OrgId,
    ) -> Result<Vec<(u32, RevocationState)>, StoreError> {
        crate::issuers::revocations(&self.pool, org).await
    }

    async fn create_presentation_request(
        &self,
        request: &PresentationRequest,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::presentations::create(&self.pool, request, audit).await
    }

    async fn presentation_request(
        &self,
        id: Uuid,
    ) -> Result<Option<PresentationRequest>, StoreError> {
        crate::presentations::one(&self.pool, id).await
    }

    async fn presentation_requests_of(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<PresentationRequest>, StoreError> {
        crate::presentations::of_worker(&self.pool, worker).await
    }

    async fn answer_presentation_request(
        &self,
        id: Uuid,
        state: RequestState,
        result: Option<&str>,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::presentations::answer(&self.pool, id, state, result, at, audit).await
    }
}

#[async_trait]
impl PayStore for PgStore {
    async fn create_timesheet(
        &self,
        timesheet: &Timesheet,
        audit: &[AuditRecord],
    ) -> Result<Timesheet, StoreError> {
        crate::timesheets::create(&self.pool, timesheet, audit).await
    }

    async fn timesheet(&self, id: Uuid) -> Result<Option<Timesheet>, StoreError> {
        crate::timesheets::one(&self.pool, id).await
    }

    async fn timesheet_for_booking(
        &self,
        booking: BookingId,
    ) -> Result<Option<Timesheet>, StoreError> {
        crate::timesheets::for_booking(&self.pool, booking).await
    }

    async fn update_timesheet(
        &self,
        timesheet: &Timesheet,
        from: &[TimesheetState],
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::timesheets::update(&self.pool, timesheet, from, audit).await
    }

    async fn approve_timesheet(
        &self,
        timesheet: &Timesheet,
        pay: &PayLineRecord,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::timesheets::approve(&self.pool, timesheet, pay, audit).await
    }

    async fn timesheets_of_org(
        &self,
        org: OrgId,
        state: TimesheetState,
    ) -> Result<Vec<Timesheet>, StoreError> {
        crate::timesheets::of_org(&self.pool, org, state).await
    }

    async fn pay_lines_of(&self, worker: WorkerId) -> Result<Vec<PayLineRecord>, StoreError> {
        crate::payroll::pay_lines_of(&self.pool, worker).await
    }

    async fn add_adjustment(
        &self,
        line: &PayLineRecord,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::payroll::add_adjustment(&self.pool, line, audit).await
    }

    async fn rate_card(&self, bank: BankId) -> Result<Option<RateCard>, StoreError> {
        crate::payroll::rate_card(&self.pool, bank).await
    }

    async fn set_rate_card(
        &self,
        bank: BankId,
        card: &RateCard,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::payroll::set_rate_card(&self.pool, bank, card, audit).await
    }

    async fn pay_settings(&self, org: OrgId) -> Result<Option<PaySettings>, StoreError> {
        crate::payroll::pay_settings(&self.pool, org).await
    }

    async fn set_pay_settings(
        &self,
        org: OrgId,
        settings: &PaySettings,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::payroll::set_pay_settings(&self.pool, org, settings, audit).await
    }

    async fn close_pay_run(
        &self,
        run: &PayRun,
        file_name: &str,
        audit: &[AuditRecord],
    ) -> Result<PayRun, StoreError> {
        crate::payroll::close_run(&self.pool, run, file_name, audit).await
    }

    async fn pay_run(&self, id: Uuid) -> Result<Option<(PayRun, PayExport)>, StoreError> {
        crate::payroll::run(&self.pool, id).await
    }

    async fn pay_runs_of(&self, org: OrgId) -> Result<Vec<(PayRun, PayExport)>, StoreError> {
        crate::payroll::runs_of(&self.pool, org).await
    }

    async fn pending_exports(&self, limit: i64) -> Result<Vec<(PayRun, PayExport)>, StoreError> {
        crate::payroll::pending_exports(&self.pool, limit).await
    }

    async fn export_lines(&self, run: Uuid) -> Result<Vec<ExportLine>, StoreError> {
        crate::payroll::export_lines(&self.pool, run).await
    }

    async fn mark_exported(
        &self,
        export: &PayExport,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        crate::payroll::mark_exported(&self.pool, export, audit).await
    }

    async fn draw_advance(
        &self,
        advance: &Advance,
        share_percent: u32,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::payroll::draw_advance(&self.pool, advance, share_percent, audit).await
    }

    async fn advances_of(&self, worker: WorkerId) -> Result<Vec<Advance>, StoreError> {
        crate::payroll::advances_of(&self.pool, worker).await
    }
}

/// Keyset position: rows strictly after (start, id); with no cursor, everything after `floor`.
fn cursor_parts(after: Option<Cursor>, floor: DateTime<Utc>) -> (DateTime<Utc>, Uuid) {
    match after {
        Some(c) => (c.start, c.id),
        None => (floor, Uuid::max()),
    }
}
