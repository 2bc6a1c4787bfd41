//! The fairness auditor's weekly run: once per bank and ISO week, the previous week's report is
//! computed and written to the audit ledger as `fairness.weekly_report`, so the record of how
//! fairly each bank shared its shifts cannot be rewritten afterwards. The entry carries
//! aggregates and flags only (suppressed groups give no figures), never a person.
//!
//! Exactly once: the week is claimed by a row keyed (bank, week) inserted in the transaction of
//! the entry, so a sweep run twice, or by two servers at once, records it once.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::{json, Value};
use staffbank_domain::shift::RULES_ZONE;
use staffbank_store::Bank;

use crate::audit::Change;
use crate::fairness::FairnessReport;
use crate::{App, AppError};

/// The ledger action of the weekly run.
pub const ACTION: &str = "fairness.weekly_report";

/// The ISO week before the one `now` falls in (UK time): its name (`2026-W49`) and the instants
/// its Monday and the next Monday begin.
pub fn previous_week(now: DateTime<Utc>) -> (String, DateTime<Utc>, DateTime<Utc>) {
    let today = now.with_timezone(&RULES_ZONE).date_naive();
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let monday = this_monday - Duration::days(7);
    let week = monday.iso_week();
    (
        format!("{}-W{:02}", week.year(), week.week()),
        uk_midnight(monday),
        uk_midnight(this_monday),
    )
}

/// The instant a UK calendar day begins.
fn uk_midnight(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    RULES_ZONE
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// The entry's facts: the period, the rules, each grouping's shown groups with their counts, and
/// every flag. Suppressed groups are named as suppressed with no figures.
pub fn weekly_facts(week: &str, report: &FairnessReport) -> Value {
    let mut flags = Vec::new();
    let groupings: Vec<Value> = report
        .groupings
        .iter()
        .map(|g| {
            let groups: Vec<Value> = g
                .groups
                .iter()
                .map(|group| {
                    if group.suppressed {
                        return json!({"group": group.group, "suppressed": true});
                    }
                    for m in group.measures.iter().filter(|m| m.flagged) {
                        flags.push(json!({
                            "grouping": g.grouping, "group": group.group,
                            "measure": m.measure, "share": m.share,
                            "member_share": group.member_share, "p_value": m.p_value,
                            "n": m.total,
                        }));
                    }
                    let measures: Vec<Value> = group
                        .measures
                        .iter()
                        .map(|m| json!({"measure": m.measure, "count": m.count, "total": m.total}))
                        .collect();
                    json!({"group": group.group, "members": group.members, "measures": measures})
                })
                .collect();
            json!({"grouping": g.grouping, "members": g.members, "groups": groups})
        })
        .collect();
    json!({
        "bank": report.bank_id,
        "week": week,
        "from": report.from,
        "to": report.to,
        "test": report.test,
        "tolerance": report.tolerance,
        "min_group": report.min_group,
        "desirable": report.desirable,
        "groupings": groupings,
        "flags": flags,
    })
}

impl App {
    /// Records last week's fairness report of every bank that has not had it recorded; the
    /// number recorded by this call.
    #[tracing::instrument(skip_all)]
    pub async fn record_weekly_fairness(&self) -> Result<usize, AppError> {
        let (week, from, to) = previous_week(self.now());
        let mut recorded = 0;
        for bank in self.store.banks().await? {
            if self.store.fairness_week_recorded(bank.id, &week).await? {
                continue;
            }
            if self.record_week(&bank, &week, from, to).await? {
                recorded += 1;
            }
        }
        Ok(recorded)
    }

    async fn record_week(
        &self,
        bank: &Bank,
        week: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let report = self.report_for(bank, from, to).await?;
        let record = self
            .audit_record(Change {
                action: ACTION,
                actor: None,
                tenant: Some(bank.lead_org_id),
                subject: None,
                facts: weekly_facts(week, &report),
                personal: None,
            })
            .await?;
        Ok(self
            .store
            .record_fairness_week(bank.id, week, &[record])
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_week_is_the_iso_week_before_in_uk_time() {
        // Sunday 6 Dec 2026, 23:30 in London: still ISO week 49, so last week is 48.
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 23, 30, 0).unwrap();
        let (week, from, to) = previous_week(now);
        assert_eq!(week, "2026-W48");
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
        assert_eq!(to, Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap());
        // Monday 7 Dec, 00:30 in London: week 49 is over.
        let (week, ..) = previous_week(Utc.with_ymd_and_hms(2026, 12, 7, 0, 30, 0).unwrap());
        assert_eq!(week, "2026-W49");
        // In summer London is an hour ahead: Monday 00:30 BST is Sunday 23:30 UTC.
        let (week, from, _) = previous_week(Utc.with_ymd_and_hms(2026, 6, 14, 23, 30, 0).unwrap());
        assert_eq!(week, "2026-W24");
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 6, 7, 23, 0, 0).unwrap());
    }
}
