//! What a verifier reads about one of the platform's issuers for each presentation (its keys,
//! the types it is trusted for, its status list entries), kept for a moment so that a burst of
//! presentations does not read the same three things from the store each time.
//!
//! A view lives at most [`VIEW_AGE`], and this process forgets an issuer's view the moment it
//! rotates that issuer's key, changes its trust or changes a credential's status; another
//! instance of the platform sees such a change within [`VIEW_AGE`]. (The published status list
//! itself allows verifiers to cache it for a minute, and its TTL is five.)

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use staffbank_domain::OrgId;
use staffbank_passport::verify::TrustedIssuer;
use staffbank_store::IssuerKey;

use crate::passport::Revocations;

/// The longest a view is used before it is read again.
pub const VIEW_AGE: Duration = Duration::from_secs(1);

/// One issuer as a verifier sees it.
#[derive(Clone)]
pub(crate) struct IssuerView {
    /// Its identifier, keys (retired ones included) and trusted types.
    pub issuer: TrustedIssuer,
    /// Its stored keys, to sign the status list of whichever key signed a credential.
    pub keys: Vec<IssuerKey>,
    /// Its status list entries that are not valid.
    pub revocations: Revocations,
}

/// Views by issuer, with when each was read.
#[derive(Default)]
pub(crate) struct IssuerViews(Mutex<HashMap<OrgId, (Instant, IssuerView)>>);

impl IssuerViews {
    /// The issuer's view, if one was read less than [`VIEW_AGE`] ago.
    pub fn get(&self, org: OrgId) -> Option<IssuerView> {
        let views = self.0.lock().ok()?;
        views
            .get(&org)
            .filter(|(at, _)| at.elapsed() < VIEW_AGE)
            .map(|(_, view)| view.clone())
    }

    /// Keeps a view just read.
    pub fn put(&self, org: OrgId, view: IssuerView) {
        if let Ok(mut views) = self.0.lock() {
            views.insert(org, (Instant::now(), view));
        }
    }

    /// Forgets an issuer's view after this process changed what it shows.
    pub fn forget(&self, org: OrgId) {
        if let Ok(mut views) = self.0.lock() {
            views.remove(&org);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> IssuerView {
        IssuerView {
            issuer: TrustedIssuer {
                iss: "https://staffbank.test/issuers/x".into(),
                keys: vec![],
                vcts: vec![],
            },
            keys: vec![],
            revocations: Revocations::default(),
        }
    }

    #[test]
    fn a_view_is_kept_until_forgotten_and_only_for_its_issuer() {
        let views = IssuerViews::default();
        let (a, b) = (OrgId(uuid::Uuid::new_v4()), OrgId(uuid::Uuid::new_v4()));
        assert!(views.get(a).is_none());
        views.put(a, view());
        assert!(views.get(a).is_some());
        assert!(views.get(b).is_none());
        views.forget(a);
        assert!(views.get(a).is_none());
    }
}
