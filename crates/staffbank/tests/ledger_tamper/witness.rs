//! What the database's own heads cannot show: a tail deleted with its heads, every head deleted,
//! an entry rewritten with its hashes recomputed, a changed `subject` column, and rows slipped
//! in with plain SQL. A head kept outside the database, the entries' MACs, the stored subtrees
//! and the sequencer's own check catch each, and every problem is reported.

use std::sync::Arc;

use serde_json::json;
use staffbank_app::audit::Change;
use staffbank_app::ledger::{verify_ledger, VerifyOptions};
use staffbank_ledger::merkle::leaf_hash;
use staffbank_store::Store;
use uuid::Uuid;

use super::{entry_id, id_literal, ledger, ledger_and_master, Raw};

on_both!(
    a_tail_deleted_with_its_heads_is_caught_by_a_kept_head,
    deleting_every_head_is_named,
    a_rewritten_entry_with_recomputed_hashes_is_named_by_index,
    a_changed_subject_column_is_named,
    the_sequencer_signs_nothing_over_a_changed_tree,
    a_row_slipped_into_the_queue_is_never_sequenced
);

fn blob(raw: &Raw, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match raw {
        Raw::Sqlite(_) => format!("X'{hex}'"),
        Raw::Postgres(_) => format!("'\\x{hex}'::bytea"),
    }
}

/// Every subtree stored over index `from` or later (a tree of 8 has at most 4 levels).
const NODES_FROM_5: &str = "DELETE FROM ledger_nodes WHERE (level = 0 AND idx >= 5) \
     OR (level = 1 AND idx >= 2) OR (level = 2 AND idx >= 1) OR level >= 3";

async fn problems(
    store: &Arc<dyn Store>,
    key: &ed25519_dalek::VerifyingKey,
    options: &VerifyOptions<'_>,
) -> Vec<String> {
    verify_ledger(store.as_ref(), key, options)
        .await
        .unwrap()
        .problems
}

async fn a_tail_deleted_with_its_heads_is_caught_by_a_kept_head(store: Arc<dyn Store>, raw: Raw) {
    let (_, key) = ledger(store.clone()).await;
    let kept = store.latest_head().await.unwrap().unwrap();
    assert_eq!(kept.size, 8);
    raw.tamper(&[
        "DELETE FROM ledger_entries WHERE id IN (SELECT entry_id FROM ledger_leaves WHERE seq >= 5)",
        "DELETE FROM ledger_leaves WHERE seq >= 5",
        NODES_FROM_5,
        "DELETE FROM ledger_heads WHERE size > 5",
    ])
    .await;
    // The database's own heads see a clean ledger of 5...
    assert_eq!(
        problems(&store, &key, &VerifyOptions::default()).await,
        Vec::<String>::new()
    );
    // ...but not the head an auditor kept.
    let with_kept = VerifyOptions {
        trusted_head: Some(kept),
        master: None,
    };
    assert_eq!(
        problems(&store, &key, &with_kept).await,
        vec!["the stored log has 5 entries, fewer than the trusted head of size 8 covers: entries were deleted from the tail".to_string()]
    );
}

async fn deleting_every_head_is_named(store: Arc<dyn Store>, raw: Raw) {
    let (_, key) = ledger(store.clone()).await;
    raw.tamper(&["DELETE FROM ledger_heads"]).await;
    assert_eq!(
        problems(&store, &key, &VerifyOptions::default()).await,
        vec![
            "entries at index 0 to 7 are in the tree but no signed tree head covers them"
                .to_string()
        ]
    );
}

