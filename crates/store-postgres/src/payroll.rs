//! Pay lines, pay runs, their exports and advances on PostgreSQL.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Row, Transaction};
use staffbank_domain::pay::export::ExportLine;
use staffbank_domain::pay::{PaySettings, RateCard};
use staffbank_domain::{BankId, OrgId, ShiftId, UserId, WorkerId};
use staffbank_store::{
    Advance, AuditRecord, Conflict, PayExport, PayLineKind, PayLineRecord, PayRun, StoreError,
};
use uuid::Uuid;

use crate::error::OrStore;
use crate::ledger::insert_audit;

/// Writes a pay line; whether it was written (a second `pay` line for the shift, worker and
/// date is not).
pub(crate) async fn insert_line(
    tx: &mut Transaction<'static, Postgres>,
    line: &PayLineRecord,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO pay_lines (id, timesheet_id, shift_id, worker_id, org_id, work_date, kind, \
         seconds, holiday_pence, amount_pence, explanation, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
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
    .bind(line.holiday_pay)
    .bind(line.amount)
    .bind(&line.explanation)
    .bind(line.created_at)
    .execute(&mut **tx)
    .await
    .or_store()?
    .rows_affected()
        == 1)
}

pub(crate) async fn add_adjustment(
    pool: &PgPool,
    line: &PayLineRecord,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    insert_line(&mut tx, line).await?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn pay_lines_of(
    pool: &PgPool,
    worker: WorkerId,
) -> Result<Vec<PayLineRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, timesheet_id, shift_id, worker_id, org_id, work_date, kind, seconds, \
         holiday_pence, amount_pence, explanation, created_at, pay_run_id FROM pay_lines WHERE worker_id = $1 \
         ORDER BY created_at DESC, id",
    )
    .bind(worker.0)
    .fetch_all(pool)
    .await
    .or_store()?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind").or_store()?;
            Ok(PayLineRecord {
                id: r.try_get("id").or_store()?,
                timesheet_id: r.try_get("timesheet_id").or_store()?,
                shift_id: ShiftId(r.try_get("shift_id").or_store()?),
                worker_id: WorkerId(r.try_get("worker_id").or_store()?),
                org_id: OrgId(r.try_get("org_id").or_store()?),
                work_date: r.try_get("work_date").or_store()?,
                kind: PayLineKind::parse(&kind).ok_or_else(|| {
                    StoreError::Unexpected(anyhow::anyhow!("stored pay line kind"))
                })?,
                seconds: r.try_get("seconds").or_store()?,
                holiday_pay: r.try_get("holiday_pence").or_store()?,
                amount: r.try_get("amount_pence").or_store()?,
                explanation: r.try_get("explanation").or_store()?,
                created_at: r.try_get("created_at").or_store()?,
                pay_run_id: r.try_get("pay_run_id").or_store()?,
            })
        })
        .collect()
}

/// A JSON document kept whole in one row under its key (`SELECT body ... WHERE key = $1`).
async fn document<T: serde::de::DeserializeOwned>(
    pool: &PgPool,
    select: &str,
    key: Uuid,
) -> Result<Option<T>, StoreError> {
    let body: Option<String> = sqlx::query_scalar(select)
        .bind(key)
        .fetch_optional(pool)
        .await
        .or_store()?;
    body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Unexpected(e.into())))
        .transpose()
}

