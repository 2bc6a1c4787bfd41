//! A trust's credential-expiry forecast for its bank office: whose credentials lapse in the next
//! 30, 60 or 90 days, on which wards, and the coming shifts each lapse would stop them booking or
//! working (judged by the eligibility rules; see `staffbank_domain::forecast`).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use staffbank_domain::forecast::{
    credential_lapses, lapses_by_ward, ForecastShift, ForecastWorker, HORIZONS,
};
use staffbank_domain::{OrgId, WardId, WorkerId};
use uuid::Uuid;

use crate::shifts::{shift_facts, worker_facts};
use crate::{App, AppError, Principal};

/// How far back bookings place a worker on a ward.
const WARD_HISTORY_DAYS: i64 = 365;

/// A ward, named.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WardName {
    /// Identity.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

/// One worker's credential lapsing soon.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpiryRow {
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub worker_name: String,
    /// The credential kind (stable name).
    pub credential: String,
    /// It in words.
    pub credential_label: String,
    /// When their cover ends, renewals already recorded included.
    pub ends_at: DateTime<Utc>,
    /// The smallest horizon it falls within: 30, 60 or 90 days.
    pub within_days: i64,
    /// Wards of the trust they have booked.
    pub wards: Vec<WardName>,
    /// Open shifts they could book now but not once it lapses.
    pub open_shifts_stopped: Vec<Uuid>,
    /// Shifts they have booked that they could no longer work.
    pub booked_shifts_at_risk: Vec<Uuid>,
}

/// Lapses counted on one ward.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WardExpiry {
    /// The ward; absent for workers not yet booked on any ward of the trust.
    pub ward_id: Option<Uuid>,
    /// Its name ("No ward yet" when absent).
    pub ward_name: String,
    /// Lapses within 30 days.
    pub within_30: u32,
    /// Within 60 days (including the 30).
    pub within_60: u32,
    /// Within 90 days (including the 60).
    pub within_90: u32,
    /// Distinct shifts those lapses would stop someone booking or working.
    pub shifts_stopped: u32,
}

/// The whole forecast.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CredentialExpiry {
    /// When it was worked out.
    pub as_of: DateTime<Utc>,
    /// Lapses within 30, 60 and 90 days across the trust (cumulative).
    pub within_30: u32,
    /// See `within_30`.
    pub within_60: u32,
    /// See `within_30`.
    pub within_90: u32,
    /// Per ward.
    pub wards: Vec<WardExpiry>,
    /// Each lapse, soonest first.
    pub lapses: Vec<ExpiryRow>,
}

impl App {
    /// Refuses anyone but the trust's bank office (its trust-wide bookers), without saying
    /// whether the trust exists.
    pub(crate) fn require_bank_office(&self, who: &Principal, org: OrgId) -> Result<(), AppError> {
        if who.booker_orgs().contains(&org) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The trust's ward names by id.
    pub(crate) async fn ward_names(&self, org: OrgId) -> Result<HashMap<WardId, String>, AppError> {
        Ok(self
            .store
            .wards(org)
            .await?
            .into_iter()
            .map(|w| (w.id, w.name.to_string()))
            .collect())
    }

    /// The credential-expiry forecast of a trust's bank (its bank office only).
    pub async fn credential_expiry(
        &self,
        who: &Principal,
        org: OrgId,
    ) -> Result<CredentialExpiry, AppError> {
        self.require_bank_office(who, org)?;
        let now = self.now();
        let horizon = now + Duration::days(HORIZONS[HORIZONS.len() - 1]);
        let ids = self.store.bank_worker_ids(org).await?;
        let credentials = self.store.credentials_of_workers(&ids).await?;
        let bookings = self
            .store
            .trust_bookings_since(org, now - Duration::days(WARD_HISTORY_DAYS))
            .await?;
        let mut wards_of: HashMap<WorkerId, BTreeSet<WardId>> = HashMap::new();
        for b in bookings.iter().filter(|b| b.active) {
            wards_of.entry(b.worker_id).or_default().insert(b.ward_id);
        }
        let mut names = HashMap::new();
        let mut workers = Vec::with_capacity(ids.len());
        for id in &ids {
            let Some(worker) = self.store.worker(*id).await? else {
                continue;
            };
            let held: Vec<_> = credentials
                .iter()
                .filter(|c| c.worker_id == *id)
                .cloned()
                .collect();
            names.insert(*id, worker.display_name.to_string());
            workers.push(ForecastWorker {
                id: *id,
                facts: worker_facts(&worker, &held),
                wards: wards_of
                    .get(id)
                    .map(|w| w.iter().copied().collect())
                    .unwrap_or_default(),
            });
        }
        let shifts: Vec<ForecastShift> = self
            .store
            .trust_shifts_between(org, now, horizon)
            .await?
            .iter()
            .map(|s| ForecastShift {
                id: s.id,
                ward: s.ward_id,
                facts: shift_facts(s),
                booked_by: bookings
                    .iter()
                    .filter(|b| b.active && b.shift_id == s.id)
                    .map(|b| b.worker_id)
                    .collect(),
            })
            .collect();
        let lapses = credential_lapses(&workers, &shifts, now);
        let ward_names = self.ward_names(org).await?;
        let ward_name = |w: Option<WardId>| match w {
            Some(w) => ward_names.get(&w).cloned().unwrap_or_default(),
            None => "No ward yet".to_owned(),
        };
        let count = |days: i64| {
            u32::try_from(lapses.iter().filter(|l| l.within_days <= days).count())
                .unwrap_or(u32::MAX)
        };
        Ok(CredentialExpiry {
            as_of: now,
            within_30: count(30),
            within_60: count(60),
            within_90: count(90),
            wards: lapses_by_ward(&lapses)
                .into_iter()
                .map(|w| WardExpiry {
                    ward_id: w.ward.map(|id| id.0),
                    ward_name: ward_name(w.ward),
                    within_30: w.within[0],
                    within_60: w.within[1],
                    within_90: w.within[2],
                    shifts_stopped: w.shifts_stopped,
                })
                .collect(),
            lapses: lapses
                .into_iter()
                .map(|l| ExpiryRow {
                    worker_id: l.worker.0,
                    worker_name: names.get(&l.worker).cloned().unwrap_or_default(),
                    credential: l.kind.as_str().to_owned(),
                    credential_label: l.kind.label().to_owned(),
                    ends_at: l.ends_at,
                    within_days: l.within_days,
                    wards: l
                        .wards
                        .iter()
                        .map(|w| WardName {
                            id: w.0,
                            name: ward_name(Some(*w)),
                        })
                        .collect(),
                    open_shifts_stopped: l.stops_open.iter().map(|s| s.0).collect(),
                    booked_shifts_at_risk: l.stops_booked.iter().map(|s| s.0).collect(),
                })
                .collect(),
        })
    }
}
