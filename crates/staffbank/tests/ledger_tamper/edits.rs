//! Edits to entries, leaves and heads, each named by `verify_ledger`.

use std::sync::Arc;

use serde_json::json;
use staffbank_app::audit::Change;
use staffbank_store::Store;
use uuid::Uuid;

use super::{entry_id, first_problem, id_literal, ledger, Raw};

on_both!(
    the_database_refuses_updates_and_deletes,
    an_edited_entry_is_named,
    a_deleted_entry_is_named,
    an_inserted_entry_is_named,
    two_reordered_entries_are_named,
    a_replaced_tree_head_is_named
);

async fn the_database_refuses_updates_and_deletes(store: Arc<dyn Store>, raw: Raw) {
    let _ = ledger(store.clone()).await;
    for statement in [
        "UPDATE ledger_entries SET action = 'x'",
        "DELETE FROM ledger_entries",
        "UPDATE ledger_leaves SET seq = seq + 100",
        "DELETE FROM ledger_leaves",
        "DELETE FROM ledger_nodes",
        "UPDATE ledger_heads SET size = 0",
        "DELETE FROM ledger_heads",
    ] {
        let refused = raw.run(&[statement]).await;
        assert!(refused.is_err(), "{statement} was allowed");
        assert!(
            refused.unwrap_err().contains("ledger_append_only"),
            "{statement}"
        );
    }
    if let Raw::Postgres(_) = raw {
        assert!(raw.run(&["TRUNCATE ledger_heads"]).await.is_err());
    }
    assert_eq!(store.ledger_size().await.unwrap(), 8);
}

async fn an_edited_entry_is_named(store: Arc<dyn Store>, raw: Raw) {
    let (_, key) = ledger(store.clone()).await;
    let id = entry_id(&store, 3).await;
    // Change one fact inside the entry's JSON bytes.
    let body = match raw {
        Raw::Sqlite(_) => "CAST(REPLACE(CAST(body AS TEXT), '\"n\":3', '\"n\":4') AS BLOB)",
        Raw::Postgres(_) => {
            "convert_to(replace(convert_from(body, 'UTF8'), '\"n\":3', '\"n\":4'), 'UTF8')"
        }
    };
    let edit = format!(
        "UPDATE ledger_entries SET body = {body} WHERE id = {}",
        id_literal(&raw, id)
    );
    raw.tamper(&[&edit]).await;
    let problem = first_problem(&store, &key).await;
    assert!(problem.starts_with("entry at index 3 ("), "{problem}");
}

async fn a_deleted_entry_is_named(store: Arc<dyn Store>, raw: Raw) {
    let (_, key) = ledger(store.clone()).await;
    let id = entry_id(&store, 6).await;
    raw.tamper(&[&format!(
        "DELETE FROM ledger_entries WHERE id = {}",
        id_literal(&raw, id)
    )])
    .await;
    let problem = first_problem(&store, &key).await;
    assert_eq!(problem, format!("entry at index 6 ({id}) has been deleted"));
    // Deleting its leaf as well leaves a gap, also named.
    raw.tamper(&["DELETE FROM ledger_leaves WHERE seq = 6"])
        .await;
    assert!(first_problem(&store, &key)
        .await
        .starts_with("entry at index 6 is missing"));
}

async fn an_inserted_entry_is_named(store: Arc<dyn Store>, raw: Raw) {
    let (app, key) = ledger(store.clone()).await;
    let forged = app
        .audit_record(Change {
            action: "test.change",
            actor: None,
            tenant: None,
            subject: None,
            facts: json!({"n": "forged"}),
            personal: None,
        })
        .await
        .unwrap();
    let hash = staffbank_ledger::merkle::leaf_hash(&forged.body);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let body_hex: String = forged.body.iter().map(|b| format!("{b:02x}")).collect();
    let (blob, body, now) = match raw {
        Raw::Sqlite(_) => (
            format!("X'{hex}'"),
            format!("X'{body_hex}'"),
            "0".to_string(),
        ),
        Raw::Postgres(_) => (
            format!("'\\x{hex}'::bytea"),
            format!("'\\x{body_hex}'::bytea"),
            "now()".to_string(),
        ),
    };
    let id = id_literal(&raw, forged.id);
    raw.tamper(&[
        "UPDATE ledger_leaves SET seq = seq + 1000000 WHERE seq >= 4",
        "UPDATE ledger_leaves SET seq = seq - 999999 WHERE seq >= 1000000",
        &format!("INSERT INTO ledger_entries (id, recorded_at, action, body) VALUES ({id}, {now}, 'test.change', {body})"),
        &format!("INSERT INTO ledger_leaves (seq, entry_id, hash, sequenced_at) VALUES (4, {id}, {blob}, {now})"),
    ])
    .await;
    let problem = first_problem(&store, &key).await;
    assert_eq!(
        problem,
        format!(
            "entry at index 4 ({}) does not match the hash sealed when it was sequenced",
            forged.id
        )
    );
}

async fn two_reordered_entries_are_named(store: Arc<dyn Store>, raw: Raw) {
    let (_, key) = ledger(store.clone()).await;
    let (two, five) = (entry_id(&store, 2).await, entry_id(&store, 5).await);
    let spare = id_literal(&raw, Uuid::new_v4());
    raw.tamper(&[
        &format!("UPDATE ledger_leaves SET entry_id = {spare} WHERE seq = 2"),
        &format!(
            "UPDATE ledger_leaves SET entry_id = {} WHERE seq = 5",
            id_literal(&raw, two)
        ),
        &format!(
            "UPDATE ledger_leaves SET entry_id = {} WHERE seq = 2",
            id_literal(&raw, five)
        ),
    ])
    .await;
    let problem = first_problem(&store, &key).await;
    assert_eq!(
        problem,
        format!("entry at index 2 ({five}) does not match the hash sealed when it was sequenced")
    );
}

async fn a_replaced_tree_head_is_named(store: Arc<dyn Store>, raw: Raw) {
    let (_, key) = ledger(store.clone()).await;
    let root = match raw {
        Raw::Sqlite(_) => format!("X'{}'", "ab".repeat(32)),
        Raw::Postgres(_) => format!("'\\x{}'::bytea", "ab".repeat(32)),
    };
    raw.tamper(&[&format!(
        "UPDATE ledger_heads SET root = {root} WHERE size = 5"
    )])
    .await;
    let problem = first_problem(&store, &key).await;
    assert!(
        problem.starts_with("tree head of size 5 signed at"),
        "{problem}"
    );
    assert!(
        problem.ends_with("the signature does not verify"),
        "{problem}"
    );
}
