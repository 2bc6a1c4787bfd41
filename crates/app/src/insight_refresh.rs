//! Keeping the dashboard's read model current: each shift a trigger marked as changed is rebuilt
//! from its bookings and pay lines, its workers are recorded under keyed pseudonyms, and the
//! days it falls on are summed again, all in one transaction per batch.
//!
//! The pseudonym is HMAC-SHA256 (RFC 2104) of the worker's id under a key derived from the
//! master key for this purpose alone: stable (the same worker is the same pseudonym in every
//! export), unlinkable to a person without the key, and the key is never written to the
//! analytics tables.

use std::collections::{BTreeMap, HashMap};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use staffbank_domain::insight::{fill_bucket, time_of_day, week_part, Figures};
use staffbank_domain::ranking::is_night;
use staffbank_domain::shift::{ShiftStatus, RULES_ZONE};
use staffbank_domain::{OrgId, ShiftId, WorkerId};
use staffbank_store::{InsightShift, InsightSources, InsightWorker};

use crate::{App, AppError};

/// Marks read per batch: each batch is one transaction.
const BATCH: u32 = 20_000;

/// Stale days summed again per read of the stale list.
const RESUM_DAYS: u32 = 100;

/// The purpose the pseudonym key is derived for (domain separation from every other key).
const PSEUDONYM_PURPOSE: &[u8] = b"insight worker pseudonyms v1";

/// A worker's pseudonym under `key`: `w-` and the first 16 bytes of the HMAC, in hex.
pub fn pseudonym(key: &[u8; 32], worker: WorkerId) -> String {
    // HMAC takes a key of any length (RFC 2104 section 2), so this never fails.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(worker.0.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("w-{}", hex::encode(tag.get(..16).unwrap_or_default()))
}

/// One shift's figures and its workers' parts, from the facts read for it. `pension_bp` is the
/// trust's employer pension rate, basis points of pay.
fn rebuild(
    sources: &InsightSources,
    pension: &HashMap<OrgId, u32>,
    key: &[u8; 32],
) -> (Vec<InsightShift>, Vec<InsightWorker>) {
    let sites: HashMap<_, _> = sources.ward_sites.iter().copied().collect();
    let mut bookings: HashMap<ShiftId, Vec<_>> = HashMap::new();
    for b in &sources.bookings {
        bookings.entry(b.shift_id).or_default().push(b);
    }
    let mut pay: HashMap<ShiftId, Vec<_>> = HashMap::new();
    for p in &sources.pay {
        pay.entry(p.shift_id).or_default().push(p);
    }
    let mut rows = Vec::with_capacity(sources.shifts.len());
    let mut workers = Vec::new();
    for shift in &sources.shifts {
        let Some(site_id) = sites.get(&shift.ward_id).copied() else {
            continue;
        };
        let day = shift.window.start().with_timezone(&RULES_ZONE).date_naive();
        let places = i64::from(shift.places.get());
        let mut f = Figures {
            shifts: 1,
            places,
            premium_overrides: i64::from(shift.premium.override_reason.is_some()),
            ..Figures::default()
        };
        let mut parts: BTreeMap<WorkerId, (i64, i64, i64)> = BTreeMap::new();
        for b in bookings
            .get(&shift.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if b.active {
                if b.own_bank {
                    f.own_bank += 1;
                } else {
                    f.collaborative += 1;
                }
                let minutes = (b.booked_at - shift.created_at).num_minutes();
                if let Some(n) = f.fills.get_mut(fill_bucket(minutes)) {
                    *n += 1;
                }
                parts.entry(b.worker_id).or_default().0 = 1;
            }
            match b.late_cancelled_by.as_deref() {
                Some("worker") => f.late_worker += 1,
                Some("trust") => f.late_trust += 1,
                _ => {}
            }
        }
        for p in pay.get(&shift.id).map(Vec::as_slice).unwrap_or_default() {
            f.paid_seconds += p.seconds;
            f.pay_pence += p.amount;
            f.base_pence += p.base;
            f.enhancement_pence += p.enhancements;
            f.premium_pence += p.premium;
            f.holiday_pence += p.holiday;
            let part = parts.entry(p.worker_id).or_default();
            part.1 += p.seconds;
            part.2 += p.amount;
        }
        let rate = i64::from(pension.get(&shift.org_id).copied().unwrap_or(0));
        // Half a penny up, like the rest of pay.
        f.pension_pence = (f.pay_pence * rate + 5_000).div_euclid(10_000);
        let filled = f.own_bank + f.collaborative;
        if shift.status == ShiftStatus::Cancelled {
            f.cancelled = places;
        } else {
            f.agency = match &shift.agency {
                Some(a) => a
                    .cost
                    .as_ref()
                    .map_or(places - filled, |c| i64::from(c.places)),
                None => 0,
            }
            .clamp(0, (places - filled).max(0));
            f.unfilled = (places - filled - f.agency).max(0);
        }
        for (worker, (booked, seconds, pence)) in parts {
            workers.push(InsightWorker {
                shift_id: shift.id,
                org_id: shift.org_id,
                day,
                pseudonym: pseudonym(key, worker),
                booked,
                paid_seconds: seconds,
                pay_pence: pence,
            });
        }
        rows.push(InsightShift {
            shift_id: shift.id,
            org_id: shift.org_id,
            bank_id: shift.bank_id,
            day,
            ward_id: shift.ward_id,
            site_id,
            staff_group: shift.staff_group.as_str().to_owned(),
            grade: shift.grades.min().as_str().to_owned(),
            time_of_day: time_of_day(is_night(shift.window)).to_owned(),
            week_part: week_part(day).to_owned(),
            figures: f,
        });
    }
    (rows, workers)
}

