//! Tampering with the ledger directly in SQL, as a database administrator could, on both
//! backends: the database refuses updates and deletes outright, and when its guards are switched
//! off every kind of edit is named by `verify_ledger`, and the sequencer signs nothing over it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

macro_rules! on_both {
    ($($case:ident),*) => {
        mod sqlite_backend {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { let (s, r) = crate::sqlite().await; super::$case(s, r).await; })*
        }
        mod postgres_backend {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { let (s, r) = crate::postgres().await; super::$case(s, r).await; })*
        }
    };
}

mod edits;
mod witness;

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
                "DROP TRIGGER IF EXISTS ledger_nodes_append_only_update",
                "DROP TRIGGER IF EXISTS ledger_nodes_append_only_delete",
                "DROP TRIGGER IF EXISTS ledger_heads_append_only_update",
                "DROP TRIGGER IF EXISTS ledger_heads_append_only_delete",
            ],
            Raw::Postgres(_) => vec![
                "ALTER TABLE ledger_entries DISABLE TRIGGER ALL",
                "ALTER TABLE ledger_leaves DISABLE TRIGGER ALL",
                "ALTER TABLE ledger_nodes DISABLE TRIGGER ALL",
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
    let (app, key, _) = ledger_and_master(store).await;
    (app, key)
}

/// The same ledger, with a copy of the master key its server holds.
async fn ledger_and_master(store: Arc<dyn Store>) -> (App, ed25519_dalek::VerifyingKey, MasterKey) {
    let text = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    let master = MasterKey::from_base64(&text).unwrap();
    let key = master.signing_key().verifying_key();
    let app = App::new(store.clone(), Arc::new(SystemClock), master);
    let holder = app.sequencer_id();
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
    let clean = verify_ledger(store.as_ref(), &key, &Default::default())
        .await
        .unwrap();
    assert_eq!(
        (clean.first_problem(), clean.entries, clean.heads),
        (None, 8, 2),
        "{clean:?}"
    );
    (app, key, MasterKey::from_base64(&text).unwrap())
}

async fn first_problem(store: &Arc<dyn Store>, key: &ed25519_dalek::VerifyingKey) -> String {
    verify_ledger(store.as_ref(), key, &Default::default())
        .await
        .unwrap()
        .first_problem()
        .expect("tampering is detected")
        .to_owned()
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
