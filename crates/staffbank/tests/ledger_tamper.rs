//! Tampering with the ledger directly in SQL, as a database administrator could, on both
//! backends: the database refuses updates and deletes outright, and when its guards are switched
//! off every kind of edit is named by `verify_ledger`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::Utc;
use serde_json::json;
use sqlx::Connection;
use staffbank_app::audit::Change;
use staffbank_app::ledger::verify_ledger;
use staffbank_app::{App, SystemClock};
use staffbank_ledger::keys::MasterKey;
use staffbank_store::Store;
use uuid::Uuid;

/// Runs raw SQL against the store's database.
enum Raw {
    Sqlite(String),
    Postgres(String),
}

impl Raw {
    /// Runs statements; `Err` carries the database's refusal.
    async fn run(&self, statements: &[&str]) -> Result<(), String> {
        match self {
            Raw::Sqlite(url) => {
                let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
                for s in statements {
                    sqlx::query(s)
                        .execute(&mut c)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            Raw::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                for s in statements {
                    sqlx::query(s)
                        .execute(&mut c)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        Ok(())
    }

    /// Statements that switch the append-only and reference guards off for one connection (or,
    /// on PostgreSQL, for the tables).
    fn unguard(&self) -> Vec<&'static str> {
        match self {
            Raw::Sqlite(_) => vec![
                "PRAGMA foreign_keys = OFF",
                "DROP TRIGGER IF EXISTS ledger_entries_append_only_update",
                "DROP TRIGGER IF EXISTS ledger_entries_append_only_delete",
                "DROP TRIGGER IF EXISTS ledger_leaves_append_only_update",
                "DROP TRIGGER IF EXISTS ledger_leaves_append_only_delete",
                "DROP TRIGGER IF EXISTS ledger_heads_append_only_update",
                "DROP TRIGGER IF EXISTS ledger_heads_append_only_delete",
            ],
            Raw::Postgres(_) => vec![
                "ALTER TABLE ledger_entries DISABLE TRIGGER ALL",
                "ALTER TABLE ledger_leaves DISABLE TRIGGER ALL",
                "ALTER TABLE ledger_heads DISABLE TRIGGER ALL",
                "ALTER TABLE ledger_pending DISABLE TRIGGER ALL",
            ],
        }
    }

    async fn tamper(&self, statements: &[&str]) {
        let mut all = self.unguard();
        all.extend_from_slice(statements);
        self.run(&all).await.unwrap();
    }
}

async fn sqlite() -> (Arc<dyn Store>, Raw) {
    let path = std::env::temp_dir().join(format!("staffbank-test-{}.sqlite", Uuid::new_v4()));
    let url = format!("sqlite://{}", path.display());
    let store = staffbank_store_sqlite::SqliteStore::connect(&url)
        .await
        .unwrap();
    (Arc::new(store), Raw::Sqlite(url))
}

async fn postgres() -> (Arc<dyn Store>, Raw) {
    let admin = std::env::var("STAFFBANK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into());
    let name = format!("staffbank_test_{}", Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let store = staffbank_store_postgres::PgStore::connect(&url)
        .await
        .unwrap();
    (Arc::new(store), Raw::Postgres(url))
}

/// A ledger of 8 sequenced entries with two signed heads (sizes 5 and 8).
async fn ledger(store: Arc<dyn Store>) -> (App, ed25519_dalek::VerifyingKey) {
    let master =
        MasterKey::from_base64(&MasterKey::generate_base64(&mut rand::rngs::OsRng)).unwrap();
    let key = master.signing_key().verifying_key();
    let app = App::new(store.clone(), Arc::new(SystemClock), master);
    let holder = Uuid::new_v4();
    for i in 0..8 {
        let record = app
            .audit_record(Change {
                action: "test.change",
                actor: None,
                tenant: None,
                subject: None,
                facts: json!({"n": i, "at": Utc::now()}),
                personal: None,
            })
            .await
            .unwrap();
        store.append_audit(&[record]).await.unwrap();
        if i == 4 || i == 7 {
            app.sequence_once(holder, true).await.unwrap().unwrap();
        }
    }
    let clean = verify_ledger(store.as_ref(), &key).await.unwrap();
    assert_eq!(
        (clean.first_problem.clone(), clean.entries, clean.heads),
        (None, 8, 2),
        "{clean:?}"
    );
    (app, key)
}

async fn first_problem(store: &Arc<dyn Store>, key: &ed25519_dalek::VerifyingKey) -> String {
    verify_ledger(store.as_ref(), key)
        .await
        .unwrap()
        .first_problem
        .expect("tampering is detected")
}

async fn entry_id(store: &Arc<dyn Store>, seq: u64) -> Uuid {
    store.entry_at(seq).await.unwrap().unwrap().record.id
}

fn id_literal(raw: &Raw, id: Uuid) -> String {
    match raw {
        Raw::Sqlite(_) => format!("X'{}'", id.simple()),
        Raw::Postgres(_) => format!("'{id}'::uuid"),
    }
}

macro_rules! on_both {
    ($($case:ident),*) => {
        mod sqlite_backend {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { let (s, r) = super::sqlite().await; super::$case(s, r).await; })*
        }
        mod postgres_backend {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { let (s, r) = super::postgres().await; super::$case(s, r).await; })*
        }
    };
}

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
