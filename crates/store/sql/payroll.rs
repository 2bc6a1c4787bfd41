//! Timesheets and pay: pay lines, rate cards, pay settings, pay runs with their exports, and
//! advances. Dates (`work_date`, a run's days) are bound and read as `NaiveDate`, which sqlx
//! stores as `date` on PostgreSQL and as `YYYY-MM-DD` text on SQLite, the stored form of each.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use staffbank_domain::pay::export::ExportLine;
use staffbank_domain::pay::{PaySettings, RateCard};
use staffbank_domain::timesheet::TimesheetState;
use staffbank_domain::{BankId, BookingId, OrgId, ShiftId, UserId, WorkerId};
use staffbank_store::{
    Advance, AuditRecord, Conflict, PayExport, PayLineKind, PayLineRecord, PayRun, PayStore,
    StoreError, Timesheet,
};
use uuid::Uuid;

use super::timesheets::{guarded_update, timesheet_row, COLUMNS};
use super::types::At;
use super::{get, instant, opt_instant};
use crate::db::{DbRow, ThisStore, Tx, FOR_SHARE, FOR_UPDATE};
use crate::ledger::insert_audit;
use crate::sql::OrStore;

/// Writes a pay line inside a write; whether it was written (a second `pay` line for the
/// shift, worker and date is not). Approving a timesheet and paying a late cancellation both
/// write their line through it.
pub(crate) async fn insert_line(tx: &mut Tx, line: &PayLineRecord) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO pay_lines (id, timesheet_id, shift_id, worker_id, org_id, work_date, kind, \
         seconds, base_pence, enhancement_pence, premium_pence, holiday_pence, amount_pence, \
         explanation, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (shift_id, worker_id, work_date) WHERE kind = 'pay' DO NOTHING",
    )
    .bind(line.id)
    .bind(line.timesheet_id)
    .bind(line.shift_id.0)
    .bind(line.worker_id.0)
    .bind(line.org_id.0)
    .bind(line.work_date)
    .bind(line.kind.as_str())
    .bind(line.seconds)
    .bind(line.base_pay)
    .bind(line.enhancements)
    .bind(line.premium)
    .bind(line.holiday_pay)
    .bind(line.amount)
    .bind(&line.explanation)
    .bind(At(line.created_at))
    .execute(&mut **tx)
    .await
    .or_store()?
    .rows_affected()
        == 1)
}

/// What every read of a pay line selects, in the order [`pay_line_row`] reads it.
const LINE_COLUMNS: &str = "id, timesheet_id, shift_id, worker_id, org_id, work_date, kind, \
    seconds, base_pence, enhancement_pence, premium_pence, holiday_pence, amount_pence, explanation, \
    created_at, pay_run_id";

/// What every read of an advance selects, in the order [`advance_row`] reads it.
const ADVANCE_COLUMNS: &str = "id, worker_id, org_id, amount_pence, drawn_at, pay_run_id";

/// An advance from a row of [`ADVANCE_COLUMNS`].
fn advance_row(r: &DbRow) -> Result<Advance, StoreError> {
    Ok(Advance {
        id: get(r, "id")?,
        worker_id: WorkerId(get(r, "worker_id")?),
        org_id: OrgId(get(r, "org_id")?),
        amount: get(r, "amount_pence")?,
        drawn_at: instant(r, "drawn_at")?,
        pay_run_id: get(r, "pay_run_id")?,
    })
}

