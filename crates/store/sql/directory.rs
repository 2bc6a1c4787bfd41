//! Organisations, sites, wards, banks, users with their sessions, and worker profiles.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::availability::Availability;
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::*;
use staffbank_store::raw::{availability, availability_dates, scope_parts};
use staffbank_store::{
    AuditRecord, Bank, DirectoryStore, FoundWorker, Organisation, Session, SignedIn, Site,
    StoreError, User, Ward, Worker, WorkerSearch,
};
use uuid::Uuid;

use super::decode;
use super::rows::{self, BANK_SELECT, WORKER_COLUMNS};
use super::types::{At, Ids, Texts};
use crate::db::{in_ids, DbRow, ThisStore, Tx};
use crate::ledger::insert_audit;
use crate::sql::OrStore;

impl ThisStore {
    /// A user row with its grants.
    async fn load_user(&self, row: Option<DbRow>) -> Result<Option<User>, StoreError> {
        let Some(row) = row else { return Ok(None) };
        let id: Uuid = super::get(&row, "id")?;
        let grants =
            sqlx::query("SELECT role, scope_kind, scope_id FROM user_grants WHERE user_id = $1")
                .bind(id)
                .fetch_all(self.reader())
                .await
                .or_store()?
                .iter()
                .map(rows::grant)
                .collect::<Result<Vec<_>, _>>()?;
        decode(rows::user(&row, grants)?).map(Some)
    }
}

/// Adds a user with their grants inside a transaction.
async fn insert_user(tx: &mut Tx, user: &User) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.id.0)
    .bind(user.email.as_str())
    .bind(user.display_name.as_str())
    .bind(&user.password_hash)
    .bind(At(user.created_at))
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

/// Adds a worker profile inside a transaction.
async fn insert_worker(tx: &mut Tx, worker: &Worker) -> Result<(), StoreError> {
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
    .bind(Texts::of(worker.skills.iter().map(|s| s.as_str())))
    .bind(worker.home.map(|h| h.lat()))
    .bind(worker.home.map(|h| h.lon()))
    .bind(worker.weekly_limit_opt_out)
    .bind(worker.max_travel_km)
    .bind(worker.shift_times.as_str())
    .execute(&mut **tx)
    .await
    .or_store()?;
    Ok(())
}

