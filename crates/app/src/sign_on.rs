//! Sign-on at the ward (ghost-shift prevention). The ward's device asks for a one-time challenge
//! for the booking it expects; the worker's wallet signs it with the key bound to their passport
//! (a `staffbank-sign-on+jwt`: ES256, the public key in the header's `jwk`, and `nonce`, `aud`
//! and `iat` claims, like a key-binding JWT); the server checks the key belongs to the booked
//! worker. A smartcard matched against the worker's record is the other way. Anyone else who
//! tries is refused, and the shift is flagged unfulfilled and escalated to the ward manager (in
//! the app, and by an outbox event); so is a booked worker not signed on by the trust's grace
//! period. Signing off records the end and starts the timesheet from the two times.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use staffbank_domain::booking::BookingStatus;
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::text::Label;
use staffbank_domain::timesheet::{Hours, TimesheetState, EARLIEST_START};
use staffbank_domain::BookingId;
use staffbank_passport::jws::Jwk;
use staffbank_passport::proof_of_possession::{self, Expected, Nonce, Refusal};
use staffbank_store::{
    Booking, Conflict, Escalation, OutboxEvent, Resolution, SignOn, SignOnChallenge, Timesheet,
    TimesheetBody,
};
use uuid::Uuid;

use crate::audit::Change;
use crate::timesheets::TimesheetView;
use crate::{App, AppError, Principal};

/// How long a challenge on the ward's screen stays good.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// The `typ` of a wallet's sign-on proof.
pub const PROOF_TYPE: &str = "staffbank-sign-on+jwt";
/// How far a proof's `iat` may be from the server's clock.
const IAT_WINDOW: i64 = 300;

/// Why a wallet's sign-on proof was refused, for the worker.
fn sign_on_refusal(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Unreadable(e) => e.to_string(),
        Refusal::Typ => "the proof's typ must be staffbank-sign-on+jwt".into(),
        Refusal::MissingJwk => "the proof's header must carry the signing key as jwk".into(),
        Refusal::NotP256 => "the jwk is not a P-256 key".into(),
        Refusal::PrivateKey => "the jwk must be a public key, without its private part d".into(),
        Refusal::Signature => "the signature does not verify with the jwk".into(),
        Refusal::Audience => "the proof's aud is not this challenge".into(),
        Refusal::Nonce => "the proof's nonce is not this challenge's".into(),
        Refusal::IatMissing | Refusal::IatTooOld | Refusal::IatInFuture => {
            "the proof's iat is missing or not within five minutes".into()
        }
    }
}

/// A challenge for the ward's screen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChallengeView {
    /// Identity.
    pub id: Uuid,
    /// The booking expected.
    pub booking_id: Uuid,
    /// The booked worker's name, for the ward to read.
    pub worker_name: String,
    /// The nonce the wallet signs.
    pub nonce: String,
    /// The audience the wallet names (`aud`).
    pub audience: String,
    /// What the QR code holds: the worker's sign-on page with the nonce.
    pub url: String,
    /// When it stops being good.
    pub expires_at: DateTime<Utc>,
}

/// A wallet's answer to a challenge.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOnProof {
    /// The signed `staffbank-sign-on+jwt`.
    pub proof: String,
}

/// A smartcard presented at the ward.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmartcardSignOn {
    /// The card's identity (the 12-digit NHS smartcard UUID).
    pub card: String,
}

/// A booking as signed on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignOnView {
    /// The booking.
    pub booking_id: Uuid,
    /// The worker.
    pub worker_id: Uuid,
    /// `wallet` or `smartcard`.
    pub method: String,
    /// When they signed on.
    pub signed_on_at: DateTime<Utc>,
    /// When they signed off.
    pub signed_off_at: Option<DateTime<Utc>>,
}

impl From<&SignOn> for SignOnView {
    fn from(s: &SignOn) -> Self {
        Self {
            booking_id: s.booking_id.0,
            worker_id: s.worker_id.0,
            method: s.method.clone(),
            signed_on_at: s.signed_on_at,
            signed_off_at: s.signed_off_at,
        }
    }
}

