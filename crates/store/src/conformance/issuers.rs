//! Conformance case for issuer keys and the trust framework.

use std::sync::Arc;

use chrono::Duration;
use staffbank_domain::credential::{CredentialKind, CredentialStatus, DbsLevel};
use staffbank_domain::{CredentialId, OrgId, WorkerId};
use uuid::Uuid;

use super::{conflict, new_id, World};
use crate::*;

fn key(world: &World, org: usize, minutes: i64) -> IssuerKey {
    IssuerKey {
        id: new_id(),
        org_id: world.orgs[org].id,
        public_jwk: format!("{{\"kid\":\"{minutes}\"}}"),
        wrapped_key: vec![1, 2, 3],
        sealed_private: vec![4, 5, 6, minutes as u8],
        created_at: world.now + Duration::minutes(minutes),
        retired_at: None,
    }
}

/// Rotating keeps every earlier key, retired when its successor came; one key is current; keys
/// belong to their own organisation. Trust is added and removed idempotently.
pub async fn issuer_keys_rotate_and_trust_is_kept(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    assert!(store
        .issuer_keys(world.orgs[0].id)
        .await
        .unwrap()
        .is_empty());
    let first = key(&world, 0, 0);
    let second = key(&world, 0, 5);
    store.rotate_issuer_key(&first, &[]).await.unwrap();
    store.rotate_issuer_key(&second, &[]).await.unwrap();
    store
        .rotate_issuer_key(&key(&world, 1, 1), &[])
        .await
        .unwrap();
    let keys = store.issuer_keys(world.orgs[0].id).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].id, first.id);
    assert_eq!(keys[0].retired_at, Some(second.created_at));
    assert_eq!(keys[0].sealed_private, first.sealed_private);
    assert_eq!(keys[1], second);
    assert_eq!(store.issuer_keys(world.orgs[1].id).await.unwrap().len(), 1);
    let mut nowhere = key(&world, 0, 9);
    nowhere.org_id = OrgId(new_id());
    assert!(matches!(
        store.rotate_issuer_key(&nowhere, &[]).await,
        Err(StoreError::NotFound)
    ));

    let entry = |org: usize, vct: &str| TrustEntry {
        org_id: world.orgs[org].id,
        vct: vct.into(),
        added_by: world.booker.id,
        added_at: world.now,
    };
    store
        .set_trusted_issuer(&entry(0, "urn:t:dbs"), true, &[])
        .await
        .unwrap();
    store
        .set_trusted_issuer(&entry(0, "urn:t:dbs"), true, &[])
        .await
        .unwrap();
    store
        .set_trusted_issuer(&entry(1, "urn:t:id"), true, &[])
        .await
        .unwrap();
    let framework = store.trust_framework().await.unwrap();
    assert_eq!(framework.len(), 2);
    assert!(framework.contains(&entry(0, "urn:t:dbs")));
    store
        .set_trusted_issuer(&entry(0, "urn:t:dbs"), false, &[])
        .await
        .unwrap();
    store
        .set_trusted_issuer(&entry(0, "urn:t:dbs"), false, &[])
        .await
        .unwrap();
    assert_eq!(
        store.trust_framework().await.unwrap(),
        vec![entry(1, "urn:t:id")]
    );
}

fn offer(world: &World, worker: WorkerId, minutes: i64) -> PassportCredential {
    PassportCredential {
        id: new_id(),
        org_id: world.orgs[0].id,
        worker_id: worker,
        vct: "urn:t:dbs".into(),
        claims: "{\"type\":\"dbs_check\"}".into(),
        expires_at: Some(world.now + Duration::days(365)),
        nonce: format!("nonce-{minutes}"),
        state: OfferState::Offered,
        offered_by: world.booker.id,
        offered_at: world.now + Duration::minutes(minutes),
        decided_at: None,
        sd_jwt: None,
        holder_jwk: None,
        status_idx: 0,
        revocation: RevocationState::Valid,
    }
}

fn record(world: &World, worker: WorkerId) -> Credential {
    Credential {
        id: CredentialId(new_id()),
        worker_id: worker,
        kind: CredentialKind::DbsCheck,
        dbs_level: Some(DbsLevel::EnhancedBarred),
        issuer_org_id: world.orgs[0].id,
        valid_from: world.now,
        valid_until: None,
        status: CredentialStatus::Active,
        revoked_at: None,
        recorded_by: world.booker.id,
        recorded_at: world.now,
    }
}