async fn a_rewritten_entry_with_recomputed_hashes_is_named_by_index(
    store: Arc<dyn Store>,
    raw: Raw,
) {
    let (_, key, master) = ledger_and_master(store.clone()).await;
    let entry = store.entry_at(6).await.unwrap().unwrap().record;
    let text = String::from_utf8(entry.body.clone()).unwrap();
    let forged = text.replace("\"n\":6", "\"n\":60").into_bytes();
    assert_ne!(forged, entry.body);
    let hash = leaf_hash(&forged);
    let id = id_literal(&raw, entry.id);
    raw.tamper(&[
        &format!(
            "UPDATE ledger_entries SET body = {} WHERE id = {id}",
            blob(&raw, &forged)
        ),
        &format!(
            "UPDATE ledger_leaves SET hash = {} WHERE seq = 6",
            blob(&raw, &hash)
        ),
        &format!(
            "UPDATE ledger_nodes SET hash = {} WHERE level = 0 AND idx = 6",
            blob(&raw, &hash)
        ),
        "DELETE FROM ledger_heads WHERE size > 5",
    ])
    .await;
    let found = problems(&store, &key, &VerifyOptions::default()).await;
    assert_eq!(
        found,
        vec![
            "the stored subtree over entries at index 6 to 7 does not match the entries"
                .to_string(),
            "the stored subtree over entries at index 4 to 7 does not match the entries"
                .to_string(),
            "the stored subtree over entries at index 0 to 7 does not match the entries"
                .to_string(),
            "entries at index 5 to 7 are in the tree but no signed tree head covers them"
                .to_string(),
        ]
    );
    // The operator holding the master key also learns which entry: its MAC no longer matches.
    let with_master = VerifyOptions {
        trusted_head: None,
        master: Some(&master),
    };
    let found = problems(&store, &key, &with_master).await;
    assert_eq!(
        found.first().map(String::as_str),
        Some(format!("entry at index 6 ({}) was not written by this server or was rewritten since (its MAC does not match)", entry.id).as_str()),
        "{found:?}"
    );
    assert_eq!(found.len(), 5, "{found:?}");
}

async fn a_changed_subject_column_is_named(store: Arc<dyn Store>, raw: Raw) {
    let (_, key) = ledger(store.clone()).await;
    let id = entry_id(&store, 3).await;
    raw.tamper(&[&format!(
        "UPDATE ledger_entries SET subject = {} WHERE id = {}",
        id_literal(&raw, Uuid::new_v4()),
        id_literal(&raw, id)
    )])
    .await;
    assert_eq!(
        problems(&store, &key, &VerifyOptions::default()).await,
        vec![format!("entry at index 3 ({id}): its tenant or subject column differs from what the entry says, so reads scoped by them would show it to the wrong people")]
    );
}

async fn the_sequencer_signs_nothing_over_a_changed_tree(store: Arc<dyn Store>, raw: Raw) {
    let (app, _) = ledger(store.clone()).await;
    assert!(app.ready().await.is_ok());
    raw.tamper(&["DELETE FROM ledger_heads WHERE size > 5"])
        .await;
    let refused = app.sequence_once(app.sequencer_id(), true).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(store.latest_head().await.unwrap().unwrap().size, 5);
    let alarm = app.ledger_alarm().expect("the alarm is raised");
    assert!(
        alarm.contains("size 8") && alarm.contains("size 5"),
        "{alarm}"
    );
    assert!(app.ready().await.is_err(), "readiness reports the alarm");
}

async fn a_row_slipped_into_the_queue_is_never_sequenced(store: Arc<dyn Store>, raw: Raw) {
    let (app, _) = ledger(store.clone()).await;
    let holder = app.sequencer_id();
    let change = |n: &str| Change {
        action: "test.change",
        actor: None,
        tenant: None,
        subject: None,
        facts: json!({ "n": n }),
        personal: None,
    };
    let forged = app.audit_record(change("slipped in")).await.unwrap();
    let (now, id) = match raw {
        Raw::Sqlite(_) => ("0", id_literal(&raw, forged.id)),
        Raw::Postgres(_) => ("now() - interval '1 day'", id_literal(&raw, forged.id)),
    };
    // Backdated, without the server's MAC, straight into the entries and the queue.
    raw.tamper(&[
        &format!(
            "INSERT INTO ledger_entries (id, recorded_at, action, body) VALUES ({id}, {now}, 'test.change', {})",
            blob(&raw, &forged.body)
        ),
        &format!("INSERT INTO ledger_pending (entry_id, recorded_at) VALUES ({id}, {now})"),
    ])
    .await;
    let genuine = app.audit_record(change("genuine")).await.unwrap();
    store
        .append_audit(std::slice::from_ref(&genuine))
        .await
        .unwrap();
    let head = app.sequence_once(holder, false).await.unwrap().unwrap();
    assert_eq!(head.size, 9, "only the genuine entry is sequenced");
    assert_eq!(store.entry(genuine.id).await.unwrap().unwrap().seq, Some(8));
    assert_eq!(store.entry(forged.id).await.unwrap().unwrap().seq, None);
    let alarm = app.ledger_alarm().expect("the alarm is raised");
    assert!(alarm.contains(&forged.id.to_string()), "{alarm}");
}