impl App {
    /// The key workers' pseudonyms are made under: derived from the master key for this purpose
    /// alone, held in memory, never stored.
    pub(crate) fn pseudonym_key(&self) -> [u8; 32] {
        self.master.derived_secret(PSEUDONYM_PURPOSE)
    }

    /// Rebuilds every shift marked as changed and the days it falls on, in batches; returns how
    /// many marks were cleared. Run before each dashboard read (so figures are exact) and by
    /// the sweep (so that read stays quick).
    #[tracing::instrument(skip_all)]
    pub async fn refresh_insight(&self) -> Result<usize, AppError> {
        let key = self.pseudonym_key();
        let mut pension: HashMap<OrgId, u32> = HashMap::new();
        let mut cleared = 0;
        loop {
            let marks = self.store.insight_dirty(BATCH).await?;
            if marks.is_empty() {
                break;
            }
            let mut shifts: Vec<ShiftId> = marks.iter().map(|(_, s)| *s).collect();
            shifts.sort_by_key(|s| s.0);
            shifts.dedup();
            let sources = self.store.insight_sources(&shifts).await?;
            let unknown: std::collections::BTreeSet<OrgId> = sources
                .shifts
                .iter()
                .map(|s| s.org_id)
                .filter(|org| !pension.contains_key(org))
                .collect();
            for org in unknown {
                let rate = self.pay_settings_of(org).await?.employer_pension;
                pension.insert(org, rate);
            }
            let (rows, workers) = rebuild(&sources, &pension, &key);
            let done: Vec<i64> = marks.iter().map(|(id, _)| *id).collect();
            self.store
                .save_insight(&shifts, &rows, &workers, &done)
                .await?;
            cleared += done.len();
        }
        // Each stale day is summed once, after every shift on it is rebuilt.
        while self.store.resum_insight(RESUM_DAYS).await? > 0 {}
        Ok(cleared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn pseudonyms_are_stable_keyed_and_hide_the_id() {
        let worker = WorkerId(Uuid::new_v4());
        let a = pseudonym(&[1; 32], worker);
        assert_eq!(a, pseudonym(&[1; 32], worker));
        assert_ne!(a, pseudonym(&[2; 32], worker));
        assert_ne!(a, pseudonym(&[1; 32], WorkerId(Uuid::new_v4())));
        assert_eq!(a.len(), 34);
        assert!(!a.contains(&worker.0.simple().to_string()));
    }
}
