//! The store conformance suite against a fresh SQLite file per test.

#![allow(clippy::panic)]

use std::sync::Arc;

use staffbank_store::Store;
use staffbank_store_sqlite::SqliteStore;

async fn fresh() -> Arc<dyn Store> {
    let path = std::env::temp_dir().join(format!("staffbank-test-{}.sqlite", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}", path.display());
    match SqliteStore::connect(&url).await {
        Ok(store) => Arc::new(store),
        Err(e) => panic!("could not open {url}: {e:#}"),
    }
}

staffbank_store::conformance_suite!(fresh);