fn change<'a>(
    world: &World,
    id: Uuid,
    state: RevocationState,
    reinstated: Option<&'a Credential>,
) -> RevocationChange<'a> {
    RevocationChange {
        id,
        state,
        by: world.booker.id,
        reason: "checked",
        at: world.now,
        reinstated,
    }
}

/// The worker's active credential records.
async fn active(store: &Arc<dyn Store>, worker: WorkerId) -> usize {
    store
        .credentials_of(worker)
        .await
        .unwrap()
        .iter()
        .filter(|c| c.status == CredentialStatus::Active)
        .count()
}

/// Offers take the first free status index offered; an offer is decided once; only accepted
/// credentials change revocation state, and a revoked one never again; the issuer's list of
/// credentials that are not valid follows.
pub async fn passport_offers_are_decided_once_and_revocation_is_final(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Asha", &[world.banks[0].id]).await;
    let first = store
        .offer_passport_credential(&offer(&world, worker.id, 0), &[7, 8], &[])
        .await
        .unwrap();
    assert_eq!(first.status_idx, 7);
    let second = store
        .offer_passport_credential(&offer(&world, worker.id, 1), &[7, 8, 9], &[])
        .await
        .unwrap();
    assert_eq!(second.status_idx, 8, "index 7 is taken");
    assert!(store
        .offer_passport_credential(&offer(&world, worker.id, 2), &[7, 8], &[])
        .await
        .is_err());
    assert_eq!(
        store.passport_credential(first.id).await.unwrap().as_ref(),
        Some(&first)
    );
    let mine = store.passport_credentials_of(worker.id).await.unwrap();
    assert_eq!(
        mine.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );

    // Not accepted yet: nothing to revoke.
    assert_eq!(
        conflict(
            store
                .set_passport_revocation(
                    &change(&world, first.id, RevocationState::Revoked, None),
                    &[]
                )
                .await
        ),
        Conflict::AlreadyRevoked
    );
    assert_eq!(active(&store, worker.id).await, 0);
    // The nonce is renewed only from the one it has, once, and only while offered.
    let renew = |old: &str, new: &str| {
        let (store, old, new) = (store.clone(), old.to_owned(), new.to_owned());
        async move {
            store
                .renew_passport_offer_nonce(first.id, &old, &new)
                .await
                .unwrap()
        }
    };
    assert!(!renew("not-its-nonce", "n-2").await);
    assert!(renew(&first.nonce, "n-2").await);
    assert!(!renew(&first.nonce, "n-3").await, "the old nonce is spent");
    let renewed = store.passport_credential(first.id).await.unwrap().unwrap();
    assert_eq!(renewed.nonce, "n-2");
    let held = record(&world, worker.id);
    store
        .decide_passport_offer(
            first.id,
            Some(("sd~jwt~", "{\"kty\":\"EC\"}", &held)),
            world.now,
            &[],
        )
        .await
        .unwrap();
    assert!(
        !renew("n-2", "n-4").await,
        "a decided offer keeps its nonce"
    );
    // Accepting makes it count for bookings.
    assert_eq!(active(&store, worker.id).await, 1);
    assert_eq!(
        conflict(
            store
                .decide_passport_offer(first.id, None, world.now, &[])
                .await
        ),
        Conflict::RequestDecided
    );
    store
        .decide_passport_offer(second.id, None, world.now, &[])
        .await
        .unwrap();
    let accepted = store.passport_credential(first.id).await.unwrap().unwrap();
    assert_eq!(accepted.state, OfferState::Accepted);
    assert_eq!(accepted.sd_jwt.as_deref(), Some("sd~jwt~"));
    assert_eq!(
        store
            .passport_credential(second.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        OfferState::Rejected
    );
    assert!(matches!(
        store
            .decide_passport_offer(new_id(), None, world.now, &[])
            .await,
        Err(StoreError::NotFound)
    ));

    assert!(store
        .passport_revocations(world.orgs[0].id)
        .await
        .unwrap()
        .is_empty());
    store
        .set_passport_revocation(
            &change(&world, first.id, RevocationState::Suspended, None),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        active(&store, worker.id).await,
        0,
        "suspended: no longer counts"
    );
    assert_eq!(
        store.passport_revocations(world.orgs[0].id).await.unwrap(),
        vec![(7, RevocationState::Suspended)]
    );
    let again = record(&world, worker.id);
    store
        .set_passport_revocation(
            &change(&world, first.id, RevocationState::Valid, Some(&again)),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        active(&store, worker.id).await,
        1,
        "reinstated: counts again"
    );
    // Reinstating what is valid adds nothing.
    let twice = record(&world, worker.id);
    store
        .set_passport_revocation(
            &change(&world, first.id, RevocationState::Valid, Some(&twice)),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(active(&store, worker.id).await, 1);
    assert!(store
        .passport_revocations(world.orgs[0].id)
        .await
        .unwrap()
        .is_empty());
    store
        .set_passport_revocation(
            &change(&world, first.id, RevocationState::Revoked, None),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(active(&store, worker.id).await, 0);
    assert_eq!(
        conflict(
            store
                .set_passport_revocation(
                    &change(&world, first.id, RevocationState::Valid, Some(&twice)),
                    &[]
                )
                .await
        ),
        Conflict::AlreadyRevoked
    );
    assert_eq!(active(&store, worker.id).await, 0);
    assert_eq!(
        store.passport_revocations(world.orgs[0].id).await.unwrap(),
        vec![(7, RevocationState::Revoked)]
    );
    assert!(store
        .passport_revocations(world.orgs[1].id)
        .await
        .unwrap()
        .is_empty());
}

/// A presentation request is answered once; the worker's requests come newest first.
pub async fn presentation_requests_are_answered_once(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Asha", &[world.banks[0].id]).await;
    let request = |minutes: i64| PresentationRequest {
        id: new_id(),
        verifier_org: world.orgs[0].id,
        worker_id: worker.id,
        vct: "urn:t:dbs".into(),
        claims: "[\"level\"]".into(),
        purpose: "Induction".into(),
        nonce: format!("n-{minutes}"),
        requested_by: world.booker.id,
        requested_at: world.now + Duration::minutes(minutes),
        expires_at: world.now + Duration::hours(24),
        state: RequestState::Pending,
        decided_at: None,
        result: None,
    };
    let first = request(0);
    let second = request(1);
    store
        .create_presentation_request(&first, &[])
        .await
        .unwrap();
    store
        .create_presentation_request(&second, &[])
        .await
        .unwrap();
    assert_eq!(
        store.presentation_request(first.id).await.unwrap().as_ref(),
        Some(&first)
    );
    store
        .answer_presentation_request(first.id, RequestState::Verified, Some("{}"), world.now, &[])
        .await
        .unwrap();
    assert_eq!(
        conflict(
            store
                .answer_presentation_request(first.id, RequestState::Failed, None, world.now, &[])
                .await
        ),
        Conflict::RequestDecided
    );
    assert!(matches!(
        store
            .answer_presentation_request(new_id(), RequestState::Declined, None, world.now, &[])
            .await,
        Err(StoreError::NotFound)
    ));
    let answered = store.presentation_request(first.id).await.unwrap().unwrap();
    assert_eq!(answered.state, RequestState::Verified);
    assert_eq!(answered.result.as_deref(), Some("{}"));
    assert_eq!(answered.decided_at, Some(world.now));
    let log = store.presentation_requests_of(worker.id).await.unwrap();
    assert_eq!(
        log.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
}

/// Refresher periods start empty (none is assumed), are replaced whole, and the change is
/// written with its ledger entry.
pub async fn refresher_periods_are_replaced_whole(store: Arc<dyn Store>) {
    use staffbank_domain::credential_claims::{CstfSubject, RefresherPeriods};
    let world = World::new(store.clone()).await;
    assert_eq!(
        store.refresher_periods().await.unwrap(),
        RefresherPeriods::default()
    );
    let mut first = RefresherPeriods::default();
    first.set(CstfSubject::FireSafety, 1, 24);
    first.set(CstfSubject::Resuscitation, 2, 12);
    let set = super::audit("refresher_periods.set", None, world.now);
    store
        .set_refresher_periods(&first, std::slice::from_ref(&set))
        .await
        .unwrap();
    assert_eq!(store.refresher_periods().await.unwrap(), first);
    assert!(store.entry(set.id).await.unwrap().is_some());
    let mut second = RefresherPeriods::default();
    second.set(CstfSubject::MovingHandling, 3, 36);
    store
        .set_refresher_periods(
            &second,
            &[super::audit("refresher_periods.set", None, world.now)],
        )
        .await
        .unwrap();
    assert_eq!(store.refresher_periods().await.unwrap(), second);
}
