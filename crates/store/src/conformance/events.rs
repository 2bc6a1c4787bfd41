//! Conformance cases for the event feed and webhook subscribers.

use std::sync::Arc;

use chrono::Duration;
use staffbank_domain::OrgId;
use uuid::Uuid;

use super::{audit, new_id, World};
use crate::*;

/// Sequences `records` as the next leaves (their hashes do not matter to the feed).
async fn sequence(store: &Arc<dyn Store>, records: &[AuditRecord]) {
    let size = store.ledger_size().await.unwrap();
    let leaves = records
        .iter()
        .enumerate()
        .map(|(i, r)| Leaf {
            seq: size + i as u64,
            entry_id: r.id,
            hash: [1; 32],
        })
        .collect();
    let batch = SequencedBatch {
        leaves,
        nodes: vec![],
        head: None,
    };
    store.append_sequenced(&batch).await.unwrap();
}

fn for_trust(action: &str, org: OrgId, at: chrono::DateTime<chrono::Utc>) -> AuditRecord {
    AuditRecord {
        tenant: Some(org),
        ..audit(action, None, at)
    }
}

/// The feed is the sequenced ledger in index order, filtered by trust on request; cursors start
/// at 0 and keep what they are set to.
pub async fn the_feed_follows_the_ledger_and_cursors_keep_their_place(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let [a, b] = [world.orgs[0].id, world.orgs[1].id];
    let records = vec![
        for_trust("test.one", a, world.now),
        for_trust("test.two", b, world.now),
        audit("test.platform", None, world.now),
        for_trust("test.three", a, world.now),
    ];
    store.append_audit(&records).await.unwrap();
    let unsequenced = store.feed(0, u64::MAX, None, 10).await.unwrap();
    assert!(unsequenced.is_empty(), "only sequenced entries are events");
    sequence(&store, &records).await;
    let start = store.ledger_size().await.unwrap() - 4;

    let all = store.feed(start, u64::MAX, None, 10).await.unwrap();
    let ids: Vec<Uuid> = all.iter().map(|e| e.record.id).collect();
    assert_eq!(ids, records.iter().map(|r| r.id).collect::<Vec<_>>());
    assert_eq!(all[0].record, records[0]);
    assert_eq!(
        all.iter().map(|e| e.seq.unwrap()).collect::<Vec<_>>(),
        (start..start + 4).collect::<Vec<_>>()
    );
    let of_a = store.feed(start, u64::MAX, Some(a), 10).await.unwrap();
    assert_eq!(
        of_a.iter().map(|e| e.record.id).collect::<Vec<_>>(),
        vec![records[0].id, records[3].id]
    );
    let limited = store.feed(start + 1, start + 3, None, 10).await.unwrap();
    assert_eq!(limited.len(), 2);
    assert_eq!(store.feed(start, u64::MAX, None, 1).await.unwrap().len(), 1);

    assert_eq!(store.feed_cursor("nats").await.unwrap(), 0);
    store.set_feed_cursor("nats", 3).await.unwrap();
    store.set_feed_cursor("other", 1).await.unwrap();
    store.set_feed_cursor("nats", 2).await.unwrap();
    assert_eq!(store.feed_cursor("nats").await.unwrap(), 2);
    assert_eq!(store.feed_cursor("other").await.unwrap(), 1);
}

/// Subscribers belong to one trust: another trust can neither read nor remove nor retry them.
/// Deliveries move a subscriber on only from where it was; failures back off and dead-letter.
pub async fn webhooks_belong_to_their_trust_and_advance_once(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let [a, b] = [world.orgs[0].id, world.orgs[1].id];
    let hook = Webhook {
        id: new_id(),
        org_id: a,
        url: "https://receiver.example/hooks".into(),
        actions: vec!["booking.made".into(), "shift.posted".into()],
        secret: "s3cret".into(),
        created_at: world.now,
        next_seq: 5,
        attempts: 0,
        retry_at: None,
        last_error: None,
        dead_at: None,
    };
    let registered = audit("webhook.registered", None, world.now);
    store
        .add_webhook(&hook, std::slice::from_ref(&registered))
        .await
        .unwrap();
    assert!(store.entry(registered.id).await.unwrap().is_some());
    assert_eq!(store.webhooks(a).await.unwrap(), vec![hook.clone()]);
    assert!(store.webhooks(b).await.unwrap().is_empty());
    assert_eq!(store.webhook(a, hook.id).await.unwrap(), Some(hook.clone()));
    assert_eq!(store.webhook(b, hook.id).await.unwrap(), None);
    assert_eq!(
        store.due_webhooks(world.now, 10).await.unwrap(),
        vec![hook.clone()]
    );

    // Delivered: moves on only from where it was.
    let advanced = DeliveryOutcome::Advanced { next_seq: 7 };
    assert!(store.record_delivery(hook.id, 5, &advanced).await.unwrap());
    assert!(!store.record_delivery(hook.id, 5, &advanced).await.unwrap());
    assert_eq!(
        store.webhook(a, hook.id).await.unwrap().unwrap().next_seq,
        7
    );

    // A failure waits for its retry time.
    let failed = DeliveryOutcome::Failed {
        attempts: 1,
        retry_at: world.now + Duration::seconds(30),
        error: "HTTP 500".into(),
        dead_at: None,
    };
    assert!(store.record_delivery(hook.id, 7, &failed).await.unwrap());
    assert!(store.due_webhooks(world.now, 10).await.unwrap().is_empty());
    let due = store
        .due_webhooks(world.now + Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].attempts, due[0].last_error.as_deref()),
        (1, Some("HTTP 500"))
    );

    // Dead-lettered: never due until someone of its trust tries again.
    let dead = DeliveryOutcome::Failed {
        attempts: 2,
        retry_at: world.now,
        error: "connection refused".into(),
        dead_at: Some(world.now),
    };
    assert!(store.record_delivery(hook.id, 7, &dead).await.unwrap());
    let later = world.now + Duration::days(1);
    assert!(store.due_webhooks(later, 10).await.unwrap().is_empty());
    let refused = store.retry_webhook(b, hook.id, &[]).await.unwrap_err();
    assert!(matches!(refused, StoreError::NotFound), "{refused:?}");
    store
        .retry_webhook(a, hook.id, &[audit("webhook.retried", None, later)])
        .await
        .unwrap();
    let again = store.due_webhooks(later, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].attempts, again[0].dead_at, again[0].next_seq),
        (0, None, 7)
    );
    assert_eq!(again[0].last_error.as_deref(), Some("connection refused"));

    // Removing: only by its trust, with its entry; a refused removal writes none.
    let not_written = audit("webhook.removed", None, later);
    let refused = store
        .remove_webhook(b, hook.id, std::slice::from_ref(&not_written))
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::NotFound), "{refused:?}");
    assert!(store.entry(not_written.id).await.unwrap().is_none());
    store
        .remove_webhook(a, hook.id, &[audit("webhook.removed", None, later)])
        .await
        .unwrap();
    assert!(store.webhooks(a).await.unwrap().is_empty());
}
