//! The fairness auditor's reads, equality declarations and desirable-shift settings.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use staffbank_domain::fairness::contract::Contract;
use staffbank_domain::fairness::desirable::Desirable;
use staffbank_domain::fairness::equality::Declaration;
use staffbank_domain::{BankId, ShiftWindow, WardId, WorkerId};
use staffbank_store::{AuditRecord, FairnessMember, FairnessStore, StoreError};
use uuid::Uuid;

use super::types::At;
use crate::db::ThisStore;
use crate::ledger::insert_audit;
use crate::sql::OrStore;

/// A member row: id, staff group, grade, tier, contract, the four answers, offers.
type MemberRow = (
    Uuid,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

/// The bank's shifts: its own and those it shares as a collaborative bank.
const BANK_SHIFT: &str = "(s.bank_id = $1 OR s.collaborative_bank_id = $1)";

#[async_trait::async_trait]
impl FairnessStore for ThisStore {
    async fn fairness_members(
        &self,
        bank: BankId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FairnessMember>, StoreError> {
        let members: Vec<MemberRow> = sqlx::query_as(&format!(
            "SELECT w.id, w.staff_group, w.grade, m.tier, m.contract, e.sex, e.ethnic_group, \
             e.disability, e.age_band, (SELECT COUNT(*) FROM offers o \
             JOIN shifts s ON s.id = o.shift_id WHERE o.worker_id = w.id AND {BANK_SHIFT} \
             AND s.starts_at >= $2 AND s.starts_at < $3) \
             FROM bank_memberships m JOIN workers w ON w.id = m.worker_id \
             LEFT JOIN equality_declarations e ON e.worker_id = w.id \
             WHERE m.bank_id = $1 ORDER BY w.id"
        ))
        .bind(bank.0)
        .bind(At(from))
        .bind(At(to))
        .fetch_all(self.reader())
        .await
        .or_store()?;
        let bookings: Vec<(Uuid, At, At, Uuid)> = sqlx::query_as(&format!(
            "SELECT b.worker_id, b.starts_at, b.ends_at, s.ward_id FROM bookings b \
             JOIN shifts s ON s.id = b.shift_id \
             JOIN bank_memberships m ON m.worker_id = b.worker_id AND m.bank_id = $1 \
             WHERE b.status = 'active' AND {BANK_SHIFT} AND b.starts_at >= $2 AND b.starts_at < $3"
        ))
        .bind(bank.0)
        .bind(At(from))
        .bind(At(to))
        .fetch_all(self.reader())
        .await
        .or_store()?;
        let mut booked: HashMap<Uuid, Vec<(ShiftWindow, WardId)>> = HashMap::new();
        for (worker, start, end, ward) in bookings {
            let window = ShiftWindow::new(start.0, end.0)
                .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("booking window: {e}")))?;
            booked
                .entry(worker)
                .or_default()
                .push((window, WardId(ward)));
        }
        Ok(members
            .into_iter()
            .map(|row| {
                let declaration = match (row.5, row.6, row.7, row.8) {
                    (Some(sex), Some(ethnic_group), Some(disability), Some(age_band)) => {
                        Some(Declaration {
                            sex,
                            ethnic_group,
                            disability,
                            age_band,
                        })
                    }
                    _ => None,
                };
                FairnessMember {
                    staff_group: row.1,
                    grade: row.2,
                    tier: row.3,
                    contract: row.4,
                    declaration,
                    offered: u64::try_from(row.9).unwrap_or(0),
                    booked: booked.remove(&row.0).unwrap_or_default(),
                }
            })
            .collect())
    }

    async fn set_contract(
        &self,
        worker: WorkerId,
        bank: BankId,
        contract: Option<Contract>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE bank_memberships SET contract = $1 WHERE worker_id = $2 AND bank_id = $3",
        )
        .bind(contract.map(Contract::as_str))
        .bind(worker.0)
        .bind(bank.0)
        .execute(&mut *tx)
        .await
        .or_store()?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn equality_declaration(
        &self,
        worker: WorkerId,
    ) -> Result<Option<(Declaration, DateTime<Utc>)>, StoreError> {
        let row: Option<(String, String, String, String, At)> = sqlx::query_as(
            "SELECT sex, ethnic_group, disability, age_band, consented_at \
             FROM equality_declarations WHERE worker_id = $1",
        )
        .bind(worker.0)
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        Ok(row.map(|(sex, ethnic_group, disability, age_band, at)| {
            (
                Declaration {
                    sex,
                    ethnic_group,
                    disability,
                    age_band,
                },
                at.0,
            )
        }))
    }

    async fn save_equality_declaration(
        &self,
        worker: WorkerId,
        d: &Declaration,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO equality_declarations \
             (worker_id, sex, ethnic_group, disability, age_band, consented_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (worker_id) DO UPDATE \
             SET sex = excluded.sex, ethnic_group = excluded.ethnic_group, \
                 disability = excluded.disability, age_band = excluded.age_band, \
                 consented_at = excluded.consented_at",
        )
        .bind(worker.0)
        .bind(&d.sex)
        .bind(&d.ethnic_group)
        .bind(&d.disability)
        .bind(&d.age_band)
        .bind(At(at));
        self.write_audited(query, audit).await
    }

    async fn delete_equality_declaration(
        &self,
        worker: WorkerId,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM equality_declarations WHERE worker_id = $1")
            .bind(worker.0)
            .execute(&mut *tx)
            .await
            .or_store()?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(true)
    }

    async fn fairness_week_recorded(&self, bank: BankId, week: &str) -> Result<bool, StoreError> {
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT week FROM fairness_weekly_runs WHERE bank_id = $1 AND week = $2",
        )
        .bind(bank.0)
        .bind(week)
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        Ok(found.is_some())
    }

    async fn record_fairness_week(
        &self,
        bank: BankId,
        week: &str,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "INSERT INTO fairness_weekly_runs (bank_id, week) VALUES ($1, $2) \
             ON CONFLICT (bank_id, week) DO NOTHING",
        )
        .bind(bank.0)
        .bind(week)
        .execute(&mut *tx)
        .await
        .or_store()?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(true)
    }

    async fn fairness_settings(&self, bank: BankId) -> Result<Option<Desirable>, StoreError> {
        let row: Option<(bool, bool, String)> = sqlx::query_as(
            "SELECT day_shifts_only, exclude_weekends, low_acuity_wards \
             FROM fairness_settings WHERE bank_id = $1",
        )
        .bind(bank.0)
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        row.map(|(day_shifts_only, exclude_weekends, wards)| {
            let low_acuity_wards = serde_json::from_str(&wards)
                .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("fairness wards: {e}")))?;
            Ok(Desirable {
                day_shifts_only,
                exclude_weekends,
                low_acuity_wards,
            })
        })
        .transpose()
    }

    async fn set_fairness_settings(
        &self,
        bank: BankId,
        d: &Desirable,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let wards = serde_json::to_string(&d.low_acuity_wards)
            .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("fairness wards: {e}")))?;
        let query = sqlx::query(
            "INSERT INTO fairness_settings \
             (bank_id, day_shifts_only, exclude_weekends, low_acuity_wards) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (bank_id) DO UPDATE \
             SET day_shifts_only = excluded.day_shifts_only, \
                 exclude_weekends = excluded.exclude_weekends, \
                 low_acuity_wards = excluded.low_acuity_wards",
        )
        .bind(bank.0)
        .bind(d.day_shifts_only)
        .bind(d.exclude_weekends)
        .bind(wards);
        self.write_audited(query, audit).await
    }
}
