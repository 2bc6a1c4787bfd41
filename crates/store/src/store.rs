//! The Store trait, made of one sub-trait per area so that each backend implements each area in
//! one place, and a reader finds a method beside its neighbours.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::text::Label;
use staffbank_domain::working_time::Worked;
use staffbank_domain::*;

use uuid::Uuid;

use staffbank_domain::availability::Availability;
use staffbank_domain::credential_claims::RefresherPeriods;
use staffbank_domain::pay::export::ExportLine;
use staffbank_domain::pay::{PaySettings, Premium, RateCard};
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::release::{ReleasePolicy, Tier};
use staffbank_domain::timesheet::TimesheetState;

use crate::oidc::OidcStore;
use crate::{
    Advance, AgencyRelease, AuditRecord, Bank, BookOutcome, Booking, BookingContext,
    BookingRequest, CancellationPayment, CancellationRecord, Credential, Decision, DueOffers,
    Escalation, FoundWorker, Hash, IssuerKey, LeafWithBody, LedgerEntry, MatchQuery,
    MatchableShift, MatchingCounts, MemberHours, OfferRound, OpenShiftQuery, Organisation,
    OutboxEvent, Page, PassportCredential, PayExport, PayLineRecord, PayRun, PersonKey, PoolMember,
    PoolQuery, PresentationRequest, RequestOutcome, RequestState, Resolution, RevocationChange,
    RevocationState, SequencedBatch, Session, Shift, SignOn, SignOnChallenge, SignedHead, SignedIn,
    SignedInToBook, Site, StoreError, Timesheet, TrustEntry, User, Ward, Worker, WorkerSearch,
    WorkingTimeCheck,
};

