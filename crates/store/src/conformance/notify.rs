//! Conformance case for notification deliveries.

use std::sync::Arc;

use chrono::Duration;

use super::{new_id, World};
use crate::*;

fn offer(worker: &Worker, world: &World, minutes: i64) -> OutboxEvent {
    OutboxEvent {
        id: new_id(),
        topic: "offer.made".into(),
        worker_id: Some(worker.id),
        payload: serde_json::json!({"shift": {"org_id": world.orgs[0].id.0}}).to_string(),
        created_at: world.now + Duration::minutes(minutes),
    }
}

/// Outbox events fan out once into deliveries; a claim is held by its lease until it runs out;
/// a recipient's later message waits behind an earlier pending one; failures back off and end
/// dead-lettered; only the dead letter's own trust sees it and can queue it again; a skipped
/// backlog is never sent.
pub async fn deliveries_fan_out_once_lease_keep_order_and_dead_letter(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 8, 1))
        .await;
    let asha = world.worker("Asha", &[world.banks[0].id]).await;
    let (first, second) = (offer(&asha, &world, 0), offer(&asha, &world, 1));
    assert!(store
        .offer_to(shift.id, asha.id, &first, &[])
        .await
        .unwrap());
    let round = OfferRound {
        shift_id: shift.id,
        due_at: world.now,
        next_due_at: None,
        workers: vec![],
        events: vec![second.clone()],
        at: world.now,
    };
    store.record_offers(&round).await.unwrap();

    let now = world.now + Duration::minutes(2);
    assert_eq!(store.fan_out(now, world.now).await.unwrap(), 2);
    assert_eq!(
        store.fan_out(now, now).await.unwrap(),
        0,
        "fanning out again adds nothing"
    );
    assert_eq!(store.fan_out(now, now).await.unwrap(), 0);

    let lease = now + Duration::minutes(2);
    let claimed = store.claim_deliveries(now, lease, 10).await.unwrap();
    assert_eq!(
        claimed.len(),
        1,
        "the later message waits behind the earlier"
    );
    let d = &claimed[0];
    assert_eq!(d.event.id, first.id);
    assert_eq!(d.channel, Channel::Email);
    assert!(d.recipient.starts_with("asha-"), "{}", d.recipient);
    assert!(
        store
            .claim_deliveries(now, lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "held by its lease"
    );
    let expired = store
        .claim_deliveries(lease, lease + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(expired.len(), 1, "claimed again once the lease ran out");
    assert_eq!(expired[0].id, d.id);

    // Failed: retried later, and the second still waits behind it.
    let retry = lease + Duration::minutes(1);
    assert!(store
        .mark_failed(d.id, "refused", Some(retry), lease)
        .await
        .unwrap());
    assert!(store
        .claim_deliveries(lease, lease, 10)
        .await
        .unwrap()
        .is_empty());
    let again = store.claim_deliveries(retry, retry, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    assert!(store
        .mark_failed(d.id, "refused again", None, retry)
        .await
        .unwrap());
    assert_eq!(
        store.delivery_status(d.id).await.unwrap(),
        Some(("dead".to_owned(), 2))
    );

    // A dead letter no longer holds the queue.
    let next = store.claim_deliveries(retry, retry, 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].event.id, second.id);
    assert!(store.mark_sent(next[0].id, retry).await.unwrap());
    assert!(
        !store.mark_sent(next[0].id, retry).await.unwrap(),
        "sent once"
    );

    let dead = store.dead_letters(world.orgs[0].id, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].last_error, "refused again");
    assert!(store
        .dead_letters(world.orgs[1].id, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(
        !store
            .retry_dead_letter(world.orgs[1].id, d.id, retry)
            .await
            .unwrap(),
        "another trust cannot retry it"
    );
    assert!(store
        .retry_dead_letter(world.orgs[0].id, d.id, retry)
        .await
        .unwrap());
    assert_eq!(
        store.delivery_status(d.id).await.unwrap(),
        Some(("pending".to_owned(), 0))
    );
    assert_eq!(
        store
            .claim_deliveries(retry, retry, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // A skipped backlog is never fanned out; what is written after the skip is.
    let bo = world.worker("Bo", &[world.banks[0].id]).await;
    let later = world
        .post(world.shift(0, world.banks[0].id, 48, 8, 1))
        .await;
    let (history, news) = (offer(&bo, &world, 5), offer(&bo, &world, 6));
    assert!(store
        .offer_to(shift.id, bo.id, &history, &[])
        .await
        .unwrap());
    store.skip_notification_backlog().await.unwrap();
    assert!(store.offer_to(later.id, bo.id, &news, &[]).await.unwrap());
    store.fan_out(retry, retry).await.unwrap();
    assert!(
        store.deliveries_of(history.id).await.unwrap().is_empty(),
        "history"
    );
    assert_eq!(store.deliveries_of(news.id).await.unwrap().len(), 1, "news");
}
