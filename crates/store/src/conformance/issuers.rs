//! Conformance case for issuer keys and the trust framework.

use std::sync::Arc;

use chrono::Duration;
use staffbank_domain::OrgId;

use super::{new_id, World};
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