/// A pay line from a row of `pay_lines`; a kind the domain no longer reads is an error rather
/// than a guess.
fn pay_line_row(r: &DbRow) -> Result<PayLineRecord, StoreError> {
    let kind: String = get(r, "kind")?;
    Ok(PayLineRecord {
        id: get(r, "id")?,
        timesheet_id: get(r, "timesheet_id")?,
        shift_id: ShiftId(get(r, "shift_id")?),
        worker_id: WorkerId(get(r, "worker_id")?),
        org_id: OrgId(get(r, "org_id")?),
        work_date: get(r, "work_date")?,
        kind: PayLineKind::parse(&kind)
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored pay line kind")))?,
        seconds: get(r, "seconds")?,
        base_pay: get(r, "base_pence")?,
        enhancements: get(r, "enhancement_pence")?,
        premium: get(r, "premium_pence")?,
        holiday_pay: get(r, "holiday_pence")?,
        amount: get(r, "amount_pence")?,
        explanation: get(r, "explanation")?,
        created_at: instant(r, "created_at")?,
        pay_run_id: get(r, "pay_run_id")?,
    })
}

/// What every read of a pay run selects (the run as `r`, its export as `e`), in the order
/// [`run_row`] reads it.
const RUN_COLUMNS: &str = "r.id, r.org_id, r.first_day, r.last_day, r.period_end, r.closed_by, \
    r.closed_at, r.lines, r.total_pence, e.file_name, e.created_at AS queued_at, e.delivered_at, \
    e.sha256, e.bytes";

/// A pay run and its export from a row of [`RUN_COLUMNS`].
fn run_row(r: &DbRow) -> Result<(PayRun, PayExport), StoreError> {
    let id: Uuid = get(r, "id")?;
    Ok((
        PayRun {
            id,
            org_id: OrgId(get(r, "org_id")?),
            first_day: get(r, "first_day")?,
            last_day: get(r, "last_day")?,
            period_end: instant(r, "period_end")?,
            closed_by: UserId(get(r, "closed_by")?),
            closed_at: instant(r, "closed_at")?,
            lines: get(r, "lines")?,
            total: get(r, "total_pence")?,
        },
        PayExport {
            pay_run_id: id,
            file_name: get(r, "file_name")?,
            created_at: instant(r, "queued_at")?,
            delivered_at: opt_instant(r, "delivered_at")?,
            sha256: get(r, "sha256")?,
            bytes: get(r, "bytes")?,
        },
    ))
}

/// A JSON document kept whole in one row under its key (`SELECT body ... WHERE key = $1`):
/// rate cards and pay settings are read whole and replaced whole.
async fn document<T: serde::de::DeserializeOwned>(
    store: &ThisStore,
    select: &str,
    key: Uuid,
) -> Result<Option<T>, StoreError> {
    let body: Option<String> = sqlx::query_scalar(select)
        .bind(key)
        .fetch_optional(store.reader())
        .await
        .or_store()?;
    body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Unexpected(e.into())))
        .transpose()
}

/// Replaces a JSON document (`upsert` takes the key and the body), with its audit records in
/// the same write.
async fn put_document<T: serde::Serialize>(
    store: &ThisStore,
    upsert: &str,
    key: Uuid,
    value: &T,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let body = serde_json::to_string(value).map_err(|e| StoreError::Unexpected(e.into()))?;
    let mut tx = store.begin().await?;
    sqlx::query(upsert)
        .bind(key)
        .bind(body)
        .execute(&mut *tx)
        .await
        .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

/// Gives a closing run (`$1`) the trust's (`$2`) pay lines or advances (`table`, timed by
/// `at`) that no run has taken and that came before the period's end (`$3`); how many it took
/// and their sum.
async fn take_into_run(
    tx: &mut Tx,
    table: &str,
    at: &str,
    run: &PayRun,
) -> Result<(i64, i64), StoreError> {
    let amounts: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE {table} SET pay_run_id = $1 \
         WHERE org_id = $2 AND pay_run_id IS NULL AND {at} < $3 RETURNING amount_pence"
    ))
    .bind(run.id)
    .bind(run.org_id.0)
    .bind(At(run.period_end))
    .fetch_all(&mut **tx)
    .await
    .or_store()?;
    Ok((amounts.len() as i64, amounts.iter().sum()))
}