/// Replaces a JSON document (`upsert` takes the key and the body), with its audit records.
async fn put_document<T: serde::Serialize>(
    pool: &PgPool,
    upsert: &str,
    key: Uuid,
    value: &T,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let body = serde_json::to_string(value).map_err(|e| StoreError::Unexpected(e.into()))?;
    let mut tx = pool.begin().await.or_store()?;
    sqlx::query(upsert)
        .bind(key)
        .bind(body)
        .execute(&mut *tx)
        .await
        .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn rate_card(pool: &PgPool, bank: BankId) -> Result<Option<RateCard>, StoreError> {
    document(
        pool,
        "SELECT body FROM rate_cards WHERE bank_id = $1",
        bank.0,
    )
    .await
}

pub(crate) async fn set_rate_card(
    pool: &PgPool,
    bank: BankId,
    card: &RateCard,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let upsert = "INSERT INTO rate_cards (bank_id, body) VALUES ($1, $2) \
         ON CONFLICT (bank_id) DO UPDATE SET body = EXCLUDED.body";
    put_document(pool, upsert, bank.0, card, audit).await
}

pub(crate) async fn pay_settings(
    pool: &PgPool,
    org: OrgId,
) -> Result<Option<PaySettings>, StoreError> {
    document(
        pool,
        "SELECT body FROM pay_settings WHERE org_id = $1",
        org.0,
    )
    .await
}

pub(crate) async fn set_pay_settings(
    pool: &PgPool,
    org: OrgId,
    settings: &PaySettings,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let upsert = "INSERT INTO pay_settings (org_id, body) VALUES ($1, $2) \
         ON CONFLICT (org_id) DO UPDATE SET body = EXCLUDED.body";
    put_document(pool, upsert, org.0, settings, audit).await
}

const RUN_COLUMNS: &str = "r.id, r.org_id, r.first_day, r.last_day, r.period_end, r.closed_by, \
    r.closed_at, r.lines, r.total_pence, e.file_name, e.created_at AS queued_at, e.delivered_at, \
    e.sha256, e.bytes";

fn decode_run(r: &PgRow) -> Result<(PayRun, PayExport), StoreError> {
    let id: Uuid = r.try_get("id").or_store()?;
    Ok((
        PayRun {
            id,
            org_id: OrgId(r.try_get("org_id").or_store()?),
            first_day: r.try_get("first_day").or_store()?,
            last_day: r.try_get("last_day").or_store()?,
            period_end: r.try_get("period_end").or_store()?,
            closed_by: UserId(r.try_get("closed_by").or_store()?),
            closed_at: r.try_get("closed_at").or_store()?,
            lines: r.try_get("lines").or_store()?,
            total: r.try_get("total_pence").or_store()?,
        },
        PayExport {
            pay_run_id: id,
            file_name: r.try_get("file_name").or_store()?,
            created_at: r.try_get("queued_at").or_store()?,
            delivered_at: r.try_get("delivered_at").or_store()?,
            sha256: r.try_get("sha256").or_store()?,
            bytes: r.try_get("bytes").or_store()?,
        },
    ))
}

pub(crate) async fn close_run(
    pool: &PgPool,
    run: &PayRun,
    file_name: &str,
    audit: &[AuditRecord],
) -> Result<PayRun, StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let inserted = sqlx::query(
        "INSERT INTO pay_runs (id, org_id, first_day, last_day, period_end, closed_by, closed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, first_day) DO NOTHING",
    )
    .bind(run.id)
    .bind(run.org_id.0)
    .bind(run.first_day)
    .bind(run.last_day)
    .bind(run.period_end)
    .bind(run.closed_by.0)
    .bind(run.closed_at)
    .execute(&mut *tx)
    .await
    .or_store()?
    .rows_affected();
    if inserted == 0 {
        return Err(Conflict::RunClosed.into());
    }
    // Separate statements, so the advances read after the lines sees any advance whose draw
    // held those lines until it committed.
    let (lines, paid): (i64, i64) = sqlx::query_as(
        "WITH l AS (UPDATE pay_lines SET pay_run_id = $1 \
         WHERE org_id = $2 AND pay_run_id IS NULL AND created_at < $3 RETURNING amount_pence) \
         SELECT count(*), coalesce(sum(amount_pence), 0)::bigint FROM l",
    )
    .bind(run.id)
    .bind(run.org_id.0)
    .bind(run.period_end)
    .fetch_one(&mut *tx)
    .await
    .or_store()?;
    let (advances, recovered): (i64, i64) = sqlx::query_as(
        "WITH a AS (UPDATE advances SET pay_run_id = $1 \
         WHERE org_id = $2 AND pay_run_id IS NULL AND drawn_at < $3 RETURNING amount_pence) \
         SELECT count(*), coalesce(sum(amount_pence), 0)::bigint FROM a",
    )
    .bind(run.id)
    .bind(run.org_id.0)
    .bind(run.period_end)
    .fetch_one(&mut *tx)
    .await
    .or_store()?;
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
    sqlx::query("INSERT INTO pay_exports (pay_run_id, file_name, created_at) VALUES ($1, $2, $3)")
        .bind(run.id)
        .bind(file_name)
        .bind(run.closed_at)
        .execute(&mut *tx)
        .await
        .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()?;
    Ok(closed)
}

