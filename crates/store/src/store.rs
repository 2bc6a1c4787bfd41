//! The Store trait.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::booking::CancelledBy;
use staffbank_domain::text::Label;
use staffbank_domain::*;

use crate::{
    Bank, BookOutcome, Booking, OpenShiftQuery, Organisation, Page, Session, Shift, Site,
    StoreError, User, Ward, Worker,
};

/// Everything Staffbank persists. Each method is atomic: it either happens whole or not at all.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Adds an organisation; a taken ODS code is [`crate::Conflict::OdsCodeTaken`].
    async fn create_organisation(&self, org: &Organisation) -> Result<(), StoreError>;
    /// One organisation.
    async fn organisation(&self, id: OrgId) -> Result<Option<Organisation>, StoreError>;
    /// Every organisation, by name.
    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError>;

    /// Adds a site.
    async fn create_site(&self, site: &Site) -> Result<(), StoreError>;
    /// One site.
    async fn site(&self, id: SiteId) -> Result<Option<Site>, StoreError>;
    /// An organisation's sites.
    async fn sites(&self, org: OrgId) -> Result<Vec<Site>, StoreError>;

    /// Adds a ward.
    async fn create_ward(&self, ward: &Ward) -> Result<(), StoreError>;
    /// One ward.
    async fn ward(&self, id: WardId) -> Result<Option<Ward>, StoreError>;
    /// An organisation's wards.
    async fn wards(&self, org: OrgId) -> Result<Vec<Ward>, StoreError>;

    /// Adds a bank with its member organisations.
    async fn create_bank(&self, bank: &Bank) -> Result<(), StoreError>;
    /// One bank.
    async fn bank(&self, id: BankId) -> Result<Option<Bank>, StoreError>;
    /// Every bank, by name.
    async fn banks(&self) -> Result<Vec<Bank>, StoreError>;

    /// Adds a user with their grants; a taken email is [`crate::Conflict::EmailTaken`].
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;
    /// Adds a user and their worker profile together.
    async fn register_worker(&self, user: &User, worker: &Worker) -> Result<(), StoreError>;
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
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// One worker.
    async fn worker(&self, id: WorkerId) -> Result<Option<Worker>, StoreError>;
    /// The worker profile of a user, if they have one.
    async fn worker_for_user(&self, user: UserId) -> Result<Option<Worker>, StoreError>;
    /// Makes a worker a member of a bank; joining twice is not an error.
    async fn join_bank(
        &self,
        worker: WorkerId,
        bank: BankId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Posts shifts: all of them or none.
    async fn post_shifts(&self, shifts: &[Shift]) -> Result<(), StoreError>;
    /// One shift.
    async fn shift(&self, id: ShiftId) -> Result<Option<Shift>, StoreError>;
    /// An organisation's shifts starting after `starts_after`, by start.
    async fn shifts_of_org(
        &self,
        org: OrgId,
        starts_after: DateTime<Utc>,
        page: Page,
    ) -> Result<Vec<Shift>, StoreError>;
    /// Open shifts a worker may be shown (see [`OpenShiftQuery`]); filled shifts never appear.
    async fn open_shifts(&self, query: &OpenShiftQuery) -> Result<Vec<Shift>, StoreError>;

    /// Books a place atomically. Refuses with a [`crate::Conflict`] when the shift is full or not
    /// open, when the worker holds an overlapping booking anywhere, or when the idempotency key was
    /// used for another shift; a retry with the same key returns the original booking.
    async fn book(&self, booking: &Booking) -> Result<BookOutcome, StoreError>;
    /// Cancels an active booking and releases its place at once.
    async fn cancel_booking(
        &self,
        id: BookingId,
        by: CancelledBy,
        by_user: UserId,
        reason: &Label,
        at: DateTime<Utc>,
    ) -> Result<Booking, StoreError>;
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
