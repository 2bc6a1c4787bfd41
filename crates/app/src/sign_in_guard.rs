//! Slowing online password guessing: refused sign-ins are counted per account (by a hash of the
//! email tried, so an email with no account is treated alike and nothing tells them apart) and
//! per client address. Past a few refusals an account is locked for a while that doubles with
//! each further refusal (a soft lock: it lifts by itself), and an address that keeps failing is
//! turned away for the rest of its window. A locked-out attempt is answered before the password
//! is checked, so it costs no hashing and writes nothing.
//!
//! The numbers follow NCSC's password guidance ("throttling" rather than hard lockout) and OWASP's
//! authentication cheat sheet (exponential delay per account, limits per source address).

use chrono::{DateTime, Duration, Utc};

use crate::auth::sha256_hex;
use crate::{App, AppError};

/// The window refusals are counted over.
pub const WINDOW: Duration = Duration::minutes(15);
/// Refusals an account may have in the window before it is locked.
pub const FREE_TRIES: u32 = 5;
/// The first lock; each further refusal doubles it.
pub const FIRST_LOCK: Duration = Duration::seconds(30);
/// The longest lock.
pub const LONGEST_LOCK: Duration = Duration::minutes(15);
/// Refusals one address may have in the window (a ward's shared computer or a trust's network
/// address sits behind many people, so this is well above one person's mistakes).
pub const ADDRESS_TRIES: u32 = 50;
/// How long refusals are kept (and expired sessions after they expire) before the sweep prunes
/// them.
pub const KEEP: Duration = Duration::days(1);

/// The key refusals of an email are counted under: its hash, so the table holds no addresses.
pub fn account_key(email: &str) -> String {
    sha256_hex(email.trim().to_lowercase().as_bytes())
}

/// How long an account with `count` refusals, the last at `last`, stays locked after `now`.
pub fn account_wait(count: u32, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Duration {
    let (Some(last), true) = (last, count >= FREE_TRIES) else {
        return Duration::zero();
    };
    let doublings = (count - FREE_TRIES).min(10);
    let lock = FIRST_LOCK
        .checked_mul(1 << doublings)
        .unwrap_or(LONGEST_LOCK)
        .min(LONGEST_LOCK);
    (last + lock - now).max(Duration::zero())
}

/// How long an address with `count` refusals in the window, the first at `first`, is turned
/// away after `now`: until the first of them leaves the window.
pub fn address_wait(count: u32, first: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Duration {
    match first {
        Some(first) if count >= ADDRESS_TRIES => (first + WINDOW - now).max(Duration::zero()),
        _ => Duration::zero(),
    }
}

fn refuse_for(wait: Duration) -> Result<(), AppError> {
    if wait > Duration::zero() {
        // Whole seconds, rounded up, as Retry-After wants them.
        let seconds = (wait.num_milliseconds() + 999) / 1000;
        return Err(AppError::TooManyAttempts(
            u64::try_from(seconds).unwrap_or(1),
        ));
    }
    Ok(())
}

impl App {
    /// Refuses a sign-in attempt at once while its account or address is locked out.
    pub(crate) async fn sign_in_allowed(
        &self,
        key: &str,
        address: Option<&str>,
    ) -> Result<(), AppError> {
        let now = self.now();
        let account = self.store.account_failures(key, now - WINDOW).await?;
        refuse_for(account_wait(account.count, account.last, now))?;
        if let Some(address) = address {
            let from = self.store.address_failures(address, now - WINDOW).await?;
            refuse_for(address_wait(from.count, from.first, now))?;
        }
        Ok(())
    }

    /// Counts a refused sign-in.
    pub(crate) async fn sign_in_refused(
        &self,
        key: &str,
        address: Option<&str>,
    ) -> Result<(), AppError> {
        self.store
            .record_sign_in_failure(key, address, self.now())
            .await?;
        Ok(())
    }

    /// Forgets an account's refusals once it signs in.
    pub(crate) async fn sign_in_accepted(&self, key: &str) -> Result<(), AppError> {
        self.store.clear_sign_in_failures(key).await?;
        Ok(())
    }

    /// Prunes refusals and sessions that expired long enough ago; how many rows went.
    pub async fn prune_sign_ins(&self) -> Result<u64, AppError> {
        Ok(self.store.prune_sign_ins(self.now() - KEEP).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_account_locks_after_its_free_tries_for_a_doubling_while() {
        let now = Utc.with_ymd_and_hms(2026, 12, 8, 7, 30, 0).unwrap();
        assert_eq!(account_wait(4, Some(now), now), Duration::zero());
        assert_eq!(account_wait(5, Some(now), now), Duration::seconds(30));
        assert_eq!(account_wait(6, Some(now), now), Duration::seconds(60));
        assert_eq!(account_wait(7, Some(now), now), Duration::seconds(120));
        assert_eq!(account_wait(40, Some(now), now), LONGEST_LOCK);
        // The lock runs from the last refusal.
        let earlier = now - Duration::seconds(20);
        assert_eq!(account_wait(5, Some(earlier), now), Duration::seconds(10));
        assert_eq!(
            account_wait(5, Some(now - Duration::minutes(1)), now),
            Duration::zero()
        );
    }

    #[test]
    fn an_address_is_turned_away_until_its_first_refusal_leaves_the_window() {
        let now = Utc.with_ymd_and_hms(2026, 12, 8, 7, 30, 0).unwrap();
        let first = now - Duration::minutes(10);
        assert_eq!(
            address_wait(ADDRESS_TRIES - 1, Some(first), now),
            Duration::zero()
        );
        assert_eq!(
            address_wait(ADDRESS_TRIES, Some(first), now),
            Duration::minutes(5)
        );
    }

    #[test]
    fn the_key_is_the_same_for_any_spelling_of_an_email() {
        assert_eq!(
            account_key(" Ann@Trust.nhs.uk "),
            account_key("ann@trust.nhs.uk")
        );
        assert_ne!(
            account_key("ann@trust.nhs.uk"),
            account_key("bob@trust.nhs.uk")
        );
    }
}