pub(crate) async fn run(
    pool: &PgPool,
    id: Uuid,
) -> Result<Option<(PayRun, PayExport)>, StoreError> {
    sqlx::query(&format!(
        "SELECT {RUN_COLUMNS} FROM pay_runs r JOIN pay_exports e ON e.pay_run_id = r.id \
         WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .or_store()?
    .as_ref()
    .map(decode_run)
    .transpose()
}

pub(crate) async fn runs_of(
    pool: &PgPool,
    org: OrgId,
) -> Result<Vec<(PayRun, PayExport)>, StoreError> {
    sqlx::query(&format!(
        "SELECT {RUN_COLUMNS} FROM pay_runs r JOIN pay_exports e ON e.pay_run_id = r.id \
         WHERE r.org_id = $1 ORDER BY r.first_day DESC"
    ))
    .bind(org.0)
    .fetch_all(pool)
    .await
    .or_store()?
    .iter()
    .map(decode_run)
    .collect()
}

pub(crate) async fn pending_exports(
    pool: &PgPool,
    limit: i64,
) -> Result<Vec<(PayRun, PayExport)>, StoreError> {
    sqlx::query(&format!(
        "SELECT {RUN_COLUMNS} FROM pay_exports e JOIN pay_runs r ON r.id = e.pay_run_id \
         WHERE e.delivered_at IS NULL ORDER BY e.created_at, e.pay_run_id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await
    .or_store()?
    .iter()
    .map(decode_run)
    .collect()
}

pub(crate) async fn export_lines(pool: &PgPool, run: Uuid) -> Result<Vec<ExportLine>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.worker_id, w.display_name, p.id, 0 AS part, p.kind, p.shift_id, p.work_date, \
         p.seconds, p.amount_pence FROM pay_lines p JOIN workers w ON w.id = p.worker_id \
         WHERE p.pay_run_id = $1 \
         UNION ALL \
         SELECT a.worker_id, w.display_name, a.id, 1, 'advance', NULL, NULL, 0, -a.amount_pence \
         FROM advances a JOIN workers w ON w.id = a.worker_id WHERE a.pay_run_id = $1 \
         ORDER BY 1, 4, 3",
    )
    .bind(run)
    .fetch_all(pool)
    .await
    .or_store()?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind").or_store()?;
            let shift: Option<Uuid> = r.try_get("shift_id").or_store()?;
            let date: Option<chrono::NaiveDate> = r.try_get("work_date").or_store()?;
            Ok(ExportLine {
                staff_reference: r.try_get("worker_id").or_store()?,
                staff_name: r.try_get("display_name").or_store()?,
                line: r.try_get("id").or_store()?,
                element: staffbank_store::export_element(&kind),
                shift: shift.zip(date),
                seconds: r.try_get("seconds").or_store()?,
                amount: r.try_get("amount_pence").or_store()?,
            })
        })
        .collect()
}

pub(crate) async fn mark_exported(
    pool: &PgPool,
    export: &PayExport,
    audit: &[AuditRecord],
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    let changed = sqlx::query(
        "UPDATE pay_exports SET delivered_at = $2, sha256 = $3, bytes = $4 \
         WHERE pay_run_id = $1 AND delivered_at IS NULL",
    )
    .bind(export.pay_run_id)
    .bind(export.delivered_at)
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

pub(crate) async fn draw_advance(
    pool: &PgPool,
    advance: &Advance,
    share_percent: u32,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.or_store()?;
    // One draw per worker at a time; the unpaid lines are held (FOR SHARE) so a closing run
    // waits for this draw, and then recovers it.
    sqlx::query("SELECT 1 FROM workers WHERE id = $1 FOR UPDATE")
        .bind(advance.worker_id.0)
        .fetch_optional(&mut *tx)
        .await
        .or_store()?
        .ok_or(StoreError::NotFound)?;
    let unpaid: Vec<i64> = sqlx::query_scalar(
        "SELECT amount_pence FROM pay_lines \
         WHERE worker_id = $1 AND org_id = $2 AND pay_run_id IS NULL FOR SHARE",
    )
    .bind(advance.worker_id.0)
    .bind(advance.org_id.0)
    .fetch_all(&mut *tx)
    .await
    .or_store()?;
    let drawn: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(amount_pence), 0)::bigint FROM advances \
         WHERE worker_id = $1 AND org_id = $2 AND pay_run_id IS NULL",
    )
    .bind(advance.worker_id.0)
    .bind(advance.org_id.0)
    .fetch_one(&mut *tx)
    .await
    .or_store()?;
    let available =
        staffbank_domain::pay::run::advance_available(unpaid.iter().sum(), drawn, share_percent);
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
    .bind(advance.drawn_at)
    .execute(&mut *tx)
    .await
    .or_store()?;
    insert_audit(&mut tx, audit).await?;
    tx.commit().await.or_store()
}

pub(crate) async fn advances_of(
    pool: &PgPool,
    worker: WorkerId,
) -> Result<Vec<Advance>, StoreError> {
    sqlx::query(
        "SELECT id, worker_id, org_id, amount_pence, drawn_at, pay_run_id FROM advances \
         WHERE worker_id = $1 ORDER BY drawn_at DESC, id",
    )
    .bind(worker.0)
    .fetch_all(pool)
    .await
    .or_store()?
    .iter()
    .map(|r| {
        Ok(Advance {
            id: r.try_get("id").or_store()?,
            worker_id: WorkerId(r.try_get("worker_id").or_store()?),
            org_id: OrgId(r.try_get("org_id").or_store()?),
            amount: r.try_get("amount_pence").or_store()?,
            drawn_at: r.try_get("drawn_at").or_store()?,
            pay_run_id: r.try_get("pay_run_id").or_store()?,
        })
    })
    .collect()
}
