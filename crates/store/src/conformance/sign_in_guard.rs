//! Conformance case for refused sign-ins: counted per account key and per address within a
//! window, cleared per account, and pruned with expired sessions; sliding sessions move on.

use std::sync::Arc;

use chrono::Duration;

use super::World;
use crate::{Session, Store};

/// Refusals are counted by account key and by address since a moment, with their first and
/// last; clearing an account leaves the address's count; pruning takes old refusals and
/// expired sessions and leaves live ones.
pub async fn refused_sign_ins_are_counted_cleared_and_pruned(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let t0 = world.now;
    for minutes in [0, 1, 2] {
        store
            .record_sign_in_failure("key-a", Some("192.0.2.1"), t0 + Duration::minutes(minutes))
            .await
            .unwrap();
    }
    store
        .record_sign_in_failure("key-b", None, t0 + Duration::minutes(3))
        .await
        .unwrap();

    let a = store
        .account_failures("key-a", t0 - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(a.count, 3);
    assert_eq!(a.first, Some(t0));
    assert_eq!(a.last, Some(t0 + Duration::minutes(2)));
    let recent = store
        .account_failures("key-a", t0 + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(recent.count, 2, "only those after the moment");
    let none = store
        .account_failures("key-c", t0 - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((none.count, none.first, none.last), (0, None, None));
    let from = store
        .address_failures("192.0.2.1", t0 - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(from.count, 3);

    store.clear_sign_in_failures("key-a").await.unwrap();
    assert_eq!(
        store
            .account_failures("key-a", t0 - Duration::minutes(1))
            .await
            .unwrap()
            .count,
        0
    );
    assert_eq!(
        store
            .account_failures("key-b", t0 - Duration::minutes(1))
            .await
            .unwrap()
            .count,
        1,
        "another account's refusals stay"
    );

    let session = |token: &str, expires_at| Session {
        token_hash: token.into(),
        user_id: world.booker.id,
        csrf_token: "csrf".into(),
        expires_at,
        absolute_expires_at: None,
    };
    store
        .create_session(&session("old", t0 - Duration::hours(30)))
        .await
        .unwrap();
    store
        .create_session(&session("live", t0 + Duration::hours(1)))
        .await
        .unwrap();
    let pruned = store
        .prune_sign_ins(t0 + Duration::minutes(10))
        .await
        .unwrap();
    assert_eq!(pruned, 2, "key-b's refusal and the expired session");
    assert_eq!(
        store
            .account_failures("key-b", t0 - Duration::minutes(1))
            .await
            .unwrap()
            .count,
        0
    );
    assert!(store.session("live", t0).await.unwrap().is_some());

    // A sliding session moves on, capped at its absolute expiry, never back; a session without
    // one, or already expired, does not move.
    let sliding = Session {
        absolute_expires_at: Some(t0 + Duration::hours(14)),
        ..session("sliding", t0 + Duration::hours(1))
    };
    store.create_session(&sliding).await.unwrap();
    let expiry = |token: &'static str| {
        let store = store.clone();
        async move {
            store
                .session(token, t0)
                .await
                .unwrap()
                .map(|s| s.expires_at)
        }
    };
    assert!(store
        .extend_session("sliding", t0 + Duration::hours(2), t0)
        .await
        .unwrap());
    assert_eq!(expiry("sliding").await, Some(t0 + Duration::hours(2)));
    assert!(
        !store
            .extend_session("sliding", t0 + Duration::minutes(90), t0)
            .await
            .unwrap(),
        "never moved back"
    );
    assert!(store
        .extend_session("sliding", t0 + Duration::hours(20), t0)
        .await
        .unwrap());
    assert_eq!(
        expiry("sliding").await,
        Some(t0 + Duration::hours(14)),
        "capped"
    );
    assert_eq!(
        store
            .session("sliding", t0)
            .await
            .unwrap()
            .unwrap()
            .absolute_expires_at,
        Some(t0 + Duration::hours(14))
    );
    assert!(
        !store
            .extend_session("live", t0 + Duration::hours(2), t0)
            .await
            .unwrap(),
        "a fixed session does not slide"
    );
    assert!(
        !store
            .extend_session(
                "sliding",
                t0 + Duration::hours(20),
                t0 + Duration::hours(15)
            )
            .await
            .unwrap(),
        "an expired session stays ended"
    );
}
