//! Offers: when a stage of a shift's release opens (or the end of its priority window, or a place
//! comes free), the best-ranked workers who may book it at that moment are offered it in their
//! in-app inbox, and an outbox event is written in the same transaction for email, SMS or push.
//!
//! Offers go to the best few rather than to everyone eligible, so nobody is flooded; everyone
//! eligible still finds the shift in their search. The inbox shows an offer only while the shift
//! is open, has a place and the worker may still book it (every rule judged again on reading), so
//! a filled shift's offers disappear at once and come back if a place is freed.

use std::collections::HashSet;
use std::time::Duration;

use serde::Serialize;
use staffbank_domain::shift::{bookable, BookingTime};
use staffbank_domain::WorkerId;
use staffbank_store::{DueOffers, OfferRound, OutboxEvent, Shift};
use uuid::Uuid;

use crate::matching::ShiftMatch;
use crate::{App, AppError, Principal};

/// Workers offered a shift at each opening.
pub const OFFERS_PER_ROUND: usize = 25;
/// Due shifts read per pass.
const DUE_BATCH: u32 = 100;
/// How often the releaser looks for offers that have fallen due.
const TICK: Duration = Duration::from_secs(15);
/// The topic of an offer's outbox event.
pub const OFFER_TOPIC: &str = "offer.made";

/// A worker's inbox of offers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Offers {
    /// Offered shifts they may book now, best match first.
    pub offers: Vec<ShiftMatch>,
}

/// The worker a booker offers a shift to.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferTo {
    /// One of the shift's eligible candidates.
    pub worker_id: Uuid,
}

/// What became of a booker's offer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferMade {
    /// The worker.
    pub worker_id: Uuid,
    /// The shift.
    pub shift_id: Uuid,
    /// False when they had been offered it already (nothing new was sent).
    pub new: bool,
}

impl App {
    /// Offers a shift to one of its eligible candidates (bookers of its ward): it lands in their
    /// inbox, and an outbox event carries it by email, SMS or push. Offering again sends nothing.
    #[tracing::instrument(skip_all, fields(shift = %shift_id))]
    pub async fn offer_shift(
        &self,
        who: &Principal,
        shift_id: staffbank_domain::ShiftId,
        input: OfferTo,
    ) -> Result<OfferMade, AppError> {
        let (shift, ward) = self.booker_shift(who, shift_id).await?;
        let now = self.now();
        let time = BookingTime {
            starts_at: shift.window.start(),
            now,
        };
        if bookable(shift.status, Some(time)).is_err() {
            return Err(AppError::Conflict(
                staffbank_store::Conflict::ShiftNotOpen,
                "the shift is filled, cancelled or has started: it cannot be offered".into(),
            ));
        }
        let booked = self.booked_workers(shift.id).await?;
        let pool = self
            .rank_pool(&shift, &ward, now, crate::matching::MAX_CANDIDATES, &booked)
            .await?;
        let worker = WorkerId(input.worker_id);
        if let Some((_, why)) = pool.unsuited.iter().find(|(w, _)| w.id == worker) {
            return Err(AppError::field(
                "worker_id",
                format!("is not available for this shift: {}", why.join("; ")),
            ));
        }
        if !pool.eligible.iter().any(|(.., w)| w.id == worker) {
            return Err(AppError::field(
                "worker_id",
                "is not one of the workers who may book this shift now",
            ));
        }
        let view = self.names.shift_view(self.store.as_ref(), &shift).await?;
        let event = OutboxEvent {
            id: Uuid::new_v4(),
            topic: OFFER_TOPIC.to_owned(),
            worker_id: Some(worker),
            payload: serde_json::json!({ "worker_id": worker.0, "shift": view }).to_string(),
            created_at: now,
        };
        let record = self
            .audit_record(crate::audit::Change {
                action: "shift.offered",
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: None,
                facts: serde_json::json!({"shift": shift.id, "worker": worker}),
                personal: None,
            })
            .await?;
        let new = self
            .store
            .offer_to(shift.id, worker, &event, &[record])
            .await?;
        self.wake_notifications();
        Ok(OfferMade {
            worker_id: worker.0,
            shift_id: shift.id.0,
            new,
        })
    }

