//! Retention for a trust's bank office: workers whose activity at the trust is falling, each with
//! the reason in plain words (rules in `staffbank_domain::retention`), the nudges the office sends
//! them (a guaranteed block of shifts through the direct offer, or a message through the
//! notification outbox) and whether each worker booked again.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use staffbank_domain::retention::{
    history_needed, nudge_outcome, signals, success_rate, Activity, NudgeOutcome, OfferTaken,
    RetentionRules, NUDGE_WINDOW_DAYS,
};
use staffbank_domain::{OrgId, ShiftId, WorkerId};
use staffbank_store::{Nudge, OutboxEvent};
use uuid::Uuid;

use crate::offers::OfferTo;
use crate::{App, AppError, Principal};

/// The topic of a bank office's message to a worker.
pub const MESSAGE_TOPIC: &str = "bank.message";
/// Most shifts one nudge may offer.
pub const MAX_NUDGE_SHIFTS: usize = 10;
/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 1000;

/// One reason a worker is flagged.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignalView {
    /// `ignoring_offers` or `stopped_booking`.
    pub signal: String,
    /// The reason in plain words.
    pub reason: String,
}

/// A worker whose activity is falling.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RetentionRow {
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub worker_name: String,
    /// Why they are listed.
    pub signals: Vec<SignalView>,
    /// Their last booking at the trust, if within the history read.
    pub last_booked_at: Option<DateTime<Utc>>,
    /// When the office last nudged them, if it has.
    pub last_nudged_at: Option<DateTime<Utc>>,
}

/// The retention list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RetentionList {
    /// When it was worked out.
    pub as_of: DateTime<Utc>,
    /// The flagged workers, by name.
    pub workers: Vec<RetentionRow>,
}

/// A nudge to send.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendNudge {
    /// The worker.
    pub worker_id: Uuid,
    /// `shifts` to offer a guaranteed block, or `message`.
    pub kind: String,
    /// For `shifts`: the trust's shifts to offer them (1 to 10).
    #[serde(default)]
    pub shift_ids: Vec<Uuid>,
    /// For `message`: what to say (1 to 1,000 characters).
    #[serde(default)]
    pub message: Option<String>,
}

/// A nudge with what became of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NudgeView {
    /// Identity.
    pub id: Uuid,
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub worker_name: String,
    /// `shifts` or `message`.
    pub kind: String,
    /// The message sent, if any.
    pub message: Option<String>,
    /// The shifts offered.
    pub shift_ids: Vec<Uuid>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// `booked_again`, `waiting` or `no_booking`.
    pub outcome: String,
    /// The outcome in words.
    pub outcome_label: String,
}

