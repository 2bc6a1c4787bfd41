//! Conformance case for offers and the outbox.

use std::sync::Arc;

use chrono::Duration;
use staffbank_domain::booking::CancelledBy;

use super::{label, new_id, World};
use crate::*;

fn event(worker: &Worker, world: &World) -> OutboxEvent {
    OutboxEvent {
        id: new_id(),
        topic: "offer.made".into(),
        worker_id: Some(worker.id),
        payload: format!("{{\"worker\": \"{}\"}}", worker.id.0),
        created_at: world.now,
    }
}

/// A round of offers is written once (its due time is the claim) with its outbox events; a filled
/// shift leaves every worker's offered shifts; a freed place makes offers due again at once.
pub async fn offer_rounds_are_claimed_once_and_a_freed_place_falls_due(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 8, 1))
        .await;
    let asha = world.worker("Asha", &[world.banks[0].id]).await;
    let ben = world.worker("Ben", &[world.banks[0].id]).await;
    let due = store.offers_due(world.now, 10).await.unwrap();
    let due_at = due
        .iter()
        .find(|d| d.shift.id == shift.id)
        .map(|d| d.due_at);
    assert_eq!(due_at, Some(world.now), "due when the first bank may book");
    let round = OfferRound {
        shift_id: shift.id,
        due_at: world.now,
        next_due_at: None,
        workers: vec![asha.id, ben.id],
        events: vec![event(&asha, &world), event(&ben, &world)],
        at: world.now,
    };
    assert!(store.record_offers(&round).await.unwrap());
    assert!(
        !store.record_offers(&round).await.unwrap(),
        "a round is claimed once"
    );
    assert!(store
        .offers_due(world.now, 10)
        .await
        .unwrap()
        .iter()
        .all(|d| d.shift.id != shift.id));
    let mut offered = store.offered_workers(shift.id).await.unwrap();
    offered.sort();
    let mut expected = vec![asha.id, ben.id];
    expected.sort();
    assert_eq!(offered, expected);
    let events = store.outbox_after(0, 100).await.unwrap();
    assert_eq!(events.len(), 2, "one event per offer, written once");
    assert!(events[0].0 < events[1].0, "positions increase");
    assert_eq!(events[0].1, round.events[0]);
    assert_eq!(store.outbox_after(events[0].0, 100).await.unwrap().len(), 1);
    assert_eq!(
        store.offered_shifts(asha.id, world.now).await.unwrap()[0]
            .shift
            .id,
        shift.id
    );

    let booking = world.booking(&shift, &ben, "ben");
    store.book(&booking, &[], None).await.unwrap();
    assert!(
        store
            .offered_shifts(asha.id, world.now)
            .await
            .unwrap()
            .is_empty(),
        "a filled shift is no longer offered"
    );
    let later = world.now + Duration::minutes(5);
    store
        .cancel_booking(
            booking.id,
            &CancellationRecord {
                by: CancelledBy::Worker,
                by_user: ben.user_id,
                reason: label("unwell"),
                at: later,
                late: false,
            },
            None,
            None,
            &[],
        )
        .await
        .unwrap();
    let due_at = store
        .offers_due(later, 10)
        .await
        .unwrap()
        .iter()
        .find(|d| d.shift.id == shift.id)
        .map(|d| d.due_at);
    assert_eq!(due_at, Some(later), "a freed place is re-released at once");
    assert_eq!(store.offered_shifts(asha.id, later).await.unwrap().len(), 1);
}
