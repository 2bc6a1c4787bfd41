//! Importing workers from an ESR staff extract: the natural keys already held, and every new
//! worker of a file written in one transaction with multi-row `INSERT`s, a few hundred rows to a
//! statement, so 100,000 workers take a few hundred round trips rather than half a million.

use sqlx::{QueryBuilder, Row};
use staffbank_domain::OrgId;
use staffbank_store::{AuditRecord, ImportKeys, ImportedWorker, StoreError};

use super::types::{At, Texts};
use crate::db::{in_texts, Db, ThisStore};
use crate::sql::OrStore;

/// Rows to one statement: within SQLite's 32,766 and PostgreSQL's 65,535 bound values at twelve
/// values a row.
const ROWS_PER_STATEMENT: usize = 500;

impl ThisStore {
    pub(crate) async fn read_import_keys(
        &self,
        org: OrgId,
        emails: &[String],
        assignments: &[String],
    ) -> Result<ImportKeys, StoreError> {
        let emails = sqlx::query(&format!(
            "SELECT email FROM users WHERE email {}",
            in_texts(1)
        ))
        .bind(Texts(emails.to_vec()))
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(|r| r.try_get::<String, _>("email"))
        .collect::<Result<_, _>>()
        .or_store()?;
        let assignments = sqlx::query(&format!(
            "SELECT a.assignment_number, u.email FROM worker_assignments a \
             JOIN workers w ON w.id = a.worker_id JOIN users u ON u.id = w.user_id \
             WHERE a.org_id = $1 AND a.assignment_number {}",
            in_texts(2)
        ))
        .bind(org.0)
        .bind(Texts(assignments.to_vec()))
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(|r| Ok((r.try_get("assignment_number")?, r.try_get("email")?)))
        .collect::<Result<_, sqlx::Error>>()
        .or_store()?;
        Ok(ImportKeys {
            emails,
            assignments,
        })
    }

    pub(crate) async fn write_imported_workers(
        &self,
        org: OrgId,
        workers: &[ImportedWorker],
        audit: &[AuditRecord],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut done = 0;
        for chunk in workers.chunks(ROWS_PER_STATEMENT) {
            let mut users = QueryBuilder::<Db>::new(
                "INSERT INTO users (id, email, display_name, password_hash, created_at) ",
            );
            users.push_values(chunk, |mut b, w| {
                b.push_bind(w.user.id.0)
                    .push_bind(w.user.email.as_str().to_owned())
                    .push_bind(w.user.display_name.as_str().to_owned())
                    .push_bind(None::<String>)
                    .push_bind(At(w.user.created_at));
            });
            users.build().execute(&mut *tx).await.or_store()?;

            let mut profiles = QueryBuilder::<Db>::new(
                "INSERT INTO workers (id, user_id, display_name, staff_group, grade, pay_point, \
                 skills, home_lat, home_lon, weekly_limit_opt_out, max_travel_km, shift_times) ",
            );
            profiles.push_values(chunk, |mut b, w| {
                let p = &w.worker;
                b.push_bind(p.id.0)
                    .push_bind(p.user_id.0)
                    .push_bind(p.display_name.as_str().to_owned())
                    .push_bind(p.staff_group.as_str())
                    .push_bind(p.grade.as_str())
                    .push_bind(i32::from(p.pay_point))
                    .push_bind(Texts::of(p.skills.iter().map(|s| s.as_str())))
                    .push_bind(p.home.map(|h| h.lat()))
                    .push_bind(p.home.map(|h| h.lon()))
                    .push_bind(p.weekly_limit_opt_out)
                    .push_bind(p.max_travel_km)
                    .push_bind(p.shift_times.as_str());
            });
            profiles.build().execute(&mut *tx).await.or_store()?;

            let mut held = QueryBuilder::<Db>::new(
                "INSERT INTO worker_assignments (org_id, assignment_number, worker_id, \
                 contract_type, registration_body, registration_number) ",
            );
            held.push_values(chunk, |mut b, w| {
                b.push_bind(org.0)
                    .push_bind(w.assignment_number.clone())
                    .push_bind(w.worker.id.0)
                    .push_bind(w.contract_type.clone())
                    .push_bind(w.registration_body.clone())
                    .push_bind(w.registration_number.clone());
            });
            held.build().execute(&mut *tx).await.or_store()?;

            let memberships: Vec<_> = chunk
                .iter()
                .flat_map(|w| {
                    w.banks
                        .iter()
                        .map(move |b| (w.worker.id, *b, w.user.created_at))
                })
                .collect();
            if !memberships.is_empty() {
                let mut joins = QueryBuilder::<Db>::new(
                    "INSERT INTO bank_memberships (worker_id, bank_id, joined_at) ",
                );
                joins.push_values(&memberships, |mut b, (worker, bank, at)| {
                    b.push_bind(worker.0).push_bind(bank.0).push_bind(At(*at));
                });
                joins.build().execute(&mut *tx).await.or_store()?;
            }
            done += chunk.len();
            progress(done);
        }
        for chunk in audit.chunks(ROWS_PER_STATEMENT) {
            let mut entries = QueryBuilder::<Db>::new(
                "INSERT INTO ledger_entries (id, recorded_at, action, tenant, subject, body, mac) ",
            );
            entries.push_values(chunk, |mut b, r| {
                b.push_bind(r.id)
                    .push_bind(At(r.recorded_at))
                    .push_bind(r.action.clone())
                    .push_bind(r.tenant.map(|t| t.0))
                    .push_bind(r.subject)
                    .push_bind(r.body.clone())
                    .push_bind(r.mac.clone());
            });
            entries.build().execute(&mut *tx).await.or_store()?;
            let mut pending =
                QueryBuilder::<Db>::new("INSERT INTO ledger_pending (entry_id, recorded_at) ");
            pending.push_values(chunk, |mut b, r| {
                b.push_bind(r.id).push_bind(At(r.recorded_at));
            });
            pending.build().execute(&mut *tx).await.or_store()?;
        }
        tx.commit().await.or_store()
    }
}