/// The trust's nudges and how well they work.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NudgeList {
    /// Days after a nudge in which a booking counts.
    pub window_days: i64,
    /// Nudges after which the worker booked again.
    pub booked_again: u32,
    /// Nudges whose window is still running.
    pub waiting: u32,
    /// Nudges whose window passed without a booking.
    pub no_booking: u32,
    /// Booked again as a share of the decided ones, in per cent; absent before any is decided.
    pub rate_percent: Option<f64>,
    /// Each nudge, newest first.
    pub nudges: Vec<NudgeView>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl App {
    async fn nudged_name(&self, id: WorkerId) -> Result<String, AppError> {
        Ok(self
            .store
            .worker(id)
            .await?
            .map(|w| w.display_name.to_string())
            .unwrap_or_default())
    }

    /// Workers whose activity at the trust is falling, with the reasons (its bank office only).
    pub async fn retention(&self, who: &Principal, org: OrgId) -> Result<RetentionList, AppError> {
        self.require_bank_office(who, org)?;
        let now = self.now();
        let rules = RetentionRules::default();
        let since = now - history_needed(&rules);
        let mut activity: HashMap<WorkerId, Activity> = HashMap::new();
        for offer in self.store.trust_offers_since(org, since).await? {
            activity
                .entry(offer.worker_id)
                .or_default()
                .offers
                .push(OfferTaken {
                    offered_at: offer.offered_at,
                    booked: offer.booked,
                });
        }
        for booking in self.store.trust_bookings_since(org, since).await? {
            activity
                .entry(booking.worker_id)
                .or_default()
                .booked_at
                .push(booking.booked_at);
        }
        let mut nudged: HashMap<WorkerId, DateTime<Utc>> = HashMap::new();
        for n in self.store.nudges(org).await? {
            let latest = nudged.entry(n.worker_id).or_insert(n.sent_at);
            *latest = (*latest).max(n.sent_at);
        }
        let mut workers = Vec::new();
        for (worker, act) in &activity {
            let found = signals(act, now, &rules);
            if found.is_empty() {
                continue;
            }
            workers.push(RetentionRow {
                worker_id: worker.0,
                worker_name: self.nudged_name(*worker).await?,
                signals: found
                    .iter()
                    .map(|s| SignalView {
                        signal: s.as_str().to_owned(),
                        reason: s.reason(),
                    })
                    .collect(),
                last_booked_at: act.booked_at.iter().filter(|at| **at <= now).max().copied(),
                last_nudged_at: nudged.get(worker).copied(),
            });
        }
        workers.sort_by(|a, b| {
            a.worker_name
                .cmp(&b.worker_name)
                .then(a.worker_id.cmp(&b.worker_id))
        });
        Ok(RetentionList {
            as_of: now,
            workers,
        })
    }

    /// Sends a nudge: offers the worker a block of the trust's shifts through the direct offer
    /// (each must be one they may book now), or sends them a message through the notification
    /// outbox; either way it is recorded, and audited (its bank office only).
    pub async fn send_nudge(
        &self,
        who: &Principal,
        org: OrgId,
        input: SendNudge,
    ) -> Result<NudgeView, AppError> {
        self.require_bank_office(who, org)?;
        let worker = WorkerId(input.worker_id);
        if !self.store.bank_worker_ids(org).await?.contains(&worker) {
            return Err(AppError::field(
                "worker_id",
                "is not a member of any of this trust's banks",
            ));
        }
        let now = self.now();
        let (message, shifts, event) = match input.kind.as_str() {
            "shifts" => {
                if input.shift_ids.is_empty() || input.shift_ids.len() > MAX_NUDGE_SHIFTS {
                    return Err(AppError::field(
                        "shift_ids",
                        format!("must name 1 to {MAX_NUDGE_SHIFTS} shifts"),
                    ));
                }
                let mut shifts: Vec<ShiftId> =
                    input.shift_ids.iter().map(|s| ShiftId(*s)).collect();
                shifts.sort();
                shifts.dedup();
                for shift in &shifts {
                    let owned = self
                        .store
                        .shift(*shift)
                        .await?
                        .is_some_and(|s| s.org_id == org);
                    if !owned {
                        return Err(AppError::field(
                            "shift_ids",
                            "must all be shifts of this trust",
                        ));
                    }
                }
                for shift in &shifts {
                    self.offer_shift(
                        who,
                        *shift,
                        OfferTo {
                            worker_id: worker.0,
                        },
                    )
                    .await?;
                }
                (None, shifts, None)
            }
            "message" => {
                let text = input.message.as_deref().map(str::trim).unwrap_or_default();
                if text.is_empty() || text.chars().count() > MAX_MESSAGE {
                    return Err(AppError::field(
                        "message",
                        format!("must be 1 to {MAX_MESSAGE} characters"),
                    ));
                }
                let trust = self
                    .store
                    .organisation(org)
                    .await?
                    .map(|o| o.name.to_string())
                    .unwrap_or_default();
                let event = OutboxEvent {
                    id: Uuid::new_v4(),
                    topic: MESSAGE_TOPIC.to_owned(),
                    worker_id: Some(worker),
                    payload: serde_json::json!({"worker_id": worker.0, "org": org.0,
                        "trust_name": trust, "message": text})
                    .to_string(),
                    created_at: now,
                };
                (Some(text.to_owned()), vec![], Some(event))
            }
            _ => return Err(AppError::field("kind", "must be shifts or message")),
        };
        let nudge = Nudge {
            id: Uuid::now_v7(),
            org_id: org,
            worker_id: worker,
            kind: input.kind.clone(),
            message,
            shifts,
            sent_by: who.user.id,
            sent_at: now,
        };
        let record = self
            .audit_record(crate::audit::Change {
                action: "worker.nudged",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: serde_json::json!({"nudge": nudge.id, "worker": worker, "kind": nudge.kind,
                    "shifts": nudge.shifts}),
                personal: None,
            })
            .await?;
        self.store
            .record_nudge(&nudge, event.as_ref(), &[record])
            .await?;
        if event.is_some() {
            self.wake_notifications();
        }
        let name = self.nudged_name(worker).await?;
        Ok(view(nudge, name, NudgeOutcome::Waiting))
    }

    /// The trust's nudges, each with whether the worker booked again within the window, and the
    /// overall rate (its bank office only).
    pub async fn nudges(&self, who: &Principal, org: OrgId) -> Result<NudgeList, AppError> {
        self.require_bank_office(who, org)?;
        let now = self.now();
        let nudges = self.store.nudges(org).await?;
        let oldest = nudges.iter().map(|n| n.sent_at).min().unwrap_or(now);
        let mut booked: HashMap<WorkerId, Vec<DateTime<Utc>>> = HashMap::new();
        for b in self.store.trust_bookings_since(org, oldest).await? {
            booked.entry(b.worker_id).or_default().push(b.booked_at);
        }
        let mut names: HashMap<WorkerId, String> = HashMap::new();
        let mut views = Vec::with_capacity(nudges.len());
        let mut outcomes = Vec::with_capacity(nudges.len());
        for n in nudges {
            let outcome = nudge_outcome(
                n.sent_at,
                booked.get(&n.worker_id).map(Vec::as_slice).unwrap_or(&[]),
                now,
            );
            outcomes.push(outcome);
            let name = match names.get(&n.worker_id) {
                Some(name) => name.clone(),
                None => {
                    let name = self.nudged_name(n.worker_id).await?;
                    names.insert(n.worker_id, name.clone());
                    name
                }
            };
            views.push(view(n, name, outcome));
        }
        let of = |o: NudgeOutcome| count(outcomes.iter().filter(|x| **x == o).count());
        Ok(NudgeList {
            window_days: NUDGE_WINDOW_DAYS,
            booked_again: of(NudgeOutcome::BookedAgain),
            waiting: of(NudgeOutcome::Waiting),
            no_booking: of(NudgeOutcome::NoBooking),
            rate_percent: success_rate(&outcomes),
            nudges: views,
        })
    }
}

