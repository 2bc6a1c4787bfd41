//! Agency spend: the fills a trust's spend report adds up, and its cap.

use chrono::{DateTime, NaiveDate, Utc};
use staffbank_domain::agency::Period;
use staffbank_domain::{OrgId, ShiftId, StaffGroup, UserId, WardId};
use staffbank_store::{AgencyCap, AgencyFill, AuditRecord, StoreError};
use uuid::Uuid;

use super::types::At;
use crate::db::ThisStore;
use crate::sql::OrStore;

/// A cap row: period, figure, baseline period, who set it and when.
type CapRow = (
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Uuid,
    At,
);

fn stored_period(from: &str, to: &str) -> Result<Period, StoreError> {
    let day = |raw: &str| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("stored cap day: {e}")))
    };
    Period::new(day(from)?, day(to)?)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("stored cap period: {e}")))
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

impl ThisStore {
    pub(crate) async fn read_agency_fills(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AgencyFill>, StoreError> {
        let rows: Vec<(Uuid, Uuid, String, At, Option<i64>)> = sqlx::query_as(
            "SELECT id, ward_id, staff_group, starts_at, agency_spend_pence FROM shifts \
             WHERE org_id = $1 AND agency_at IS NOT NULL AND status <> 'cancelled' \
             AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, id",
        )
        .bind(org.0)
        .bind(At(from))
        .bind(At(to))
        .fetch_all(self.reader())
        .await
        .or_store()?;
        rows.into_iter()
            .map(|(id, ward, group, starts_at, spend)| {
                let staff_group = StaffGroup::parse(&group).ok_or_else(|| {
                    StoreError::Unexpected(anyhow::anyhow!("stored staff group: {group}"))
                })?;
                Ok(AgencyFill {
                    shift_id: ShiftId(id),
                    ward_id: WardId(ward),
                    staff_group,
                    starts_at: starts_at.0,
                    spend_pence: spend.unwrap_or(0),
                })
            })
            .collect()
    }

    pub(crate) async fn read_agency_cap(
        &self,
        org: OrgId,
    ) -> Result<Option<AgencyCap>, StoreError> {
        let row: Option<CapRow> = sqlx::query_as(
            "SELECT period_from, period_to, cap_pence, baseline_from, baseline_to, set_by, \
             set_at FROM agency_caps WHERE org_id = $1",
        )
        .bind(org.0)
        .fetch_optional(self.reader())
        .await
        .or_store()?;
        let Some((from, to, cap_pence, b_from, b_to, set_by, set_at)) = row else {
            return Ok(None);
        };
        let baseline = match (b_from, b_to) {
            (Some(f), Some(t)) => Some(stored_period(&f, &t)?),
            _ => None,
        };
        Ok(Some(AgencyCap {
            period: stored_period(&from, &to)?,
            cap_pence,
            baseline,
            set_by: UserId(set_by),
            set_at: set_at.0,
        }))
    }

    pub(crate) async fn write_agency_cap(
        &self,
        org: OrgId,
        cap: &AgencyCap,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO agency_caps (org_id, period_from, period_to, cap_pence, baseline_from, \
             baseline_to, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (org_id) DO UPDATE SET period_from = EXCLUDED.period_from, \
             period_to = EXCLUDED.period_to, cap_pence = EXCLUDED.cap_pence, \
             baseline_from = EXCLUDED.baseline_from, baseline_to = EXCLUDED.baseline_to, \
             set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at",
        )
        .bind(org.0)
        .bind(day_text(cap.period.from()))
        .bind(day_text(cap.period.to()))
        .bind(cap.cap_pence)
        .bind(cap.baseline.map(|b| day_text(b.from())))
        .bind(cap.baseline.map(|b| day_text(b.to())))
        .bind(cap.set_by.0)
        .bind(At(cap.set_at));
        self.write_audited(query, audit).await
    }
}