/// Something a ward manager must look at.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EscalationView {
    /// Identity.
    pub id: Uuid,
    /// The booking.
    pub booking_id: Uuid,
    /// The ward.
    pub ward_id: Uuid,
    /// `not_booked_worker`, `no_show` or `timesheet_waiting`.
    pub kind: String,
    /// What happened.
    pub detail: String,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// When the ward manager resolved it, if they have.
    pub resolved_at: Option<DateTime<Utc>>,
    /// What they did about it.
    pub resolution: Option<String>,
}

/// How a ward manager closes an escalation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveEscalation {
    /// What was done, e.g. "Booked worker arrived late; signed on at 07:50".
    pub note: String,
}

impl From<&Escalation> for EscalationView {
    fn from(e: &Escalation) -> Self {
        Self {
            id: e.id,
            booking_id: e.booking_id.0,
            ward_id: e.ward_id.0,
            kind: e.kind.clone(),
            detail: e.detail.clone(),
            raised_at: e.raised_at,
            resolved_at: e.resolution.as_ref().map(|r| r.at),
            resolution: e.resolution.as_ref().map(|r| r.note.clone()),
        }
    }
}

/// A smartcard identity to record for a worker.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetSmartcard {
    /// The 12-digit NHS smartcard UUID.
    pub card: String,
}

fn smartcard(raw: &str) -> Result<String, AppError> {
    let card: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if card.len() == 12 && card.chars().all(|c| c.is_ascii_digit()) {
        Ok(card)
    } else {
        Err(AppError::field("card", "a smartcard UUID is 12 digits"))
    }
}

impl App {
    /// Whether `who` manages the ward (its ward manager, or one for the trust).
    pub(crate) fn manages_ward(
        who: &Principal,
        org: staffbank_domain::OrgId,
        ward: staffbank_domain::WardId,
    ) -> bool {
        who.user.grants.iter().any(|g| {
            g.role == Role::WardManager
                && (g.scope == Scope::Ward(ward) || g.scope == Scope::Organisation(org))
        })
    }