fn view(n: Nudge, worker_name: String, outcome: NudgeOutcome) -> NudgeView {
    NudgeView {
        id: n.id,
        worker_id: n.worker_id.0,
        worker_name,
        kind: n.kind,
        message: n.message,
        shift_ids: n.shifts.iter().map(|s| s.0).collect(),
        sent_at: n.sent_at,
        outcome: outcome.as_str().to_owned(),
        outcome_label: outcome.label().to_owned(),
    }
}

/// A shift the bank office may offer a worker in a nudge.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShiftChoice {
    /// Identity.
    pub id: Uuid,
    /// Its role, e.g. "Staff nurse".
    pub role: String,
    /// Its ward's name.
    pub ward_name: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
}

/// Who a nudge would go to and the shifts it could offer them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NudgeChoices {
    /// The worker.
    pub worker_id: Uuid,
    /// Their name.
    pub worker_name: String,
    /// The trust's open shifts in the coming four weeks they may book now, soonest first (at
    /// most 20).
    pub shifts: Vec<ShiftChoice>,
}

/// How far ahead a nudge's shifts are looked for.
const CHOICE_DAYS: i64 = 28;
/// Most shifts offered as choices.
const MAX_CHOICES: usize = 20;

impl App {
    /// What a nudge to this worker could offer: the trust's coming open shifts they may book
    /// now (its bank office only; a worker outside the trust's banks is not found).
    pub async fn nudge_choices(
        &self,
        who: &Principal,
        org: OrgId,
        worker: WorkerId,
    ) -> Result<NudgeChoices, AppError> {
        self.require_bank_office(who, org)?;
        if !self.store.bank_worker_ids(org).await?.contains(&worker) {
            return Err(AppError::NotFound);
        }
        let profile = self.store.worker(worker).await?.ok_or(AppError::NotFound)?;
        let credentials = self.store.credentials_of(worker).await?;
        let facts = crate::shifts::worker_facts(&profile, &credentials);
        let now = self.now();
        let wards = self.ward_names(org).await?;
        let shifts = self
            .store
            .trust_shifts_between(org, now, now + chrono::Duration::days(CHOICE_DAYS))
            .await?
            .into_iter()
            .filter(|s| {
                staffbank_domain::eligibility::check(&facts, &crate::shifts::shift_facts(s), now)
                    .is_empty()
            })
            .take(MAX_CHOICES)
            .map(|s| ShiftChoice {
                id: s.id.0,
                role: s.role.to_string(),
                ward_name: wards.get(&s.ward_id).cloned().unwrap_or_default(),
                starts_at: s.window.start(),
                ends_at: s.window.end(),
            })
            .collect();
        Ok(NudgeChoices {
            worker_id: worker.0,
            worker_name: profile.display_name.to_string(),
            shifts,
        })
    }
}