#[async_trait]
impl PayStore for ThisStore {
    async fn create_timesheet(
        &self,
        t: &Timesheet,
        audit: &[AuditRecord],
    ) -> Result<Timesheet, StoreError> {
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO timesheets (id, booking_id, shift_id, worker_id, org_id, ward_id, state, \
             body, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (booking_id) DO NOTHING",
        )
        .bind(t.id)
        .bind(t.booking_id.0)
        .bind(t.shift_id.0)
        .bind(t.worker_id.0)
        .bind(t.org_id.0)
        .bind(t.ward_id.0)
        .bind(t.state.as_str())
        .bind(t.body.encode()?)
        .bind(At(t.updated_at))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if inserted == 1 {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await.or_store()?;
        self.timesheet_for_booking(t.booking_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn timesheet(&self, id: Uuid) -> Result<Option<Timesheet>, StoreError> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM timesheets WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .or_store()?
            .as_ref()
            .map(timesheet_row)
            .transpose()
    }

    async fn timesheet_for_booking(
        &self,
        booking: BookingId,
    ) -> Result<Option<Timesheet>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM timesheets WHERE booking_id = $1"
        ))
        .bind(booking.0)
        .fetch_optional(self.reader())
        .await
        .or_store()?
        .as_ref()
        .map(timesheet_row)
        .transpose()
    }

    async fn update_timesheet(
        &self,
        timesheet: &Timesheet,
        from: &[TimesheetState],
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        guarded_update(&mut tx, timesheet, from).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn approve_timesheet(
        &self,
        timesheet: &Timesheet,
        pay: &PayLineRecord,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        guarded_update(&mut tx, timesheet, &[TimesheetState::Submitted]).await?;
        if !insert_line(&mut tx, pay).await? {
            return Err(Conflict::AlreadyPaid.into());
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn timesheets_of_org(
        &self,
        org: OrgId,
        state: TimesheetState,
    ) -> Result<Vec<Timesheet>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM timesheets WHERE org_id = $1 AND state = $2 \
             ORDER BY updated_at, id"
        ))
        .bind(org.0)
        .bind(state.as_str())
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(timesheet_row)
        .collect()
    }

    async fn pay_lines_of(&self, worker: WorkerId) -> Result<Vec<PayLineRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {LINE_COLUMNS} FROM pay_lines WHERE worker_id = $1 \
             ORDER BY created_at DESC, id"
        ))
        .bind(worker.0)
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(pay_line_row)
        .collect()
    }

    async fn add_adjustment(
        &self,
        line: &PayLineRecord,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert_line(&mut tx, line).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn rate_card(&self, bank: BankId) -> Result<Option<RateCard>, StoreError> {
        document(
            self,
            "SELECT body FROM rate_cards WHERE bank_id = $1",
            bank.0,
        )
        .await
    }

    async fn set_rate_card(
        &self,
        bank: BankId,
        card: &RateCard,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let upsert = "INSERT INTO rate_cards (bank_id, body) VALUES ($1, $2) \
             ON CONFLICT (bank_id) DO UPDATE SET body = EXCLUDED.body";
        put_document(self, upsert, bank.0, card, audit).await
    }

    async fn pay_settings(&self, org: OrgId) -> Result<Option<PaySettings>, StoreError> {
        document(
            self,
            "SELECT body FROM pay_settings WHERE org_id = $1",
            org.0,
        )
        .await
    }

    async fn set_pay_settings(
        &self,
        org: OrgId,
        settings: &PaySettings,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let upsert = "INSERT INTO pay_settings (org_id, body) VALUES ($1, $2) \
             ON CONFLICT (org_id) DO UPDATE SET body = EXCLUDED.body";
        put_document(self, upsert, org.0, settings, audit).await
    }

    async fn close_pay_run(
        &self,
        run: &PayRun,
        file_name: &str,
        audit: &[AuditRecord],
    ) -> Result<PayRun, StoreError> {
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO pay_runs (id, org_id, first_day, last_day, period_end, closed_by, \
             closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (org_id, first_day) DO NOTHING",
        )
        .bind(run.id)
        .bind(run.org_id.0)
        .bind(run.first_day)
        .bind(run.last_day)
        .bind(At(run.period_end))
        .bind(run.closed_by.0)
        .bind(At(run.closed_at))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if inserted == 0 {
            return Err(Conflict::RunClosed.into());
        }
        // Lines first, then advances, in separate statements: on PostgreSQL taking the lines
        // waits for a draw that holds them (see `draw_advance`), and the advances statement,
        // started after, then sees that draw's advance and recovers it.
        let (lines, paid) = take_into_run(&mut tx, "pay_lines", "created_at", run).await?;
        let (advances, recovered) = take_into_run(&mut tx, "advances", "drawn_at", run).await?;
        if lines + advances == 0 {
            // Dropping the transaction rolls the run back: nothing changes.
            return Err(Conflict::PayRunEmpty.into());
        }
        let closed = PayRun {
            lines: lines + advances,
            total: paid - recovered,
            ..run.clone()
        };
        sqlx::query("UPDATE pay_runs SET lines = $2, total_pence = $3 WHERE id = $1")
            .bind(run.id)
            .bind(closed.lines)
            .bind(closed.total)
            .execute(&mut *tx)
            .await
            .or_store()?;
        sqlx::query(
            "INSERT INTO pay_exports (pay_run_id, file_name, created_at) VALUES ($1, $2, $3)",
        )
        .bind(run.id)
        .bind(file_name)
        .bind(At(run.closed_at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        Ok(closed)
    }

    async fn unpaid_pay_lines(
        &self,
        org: OrgId,
        before: DateTime<Utc>,
    ) -> Result<Vec<PayLineRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {LINE_COLUMNS} FROM pay_lines \
             WHERE org_id = $1 AND pay_run_id IS NULL AND created_at < $2 \
             ORDER BY created_at, id"
        ))
        .bind(org.0)
        .bind(At(before))
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(pay_line_row)
        .collect()
    }

    async fn unpaid_advances(
        &self,
        org: OrgId,
        before: DateTime<Utc>,
    ) -> Result<Vec<Advance>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ADVANCE_COLUMNS} FROM advances \
             WHERE org_id = $1 AND pay_run_id IS NULL AND drawn_at < $2 \
             ORDER BY drawn_at, id"
        ))
        .bind(org.0)
        .bind(At(before))
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(advance_row)
        .collect()
    }

    async fn run_pay_lines(&self, run: Uuid) -> Result<Vec<PayLineRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {LINE_COLUMNS} FROM pay_lines WHERE pay_run_id = $1 ORDER BY created_at, id"
        ))
        .bind(run)
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(pay_line_row)
        .collect()
    }

    async fn run_advances(&self, run: Uuid) -> Result<Vec<Advance>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ADVANCE_COLUMNS} FROM advances WHERE pay_run_id = $1 ORDER BY drawn_at, id"
        ))
        .bind(run)
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(advance_row)
        .collect()
    }

    async fn pay_run(&self, id: Uuid) -> Result<Option<(PayRun, PayExport)>, StoreError> {
        sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM pay_runs r JOIN pay_exports e ON e.pay_run_id = r.id \
             WHERE r.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await
        .or_store()?
        .as_ref()
        .map(run_row)
        .transpose()
    }

    async fn pay_runs_of(&self, org: OrgId) -> Result<Vec<(PayRun, PayExport)>, StoreError> {
        sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM pay_runs r JOIN pay_exports e ON e.pay_run_id = r.id \
             WHERE r.org_id = $1 ORDER BY r.first_day DESC"
        ))
        .bind(org.0)
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(run_row)
        .collect()
    }

    async fn pending_exports(&self, limit: i64) -> Result<Vec<(PayRun, PayExport)>, StoreError> {
        sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM pay_exports e JOIN pay_runs r ON r.id = e.pay_run_id \
             WHERE e.delivered_at IS NULL ORDER BY e.created_at, e.pay_run_id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(run_row)
        .collect()
    }

    async fn export_lines(&self, run: Uuid) -> Result<Vec<ExportLine>, StoreError> {
        sqlx::query(
            "SELECT p.worker_id, w.display_name, p.id, 0 AS part, p.kind, p.shift_id, \
             p.work_date, p.seconds, p.amount_pence FROM pay_lines p \
             JOIN workers w ON w.id = p.worker_id WHERE p.pay_run_id = $1 \
             UNION ALL \
             SELECT a.worker_id, w.display_name, a.id, 1, 'advance', NULL, NULL, 0, \
             -a.amount_pence FROM advances a JOIN workers w ON w.id = a.worker_id \
             WHERE a.pay_run_id = $1 \
             ORDER BY 1, 4, 3",
        )
        .bind(run)
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            let shift: Option<Uuid> = get(r, "shift_id")?;
            let day: Option<NaiveDate> = get(r, "work_date")?;
            Ok(ExportLine {
                staff_reference: get(r, "worker_id")?,
                staff_name: get(r, "display_name")?,
                line: get(r, "id")?,
                element: staffbank_store::export_element(&kind),
                shift: shift.zip(day),
                seconds: get(r, "seconds")?,
                amount: get(r, "amount_pence")?,
            })
        })
        .collect()
    }

    async fn mark_exported(
        &self,
        export: &PayExport,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE pay_exports SET delivered_at = $2, sha256 = $3, bytes = $4 \
             WHERE pay_run_id = $1 AND delivered_at IS NULL",
        )
        .bind(export.pay_run_id)
        .bind(export.delivered_at.map(At))
        .bind(&export.sha256)
        .bind(export.bytes)
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if changed == 1 {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await.or_store()?;
        Ok(changed == 1)
    }

    async fn draw_advance(
        &self,
        advance: &Advance,
        share_percent: u32,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // One draw per worker at a time: on PostgreSQL the worker's row is locked, and the
        // unpaid lines are held so a closing run waits for this draw, and then recovers it; on
        // SQLite the write transaction holds the one writer, so nothing else changes pay
        // meanwhile.
        sqlx::query(&format!("SELECT 1 FROM workers WHERE id = $1{FOR_UPDATE}"))
            .bind(advance.worker_id.0)
            .fetch_optional(&mut *tx)
            .await
            .or_store()?
            .ok_or(StoreError::NotFound)?;
        let unpaid: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT amount_pence FROM pay_lines \
             WHERE worker_id = $1 AND org_id = $2 AND pay_run_id IS NULL{FOR_SHARE}"
        ))
        .bind(advance.worker_id.0)
        .bind(advance.org_id.0)
        .fetch_all(&mut *tx)
        .await
        .or_store()?;
        let drawn: i64 = sqlx::query_scalar(
            "SELECT CAST(coalesce(sum(amount_pence), 0) AS BIGINT) FROM advances \
             WHERE worker_id = $1 AND org_id = $2 AND pay_run_id IS NULL",
        )
        .bind(advance.worker_id.0)
        .bind(advance.org_id.0)
        .fetch_one(&mut *tx)
        .await
        .or_store()?;
        let available = staffbank_domain::pay::run::advance_available(
            unpaid.iter().sum(),
            drawn,
            share_percent,
        );
        if advance.amount > available {
            return Err(Conflict::AdvanceTooLarge.into());
        }
        sqlx::query(
            "INSERT INTO advances (id, worker_id, org_id, amount_pence, drawn_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(advance.id)
        .bind(advance.worker_id.0)
        .bind(advance.org_id.0)
        .bind(advance.amount)
        .bind(At(advance.drawn_at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn advances_of(&self, worker: WorkerId) -> Result<Vec<Advance>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ADVANCE_COLUMNS} FROM advances WHERE worker_id = $1 \
             ORDER BY drawn_at DESC, id"
        ))
        .bind(worker.0)
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(advance_row)
        .collect()
    }
}
