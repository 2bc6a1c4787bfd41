//! The Store trait over SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Sqlite, Transaction};
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
use crate::rows::{self, json_list, ms};
use crate::SqliteStore;

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

pub(crate) fn shifts(rows: Vec<SqliteRow>) -> Result<Vec<Shift>, StoreError> {
    rows.iter().map(|r| decode(rows::shift(r)?)).collect()
}

fn bookings(rows: Vec<SqliteRow>) -> Result<Vec<Booking>, StoreError> {
    rows.iter().map(|r| decode(rows::booking(r)?)).collect()
}

impl SqliteStore {
    async fn load_bank(&self, row: SqliteRow) -> Result<Bank, StoreError> {
        let id: Uuid = sqlx::Row::try_get(&row, "id").or_store()?;
        let members: Vec<Uuid> =
            sqlx::query_scalar("SELECT org_id FROM bank_members WHERE bank_id = ? ORDER BY org_id")
                .bind(id)
                .fetch_all(&self.reader)
                .await
                .or_store()?;
        decode(staffbank_store::raw::RawBank {
            id,
            name: sqlx::Row::try_get(&row, "name").or_store()?,
            kind: sqlx::Row::try_get(&row, "kind").or_store()?,
            lead_org_id: sqlx::Row::try_get(&row, "lead_org_id").or_store()?,
            members,
        })
    }

    async fn load_user(&self, row: Option<SqliteRow>) -> Result<Option<User>, StoreError> {
        let Some(row) = row else { return Ok(None) };
        let id: Uuid = sqlx::Row::try_get(&row, "id").or_store()?;
        let grants =
            sqlx::query("SELECT role, scope_kind, scope_id FROM user_grants WHERE user_id = ?")
                .bind(id)
                .fetch_all(&self.reader)
                .await
                .or_store()?
                .iter()
                .map(rows::grant)
                .collect::<Result<Vec<_>, _>>()?;
        decode(rows::user(&row, grants)?).map(Some)
    }

