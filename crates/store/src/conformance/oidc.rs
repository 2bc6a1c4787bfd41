//! Conformance cases for OpenID Connect sign-in: attempts are taken once, links are replaced,
//! removing a provider takes what hangs on it,
//! membership and passwords-off are per organisation.

use std::sync::Arc;

use chrono::Duration;
use uuid::Uuid;

use super::World;
use crate::{OidcAttempt, OidcLink, OidcProvider, Store};

/// An attempt is taken once, never after it expires; a subject may be linked again; an account belongs
/// only to its own organisation, and only its organisation's provider turns its passwords off.
pub async fn oidc_attempts_are_taken_once_and_membership_is_per_organisation(
    store: Arc<dyn Store>,
) {
    let world = World::new(store.clone()).await;
    let mut provider = OidcProvider {
        id: Uuid::new_v4(),
        org_id: world.orgs[0].id,
        issuer_url: "https://login.example.test".into(),
        client_id: "client".into(),
        sealed_secret: vec![1, 2, 3],
        display_name: "Sign in with NHSmail".into(),
        passwords_off: false,
        created_at: world.now,
    };
    store.save_oidc_provider(&provider, &[]).await.unwrap();
    assert_eq!(
        store.oidc_provider(provider.id).await.unwrap(),
        Some(provider.clone())
    );

    let attempt = OidcAttempt {
        state_hash: "ab".repeat(32),
        provider_id: provider.id,
        nonce: "nonce".into(),
        pkce_verifier: "verifier".into(),
        expires_at: world.now + Duration::minutes(10),
    };
    store.create_oidc_attempt(&attempt).await.unwrap();
    assert_eq!(
        store.take_oidc_attempt("cd", world.now).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .take_oidc_attempt(&attempt.state_hash, world.now)
            .await
            .unwrap(),
        Some(attempt.clone())
    );
    assert_eq!(
        store
            .take_oidc_attempt(&attempt.state_hash, world.now)
            .await
            .unwrap(),
        None,
        "an attempt is good once"
    );
    let late = OidcAttempt {
        state_hash: "ef".repeat(32),
        ..attempt.clone()
    };
    store.create_oidc_attempt(&late).await.unwrap();
    assert_eq!(
        store
            .take_oidc_attempt(&late.state_hash, world.now + Duration::minutes(11))
            .await
            .unwrap(),
        None,
        "an expired attempt is refused"
    );

    let booker = world.booker.id;
    assert!(store.user_in_org(booker, world.orgs[0].id).await.unwrap());
    assert!(!store.user_in_org(booker, world.orgs[1].id).await.unwrap());
    assert!(!store.passwords_off_for(booker).await.unwrap());
    provider.passwords_off = true;
    provider.display_name = "Sign in with NHS CIS2".into();
    store.save_oidc_provider(&provider, &[]).await.unwrap();
    assert!(store.passwords_off_for(booker).await.unwrap());
    assert_eq!(
        store.oidc_providers().await.unwrap(),
        vec![provider.clone()]
    );

    let mut link = OidcLink {
        provider_id: provider.id,
        subject: "sub-1".into(),
        user_id: booker,
        linked_by: booker,
        linked_at: world.now,
    };
    store.link_oidc_subject(&link, &[]).await.unwrap();
    assert_eq!(
        store.oidc_linked_user(provider.id, "sub-1").await.unwrap(),
        Some(booker)
    );
    // Linking the same subject again replaces the link rather than failing.
    link.linked_at = world.now + Duration::minutes(1);
    store.link_oidc_subject(&link, &[]).await.unwrap();
    assert_eq!(
        store.oidc_linked_user(provider.id, "sub-1").await.unwrap(),
        Some(booker)
    );
    assert_eq!(
        store.oidc_linked_user(provider.id, "sub-2").await.unwrap(),
        None
    );

    // Removing the provider takes its links, attempts and passwords-off with it; removing it
    // again finds nothing.
    store.create_oidc_attempt(&attempt).await.unwrap();
    assert!(store.remove_oidc_provider(provider.id, &[]).await.unwrap());
    assert_eq!(store.oidc_provider(provider.id).await.unwrap(), None);
    assert_eq!(
        store.oidc_linked_user(provider.id, "sub-1").await.unwrap(),
        None
    );
    assert_eq!(
        store
            .take_oidc_attempt(&attempt.state_hash, world.now)
            .await
            .unwrap(),
        None
    );
    assert!(!store.passwords_off_for(booker).await.unwrap());
    assert!(!store.remove_oidc_provider(provider.id, &[]).await.unwrap());
}