/// Organisations, sites, wards, banks, users with their sessions, and worker profiles: who is who.
#[async_trait]
pub trait DirectoryStore: Send + Sync + 'static {
    /// Adds an organisation; a taken ODS code is [`crate::Conflict::OdsCodeTaken`].
    async fn create_organisation(
        &self,
        org: &Organisation,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// One organisation.
    async fn organisation(&self, id: OrgId) -> Result<Option<Organisation>, StoreError>;

    /// Every organisation, by name.
    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError>;

    /// Adds a site.
    async fn create_site(&self, site: &Site, audit: &[AuditRecord]) -> Result<(), StoreError>;

    /// One site.
    async fn site(&self, id: SiteId) -> Result<Option<Site>, StoreError>;

    /// An organisation's sites.
    async fn sites(&self, org: OrgId) -> Result<Vec<Site>, StoreError>;

    /// Adds a ward.
    async fn create_ward(&self, ward: &Ward, audit: &[AuditRecord]) -> Result<(), StoreError>;

    /// Renames a ward or moves it to another site of its own trust (never another trust's):
    /// `NotFound` if no ward of that trust has the id or the site is not the trust's.
    async fn update_ward(&self, ward: &Ward, audit: &[AuditRecord]) -> Result<(), StoreError>;

    /// One ward.
    async fn ward(&self, id: WardId) -> Result<Option<Ward>, StoreError>;

    /// An organisation's wards.
    async fn wards(&self, org: OrgId) -> Result<Vec<Ward>, StoreError>;

    /// Adds a bank with its member organisations.
    async fn create_bank(&self, bank: &Bank, audit: &[AuditRecord]) -> Result<(), StoreError>;

    /// One bank.
    async fn bank(&self, id: BankId) -> Result<Option<Bank>, StoreError>;

    /// Every bank, by name.
    async fn banks(&self) -> Result<Vec<Bank>, StoreError>;

    /// Adds a user with their grants; a taken email is [`crate::Conflict::EmailTaken`].
    async fn create_user(&self, user: &User, audit: &[AuditRecord]) -> Result<(), StoreError>;

    /// Adds a user and their worker profile together.
    async fn register_worker(
        &self,
        user: &User,
        worker: &Worker,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Adds the account and worker profile a worker registered themselves, unconfirmed until
    /// `confirmation`'s link is used. A taken email is [`crate::Conflict::EmailTaken`], unless
    /// its account is itself unconfirmed with a link expired by `now`: then that account is
    /// taken over (its password, name and profile replaced, and the new link replacing the old),
    /// so nobody can hold an address they cannot confirm. The account's id.
    async fn register_unconfirmed_worker(
        &self,
        user: &User,
        worker: &Worker,
        confirmation: &crate::AccountConfirmation,
        now: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<UserId, StoreError>;

    /// The account a confirmation link is for, by its token's hash, if the link is unused and
    /// unexpired at `now`.
    async fn account_to_confirm(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError>;

    /// Uses a confirmation link: the account can sign in from now on. False (and nothing
    /// written) if the link was used already or expired by `now`.
    async fn confirm_account(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// Whether an account is still waiting for its holder to confirm it.
    async fn account_unconfirmed(&self, user: UserId) -> Result<bool, StoreError>;

    /// Which of `emails` already have an account, and which of `assignments` the trust `org`
    /// already holds (with the holder's email): what makes a repeated import change nothing.
    async fn import_keys(
        &self,
        org: OrgId,
        emails: &[String],
        assignments: &[String],
    ) -> Result<crate::ImportKeys, StoreError>;

    /// Adds every worker of an import (account, profile, assignment with `org`, banks) and their
    /// ledger entries in one transaction, with batched statements; `progress` is told how many
    /// have been written so far. A taken email is [`crate::Conflict::EmailTaken`] and nothing
    /// is written.
    async fn import_workers(
        &self,
        org: OrgId,
        workers: &[crate::ImportedWorker],
        audit: &[AuditRecord],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<(), StoreError>;

    /// A user by sign-in name.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;

    /// A user by id.
    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Starts a session.
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;

    /// A session by token hash, if it has not expired at `now`.
    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError>;

    /// The session behind a token hash with its user and worker profile, if it has not expired
    /// at `now`. Every authenticated request starts here, so a backend may answer it in one
    /// query; this default reads the three in turn.
    async fn signed_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SignedIn>, StoreError> {
        let Some(session) = self.session(token_hash, now).await? else {
            return Ok(None);
        };
        let Some(user) = self.user(session.user_id).await? else {
            return Ok(None);
        };
        let worker = self.worker_for_user(user.id).await?;
        Ok(Some(SignedIn {
            session,
            user,
            worker,
        }))
    }

    /// Moves a live session's expiry on to `until`, or to its absolute expiry if that is sooner;
    /// never back, and never for a session without an absolute expiry. Whether it moved.
    async fn extend_session(
        &self,
        token_hash: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// One worker.
    async fn worker(&self, id: WorkerId) -> Result<Option<Worker>, StoreError>;

    /// The worker profile of a user, if they have one.
    async fn worker_for_user(&self, user: UserId) -> Result<Option<Worker>, StoreError>;

    /// Workers whose name, email address or professional registration number (from its start)
    /// contains the search text in any case, within the search's organisations' banks, by name.
    async fn find_workers(&self, search: &WorkerSearch) -> Result<Vec<FoundWorker>, StoreError>;

    /// Makes a worker a member of a bank; joining twice is not an error.
    async fn join_bank(
        &self,
        worker: WorkerId,
        bank: BankId,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Corrects a worker's pay point within their grade, as their employment record has it;
    /// `NotFound` if there is no such worker.
    async fn set_pay_point(
        &self,
        worker: WorkerId,
        pay_point: u8,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Records or withdraws a worker's opt-out of the weekly average limit.
    async fn set_weekly_limit_opt_out(
        &self,
        worker: WorkerId,
        opted_out: bool,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Records how far a worker will travel, which shifts they prefer and when they are
    /// available, together.
    async fn set_preferences(
        &self,
        worker: WorkerId,
        max_travel_km: Option<f64>,
        shift_times: ShiftTimes,
        availability: &Availability,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// A worker's availability (every day, no dates marked, until they say otherwise).
    async fn availability(&self, worker: WorkerId) -> Result<Availability, StoreError>;

    /// The availability of each of `workers` who has set one.
    async fn availabilities(
        &self,
        workers: &[WorkerId],
    ) -> Result<Vec<(WorkerId, Availability)>, StoreError>;
}

/// Shifts and their bookings, requests and cancellations: where the booking invariants live.
#[async_trait]
pub trait ShiftStore: DirectoryStore + PassportStore + LedgerStore {
    /// Posts shifts: all of them or none.
    async fn post_shifts(&self, shifts: &[Shift], audit: &[AuditRecord]) -> Result<(), StoreError>;

    /// One shift.
    async fn shift(&self, id: ShiftId) -> Result<Option<Shift>, StoreError>;

    /// The shifts of any of `orgs` or on any of `wards` starting after `starts_after`, by start:
    /// what a booker manages, whether they book for whole trusts, single wards or both.
    async fn shifts_posted_for(
        &self,
        orgs: &[OrgId],
        wards: &[WardId],
        starts_after: DateTime<Utc>,
        page: Page,
    ) -> Result<Vec<Shift>, StoreError>;

    /// Open shifts a worker may be shown (see [`OpenShiftQuery`]); filled shifts never appear.
    async fn open_shifts(&self, query: &OpenShiftQuery) -> Result<Vec<Shift>, StoreError>;

    /// The worker's active bookings anywhere on the platform that overlap `[from, to)`, with the
    /// trust of each: what the working-time rules count.
    async fn worked_between(
        &self,
        worker: WorkerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Worked>, StoreError>;

    /// What a worker's booking of `shift` with idempotency `key` is judged on (see
    /// [`BookingContext`]), or `None` when there is no such shift. A store over a network reads it
    /// in one round trip; the rush of a shift release is made of these.
    async fn booking_context(
        &self,
        shift: ShiftId,
        worker: WorkerId,
        key: &str,
    ) -> Result<Option<BookingContext>, StoreError>;

    /// An instant booking as it arrives, with only its session token's hash: the session as
    /// [`DirectoryStore::signed_in`] reads it and, when it is a worker's, the [`ShiftStore::booking_context`]
    /// of `shift` (`None` when there is no such shift) and the caller's [`LedgerStore::person_key`].
    /// A store over a network reads them in one round trip, so the rush of a shift release
    /// costs the database one read a request before its write.
    async fn signed_in_to_book(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        shift: ShiftId,
        key: &str,
    ) -> Result<Option<SignedInToBook>, StoreError>;

    /// Raises a shift's discretionary premium; `PremiumNotRaised` unless it is higher than the
    /// one it offers (everyone booked on it was promised that one), and nothing changes.
    async fn raise_premium(
        &self,
        shift: ShiftId,
        premium: &Premium,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Releases a shift to agency (break glass); refused if it already is, or if it is no longer
    /// open with a place left. Records the places still unfilled under the shift's lock and
    /// what they cost at the release's rate (`release.cost` is ignored).
    async fn release_to_agency(
        &self,
        shift: ShiftId,
        release: &AgencyRelease,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Books a place atomically. Refuses with a [`crate::Conflict`] when the shift is full or not
    /// open, when the worker holds an overlapping booking anywhere, when the idempotency key was
    /// used for another shift, or (given `working_time`) when the worker's bookings everywhere
    /// would then break the working-time rules; a retry with the same key returns the original
    /// booking.
    async fn book(
        &self,
        booking: &Booking,
        audit: &[AuditRecord],
        working_time: Option<&WorkingTimeCheck>,
    ) -> Result<BookOutcome, StoreError>;

    /// Records a worker's request for a place (refused if one is already pending); a repeated
    /// idempotency key replays the first request.
    async fn request_booking(
        &self,
        request: &BookingRequest,
        audit: &[AuditRecord],
    ) -> Result<RequestOutcome, StoreError>;

    /// One request.
    async fn booking_request(&self, id: RequestId) -> Result<Option<BookingRequest>, StoreError>;

    /// A trust's pending requests for shifts not yet started, oldest first: the approvals queue.
    async fn pending_requests(&self, org: OrgId) -> Result<Vec<BookingRequest>, StoreError>;

    /// A worker's requests, newest first.
    async fn requests_of_worker(&self, worker: WorkerId)
        -> Result<Vec<BookingRequest>, StoreError>;

    /// Decides a pending request. Approving books in the same transaction, with every rule
    /// [`ShiftStore::book`] enforces, so an approval and an instant booking can never both take the
    /// last place.
    async fn decide_request(
        &self,
        id: RequestId,
        decision: &Decision,
        audit: &[AuditRecord],
        working_time: Option<&WorkingTimeCheck>,
    ) -> Result<BookingRequest, StoreError>;

    /// Cancels an active booking and releases its place at once, with what a late cancellation
    /// by the trust owes: the payment and the pay line that pays it.
    async fn cancel_booking(
        &self,
        id: BookingId,
        cancellation: &CancellationRecord,
        payment: Option<&CancellationPayment>,
        pay_line: Option<&PayLineRecord>,
        audit: &[AuditRecord],
    ) -> Result<Booking, StoreError>;

    /// Cancellation payments a trust owes, oldest first.
    async fn cancellation_payments(
        &self,
        org: OrgId,
    ) -> Result<Vec<CancellationPayment>, StoreError>;

    /// The booking a worker made with an idempotency key, if any.
    async fn booking_by_key(
        &self,
        worker: WorkerId,
        key: &str,
    ) -> Result<Option<Booking>, StoreError>;

    /// One booking.
    async fn booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError>;

    /// A worker's bookings, by shift start.
    async fn bookings_of_worker(
        &self,
        worker: WorkerId,
        page: Page,
    ) -> Result<Vec<Booking>, StoreError>;

    /// A shift's bookings, newest last.
    async fn bookings_of_shift(&self, shift: ShiftId) -> Result<Vec<Booking>, StoreError>;
}

/// What matching, release and offers read and write: policies, tiers, candidate pools, offers and the outbox.
#[async_trait]
pub trait MatchingStore: Send + Sync + 'static {
    /// The trust's release policy, if it has set one (otherwise the defaults apply).
    async fn release_policy(&self, org: OrgId) -> Result<Option<ReleasePolicy>, StoreError>;

    /// Sets the trust's release policy for shifts posted from now on.
    async fn set_release_policy(
        &self,
        org: OrgId,
        policy: &ReleasePolicy,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// The trust's shifts released to agency that start in `[from, to)` and are not cancelled,
    /// each with what it cost: what agency spend is reported from.
    async fn agency_fills(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::AgencyFill>, StoreError>;

    /// The trust's agency spend cap, if it has set one.
    async fn agency_cap(&self, org: OrgId) -> Result<Option<crate::AgencyCap>, StoreError>;

    /// Sets the trust's agency spend cap, replacing any it had.
    async fn set_agency_cap(
        &self,
        org: OrgId,
        cap: &crate::AgencyCap,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Whether a ward's shifts are booked at once or by request: for shifts posted from now on,
    /// and for its open shifts that start after `from`, so that the change reaches what the
    /// ward has already posted (requests already made stay with the booker to decide).
    async fn set_instant_booking(
        &self,
        ward: WardId,
        instant: bool,
        from: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Gives or takes away a worker's priority tier in a bank they belong to.
    async fn set_tier(
        &self,
        worker: WorkerId,
        bank: BankId,
        tier: Option<Tier>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Moves a member from tier `from` to `to` only if they are still on `from`, so that a count
    /// made on an older reading (another server's hourly count, or a tier given by hand since)
    /// changes nothing and records nothing. False when nothing changed.
    async fn change_tier(
        &self,
        worker: WorkerId,
        bank: BankId,
        from: Option<Tier>,
        to: Option<Tier>,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// Every member of `bank` with their tier and the minutes they worked on shifts released to
    /// it (first or collaborative) in active bookings that ended in `[from, to)`.
    async fn member_hours(
        &self,
        bank: BankId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<MemberHours>, StoreError>;

    /// Shifts that may match a worker, with their sites; see [`MatchQuery`].
    async fn matchable_shifts(&self, query: &MatchQuery)
        -> Result<Vec<MatchableShift>, StoreError>;

    /// Wards where the worker has worked a shift that ended before `before`.
    async fn wards_worked(
        &self,
        worker: WorkerId,
        before: DateTime<Utc>,
    ) -> Result<Vec<WardId>, StoreError>;

    /// A shift's candidate pool: members of any of the query's banks in its group and grades,
    /// each with what ranking needs from their past. Read in one step, as it is the largest read
    /// matching makes.
    async fn candidate_pool(&self, query: &PoolQuery) -> Result<Vec<PoolMember>, StoreError>;

    /// The credentials of many workers at once.
    async fn credentials_of_workers(
        &self,
        workers: &[WorkerId],
    ) -> Result<Vec<Credential>, StoreError>;

    /// The active bookings of many workers overlapping `[from, to)`, each with its worker.
    async fn worked_by_workers(
        &self,
        workers: &[WorkerId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(WorkerId, Worked)>, StoreError>;

    /// A trust's cancellation and break-glass counts for shifts starting in `[from, to)`.
    async fn matching_counts(
        &self,
        org: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<MatchingCounts, StoreError>;

    /// Open shifts, not yet started, whose offers fell due at or before `now`, earliest first.
    async fn offers_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueOffers>, StoreError>;

    /// Writes a round of offers with their outbox events, if the round's due time is still the
    /// shift's (so two releasers never both send a round); returns whether it was written.
    async fn record_offers(&self, round: &OfferRound) -> Result<bool, StoreError>;

    /// Offers a shift to one worker chosen by a booker, with its outbox event and audit entries,
    /// unless they were offered it before; returns whether the offer is new (if not, nothing is
    /// written).
    async fn offer_to(
        &self,
        shift: ShiftId,
        worker: WorkerId,
        event: &OutboxEvent,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// The workers ever offered a shift.
    async fn offered_workers(&self, shift: ShiftId) -> Result<Vec<WorkerId>, StoreError>;

    /// The shifts offered to a worker that are still open, have a place and have not started.
    async fn offered_shifts(
        &self,
        worker: WorkerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<MatchableShift>, StoreError>;

    /// Outbox events after position `after`, in order, with their positions: what a deliverer
    /// reads.
    async fn outbox_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, OutboxEvent)>, StoreError>;
}

/// Credentials and the Digital Staff Passport: issuer keys, the trust framework, offers, revocations and presentations.
#[async_trait]
pub trait PassportStore: Send + Sync + 'static {
    /// Records a credential.
    async fn record_credential(
        &self,
        credential: &Credential,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Records many credentials and their ledger entries in one transaction, all or none: what
    /// a credentials import writes.
    async fn record_credentials(
        &self,
        credentials: &[Credential],
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Revokes a credential for good.
    async fn revoke_credential(
        &self,
        id: CredentialId,
        by: UserId,
        reason: &Label,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<Credential, StoreError>;

    /// One credential.
    async fn credential(&self, id: CredentialId) -> Result<Option<Credential>, StoreError>;

    /// Every credential of a worker, revoked and expired ones included, newest first.
    async fn credentials_of(&self, worker: WorkerId) -> Result<Vec<Credential>, StoreError>;

    /// Makes `key` its organisation's current issuer key and retires the one before it (kept, so
    /// what it signed still verifies). Rotations of one organisation queue one behind another.
    async fn rotate_issuer_key(
        &self,
        key: &IssuerKey,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// An organisation's issuer keys, oldest first, retired ones included.
    async fn issuer_keys(&self, org: OrgId) -> Result<Vec<IssuerKey>, StoreError>;

    /// Trusts an issuer for a credential type (`trusted`), or stops trusting it; either is
    /// idempotent.
    async fn set_trusted_issuer(
        &self,
        entry: &TrustEntry,
        trusted: bool,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// The whole trust framework, by issuer then credential type.
    async fn trust_framework(&self) -> Result<Vec<TrustEntry>, StoreError>;

    /// The Core Skills Training refresher periods configured.
    async fn refresher_periods(&self) -> Result<RefresherPeriods, StoreError>;

    /// Replaces every refresher period with `periods`.
    async fn set_refresher_periods(
        &self,
        periods: &RefresherPeriods,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Records an offer with the first of `indices` (random, chosen by the caller) that no other
    /// credential of the issuer holds in its status list (`credential.status_idx` is ignored);
    /// returns it as stored.
    async fn offer_passport_credential(
        &self,
        credential: &PassportCredential,
        indices: &[u32],
        audit: &[AuditRecord],
    ) -> Result<PassportCredential, StoreError>;

    /// One passport credential.
    async fn passport_credential(&self, id: Uuid)
        -> Result<Option<PassportCredential>, StoreError>;

    /// The workers holding a passport credential bound to this holder key (its JWK as the
    /// application stores it), so one key is never bound to two workers.
    async fn holder_key_workers(&self, holder_jwk: &str) -> Result<Vec<WorkerId>, StoreError>;

    /// A worker's passport credentials, newest offer first.
    async fn passport_credentials_of(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<PassportCredential>, StoreError>;

    /// Replaces a still-offered offer's nonce `old` with `new`, once: whatever was made from the
    /// old nonce (a wallet app's pre-authorised code) is spent by this. False, changing nothing,
    /// when the offer is decided or its nonce is no longer `old`.
    async fn renew_passport_offer_nonce(
        &self,
        id: Uuid,
        old: &str,
        new: &str,
    ) -> Result<bool, StoreError>;

    /// Accepts (with the issued credential, the holder's key and the credential record that
    /// makes it count for bookings) or rejects an offer; refused with
    /// [`crate::Conflict::RequestDecided`] unless it is still offered.
    async fn decide_passport_offer(
        &self,
        id: Uuid,
        accepted: Option<(&str, &str, &Credential)>,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Sets an accepted credential's revocation state; a revoked one never changes again
    /// ([`crate::Conflict::AlreadyRevoked`]). Revoking or suspending revokes its credential
    /// record at once; reinstating records `reinstated` unless an active record stands already.
    async fn set_passport_revocation(
        &self,
        change: &RevocationChange<'_>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Records a presentation request.
    async fn create_presentation_request(
        &self,
        request: &PresentationRequest,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// One presentation request.
    async fn presentation_request(
        &self,
        id: Uuid,
    ) -> Result<Option<PresentationRequest>, StoreError>;

    /// The requests made of a worker, newest first: their access log.
    async fn presentation_requests_of(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<PresentationRequest>, StoreError>;

    /// Answers a pending request once (declined, verified or failed, with the result); its
    /// nonce is spent. Refused with [`crate::Conflict::RequestDecided`] unless still pending.
    async fn answer_presentation_request(
        &self,
        id: Uuid,
        state: RequestState,
        result: Option<&str>,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// The status-list indices of an issuer's credentials that are not valid, with their state.
    async fn passport_revocations(
        &self,
        org: OrgId,
    ) -> Result<Vec<(u32, RevocationState)>, StoreError>;
}

/// Timesheets and pay: pay lines, rate cards, pay settings, pay runs with their exports, and advances.
#[async_trait]
pub trait PayStore: Send + Sync + 'static {
    /// Records a timesheet for a booking unless the booking has one; the booking's timesheet
    /// as stored either way.
    async fn create_timesheet(
        &self,
        timesheet: &Timesheet,
        audit: &[AuditRecord],
    ) -> Result<Timesheet, StoreError>;

    /// A timesheet.
    async fn timesheet(&self, id: Uuid) -> Result<Option<Timesheet>, StoreError>;

    /// A booking's timesheet, if it has one.
    async fn timesheet_for_booking(
        &self,
        booking: BookingId,
    ) -> Result<Option<Timesheet>, StoreError>;

    /// Stores a changed timesheet if it is still in one of the states `from`; otherwise
    /// `RequestDecided`, and nothing changes.
    async fn update_timesheet(
        &self,
        timesheet: &Timesheet,
        from: &[TimesheetState],
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Approves a submitted timesheet and writes its pay line in the same step. A second
    /// approval is `RequestDecided`; a second pay line for the shift, worker and date is
    /// `AlreadyPaid`; either way nothing changes.
    async fn approve_timesheet(
        &self,
        timesheet: &Timesheet,
        pay: &PayLineRecord,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// A trust's timesheets in a state, oldest change first.
    async fn timesheets_of_org(
        &self,
        org: OrgId,
        state: TimesheetState,
    ) -> Result<Vec<Timesheet>, StoreError>;

    /// A worker's pay lines, newest first.
    async fn pay_lines_of(&self, worker: WorkerId) -> Result<Vec<PayLineRecord>, StoreError>;

    /// Adds a correcting line to an approved timesheet's pay: a new line, never an edit.
    async fn add_adjustment(
        &self,
        line: &PayLineRecord,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// A bank's own rate card, if it has set one (otherwise the default card applies).
    async fn rate_card(&self, bank: BankId) -> Result<Option<RateCard>, StoreError>;

    /// Sets a bank's rate card, whole.
    async fn set_rate_card(
        &self,
        bank: BankId,
        card: &RateCard,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// A trust's pay settings, if it has set them (otherwise the defaults apply).
    async fn pay_settings(&self, org: OrgId) -> Result<Option<PaySettings>, StoreError>;

    /// Sets a trust's pay settings.
    async fn set_pay_settings(
        &self,
        org: OrgId,
        settings: &PaySettings,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Closes a pay run in one step: every pay line of the trust approved before the period's
    /// end and every advance drawn before it that no run has taken become the run's, its count
    /// and total are worked out, and its export (`file_name`) is queued in the outbox. A second
    /// run for the trust and period is `RunClosed`, a run that would take nothing is
    /// `PayRunEmpty`, and either way nothing changes. Returns the run with its count and total.
    async fn close_pay_run(
        &self,
        run: &PayRun,
        file_name: &str,
        audit: &[AuditRecord],
    ) -> Result<PayRun, StoreError>;

    /// A trust's pay lines that no run has taken, written before `before`, oldest first: what
    /// a run for the period ending then would pay.
    async fn unpaid_pay_lines(
        &self,
        org: OrgId,
        before: DateTime<Utc>,
    ) -> Result<Vec<PayLineRecord>, StoreError>;

    /// A trust's advances that no run has recovered, drawn before `before`, oldest first.
    async fn unpaid_advances(
        &self,
        org: OrgId,
        before: DateTime<Utc>,
    ) -> Result<Vec<Advance>, StoreError>;

    /// The pay lines a closed run paid, oldest first.
    async fn run_pay_lines(&self, run: Uuid) -> Result<Vec<PayLineRecord>, StoreError>;

    /// The advances a closed run recovered, oldest first.
    async fn run_advances(&self, run: Uuid) -> Result<Vec<Advance>, StoreError>;

    /// A pay run and its export.
    async fn pay_run(&self, id: Uuid) -> Result<Option<(PayRun, PayExport)>, StoreError>;

    /// A trust's pay runs and their exports, newest period first.
    async fn pay_runs_of(&self, org: OrgId) -> Result<Vec<(PayRun, PayExport)>, StoreError>;

    /// Exports not yet delivered, with their runs, oldest first.
    async fn pending_exports(&self, limit: i64) -> Result<Vec<(PayRun, PayExport)>, StoreError>;

    /// What a run's file holds: its pay lines, then its advance recoveries (negative), each
    /// worker's together, in a stable order.
    async fn export_lines(&self, run: Uuid) -> Result<Vec<ExportLine>, StoreError>;

    /// Records an export delivered (`delivered_at`, `sha256` and `bytes` set) unless it
    /// already was; whether this call recorded it.
    async fn mark_exported(
        &self,
        export: &PayExport,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// Draws an advance if, with what the worker has drawn and not repaid, it is within
    /// `share_percent` of their approved, unpaid pay from the trust; otherwise
    /// `AdvanceTooLarge`, and nothing changes. Two draws at once never pass the share together.
    async fn draw_advance(
        &self,
        advance: &Advance,
        share_percent: u32,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// A worker's advances, newest first.
    async fn advances_of(&self, worker: WorkerId) -> Result<Vec<Advance>, StoreError>;
}

/// Sign-on at the ward and the escalations raised when it goes wrong.
#[async_trait]
pub trait SignOnStore: Send + Sync + 'static {
    /// Keeps a sign-on challenge.
    async fn create_sign_on_challenge(
        &self,
        challenge: &SignOnChallenge,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Uses a challenge once: marks it used at `now` and returns it if it exists, is unused and
    /// has not expired; otherwise `None`, and nothing changes.
    async fn use_sign_on_challenge(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<SignOnChallenge>, StoreError>;

    /// Records a booking signed on; a second is `AlreadySignedOn`, and nothing changes.
    async fn record_sign_on(
        &self,
        sign_on: &SignOn,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// A booking's sign-on, if it has one.
    async fn sign_on_of(&self, booking: BookingId) -> Result<Option<SignOn>, StoreError>;

    /// Records the end of a signed-on booking; `NotFound` if it is not signed on,
    /// `AlreadySignedOn` if it is already signed off.
    async fn record_sign_off(
        &self,
        booking: BookingId,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Raises an escalation with its outbox event unless the booking already has one of its
    /// kind; whether this call raised it.
    async fn raise_escalation(
        &self,
        escalation: &Escalation,
        event: &OutboxEvent,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// A trust's escalations, newest first.
    async fn escalations_of(&self, org: OrgId) -> Result<Vec<Escalation>, StoreError>;

    /// An escalation by id.
    async fn escalation(&self, id: Uuid) -> Result<Option<Escalation>, StoreError>;

    /// Closes an escalation once; `EscalationResolved` if it already is, and nothing changes.
    async fn resolve_escalation(
        &self,
        id: Uuid,
        resolution: &Resolution,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Active bookings that started in `[from, to)` and are neither signed on nor already
    /// escalated as a no-show, earliest first.
    async fn unsigned_bookings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<BookingId>, StoreError>;

    /// Timesheets submitted before `before` and still waiting, oldest first.
    async fn waiting_timesheets(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Timesheet>, StoreError>;

    /// Records a worker's smartcard identity (replacing any earlier one); a card already
    /// recorded for someone else is `SmartcardTaken`, and nothing changes.
    async fn set_smartcard(
        &self,
        worker: WorkerId,
        card: &str,
        by: UserId,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// A worker's recorded smartcard identity.
    async fn smartcard_of(&self, worker: WorkerId) -> Result<Option<String>, StoreError>;
}

/// The audit ledger: entries, the sequencer's steps, signed tree heads, and people's data keys.
#[async_trait]
pub trait LedgerStore: Send + Sync + 'static {
    /// Appends audit entries that record no stored change (a refused sign-in).
    async fn append_audit(&self, audit: &[AuditRecord]) -> Result<(), StoreError>;

    /// A person's data key.
    async fn person_key(&self, subject: Uuid) -> Result<Option<PersonKey>, StoreError>;

    /// Stores a person's wrapped data key unless they already have one (or were erased).
    async fn create_person_key(
        &self,
        subject: Uuid,
        wrapped: &[u8],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Destroys a person's data key, recording why, with its audit entry.
    async fn erase_person_key(
        &self,
        subject: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError>;

    /// Takes or renews the sequencer lease for `holder` until `until`; false if another holds it.
    async fn hold_sequencer_lease(
        &self,
        holder: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Entries not yet sequenced, oldest first.
    async fn pending_entries(&self, limit: u32) -> Result<Vec<AuditRecord>, StoreError>;

    /// Number of sequenced entries (the tree size).
    async fn ledger_size(&self) -> Result<u64, StoreError>;

    /// Hashes of stored subtrees (level 0 are leaves), in the order asked; `None` where missing.
    async fn ledger_nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Option<Hash>>, StoreError>;

    /// Appends a sequencer step; refused if its leaves do not start at the current size.
    async fn append_sequenced(&self, batch: &SequencedBatch) -> Result<(), StoreError>;

    /// The newest signed tree head.
    async fn latest_head(&self) -> Result<Option<SignedHead>, StoreError>;

    /// The newest head of exactly `size` entries.
    async fn head_of_size(&self, size: u64) -> Result<Option<SignedHead>, StoreError>;

    /// Signed tree heads by size then time, after `(size, timestamp_ms)`.
    async fn heads(
        &self,
        after: Option<(u64, i64)>,
        limit: u32,
    ) -> Result<Vec<SignedHead>, StoreError>;

    /// An entry by its index.
    async fn entry_at(&self, seq: u64) -> Result<Option<LedgerEntry>, StoreError>;

    /// An entry by id.
    async fn entry(&self, id: Uuid) -> Result<Option<LedgerEntry>, StoreError>;

    /// Entries about a person, oldest first, after `after` (an entry id's recorded time and id).
    async fn entries_about(
        &self,
        subject: Uuid,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError>;

    /// Leaves from index `from`, with their entries' bytes, for offline verification.
    async fn leaves_from(&self, from: u64, limit: u32) -> Result<Vec<LeafWithBody>, StoreError>;
}

/// Operational checks an operator runs, apart from the product's own work.
#[async_trait]
pub trait OperationsStore: Send + Sync + 'static {
    /// Refreshes the query planner's statistics (after a bulk load).
    async fn refresh_statistics(&self) -> Result<(), StoreError>;

    /// Entries that are neither sequenced nor pending (only tampering makes these).
    async fn orphan_entries(&self, limit: u32) -> Result<Vec<Uuid>, StoreError>;

    /// The queues an operator watches, counted now (cheap counts and minimums over indexed
    /// columns, so a metrics scrape can afford them): what waits in each outbox channel, the
    /// ledger entries no signed head covers yet, and the connection pools. Never tenant data.
    async fn queue_gauges(&self) -> Result<crate::QueueGauges, StoreError>;
}

/// Web Push subscriptions: which browsers to alert for each user (workers and ward managers).
#[async_trait]
pub trait PushStore: Send + Sync + 'static {
    /// Adds a subscription, or, when its endpoint is already known (the same browser
    /// subscribing again, perhaps for another person), replaces that one; returns what is stored.
    async fn save_push_subscription(
        &self,
        subscription: &crate::PushSubscription,
        audit: &[AuditRecord],
    ) -> Result<crate::PushSubscription, StoreError>;

    /// A user's subscriptions, oldest first.
    async fn push_subscriptions(
        &self,
        user: UserId,
    ) -> Result<Vec<crate::PushSubscription>, StoreError>;

    /// Removes one of `user`'s subscriptions; false if they have none with that id.
    async fn delete_push_subscription(
        &self,
        user: UserId,
        id: Uuid,
        audit: &[AuditRecord],
    ) -> Result<bool, StoreError>;

    /// Records whether sending to a subscription just worked (not audited: delivery bookkeeping).
    async fn record_push_attempt(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        delivered: bool,
    ) -> Result<(), StoreError>;
}

/// Everything Staffbank persists, as one object the app holds (`Arc<dyn Store>`). Each method
/// is atomic: it either happens whole or not at all.
///
/// Every method that changes state takes the audit entries that record the change and writes them
/// in the same transaction: no change without its entries, no entries without their change. (A
/// booking replayed from its idempotency key changes nothing and writes no entry.)
pub trait Store:
    DirectoryStore
    + ShiftStore
    + MatchingStore
    + PassportStore
    + PayStore
    + SignOnStore
    + OidcStore
    + LedgerStore
    + OperationsStore
    + crate::NotifyStore
    + crate::EventStore
    + PushStore
    + crate::SignInGuardStore
    + crate::FairnessStore
    + crate::OutlookStore
    + crate::InsightStore
{
}

impl<
        T: DirectoryStore
            + ShiftStore
            + MatchingStore
            + PassportStore
            + PayStore
            + SignOnStore
            + OidcStore
            + LedgerStore
            + OperationsStore
            + crate::NotifyStore
            + crate::EventStore
            + PushStore
            + crate::SignInGuardStore
            + crate::FairnessStore
            + crate::OutlookStore
            + crate::InsightStore,
    > Store for T
{
}
