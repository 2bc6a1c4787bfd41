//! The dashboard's read model: reading what changed, rebuilding shifts' figures and resumming
//! their days, and reading the per-day sums.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sqlx::QueryBuilder;
use staffbank_domain::insight::{Figures, FILL_BUCKETS};
use staffbank_domain::{OrgId, ShiftId, SiteId, WardId, WorkerId};
use staffbank_store::{
    InsightBooking, InsightDay, InsightPay, InsightScope, InsightShift, InsightSources,
    InsightStore, InsightWorker, InsightWorkerTotal, StoreError,
};
use uuid::Uuid;

use super::shifts::shifts;
use super::types::{At, Ids};
use super::{get, OrStore};
use crate::db::{in_ids, Db, DbRow, ThisStore, FOR_UPDATE};
use crate::rows::SHIFT_COLUMNS;

/// The summed columns, in the order of [`Figures`]' fields.
const METRICS: [&str; 17] = [
    "shifts",
    "places",
    "own_bank",
    "collaborative",
    "agency",
    "unfilled",
    "cancelled",
    "late_worker",
    "late_trust",
    "paid_seconds",
    "pay_pence",
    "holiday_pence",
    "pension_pence",
    "premium_overrides",
    "base_pence",
    "enhancement_pence",
    "premium_pence",
];

/// Rows per multi-row insert: 44 columns each stays well under SQLite's 32,766 parameters.
const ROWS_PER_STATEMENT: usize = 400;

/// Every metric column name, the fill buckets last.
fn metric_columns() -> Vec<String> {
    METRICS
        .iter()
        .map(|m| (*m).to_owned())
        .chain((0..FILL_BUCKETS).map(|i| format!("fill_{i}")))
        .collect()
}

/// The figures of one shift, in column order.
fn values(f: &Figures) -> Vec<i64> {
    let mut v = vec![
        f.shifts,
        f.places,
        f.own_bank,
        f.collaborative,
        f.agency,
        f.unfilled,
        f.cancelled,
        f.late_worker,
        f.late_trust,
        f.paid_seconds,
        f.pay_pence,
        f.holiday_pence,
        f.pension_pence,
        f.premium_overrides,
        f.base_pence,
        f.enhancement_pence,
        f.premium_pence,
    ];
    v.extend(f.fills);
    v
}

/// Figures read from a row with every metric column.
fn figures(row: &DbRow) -> Result<Figures, StoreError> {
    let columns = metric_columns();
    let mut v = Vec::with_capacity(columns.len());
    for c in &columns {
        v.push(get::<i64>(row, c)?);
    }
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    let mut fills = [0i64; FILL_BUCKETS];
    for (i, f) in fills.iter_mut().enumerate() {
        *f = at(METRICS.len() + i);
    }
    Ok(Figures {
        shifts: at(0),
        places: at(1),
        own_bank: at(2),
        collaborative: at(3),
        agency: at(4),
        unfilled: at(5),
        cancelled: at(6),
        late_worker: at(7),
        late_trust: at(8),
        paid_seconds: at(9),
        pay_pence: at(10),
        holiday_pence: at(11),
        pension_pence: at(12),
        premium_overrides: at(13),
        base_pence: at(14),
        enhancement_pence: at(15),
        premium_pence: at(16),
        fills,
    })
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn parse_day(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("insight day {text}: {e}")))
}

/// The groupings kept for a scope, with the `insight_shifts` column each is keyed by. A
/// platform's wards and sites would be thousands of rows a day, so it groups by trust instead.
fn dimensions(scope: &str) -> &'static [(&'static str, &'static str)] {
    const TRUST: &[(&str, &str)] = &[
        ("all", "''"),
        ("ward", "ward_key"),
        ("site", "site_key"),
        ("staff_group", "staff_group"),
        ("grade", "grade"),
        ("time_of_day", "time_of_day"),
        ("week_part", "week_part"),
    ];
    const BANK: &[(&str, &str)] = &[
        ("all", "''"),
        ("trust", "org_key"),
        ("ward", "ward_key"),
        ("site", "site_key"),
        ("staff_group", "staff_group"),
        ("grade", "grade"),
        ("time_of_day", "time_of_day"),
        ("week_part", "week_part"),
    ];
    const PLATFORM: &[(&str, &str)] = &[
        ("all", "''"),
        ("trust", "org_key"),
        ("staff_group", "staff_group"),
        ("grade", "grade"),
        ("time_of_day", "time_of_day"),
        ("week_part", "week_part"),
    ];
    match scope {
        "t" => TRUST,
        "b" => BANK,
        _ => PLATFORM,
    }
}

