//! Conformance case for Web Push subscriptions.

use std::sync::Arc;

use chrono::Duration;

use super::{new_id, World};
use crate::*;

fn subscription(
    worker: &Worker,
    endpoint: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> PushSubscription {
    PushSubscription {
        id: new_id(),
        user: worker.user_id,
        endpoint: endpoint.to_owned(),
        p256dh: "key".to_owned(),
        auth: "secret".to_owned(),
        created_at: at,
        last_success_at: None,
        last_failure_at: None,
    }
}

/// A browser (its endpoint) has one subscription: subscribing it again, even for another
/// user, replaces the old one. A user lists and deletes only their own; attempts are recorded.
pub async fn push_subscriptions_are_one_per_browser_and_their_workers_own(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let ann = world.worker("Ann", &[world.banks[0].id]).await;
    let bob = world.worker("Bob", &[world.banks[1].id]).await;
    let phone = store
        .save_push_subscription(
            &subscription(&ann, "https://push.test/phone", world.now),
            &[],
        )
        .await
        .unwrap();
    let laptop = store
        .save_push_subscription(
            &subscription(
                &ann,
                "https://push.test/laptop",
                world.now + Duration::minutes(1),
            ),
            &[],
        )
        .await
        .unwrap();
    let listed = store.push_subscriptions(ann.user_id).await.unwrap();
    assert_eq!(listed, vec![phone.clone(), laptop.clone()]);
    assert!(store
        .push_subscriptions(bob.user_id)
        .await
        .unwrap()
        .is_empty());

    assert!(!store
        .delete_push_subscription(bob.user_id, phone.id, &[])
        .await
        .unwrap());
    assert_eq!(
        store.push_subscriptions(ann.user_id).await.unwrap().len(),
        2
    );

    store
        .record_push_attempt(laptop.id, world.now + Duration::hours(1), true)
        .await
        .unwrap();
    store
        .record_push_attempt(laptop.id, world.now + Duration::hours(2), false)
        .await
        .unwrap();
    let laptop_now = &store.push_subscriptions(ann.user_id).await.unwrap()[1];
    assert_eq!(
        laptop_now.last_success_at,
        Some(world.now + Duration::hours(1))
    );
    assert_eq!(
        laptop_now.last_failure_at,
        Some(world.now + Duration::hours(2))
    );

    // Bob signs in on Ann's laptop and turns alerts on: the laptop is now his.
    let mut again = subscription(
        &bob,
        "https://push.test/laptop",
        world.now + Duration::hours(3),
    );
    again.p256dh = "new key".to_owned();
    let moved = store.save_push_subscription(&again, &[]).await.unwrap();
    assert_eq!(moved.user, bob.user_id);
    assert_eq!(moved.p256dh, "new key");
    assert_eq!(moved.last_success_at, None);
    assert_eq!(
        store.push_subscriptions(ann.user_id).await.unwrap(),
        vec![phone.clone()]
    );
    assert_eq!(
        store.push_subscriptions(bob.user_id).await.unwrap(),
        vec![moved.clone()]
    );

    assert!(store
        .delete_push_subscription(ann.user_id, phone.id, &[])
        .await
        .unwrap());
    assert!(store
        .push_subscriptions(ann.user_id)
        .await
        .unwrap()
        .is_empty());
}
