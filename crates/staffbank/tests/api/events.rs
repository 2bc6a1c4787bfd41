//! Every ledgered change is published on NATS JetStream as a CloudEvent, in ledger order, with
//! no personal data; a publisher restarted from an older cursor publishes again and JetStream
//! drops every repeat. Runs against the real nats-server at `STAFFBANK_TEST_NATS`.

use std::time::Duration as StdDuration;

use futures::StreamExt;
use serde_json::{json, Value};
use staffbank_app::event_publisher::EventPublisher;
use uuid::Uuid;

use crate::helpers::TestApp;

crate::both_backends!(every_change_reaches_jetstream_once_in_ledger_order);

fn nats_url() -> String {
    std::env::var("STAFFBANK_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// Every message in `stream`, oldest first: (subject, `Nats-Msg-Id`, body).
async fn read_stream(stream: &str) -> Vec<(String, String, Value)> {
    let client = async_nats::connect(nats_url()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let stream = js.get_stream(stream).await.unwrap();
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            ack_policy: async_nats::jetstream::consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut messages = consumer
        .batch()
        .max_messages(10_000)
        .expires(StdDuration::from_secs(1))
        .messages()
        .await
        .unwrap();
    let mut read = Vec::new();
    while let Some(message) = messages.next().await {
        let message = message.unwrap();
        let id = message
            .headers
            .as_ref()
            .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default();
        read.push((
            message.subject.to_string(),
            id,
            serde_json::from_slice(&message.payload).unwrap(),
        ));
    }
    read
}

async fn every_change_reaches_jetstream_once_in_ledger_order(app: TestApp) {
    let trust = app.trust("RXL").await;
    let worker = app.worker("kit@nurses.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank, 48, 8, 1).await;
    assert!(app.book(&worker, &shift, "k1").await.status.is_success());
    // A signed head sequences everything written so far.
    let posted = app.ledger_entries("shift.posted").await;
    assert_eq!(posted.len(), 1);
    let size = app.store.ledger_size().await.unwrap();
    let ledger = app.store.feed(0, size, None, 10_000).await.unwrap();
    assert_eq!(ledger.len() as u64, size);

    let unique = Uuid::new_v4().simple().to_string();
    let stream = format!("TEST_EVENTS_{unique}");
    let prefix = format!("test.{unique}.events");
    let publisher = EventPublisher::connect(&nats_url(), &stream, &prefix)
        .await
        .unwrap();
    let published = app.app.publish_events(&publisher).await.unwrap();
    assert_eq!(published as u64, size);
    assert_eq!(
        app.store
            .feed_cursor(publisher.cursor_name())
            .await
            .unwrap(),
        size
    );

    let read = read_stream(&stream).await;
    let ids: Vec<String> = read.iter().map(|(_, id, _)| id.clone()).collect();
    let expected: Vec<String> = ledger.iter().map(|e| e.record.id.to_string()).collect();
    assert_eq!(ids, expected, "every entry once, in ledger order");
    for ((subject, id, event), entry) in read.iter().zip(&ledger) {
        assert_eq!(subject, &format!("{prefix}.{}", entry.record.action));
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["id"], id.as_str());
        assert_eq!(
            event["type"],
            format!("uk.nhs.staffbank.{}", entry.record.action)
        );
        assert_eq!(event["source"], format!("{}/ledger", app.app.public_url()));
        assert_eq!(event["datacontenttype"], "application/json");
        assert_eq!(event["sequence"], entry.seq.unwrap().to_string());
        assert!(event["time"].as_str().unwrap().contains('T'));
        assert!(event.get("sealed").is_none() && event["data"].get("sealed").is_none());
    }
    let made = read
        .iter()
        .find(|(_, _, e)| e["type"] == "uk.nhs.staffbank.booking.made")
        .map(|(_, _, e)| e.clone())
        .unwrap();
    assert_eq!(made["data"]["tenant"], json!(trust.id));
    assert_eq!(made["data"]["facts"]["shift"], json!(shift));
    // The worker's name is sealed in the ledger, so never published.
    let everything = serde_json::to_string(&read.iter().map(|r| &r.2).collect::<Vec<_>>()).unwrap();
    assert!(!everything.contains("Nurse Test"), "{everything}");

    // A crash after publishing but before the cursor moved: the publisher starts again from an
    // older place, publishes again, and JetStream drops every repeat.
    app.store
        .set_feed_cursor(publisher.cursor_name(), 1)
        .await
        .unwrap();
    let again = app.app.publish_events(&publisher).await.unwrap();
    assert_eq!(again as u64, size - 1);
    let reread = read_stream(&stream).await;
    assert_eq!(
        reread.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        expected,
        "no repeats"
    );

    // A later change follows in order.
    app.shift(&trust, &trust.bank, 72, 8, 1).await;
    app.ledger_entries("shift.posted").await;
    let more = app.app.publish_events(&publisher).await.unwrap();
    assert!(more >= 1);
    let last = read_stream(&stream).await;
    assert_eq!(last.len(), expected.len() + more);
    assert_eq!(
        last.last().unwrap().2["type"],
        "uk.nhs.staffbank.shift.posted"
    );
    let seqs: Vec<u64> = last
        .iter()
        .map(|r| r.2["sequence"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] + 1 == w[1]), "{seqs:?}");

    // The newest signed head goes out too, once, for witnesses to keep outside the database.
    let head = app.store.latest_head().await.unwrap().unwrap();
    let sent = app.app.publish_head(&publisher, None).await.unwrap();
    assert_eq!(sent, Some((head.size, head.timestamp_ms)));
    assert_eq!(app.app.publish_head(&publisher, sent).await.unwrap(), sent);
    let heads: Vec<_> = read_stream(&stream)
        .await
        .into_iter()
        .filter(|(subject, _, _)| subject == &format!("{prefix}.ledger.head"))
        .collect();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].2["size"], head.size);
    assert_eq!(heads[0].2["timestamp_ms"], head.timestamp_ms);

    let client = async_nats::connect(nats_url()).await.unwrap();
    async_nats::jetstream::new(client)
        .delete_stream(&stream)
        .await
        .unwrap();
}