    /// Sends every round of offers that has fallen due; returns how many workers were offered a
    /// shift. Safe to run on several servers at once: each round is claimed in the store.
    pub async fn send_due_offers(&self) -> Result<usize, AppError> {
        let now = self.now();
        let mut made = 0;
        loop {
            let due = self.store.offers_due(now, DUE_BATCH).await?;
            let full_batch = due.len() == DUE_BATCH as usize;
            for round in due {
                made += self.offer_round(round).await?;
            }
            if !full_batch {
                return Ok(made);
            }
        }
    }

    /// Sends due offers until the app stops. Errors are logged and retried.
    pub async fn run_offers(self) {
        loop {
            match self.send_due_offers().await {
                Ok(0) => {}
                Ok(made) => tracing::info!(made, "offers sent"),
                Err(e) => tracing::warn!(error = %e, "sending offers failed"),
            }
            if !self.pause(TICK, None).await {
                return;
            }
        }
    }

    async fn offer_round(&self, due: DueOffers) -> Result<usize, AppError> {
        let now = self.now();
        let shift = &due.shift;
        let ward = self
            .store
            .ward(shift.ward_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let time = BookingTime {
            starts_at: shift.window.start(),
            now,
        };
        if bookable(shift.status, Some(time)).is_err() {
            // Full (or started since it fell due): nobody can take it. The round passes; a freed
            // place brings offers due again.
            return self.record_round(&due, shift, vec![], vec![]).await;
        }
        let mut leave_out: HashSet<_> = self
            .store
            .offered_workers(shift.id)
            .await?
            .into_iter()
            .collect();
        leave_out.extend(self.booked_workers(shift.id).await?);
        let pool = self
            .rank_pool(shift, &ward, now, OFFERS_PER_ROUND, &leave_out)
            .await?;
        // Only within each worker's own travel limit and availability: they asked not to hear
        // of the rest.
        let workers: Vec<_> = pool
            .eligible
            .iter()
            .filter(|(rank, ..)| rank.within_travel_limit)
            .map(|(.., worker)| worker.id)
            .collect();
        let unavailable: HashSet<WorkerId> = self
            .store
            .availabilities(&workers)
            .await?
            .into_iter()
            .filter(|(_, a)| !a.allows(shift.window))
            .map(|(w, _)| w)
            .collect();
        let workers: Vec<_> = workers
            .into_iter()
            .filter(|w| !unavailable.contains(w))
            .collect();
        let view = self.names.shift_view(self.store.as_ref(), shift).await?;
        let events = workers
            .iter()
            .map(|worker| OutboxEvent {
                id: Uuid::new_v4(),
                topic: OFFER_TOPIC.to_owned(),
                worker_id: Some(*worker),
                payload: serde_json::json!({ "worker_id": worker.0, "shift": view }).to_string(),
                created_at: now,
            })
            .collect();
        self.record_round(&due, shift, workers, events).await
    }

    async fn record_round(
        &self,
        due: &DueOffers,
        shift: &Shift,
        workers: Vec<WorkerId>,
        events: Vec<OutboxEvent>,
    ) -> Result<usize, AppError> {
        let now = self.now();
        let round = OfferRound {
            shift_id: shift.id,
            due_at: due.due_at,
            next_due_at: shift.schedule().next_opening_after(now),
            workers,
            events,
            at: now,
        };
        let sent = self.store.record_offers(&round).await?;
        if sent {
            metrics::counter!(crate::measures::OFFERS_SENT).increment(round.workers.len() as u64);
            self.wake_notifications();
        }
        Ok(if sent { round.workers.len() } else { 0 })
    }

    /// The signed-in worker's offers they may book now, best match first.
    pub async fn my_offers(&self, who: &Principal) -> Result<Offers, AppError> {
        let worker = who.require_worker()?;
        let now = self.now();
        let found = self
            .store
            .offered_shifts(worker.id, now)
            .await?
            .into_iter()
            .map(|m| {
                let night = staffbank_domain::ranking::is_night(m.shift.window);
                (m, night)
            })
            .collect();
        // Only the bookable ones are shown: no near-misses to name.
        let judged = self.judge_shifts(worker, found, now, usize::MAX, 0).await?;
        Ok(Offers {
            offers: judged.bookable,
        })
    }
}
