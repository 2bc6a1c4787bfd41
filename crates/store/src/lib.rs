//! The storage boundary of Staffbank.
//!
//! [`Store`] is deliberately coarse: each method is one use-case-sized, atomic step ("book this
//! shift"), so each backend can use its own strengths (PostgreSQL's exclusion constraints and row
//! locks, SQLite's single writer) to keep the invariants, and the app never holds a transaction open
//! across its own logic. Every backend must pass [`conformance`].

pub mod booking;
pub mod conformance;
mod error;
mod events;
mod fairness;
mod imports;
mod insight;
mod issuers;
pub mod ledger;
mod model;
mod notify;
mod oidc;
mod outlook;
mod payroll;
mod push;
mod queues;
pub mod raw;
mod sign_in_guard;
mod sign_on;
mod store;
mod timesheets;

pub use error::{Conflict, StoreError};
pub use events::{DeliveryOutcome, EventStore, Webhook};
pub use fairness::{FairnessMember, FairnessStore};
pub use imports::{ImportKeys, ImportedWorker};
pub use insight::{
    InsightBooking, InsightDay, InsightPay, InsightScope, InsightShift, InsightSources,
    InsightStore, InsightWorker, InsightWorkerTotal,
};
pub use issuers::{
    IssuerKey, OfferState, PassportCredential, PresentationRequest, RequestState, RevocationChange,
    RevocationState, TrustEntry,
};
pub use ledger::*;
pub use model::*;
pub use notify::{AlertSettings, Channel, DeadLetter, Delivery, GoneOffer, NotifyStore};
pub use oidc::{OidcAttempt, OidcLink, OidcProvider, OidcStore};
pub use outlook::{Nudge, OutlookStore, TrustBooking, TrustOffer};
pub use payroll::{export_element, Advance, PayExport, PayRun};
pub use push::PushSubscription;
pub use queues::{PoolUse, QueueDepth, QueueGauges};
pub use sign_in_guard::{Failures, SignInGuardStore};
pub use sign_on::{Escalation, Resolution, SignOn, SignOnChallenge};
pub use store::{
    DirectoryStore, LedgerStore, MatchingStore, OperationsStore, PassportStore, PayStore,
    PushStore, ShiftStore, SignOnStore, Store,
};
pub use timesheets::{PayLineKind, PayLineRecord, Timesheet, TimesheetBody};