    /// A booking the caller manages the ward of, with its shift's trust and ward.
    async fn managed_booking(
        &self,
        who: &Principal,
        booking: BookingId,
    ) -> Result<(Booking, staffbank_store::Shift), AppError> {
        if !who.has_role(Role::WardManager) {
            return Err(AppError::Forbidden);
        }
        let booking = self
            .store
            .booking(booking)
            .await?
            .ok_or(AppError::NotFound)?;
        let shift = self
            .store
            .shift(booking.shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !Self::manages_ward(who, shift.org_id, shift.ward_id) {
            return Err(AppError::NotFound);
        }
        Ok((booking, shift))
    }

    /// A one-time challenge for the ward's screen, for a booking expected now (from two hours
    /// before its start until its end). Its ward manager only.
    pub async fn sign_on_challenge(
        &self,
        who: &Principal,
        booking: BookingId,
    ) -> Result<ChallengeView, AppError> {
        let (booking, shift) = self.managed_booking(who, booking).await?;
        let now = self.now();
        if booking.status != BookingStatus::Active {
            return Err(AppError::field("booking", "the booking is cancelled"));
        }
        if now < booking.window.start() - EARLIEST_START || now >= booking.window.end() {
            return Err(AppError::field(
                "booking",
                "sign-on opens two hours before the shift and closes at its end",
            ));
        }
        let worker = self
            .store
            .worker(booking.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let nonce = crate::passport::b64_random(16);
        let challenge = SignOnChallenge {
            id: Uuid::new_v4(),
            booking_id: booking.id,
            org_id: shift.org_id,
            ward_id: shift.ward_id,
            nonce: nonce.clone(),
            created_by: who.user.id,
            expires_at: now + CHALLENGE_LIFETIME,
            used_at: None,
        };
        self.store.create_sign_on_challenge(&challenge, &[]).await?;
        let audience = format!("{}/sign-on/{}", self.public_url, challenge.id);
        Ok(ChallengeView {
            id: challenge.id,
            booking_id: booking.id.0,
            worker_name: worker.display_name.as_str().to_owned(),
            url: format!("{audience}?nonce={nonce}"),
            audience,
            nonce,
            expires_at: challenge.expires_at,
        })
    }

    /// Checks a wallet's sign-on proof for a challenge, as the signed-in worker. The booked
    /// worker, signing with a key bound to their passport, is signed on; anyone else is refused
    /// with `not-booked-worker`, and the shift flagged unfulfilled and escalated.
    pub async fn prove_sign_on(
        &self,
        who: &Principal,
        challenge: Uuid,
        input: SignOnProof,
    ) -> Result<SignOnView, AppError> {
        let caller = who.require_worker()?.clone();
        let bad = |refusal: Refusal| AppError::field("proof", sign_on_refusal(&refusal));
        let now = self.now();
        let audience = format!("{}/sign-on/{challenge}", self.public_url);
        let expected = Expected {
            typ: PROOF_TYPE,
            aud: &audience,
            now: now.timestamp(),
            leeway: IAT_WINDOW,
        };
        // The challenge holds the nonce, and is spent only by a proof good in every other way.
        let proven =
            proof_of_possession::check(input.proof.trim(), &expected, Nonce::Later).map_err(bad)?;
        let used = self
            .store
            .use_sign_on_challenge(challenge, now)
            .await?
            .ok_or_else(|| {
                AppError::field(
                    "challenge",
                    "the code has expired or was used: show a new one",
                )
            })?;
        proven.check_nonce(&used.nonce).map_err(bad)?;
        let jwk = proven.jwk;
        let booking = self
            .store
            .booking(used.booking_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let held = self.holds_passport_key(&caller, &jwk).await?;
        if booking.worker_id != caller.id || !held {
            let detail = if booking.worker_id != caller.id {
                format!(
                    "{} tried to sign on for a booking that is not theirs",
                    caller.display_name.as_str()
                )
            } else {
                format!(
                    "{} signed on without the key bound to their passport",
                    caller.display_name.as_str()
                )
            };
            return Err(self
                .unfulfilled(
                    &used,
                    &booking,
                    detail,
                    Some(who.user.id),
                    json!({"method": "wallet", "by_worker": caller.id}),
                )
                .await);
        }
        self.signed_on(&used, &booking, "wallet", Some(who.user.id))
            .await
    }

    /// Whether the key is the holder key of one of the worker's passport credentials.
    async fn holds_passport_key(
        &self,
        worker: &staffbank_store::Worker,
        jwk: &Jwk,
    ) -> Result<bool, AppError> {
        let presented = serde_json::to_value(jwk).map_err(|e| AppError::Unexpected(e.into()))?;
        Ok(self
            .store
            .passport_credentials_of(worker.id)
            .await?
            .iter()
            .filter_map(|c| c.holder_jwk.as_deref())
            .filter_map(|text| serde_json::from_str::<Value>(text).ok())
            .any(|held| held.get("x") == presented.get("x") && held.get("y") == presented.get("y")))
    }

    /// Signs on the booked worker by their smartcard, read on the ward's device (its ward
    /// manager). A card that is not the booked worker's is refused, and the shift flagged.
    pub async fn smartcard_sign_on(
        &self,
        who: &Principal,
        booking: BookingId,
        input: SmartcardSignOn,
    ) -> Result<SignOnView, AppError> {
        let (booking, shift) = self.managed_booking(who, booking).await?;
        let card = smartcard(&input.card)?;
        let now = self.now();
        if now < booking.window.start() - EARLIEST_START || now >= booking.window.end() {
            return Err(AppError::field(
                "booking",
                "sign-on opens two hours before the shift and closes at its end",
            ));
        }
        let challenge = SignOnChallenge {
            id: Uuid::new_v4(),
            booking_id: booking.id,
            org_id: shift.org_id,
            ward_id: shift.ward_id,
            nonce: String::new(),
            created_by: who.user.id,
            expires_at: now,
            used_at: Some(now),
        };
        if self.store.smartcard_of(booking.worker_id).await?.as_deref() != Some(card.as_str()) {
            return Err(self
                .unfulfilled(
                    &challenge,
                    &booking,
                    "a smartcard that is not the booked worker's was presented".into(),
                    Some(who.user.id),
                    json!({"method": "smartcard"}),
                )
                .await);
        }
        self.signed_on(&challenge, &booking, "smartcard", Some(who.user.id))
            .await
    }

    async fn signed_on(
        &self,
        at: &SignOnChallenge,
        booking: &Booking,
        method: &str,
        actor: Option<staffbank_domain::UserId>,
    ) -> Result<SignOnView, AppError> {
        let worker = self
            .store
            .worker(booking.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let sign_on = SignOn {
            booking_id: booking.id,
            worker_id: booking.worker_id,
            org_id: at.org_id,
            ward_id: at.ward_id,
            method: method.to_owned(),
            signed_on_at: self.now(),
            signed_off_at: None,
        };
        let record = self
            .audit_record(Change {
                action: "sign_on.verified",
                actor,
                tenant: Some(at.org_id),
                subject: Some(worker.user_id),
                facts: json!({"booking": booking.id, "method": method, "verdict": "booked_worker"}),
                personal: None,
            })
            .await?;
        self.store.record_sign_on(&sign_on, &[record]).await?;
        Ok(SignOnView::from(&sign_on))
    }

    /// Flags the shift unfulfilled: an escalation with its outbox event and ledger entry. The
    /// error to give the person who tried.
    async fn unfulfilled(
        &self,
        at: &SignOnChallenge,
        booking: &Booking,
        detail: String,
        actor: Option<staffbank_domain::UserId>,
        facts: Value,
    ) -> AppError {
        let raised = self
            .escalate(
                booking,
                at.org_id,
                at.ward_id,
                "not_booked_worker",
                detail,
                actor,
                facts,
            )
            .await;
        match raised {
            Ok(_) => AppError::Conflict(
                Conflict::NotBookedWorker,
                "you are not the booked worker: the shift is flagged and the ward manager told"
                    .into(),
            ),
            Err(e) => e,
        }
    }

    /// Raises an escalation once per booking and kind, with an outbox event and a ledger entry;
    /// whether this call raised it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn escalate(
        &self,
        booking: &Booking,
        org: staffbank_domain::OrgId,
        ward: staffbank_domain::WardId,
        kind: &str,
        detail: String,
        actor: Option<staffbank_domain::UserId>,
        facts: Value,
    ) -> Result<bool, AppError> {
        let now = self.now();
        let escalation = Escalation {
            id: Uuid::now_v7(),
            booking_id: booking.id,
            org_id: org,
            ward_id: ward,
            kind: kind.to_owned(),
            detail: detail.clone(),
            raised_at: now,
            resolution: None,
        };
        let event = OutboxEvent {
            id: Uuid::now_v7(),
            topic: format!("escalation.{kind}"),
            worker_id: None,
            payload: json!({"escalation": escalation.id, "booking": booking.id, "org": org,
                "ward": ward, "kind": kind, "detail": detail})
            .to_string(),
            created_at: now,
        };
        let record = self
            .audit_record(Change {
                action: "escalation.raised",
                actor,
                tenant: Some(org),
                subject: None,
                facts: json!({"escalation": escalation.id, "booking": booking.id, "kind": kind,
                    "detail": detail, "facts": facts}),
                personal: None,
            })
            .await?;
        let raised = self
            .store
            .raise_escalation(&escalation, &event, &[record])
            .await?;
        self.wake_notifications();
        Ok(raised)
    }

    /// Signs off a signed-on booking (the worker, or the ward's manager), and starts the
    /// timesheet from the sign-on and sign-off times unless it has one.
    pub async fn sign_off(
        &self,
        who: &Principal,
        booking: BookingId,
    ) -> Result<(SignOnView, TimesheetView), AppError> {
        let found = self
            .store
            .booking(booking)
            .await?
            .ok_or(AppError::NotFound)?;
        let shift = self
            .store
            .shift(found.shift_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let is_worker = who.worker.as_ref().is_some_and(|w| w.id == found.worker_id);
        if !is_worker && !Self::manages_ward(who, shift.org_id, shift.ward_id) {
            return Err(AppError::NotFound);
        }
        let now = self.now();
        let worker = self
            .store
            .worker(found.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let record = self
            .audit_record(Change {
                action: "sign_on.signed_off",
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: Some(worker.user_id),
                facts: json!({"booking": booking}),
                personal: None,
            })
            .await?;
        self.store.record_sign_off(booking, now, &[record]).await?;
        let signed = self
            .store
            .sign_on_of(booking)
            .await?
            .ok_or(AppError::NotFound)?;
        let timesheet = Timesheet {
            id: Uuid::now_v7(),
            booking_id: booking,
            shift_id: shift.id,
            worker_id: found.worker_id,
            org_id: shift.org_id,
            ward_id: shift.ward_id,
            state: TimesheetState::Draft,
            body: TimesheetBody {
                hours: Hours {
                    start: signed.signed_on_at,
                    end: signed.signed_off_at.unwrap_or(now),
                    breaks: vec![],
                    overrun_reason: None,
                },
                warnings: vec![],
                submitted_at: None,
                decision: None,
            },
            updated_at: now,
        };
        let started = self
            .audit_record(Change {
                action: "timesheet.started",
                actor: Some(who.user.id),
                tenant: Some(shift.org_id),
                subject: Some(worker.user_id),
                facts: json!({"timesheet": timesheet.id, "booking": booking, "from": "sign_on"}),
                personal: None,
            })
            .await?;
        let stored = self.store.create_timesheet(&timesheet, &[started]).await?;
        Ok((SignOnView::from(&signed), TimesheetView::from(&stored)))
    }

    /// The trusts whose wards `who` manages, as a whole or ward by ward.
    async fn ward_manager_orgs(
        &self,
        who: &Principal,
    ) -> Result<Vec<staffbank_domain::OrgId>, AppError> {
        let mut orgs: Vec<staffbank_domain::OrgId> = who.orgs_as(Role::WardManager);
        for g in &who.user.grants {
            if let (Role::WardManager, Scope::Ward(ward)) = (g.role, g.scope) {
                if let Some(w) = self.store.ward(ward).await? {
                    orgs.push(w.org_id);
                }
            }
        }
        orgs.sort_by_key(|o| o.0);
        orgs.dedup();
        Ok(orgs)
    }

    /// The escalations of the wards `who` manages, newest first.
    pub async fn escalations(&self, who: &Principal) -> Result<Vec<EscalationView>, AppError> {
        if !who.has_role(Role::WardManager) {
            return Err(AppError::Forbidden);
        }
        let orgs = self.ward_manager_orgs(who).await?;
        let mut out = Vec::new();
        for org in orgs {
            out.extend(
                self.store
                    .escalations_of(org)
                    .await?
                    .iter()
                    .filter(|e| Self::manages_ward(who, e.org_id, e.ward_id))
                    .map(EscalationView::from),
            );
        }
        Ok(out)
    }

    /// Closes an escalation on a ward they manage, saying what was done; once.
    pub async fn resolve_escalation(
        &self,
        who: &Principal,
        id: Uuid,
        input: ResolveEscalation,
    ) -> Result<EscalationView, AppError> {
        let escalation = self
            .store
            .escalation(id)
            .await?
            .filter(|e| Self::manages_ward(who, e.org_id, e.ward_id))
            .ok_or(AppError::NotFound)?;
        let note = Label::parse(&input.note, 500).map_err(|e| AppError::field("note", e))?;
        let resolution = Resolution {
            by: who.user.id,
            at: self.now(),
            note: note.as_str().to_owned(),
        };
        let record = self
            .audit_record(Change {
                action: "escalation.resolved",
                actor: Some(who.user.id),
                tenant: Some(escalation.org_id),
                subject: None,
                facts: json!({"escalation": id, "booking": escalation.booking_id,
                    "kind": escalation.kind, "note": resolution.note}),
                personal: None,
            })
            .await?;
        self.store
            .resolve_escalation(id, &resolution, &[record])
            .await?;
        Ok(EscalationView::from(&Escalation {
            resolution: Some(resolution),
            ..escalation
        }))
    }

    /// Records a worker's smartcard identity (a compliance officer of a trust whose bank they
    /// are in).
    pub async fn set_smartcard(
        &self,
        who: &Principal,
        worker: staffbank_domain::WorkerId,
        input: SetSmartcard,
    ) -> Result<(), AppError> {
        let target = self.store.worker(worker).await?.ok_or(AppError::NotFound)?;
        let mine = who.orgs_as(Role::ComplianceOfficer);
        if mine.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut allowed = None;
        for bank in &target.banks {
            if let Some(b) = self.store.bank(*bank).await? {
                if let Some(org) = mine.iter().find(|o| b.member_orgs.contains(o)) {
                    allowed = Some(*org);
                }
            }
        }
        let org = allowed.ok_or(AppError::NotFound)?;
        let card = smartcard(&input.card)?;
        let now = self.now();
        let record = self
            .audit_record(Change {
                action: "smartcard.recorded",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: Some(target.user_id),
                facts: json!({"worker": worker}),
                personal: None,
            })
            .await?;
        self.store
            .set_smartcard(worker, &card, who.user.id, now, &[record])
            .await?;
        Ok(())
    }
}

/// A booking the ward expects now, for its sign-on screen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpectedBooking {
    /// The booking.
    pub booking_id: Uuid,
    /// The booked worker.
    pub worker_name: String,
    /// The shift's start.
    pub starts_at: DateTime<Utc>,
    /// Its end.
    pub ends_at: DateTime<Utc>,
    /// Its sign-on, once made.
    pub signed_on: Option<SignOnView>,
}

impl App {
    /// The bookings on the wards `who` manages whose sign-on is open now (from two hours before
    /// the start to the end), earliest first.
    pub async fn expected_now(&self, who: &Principal) -> Result<Vec<ExpectedBooking>, AppError> {
        if !who.has_role(Role::WardManager) {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let orgs = self.ward_manager_orgs(who).await?;
        let mut out = Vec::new();
        for org in orgs {
            // Shifts last at most a day; read those that started in the last one.
            let page = staffbank_store::Page {
                limit: 500,
                after: None,
            };
            for shift in self
                .store
                .shifts_posted_for(&[org], &[], now - Duration::hours(24), page)
                .await?
                .iter()
                .filter(|s| s.window.start() - EARLIEST_START <= now && now < s.window.end())
                .filter(|s| Self::manages_ward(who, s.org_id, s.ward_id))
            {
                for booking in self.store.bookings_of_shift(shift.id).await? {
                    if booking.status != BookingStatus::Active {
                        continue;
                    }
                    let name = self
                        .store
                        .worker(booking.worker_id)
                        .await?
                        .map(|w| w.display_name.as_str().to_owned())
                        .unwrap_or_default();
                    out.push(ExpectedBooking {
                        booking_id: booking.id.0,
                        worker_name: name,
                        starts_at: booking.window.start(),
                        ends_at: booking.window.end(),
                        signed_on: self
                            .store
                            .sign_on_of(booking.id)
                            .await?
                            .as_ref()
                            .map(SignOnView::from),
                    });
                }
            }
        }
        out.sort_by_key(|e| e.starts_at);
        Ok(out)
    }
}