/// The statement that writes a scope's sums for one day (`$1`) from `insight_shifts`, for every
/// trust or bank of that scope whose day is stale.
fn resum_sql(scope: &str) -> String {
    let (id, filter) = match scope {
        "t" => (
            "org_id",
            "org_id IN (SELECT scope_id FROM insight_stale WHERE scope = 't' AND day = $1)",
        ),
        "b" => (
            "bank_id",
            "bank_id IN (SELECT scope_id FROM insight_stale WHERE scope = 'b' AND day = $1)",
        ),
        // Only while the day is still stale: a refresh that finds it already summed by
        // another (which cleared it) must not sum it twice.
        _ => (
            "$2",
            "EXISTS (SELECT 1 FROM insight_stale WHERE scope = 'p' AND day = $1)",
        ),
    };
    let columns = metric_columns();
    let sums = columns
        .iter()
        .map(|c| format!("SUM({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    // The platform's scope id is bound as `$2` (the nil uuid); PostgreSQL refuses a constant in
    // GROUP BY, so the whole day groups by the scope and day alone.
    let group_id = if scope == "p" { "" } else { "org_or_bank, " };
    let selects = dimensions(scope)
        .iter()
        .map(|(dimension, key)| {
            let by_key = if *key == "''" {
                String::new()
            } else {
                format!(", {key}")
            };
            let group = format!("{}day{by_key}", group_id.replace("org_or_bank", id));
            format!(
                "SELECT '{scope}', {id}, day, '{dimension}', {key}, {sums} FROM insight_shifts \
                 WHERE {filter} AND day = $1 GROUP BY {group}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!(
        "INSERT INTO insight_days (scope, scope_id, day, dimension, value, {}) {selects}",
        columns.join(", ")
    )
}

#[async_trait::async_trait]
impl InsightStore for ThisStore {
    async fn insight_dirty(&self, limit: u32) -> Result<Vec<(i64, ShiftId)>, StoreError> {
        let rows: Vec<(i64, Uuid)> =
            sqlx::query_as("SELECT id, shift_id FROM insight_dirty ORDER BY id LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(self.writer())
                .await
                .or_store()?;
        Ok(rows.into_iter().map(|(id, s)| (id, ShiftId(s))).collect())
    }

    async fn insight_sources(&self, ids: &[ShiftId]) -> Result<InsightSources, StoreError> {
        let ids = Ids::of(ids, |s| s.0);
        let sql = format!("SELECT {SHIFT_COLUMNS} FROM shifts WHERE id {}", in_ids(1));
        let shift_rows = sqlx::query(&sql)
            .bind(ids.clone())
            .fetch_all(self.writer())
            .await
            .or_store()?;
        let shifts = shifts(shift_rows)?;
        let wards = Ids::of(&shifts, |s| s.ward_id.0);
        let ward_sites: Vec<(Uuid, Uuid)> = sqlx::query_as(&format!(
            "SELECT id, site_id FROM wards WHERE id {}",
            in_ids(1)
        ))
        .bind(wards)
        .fetch_all(self.writer())
        .await
        .or_store()?;
        let bookings: Vec<(Uuid, Uuid, At, String, Option<String>, i64, i64)> =
            sqlx::query_as(&format!(
                "SELECT b.shift_id, b.worker_id, b.created_at, b.status, b.cancelled_by, \
                 CAST(CASE WHEN b.late_cancellation THEN 1 ELSE 0 END AS BIGINT), \
                 (SELECT count(*) FROM bank_memberships m \
                  WHERE m.bank_id = s.bank_id AND m.worker_id = b.worker_id) \
                 FROM bookings b JOIN shifts s ON s.id = b.shift_id WHERE b.shift_id {}",
                in_ids(1)
            ))
            .bind(ids.clone())
            .fetch_all(self.writer())
            .await
            .or_store()?;
        #[allow(clippy::type_complexity)]
        let pay: Vec<(Uuid, Uuid, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT shift_id, worker_id, seconds, amount_pence, base_pence, enhancement_pence, \
             premium_pence, holiday_pence FROM pay_lines \
             WHERE shift_id {}",
            in_ids(1)
        ))
        .bind(ids)
        .fetch_all(self.writer())
        .await
        .or_store()?;
        Ok(InsightSources {
            shifts,
            ward_sites: ward_sites
                .into_iter()
                .map(|(w, s)| (WardId(w), SiteId(s)))
                .collect(),
            bookings: bookings
                .into_iter()
                .map(
                    |(shift, worker, at, status, by, late, own)| InsightBooking {
                        shift_id: ShiftId(shift),
                        worker_id: WorkerId(worker),
                        booked_at: at.0,
                        active: status == "active",
                        late_cancelled_by: if late == 1 { by } else { None },
                        own_bank: own > 0,
                    },
                )
                .collect(),
            pay: pay
                .into_iter()
                .map(
                    |(shift, worker, seconds, amount, base, enhancements, premium, holiday)| {
                        InsightPay {
                            shift_id: ShiftId(shift),
                            worker_id: WorkerId(worker),
                            seconds,
                            amount,
                            base,
                            enhancements,
                            premium,
                            holiday,
                        }
                    },
                )
                .collect(),
        })
    }

    async fn save_insight(
        &self,
        shifts: &[ShiftId],
        rows: &[InsightShift],
        workers: &[InsightWorker],
        done: &[i64],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(&format!(
            "SELECT id FROM insight_refresh WHERE id = 1{FOR_UPDATE}"
        ))
        .fetch_optional(&mut *tx)
        .await
        .or_store()?;
        let ids = Ids::of(shifts, |s| s.0);
        // The days each shift fell on before, so moving or removing one resums both.
        let old: Vec<(Uuid, Uuid, String)> = sqlx::query_as(&format!(
            "SELECT org_id, bank_id, day FROM insight_shifts WHERE shift_id {}",
            in_ids(1)
        ))
        .bind(ids.clone())
        .fetch_all(&mut *tx)
        .await
        .or_store()?;
        let mut touched: BTreeSet<(&'static str, Uuid, String)> = BTreeSet::new();
        let mut touch = |org: Uuid, bank: Uuid, day: String| {
            touched.insert(("t", org, day.clone()));
            touched.insert(("b", bank, day.clone()));
            touched.insert(("p", Uuid::nil(), day));
        };
        for (org, bank, day) in old {
            touch(org, bank, day);
        }
        for r in rows {
            touch(r.org_id.0, r.bank_id.0, day_text(r.day));
        }
        for table in ["insight_shifts", "insight_shift_workers"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE shift_id {}", in_ids(1)))
                .bind(ids.clone())
                .execute(&mut *tx)
                .await
                .or_store()?;
        }
        let columns = metric_columns();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Db>::new(format!(
                "INSERT INTO insight_shifts (shift_id, org_id, bank_id, day, org_key, ward_key, \
                 site_key, staff_group, grade, time_of_day, week_part, {}) ",
                columns.join(", ")
            ));
            insert.push_values(chunk, |mut b, r| {
                b.push_bind(r.shift_id.0)
                    .push_bind(r.org_id.0)
                    .push_bind(r.bank_id.0)
                    .push_bind(day_text(r.day))
                    .push_bind(r.org_id.0.to_string())
                    .push_bind(r.ward_id.0.to_string())
                    .push_bind(r.site_id.0.to_string())
                    .push_bind(r.staff_group.clone())
                    .push_bind(r.grade.clone())
                    .push_bind(r.time_of_day.clone())
                    .push_bind(r.week_part.clone());
                for v in values(&r.figures) {
                    b.push_bind(v);
                }
            });
            insert.build().execute(&mut *tx).await.or_store()?;
        }
        for chunk in workers.chunks(ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO insight_shift_workers (shift_id, pseudonym, org_id, day, booked, \
                 paid_seconds, pay_pence) ",
            );
            insert.push_values(chunk, |mut b, w| {
                b.push_bind(w.shift_id.0)
                    .push_bind(w.pseudonym.clone())
                    .push_bind(w.org_id.0)
                    .push_bind(day_text(w.day))
                    .push_bind(w.booked)
                    .push_bind(w.paid_seconds)
                    .push_bind(w.pay_pence);
            });
            insert.build().execute(&mut *tx).await.or_store()?;
        }
        for chunk in touched
            .into_iter()
            .collect::<Vec<_>>()
            .chunks(ROWS_PER_STATEMENT)
        {
            let mut insert =
                QueryBuilder::<Db>::new("INSERT INTO insight_stale (scope, scope_id, day) ");
            insert.push_values(chunk, |mut b, (scope, id, day)| {
                b.push_bind(*scope).push_bind(*id).push_bind(day.clone());
            });
            insert.push(" ON CONFLICT DO NOTHING");
            insert.build().execute(&mut *tx).await.or_store()?;
        }
        // The marks are integers read from the database, so they are written into the
        // statement as numbers (no text from outside reaches it).
        for chunk in done.chunks(1000) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            sqlx::query(&format!("DELETE FROM insight_dirty WHERE id IN ({list})"))
                .execute(&mut *tx)
                .await
                .or_store()?;
        }
        tx.commit().await.or_store()
    }

    async fn resum_insight(&self, days: u32) -> Result<usize, StoreError> {
        let stale: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT day FROM insight_stale ORDER BY day LIMIT $1")
                .bind(i64::from(days))
                .fetch_all(self.writer())
                .await
                .or_store()?;
        let statements = [
            ("t", resum_sql("t")),
            ("b", resum_sql("b")),
            ("p", resum_sql("p")),
        ];
        for day in &stale {
            let mut tx = self.begin().await?;
            sqlx::query(&format!(
                "SELECT id FROM insight_refresh WHERE id = 1{FOR_UPDATE}"
            ))
            .fetch_optional(&mut *tx)
            .await
            .or_store()?;
            for (scope, sql) in &statements {
                sqlx::query(
                    "DELETE FROM insight_days WHERE scope = $1 AND day = $2 AND scope_id IN \
                     (SELECT scope_id FROM insight_stale WHERE scope = $1 AND day = $2)",
                )
                .bind(*scope)
                .bind(day.clone())
                .execute(&mut *tx)
                .await
                .or_store()?;
                let mut insert = sqlx::query(sql).bind(day.clone());
                if *scope == "p" {
                    insert = insert.bind(Uuid::nil());
                }
                insert.execute(&mut *tx).await.or_store()?;
            }
            sqlx::query("DELETE FROM insight_stale WHERE day = $1")
                .bind(day.clone())
                .execute(&mut *tx)
                .await
                .or_store()?;
            tx.commit().await.or_store()?;
        }
        Ok(stale.len())
    }

    async fn insight_days(
        &self,
        scope: InsightScope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<InsightDay>, StoreError> {
        let (letter, id) = scope.key();
        let columns = metric_columns();
        let days = sqlx::query(&format!(
            "SELECT day, dimension, value, {} FROM insight_days WHERE scope = $1 \
             AND scope_id = $2 AND dimension = 'all' AND day >= $3 AND day <= $4 ORDER BY day",
            columns.join(", ")
        ))
        .bind(letter)
        .bind(id)
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(self.replica())
        .await
        .or_store()?;
        let sums = columns
            .iter()
            .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let groups = sqlx::query(&format!(
            "SELECT dimension, value, {sums} FROM insight_days WHERE scope = $1 \
             AND scope_id = $2 AND dimension <> 'all' AND day >= $3 AND day <= $4 \
             GROUP BY dimension, value ORDER BY dimension, value"
        ))
        .bind(letter)
        .bind(id)
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(self.replica())
        .await
        .or_store()?;
        let mut out = Vec::with_capacity(days.len() + groups.len());
        for r in &days {
            out.push(InsightDay {
                day: parse_day(&get::<String>(r, "day")?)?,
                dimension: get(r, "dimension")?,
                value: get(r, "value")?,
                figures: figures(r)?,
            });
        }
        for r in &groups {
            out.push(InsightDay {
                day: from,
                dimension: get(r, "dimension")?,
                value: get(r, "value")?,
                figures: figures(r)?,
            });
        }
        Ok(out)
    }

    async fn insight_workers(
        &self,
        org: OrgId,
        from: NaiveDate,
        to: NaiveDate,
        limit: u32,
    ) -> Result<Vec<InsightWorkerTotal>, StoreError> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT pseudonym, CAST(SUM(booked) AS BIGINT), CAST(SUM(paid_seconds) AS BIGINT) \
             AS seconds, CAST(SUM(pay_pence) AS BIGINT) FROM insight_shift_workers \
             WHERE org_id = $1 AND day >= $2 AND day <= $3 GROUP BY pseudonym \
             ORDER BY seconds DESC, pseudonym LIMIT $4",
        )
        .bind(org.0)
        .bind(day_text(from))
        .bind(day_text(to))
        .bind(i64::from(limit))
        .fetch_all(self.replica())
        .await
        .or_store()?;
        Ok(rows
            .into_iter()
            .map(
                |(pseudonym, shifts, paid_seconds, pay_pence)| InsightWorkerTotal {
                    pseudonym,
                    shifts,
                    paid_seconds,
                    pay_pence,
                },
            )
            .collect())
    }
}