#[async_trait]
impl DirectoryStore for ThisStore {
    async fn create_organisation(
        &self,
        org: &Organisation,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO organisations (id, ods_code, name, kind) VALUES ($1, $2, $3, $4)",
        )
        .bind(org.id.0)
        .bind(org.ods_code.as_str())
        .bind(org.name.as_str())
        .bind(org.kind.as_str());
        self.write_audited(query, audit).await
    }

    async fn organisation(&self, id: OrgId) -> Result<Option<Organisation>, StoreError> {
        self.read_one(
            "SELECT id, ods_code, name, kind FROM organisations WHERE id = $1",
            id.0,
            |r| decode(rows::organisation(r)?),
        )
        .await
    }

    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query("SELECT id, ods_code, name, kind FROM organisations ORDER BY name")
            .fetch_all(self.reader())
            .await
            .or_store()?;
        rows.iter()
            .map(|r| decode(rows::organisation(r)?))
            .collect()
    }

    async fn create_site(&self, site: &Site, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO sites (id, org_id, name, lat, lon) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(site.id.0)
        .bind(site.org_id.0)
        .bind(site.name.as_str())
        .bind(site.location.lat())
        .bind(site.location.lon());
        self.write_audited(query, audit).await
    }

    async fn site(&self, id: SiteId) -> Result<Option<Site>, StoreError> {
        self.read_one(
            "SELECT id, org_id, name, lat, lon FROM sites WHERE id = $1",
            id.0,
            |r| decode(rows::site(r)?),
        )
        .await
    }

    async fn sites(&self, org: OrgId) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, org_id, name, lat, lon FROM sites WHERE org_id = $1 ORDER BY name",
        )
        .bind(org.0)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        rows.iter().map(|r| decode(rows::site(r)?)).collect()
    }

    async fn create_ward(&self, ward: &Ward, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO wards (id, site_id, org_id, name, instant_booking) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(ward.id.0)
        .bind(ward.site_id.0)
        .bind(ward.org_id.0)
        .bind(ward.name.as_str())
        .bind(ward.instant_booking);
        self.write_audited(query, audit).await
    }

    async fn update_ward(&self, ward: &Ward, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // The site must be the ward's own trust's: checked in the same statement.
        let changed = sqlx::query(
            "UPDATE wards SET name = $1, site_id = $2 WHERE id = $3 AND org_id = $4 \
             AND EXISTS (SELECT 1 FROM sites WHERE sites.id = $2 AND sites.org_id = $4)",
        )
        .bind(ward.name.as_str())
        .bind(ward.site_id.0)
        .bind(ward.id.0)
        .bind(ward.org_id.0)
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

    async fn ward(&self, id: WardId) -> Result<Option<Ward>, StoreError> {
        let row = sqlx::query(
            "SELECT id, site_id, org_id, name, instant_booking FROM wards WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        row.map(|r| decode(rows::ward(&r)?)).transpose()
    }

    async fn wards(&self, org: OrgId) -> Result<Vec<Ward>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, site_id, org_id, name, instant_booking FROM wards WHERE org_id = $1 ORDER BY name",
        )
        .bind(org.0)
        .fetch_all(self.reader())
        .await
        .or_store()?;
        rows.iter().map(|r| decode(rows::ward(r)?)).collect()
    }

    async fn create_bank(&self, bank: &Bank, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO banks (id, name, kind, lead_org_id) VALUES ($1, $2, $3, $4)")
            .bind(bank.id.0)
            .bind(bank.name.as_str())
            .bind(bank.kind.as_str())
            .bind(bank.lead_org_id.0)
            .execute(&mut *tx)
            .await
            .or_store()?;
        for member in &bank.member_orgs {
            sqlx::query(
                "INSERT INTO bank_members (bank_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
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
        let sql = format!("{} WHERE b.id = $1", *BANK_SELECT);
        self.read_one(&sql, id.0, |r| decode(rows::bank(r)?)).await
    }

    async fn banks(&self) -> Result<Vec<Bank>, StoreError> {
        let sql = format!("{} ORDER BY b.name", *BANK_SELECT);
        let rows = sqlx::query(&sql)
            .fetch_all(self.reader())
            .await
            .or_store()?;
        rows.iter().map(|r| decode(rows::bank(r)?)).collect()
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
        insert_worker(&mut tx, worker).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn register_unconfirmed_worker(
        &self,
        user: &User,
        worker: &Worker,
        confirmation: &staffbank_store::AccountConfirmation,
        now: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<UserId, StoreError> {
        let mut tx = self.begin().await?;
        let existing: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
            .bind(user.email.as_str())
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
        let id = match existing {
            Some((id,)) => {
                let lapsed: Option<(Uuid,)> = sqlx::query_as(
                    "SELECT user_id FROM account_confirmations \
                     WHERE user_id = $1 AND expires_at <= $2",
                )
                .bind(id)
                .bind(At(now))
                .fetch_optional(&mut *tx)
                .await
                .or_store()?;
                if lapsed.is_none() {
                    return Err(StoreError::Conflict(staffbank_store::Conflict::EmailTaken));
                }
                sqlx::query("UPDATE users SET display_name = $1, password_hash = $2 WHERE id = $3")
                    .bind(user.display_name.as_str())
                    .bind(&user.password_hash)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .or_store()?;
                sqlx::query(
                    "UPDATE workers SET display_name = $1, staff_group = $2, grade = $3, \
                     pay_point = $4, skills = $5, home_lat = $6, home_lon = $7 WHERE user_id = $8",
                )
                .bind(worker.display_name.as_str())
                .bind(worker.staff_group.as_str())
                .bind(worker.grade.as_str())
                .bind(i32::from(worker.pay_point))
                .bind(Texts::of(worker.skills.iter().map(|s| s.as_str())))
                .bind(worker.home.map(|h| h.lat()))
                .bind(worker.home.map(|h| h.lon()))
                .bind(id)
                .execute(&mut *tx)
                .await
                .or_store()?;
                sqlx::query(
                    "UPDATE account_confirmations SET token_hash = $1, expires_at = $2 \
                     WHERE user_id = $3",
                )
                .bind(&confirmation.token_hash)
                .bind(At(confirmation.expires_at))
                .bind(id)
                .execute(&mut *tx)
                .await
                .or_store()?;
                UserId(id)
            }
            None => {
                insert_user(&mut tx, user).await?;
                insert_worker(&mut tx, worker).await?;
                sqlx::query(
                    "INSERT INTO account_confirmations (user_id, token_hash, expires_at) \
                     VALUES ($1, $2, $3)",
                )
                .bind(user.id.0)
                .bind(&confirmation.token_hash)
                .bind(At(confirmation.expires_at))
                .execute(&mut *tx)
                .await
                .or_store()?;
                user.id
            }
        };
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(id)
    }

    async fn account_to_confirm(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError> {
        let row: Option<(Uuid,)> = sqlx::query_as(
            "SELECT user_id FROM account_confirmations WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(At(now))
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        Ok(row.map(|(id,)| UserId(id)))
    }

    async fn confirm_account(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let used = sqlx::query(
            "DELETE FROM account_confirmations WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(At(now))
        .execute(&mut *tx)
        .await
        .or_store()?;
        if used.rows_affected() != 1 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(true)
    }

    async fn account_unconfirmed(&self, user: UserId) -> Result<bool, StoreError> {
        let row: Option<(Uuid,)> =
            sqlx::query_as("SELECT user_id FROM account_confirmations WHERE user_id = $1")
                .bind(user.0)
                .fetch_optional(self.reader())
                .await
                .or_store()?;
        Ok(row.is_some())
    }

    async fn import_keys(
        &self,
        org: OrgId,
        emails: &[String],
        assignments: &[String],
    ) -> Result<staffbank_store::ImportKeys, StoreError> {
        self.read_import_keys(org, emails, assignments).await
    }

    async fn import_workers(
        &self,
        org: OrgId,
        workers: &[staffbank_store::ImportedWorker],
        audit: &[AuditRecord],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<(), StoreError> {
        self.write_imported_workers(org, workers, audit, progress)
            .await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(self.reader())
            .await
            .or_store()?;
        self.load_user(row).await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.reader())
            .await
            .or_store()?;
        self.load_user(row).await
    }

    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, absolute_expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&session.token_hash)
            .bind(session.user_id.0)
            .bind(&session.csrf_token)
            .bind(At(session.expires_at))
            .bind(session.absolute_expires_at.map(At))
            .execute(self.writer())
            .await
            .or_store()
            .map(drop)
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        let row: Option<(Uuid, String, At, Option<At>)> = sqlx::query_as(
            "SELECT user_id, csrf_token, expires_at, absolute_expires_at FROM sessions \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(At(now))
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        Ok(
            row.map(|(user_id, csrf_token, expires_at, absolute)| Session {
                token_hash: token_hash.to_owned(),
                user_id: UserId(user_id),
                csrf_token,
                expires_at: expires_at.0,
                absolute_expires_at: absolute.map(|a| a.0),
            }),
        )
    }

    async fn signed_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SignedIn>, StoreError> {
        crate::sessions::signed_in(self.reader(), token_hash, now).await
    }

    async fn extend_session(
        &self,
        token_hash: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sessions SET expires_at = CASE WHEN absolute_expires_at < $2 \
             THEN absolute_expires_at ELSE $2 END \
             WHERE token_hash = $1 AND absolute_expires_at IS NOT NULL AND expires_at > $3 \
             AND expires_at < $2",
        )
        .bind(token_hash)
        .bind(At(until))
        .bind(At(now))
        .execute(self.writer())
        .await
        .or_store()?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.writer())
            .await
            .or_store()
            .map(drop)
    }

    async fn worker(&self, id: WorkerId) -> Result<Option<Worker>, StoreError> {
        let sql = format!("SELECT {} FROM workers w WHERE w.id = $1", *WORKER_COLUMNS);
        self.read_one(&sql, id.0, |r| decode(rows::worker(r)?))
            .await
    }

    async fn worker_for_user(&self, user: UserId) -> Result<Option<Worker>, StoreError> {
        let sql = format!(
            "SELECT {} FROM workers w WHERE w.user_id = $1",
            *WORKER_COLUMNS
        );
        self.read_one(&sql, user.0, |r| decode(rows::worker(r)?))
            .await
    }

    async fn find_workers(&self, search: &WorkerSearch) -> Result<Vec<FoundWorker>, StoreError> {
        let (anywhere, number) = search.patterns();
        let sql = format!(
            "SELECT {columns}, u.email AS found_email FROM workers w JOIN users u ON u.id = w.user_id \
             WHERE (LOWER(w.display_name) LIKE $1 ESCAPE '\\' OR LOWER(u.email) LIKE $1 ESCAPE '\\' \
                OR EXISTS (SELECT 1 FROM passport_credentials pc WHERE pc.worker_id = w.id \
                    AND pc.vct = $2 AND LOWER(pc.claims) LIKE $3 ESCAPE '\\')) \
             AND ($4 OR EXISTS (SELECT 1 FROM bank_memberships bm \
                JOIN bank_members m ON m.bank_id = bm.bank_id \
                WHERE bm.worker_id = w.id AND m.org_id {orgs})) \
             ORDER BY LOWER(w.display_name), w.id LIMIT $6",
            columns = *WORKER_COLUMNS,
            orgs = in_ids(5),
        );
        let orgs = search.orgs.as_deref().unwrap_or_default();
        sqlx::query(&sql)
            .bind(anywhere)
            .bind(staffbank_domain::credential_claims::vct(
                staffbank_domain::credential::CredentialKind::ProfessionalRegistration,
            ))
            .bind(number)
            .bind(search.orgs.is_none())
            .bind(Ids::of(orgs, |o| o.0))
            .bind(i64::from(search.limit))
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(|row| {
                Ok(FoundWorker {
                    worker: decode(rows::worker(row)?)?,
                    email: super::get(row, "found_email")?,
                })
            })
            .collect()
    }

    async fn join_bank(
        &self,
        worker: WorkerId,
        bank: BankId,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO bank_memberships (worker_id, bank_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT (worker_id, bank_id) DO NOTHING",
        )
        .bind(worker.0)
        .bind(bank.0)
        .bind(At(at));
        self.write_audited(query, audit).await
    }

    async fn set_pay_point(
        &self,
        worker: WorkerId,
        pay_point: u8,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query("UPDATE workers SET pay_point = $1 WHERE id = $2")
            .bind(i32::from(pay_point))
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

    async fn set_weekly_limit_opt_out(
        &self,
        worker: WorkerId,
        opted_out: bool,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
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
        availability: &Availability,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed =
            sqlx::query("UPDATE workers SET max_travel_km = $1, shift_times = $2 WHERE id = $3")
                .bind(max_travel_km)
                .bind(shift_times.as_str())
                .bind(worker.0)
                .execute(&mut *tx)
                .await
                .or_store()?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO worker_availability (worker_id, weekdays, unavailable_dates) \
             VALUES ($1, $2, $3) ON CONFLICT (worker_id) DO UPDATE \
             SET weekdays = excluded.weekdays, unavailable_dates = excluded.unavailable_dates",
        )
        .bind(worker.0)
        .bind(i32::from(availability.bits()))
        .bind(availability_dates(availability))
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn availability(&self, worker: WorkerId) -> Result<Availability, StoreError> {
        let found = self
            .read_one(
                "SELECT worker_id, weekdays, unavailable_dates FROM worker_availability \
                 WHERE worker_id = $1",
                worker.0,
                availability_row,
            )
            .await?;
        Ok(found.map(|(_, a)| a).unwrap_or_default())
    }

    async fn availabilities(
        &self,
        workers: &[WorkerId],
    ) -> Result<Vec<(WorkerId, Availability)>, StoreError> {
        let sql = format!(
            "SELECT worker_id, weekdays, unavailable_dates FROM worker_availability \
             WHERE worker_id {}",
            in_ids(1)
        );
        sqlx::query(&sql)
            .bind(Ids::of(workers, |w| w.0))
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(availability_row)
            .collect()
    }
}

/// A worker's availability row.
fn availability_row(row: &DbRow) -> Result<(WorkerId, Availability), StoreError> {
    let worker: Uuid = super::get(row, "worker_id")?;
    let weekdays: i32 = super::get(row, "weekdays")?;
    let dates: String = super::get(row, "unavailable_dates")?;
    let found = availability(i64::from(weekdays), &dates).map_err(StoreError::Unexpected)?;
    Ok((WorkerId(worker), found))
}
