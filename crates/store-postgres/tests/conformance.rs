//! The store conformance suite against the local PostgreSQL, in a fresh database per test.
//!
//! `STAFFBANK_TEST_POSTGRES` names the server's admin database (default: the local `test`
//! database); each test creates `staffbank_test_<random>` beside it.

#![allow(clippy::panic)]

use std::sync::Arc;

use sqlx::Connection;
use staffbank_store::Store;
use staffbank_store_postgres::PgStore;

async fn fresh() -> Arc<dyn Store> {
    let admin = std::env::var("STAFFBANK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into());
    let name = format!("staffbank_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(conn) => conn,
        Err(e) => panic!("PostgreSQL is not reachable at {admin}: {e}"),
    };
    if let Err(e) = sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
    {
        panic!("could not create {name}: {e}");
    }
    let url = match admin.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("admin URL has no database"),
    };
    match PgStore::connect(&url).await {
        Ok(store) => Arc::new(store),
        Err(e) => panic!("could not open {url}: {e:#}"),
    }
}

staffbank_store::conformance_suite!(fresh);