    async fn load_worker(&self, row: Option<SqliteRow>) -> Result<Option<Worker>, StoreError> {
        let Some(row) = row else { return Ok(None) };
        let id: Uuid = sqlx::Row::try_get(&row, "id").or_store()?;
        let banks: Vec<Uuid> = sqlx::query_scalar(
            "SELECT bank_id FROM bank_memberships WHERE worker_id = ? ORDER BY joined_at, bank_id",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await
        .or_store()?;
        let tiered: Vec<Uuid> = sqlx::query_scalar(
            "SELECT bank_id FROM bank_memberships WHERE worker_id = ? AND tier IS NOT NULL \
             ORDER BY bank_id",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await
        .or_store()?;
        decode(rows::worker(&row, banks, tiered)?).map(Some)
    }
}

async fn insert_user(tx: &mut Transaction<'static, Sqlite>, user: &User) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(user.id.0)
    .bind(user.email.as_str())
    .bind(user.display_name.as_str())
    .bind(&user.password_hash)
    .bind(ms(user.created_at))
    .execute(&mut **tx)
    .await
    .or_store()?;
    for grant in &user.grants {
        let (kind, id) = scope_parts(grant.scope);
        sqlx::query(
            "INSERT INTO user_grants (user_id, role, scope_kind, scope_id) VALUES (?, ?, ?, ?)",
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
        crate::working_time::enforce(&mut **tx, booking, trust, check).await?;
    }
    // The worker's bookings version moves on with every booking (see [`crate::booking`]).
    bind_new_booking(
        sqlx::query(
        "INSERT INTO bookings (id, shift_id, worker_id, starts_at, ends_at, status, idempotency_key, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7); \
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
impl DirectoryStore for SqliteStore {
    async fn create_organisation(
        &self,
        org: &Organisation,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO organisations (id, ods_code, name, kind) VALUES (?, ?, ?, ?)")
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
        let row = sqlx::query("SELECT id, ods_code, name, kind FROM organisations WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        row.map(|r| decode(rows::organisation(&r)?)).transpose()
    }

    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query("SELECT id, ods_code, name, kind FROM organisations ORDER BY name")
            .fetch_all(&self.reader)
            .await
            .or_store()?;
        rows.iter()
            .map(|r| decode(rows::organisation(r)?))
            .collect()
    }

    async fn create_site(&self, site: &Site, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO sites (id, org_id, name, lat, lon) VALUES (?, ?, ?, ?, ?)")
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
        let row = sqlx::query("SELECT id, org_id, name, lat, lon FROM sites WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        row.map(|r| decode(rows::site(&r)?)).transpose()
    }

    async fn sites(&self, org: OrgId) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, org_id, name, lat, lon FROM sites WHERE org_id = ? ORDER BY name",
        )
        .bind(org.0)
        .fetch_all(&self.reader)
        .await
        .or_store()?;
        rows.iter().map(|r| decode(rows::site(r)?)).collect()
    }

    async fn create_ward(&self, ward: &Ward, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO wards (id, site_id, org_id, name, instant_booking) VALUES (?, ?, ?, ?, ?)",
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
            "SELECT id, site_id, org_id, name, instant_booking FROM wards WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .or_store()?;
        row.map(|r| decode(rows::ward(&r)?)).transpose()
    }

    async fn wards(&self, org: OrgId) -> Result<Vec<Ward>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, site_id, org_id, name, instant_booking FROM wards WHERE org_id = ? ORDER BY name",
        )
        .bind(org.0)
        .fetch_all(&self.reader)
        .await
        .or_store()?;
        rows.iter().map(|r| decode(rows::ward(r)?)).collect()
    }

    async fn create_bank(&self, bank: &Bank, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO banks (id, name, kind, lead_org_id) VALUES (?, ?, ?, ?)")
            .bind(bank.id.0)
            .bind(bank.name.as_str())
            .bind(bank.kind.as_str())
            .bind(bank.lead_org_id.0)
            .execute(&mut *tx)
            .await
            .or_store()?;
        for member in &bank.member_orgs {
            sqlx::query("INSERT OR IGNORE INTO bank_members (bank_id, org_id) VALUES (?, ?)")
                .bind(bank.id.0)
                .bind(member.0)
                .execute(&mut *tx)
                .await
                .or_store()?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn bank(&self, id: BankId) -> Result<Option<Bank>, StoreError> {
        let row = sqlx::query("SELECT id, name, kind, lead_org_id FROM banks WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        match row {
            Some(row) => self.load_bank(row).await.map(Some),
            None => Ok(None),
        }
    }

    async fn banks(&self) -> Result<Vec<Bank>, StoreError> {
        let rows = sqlx::query("SELECT id, name, kind, lead_org_id FROM banks ORDER BY name")
            .fetch_all(&self.reader)
            .await
            .or_store()?;
        let mut banks = Vec::with_capacity(rows.len());
        for row in rows {
            banks.push(self.load_bank(row).await?);
        }
        Ok(banks)
    }

    async fn create_user(&self, user: &User, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
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
        let mut tx = self.begin().await?;
        insert_user(&mut tx, user).await?;
        sqlx::query(
            "INSERT INTO workers (id, user_id, display_name, staff_group, grade, pay_point, skills, \
             home_lat, home_lon, weekly_limit_opt_out, max_travel_km, shift_times) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(worker.id.0)
        .bind(worker.user_id.0)
        .bind(worker.display_name.as_str())
        .bind(worker.staff_group.as_str())
        .bind(worker.grade.as_str())
        .bind(i64::from(worker.pay_point))
        .bind(json_list(&worker.skills.iter().map(|s| s.as_str()).collect::<Vec<_>>()))
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
        let row = sqlx::query("SELECT * FROM users WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        self.load_user(row).await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        self.load_user(row).await
    }

    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&session.token_hash)
            .bind(session.user_id.0)
            .bind(&session.csrf_token)
            .bind(ms(session.expires_at))
            .execute(&mut *tx)
            .await
            .or_store()?;
        tx.commit().await.or_store()
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        let row: Option<(Uuid, String, i64)> = sqlx::query_as(
            "SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?",
        )
        .bind(token_hash)
        .bind(ms(now))
        .fetch_optional(&self.reader)
        .await
        .or_store()?;
        Ok(row.and_then(|(user_id, csrf_token, expires)| {
            Some(Session {
                token_hash: token_hash.to_owned(),
                user_id: UserId(user_id),
                csrf_token,
                expires_at: DateTime::from_timestamp_millis(expires)?,
            })
        }))
    }

    async fn signed_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SignedIn>, StoreError> {
        crate::sessions::signed_in(&self.reader, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&mut *tx)
            .await
            .or_store()?;
        tx.commit().await.or_store()
    }

    async fn worker(&self, id: WorkerId) -> Result<Option<Worker>, StoreError> {
        let row = sqlx::query("SELECT * FROM workers WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        self.load_worker(row).await
    }

    async fn worker_for_user(&self, user: UserId) -> Result<Option<Worker>, StoreError> {
        let row = sqlx::query("SELECT * FROM workers WHERE user_id = ?")
            .bind(user.0)
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        self.load_worker(row).await
    }

    async fn join_bank(
        &self,
        worker: WorkerId,
        bank: BankId,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO bank_memberships (worker_id, bank_id, joined_at) VALUES (?, ?, ?) \
             ON CONFLICT (worker_id, bank_id) DO NOTHING",
        )
        .bind(worker.0)
        .bind(bank.0)
        .bind(ms(at))
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
        let mut tx = self.begin().await?;
        let changed = sqlx::query("UPDATE workers SET weekly_limit_opt_out = ? WHERE id = ?")
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
        crate::matching::set_preferences(self, worker, max_travel_km, shift_times, audit).await
    }
}

#[async_trait]
impl ShiftStore for SqliteStore {
    async fn worked_between(
        &self,
        worker: WorkerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Worked>, StoreError> {
        crate::working_time::worked(&self.reader, worker, from, to).await
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
impl PassportStore for SqliteStore {
    async fn record_credential(
        &self,
        credential: &Credential,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::credentials::record(self, credential, audit).await
    }

    async fn revoke_credential(
        &self,
        id: CredentialId,
        by: UserId,
        reason: &Label,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<Credential, StoreError> {
        crate::credentials::revoke(self, id, by, reason, at, audit).await
    }

    async fn credential(&self, id: CredentialId) -> Result<Option<Credential>, StoreError> {
        crate::credentials::one(&self.reader, id).await
    }

    async fn credentials_of(&self, worker: WorkerId) -> Result<Vec<Credential>, StoreError> {
        crate::credentials::of_worker(&self.reader, worker).await
    }

    async fn rotate_issuer_key(
        &self,
        key: &IssuerKey,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::issuers::rotate(self, key, audit).await
    }

    async fn issuer_keys(&self, org: OrgId) -> Result<Vec<IssuerKey>, StoreError> {
        crate::issuers::keys(&self.reader, org).await
    }

    async fn set_trusted_issuer(
        &self,
        entry: &TrustEntry,
        trusted: bool,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::issuers::set_trusted(self, entry, trusted, audit).await
    }

    async fn trust_framework(&self) -> Result<Vec<TrustEntry>, StoreError> {
        crate::issuers::framework(&self.reader).await
    }

    async fn refresher_periods(&self) -> Result<RefresherPeriods, StoreError> {
        crate::refreshers::read(&self.reader).await
    }

    async fn set_refresher_periods(
        &self,
        periods: &RefresherPeriods,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::refreshers::replace(self, periods, audit).await
    }

    async fn offer_passport_credential(
        &self,
        credential: &PassportCredential,
        indices: &[u32],
        audit: &[AuditRecord],
    ) -> Result<PassportCredential, StoreError> {
        crate::issuers::offer(self, credential, indices, audit).await
    }

    async fn passport_credential(
        &self,
        id: Uuid,
    ) -> Result<Option<PassportCredential>, StoreError> {
        crate::issuers::one(&self.reader, id).await
    }

    async fn passport_credentials_of(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<PassportCredential>, StoreError> {
        crate::issuers::of_worker(&self.reader, worker).await
    }

    async fn decide_passport_offer(
        &self,
        id: Uuid,
        accepted: Option<(&str, &str, &Credential)>,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::issuers::decide(self, id, accepted, at, audit).await
    }

    async fn set_passport_revocation(
        &self,
        change: &RevocationChange<'_>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::issuers::set_revocation(self, change, audit).await
    }

    async fn passport_revocations(
        &self,
        org: OrgId,
    ) -> Result<Vec<(u32, RevocationState)>, StoreError> {
        crate::issuers::revocations(&self.reader, org).await
    }

    async fn create_presentation_request(
        &self,
        request: &PresentationRequest,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::presentations::create(self, request, audit).await
    }

    async fn presentation_request(
        &self,
        id: Uuid,
    ) -> Result<Option<PresentationRequest>, StoreError> {
        crate::presentations::one(&self.reader, id).await
    }

    async fn presentation_requests_of(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<PresentationRequest>, StoreError> {
        crate::presentations::of_worker(&self.reader, worker).await
    }

    async fn answer_presentation_request(
        &self,
        id: Uuid,
        state: RequestState,
        result: Option<&str>,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::presentations::answer(self, id, state, result, at, audit).await
    }
}

#[async_trait]
impl PayStore for SqliteStore {
    async fn create_timesheet(
        &self,
        timesheet: &Timesheet,
        audit: &[AuditRecord],
    ) -> Result<Timesheet, StoreError> {
        crate::timesheets::create(self, timesheet, audit).await
    }

    async fn timesheet(&self, id: Uuid) -> Result<Option<Timesheet>, StoreError> {
        crate::timesheets::one(&self.reader, id).await
    }

    async fn timesheet_for_booking(
        &self,
        booking: BookingId,
    ) -> Result<Option<Timesheet>, StoreError> {
        crate::timesheets::for_booking(&self.reader, booking).await
    }

    async fn update_timesheet(
        &self,
        timesheet: &Timesheet,
        from: &[TimesheetState],
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::timesheets::update(self, timesheet, from, audit).await
    }

    async fn approve_timesheet(
        &self,
        timesheet: &Timesheet,
        pay: &PayLineRecord,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::timesheets::approve(self, timesheet, pay, audit).await
    }

    async fn timesheets_of_org(
        &self,
        org: OrgId,
        state: TimesheetState,
    ) -> Result<Vec<Timesheet>, StoreError> {
        crate::timesheets::of_org(&self.reader, org, state).await
    }

    async fn pay_lines_of(&self, worker: WorkerId) -> Result<Vec<PayLineRecord>, StoreError> {
        crate::payroll::pay_lines_of(&self.reader, worker).await
    }

    async fn add_adjustment(
        &self,
        line: &PayLineRecord,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::payroll::add_adjustment(self, line, audit).await
    }

    async fn rate_card(&self, bank: BankId) -> Result<Option<RateCard>, StoreError> {
        crate::payroll::rate_card(&self.reader, bank).await
    }

    async fn set_rate_card(
        &self,
        bank: BankId,
        card: &RateCard,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::payroll::set_rate_card(self, bank, card, audit).await
    }

    async fn pay_settings(&self, org: OrgId) -> Result<Option<PaySettings>, StoreError> {
        crate::payroll::pay_settings(&self.reader, org).await
    }

    async fn set_pay_settings(
        &self,
        org: OrgId,
        settings: &PaySettings,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::payroll::set_pay_settings(self, org, settings, audit).await
    }

    async fn close_pay_run(
        &self,
        run: &PayRun,
        file_name: &str,
        audit: &[AuditRecord],
    ) -> Result<PayRun, StoreError> {
        crate::payroll::close_run(self, run, file_name, audit).await
    }

    async fn pay_run(&self, id: Uuid) -> Result<Option<(PayRun, PayExport)>, StoreError> {
        crate::payroll::run(&self.reader, id).await
    }

    async fn pay_runs_of(&self, org: OrgId) -> Result<Vec<(PayRun, PayExport)>, StoreError> {
        crate::payroll::runs_of(&self.reader, org).await
    }

    async fn pending_exports(&self, limit: i64) -> Result<Vec<(PayRun, PayExport)>, StoreError> {
        crate::payroll::pending_exports(&self.reader, limit).await
    }

    async fn export_lines(&self, run: Uuid) -> Result<Vec<ExportLine>, StoreError> {
        crate::payroll::export_lines(&self.reader, run).await
    }

    async fn mark_exported(
        &self,
        export: &PayExport,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        crate::payroll::mark_exported(self, export, audit).await
    }

    async fn draw_advance(
        &self,
        advance: &Advance,
        share_percent: u32,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        crate::payroll::draw_advance(self, advance, share_percent, audit).await
    }

    async fn advances_of(&self, worker: WorkerId) -> Result<Vec<Advance>, StoreError> {
        crate::payroll::advances_of(&self.reader, worker).await
    }
}

/// Keyset position: items strictly after (start, id); with no cursor, everything after `floor`.
fn cursor_parts(after: Option<Cursor>, floor: DateTime<Utc>) -> (i64, Uuid) {
    match after {
        Some(c) => (ms(c.start), c.id),
        None => (ms(floor), Uuid::max()),
    }
}
