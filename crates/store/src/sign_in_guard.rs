//! Refused password sign-ins, counted per account and per client address so that online
//! guessing slows to a crawl; an ordinary pruned table, never the ledger.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Refused sign-ins in a window: how many, and the first and last of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// How many.
    pub count: u32,
    /// The earliest in the window.
    pub first: Option<DateTime<Utc>>,
    /// The latest.
    pub last: Option<DateTime<Utc>>,
}

/// What the sign-in guard reads and writes.
#[async_trait]
pub trait SignInGuardStore: Send + Sync + 'static {
    /// Records one refused sign-in for an account key (a hash of the email tried) from an
    /// address, if known.
    async fn record_sign_in_failure(
        &self,
        account_key: &str,
        address: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The refused sign-ins of an account key since `since`.
    async fn account_failures(
        &self,
        account_key: &str,
        since: DateTime<Utc>,
    ) -> Result<Failures, StoreError>;

    /// The refused sign-ins from an address since `since`.
    async fn address_failures(
        &self,
        address: &str,
        since: DateTime<Utc>,
    ) -> Result<Failures, StoreError>;

    /// Forgets an account key's refused sign-ins (after the right password).
    async fn clear_sign_in_failures(&self, account_key: &str) -> Result<(), StoreError>;

    /// Deletes refused sign-ins older than `before`, and sessions that expired before it; how
    /// many rows went.
    async fn prune_sign_ins(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}
