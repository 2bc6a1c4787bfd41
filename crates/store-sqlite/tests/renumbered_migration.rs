//! A database made when SQLite applied "core tier hours" as migration 19 opens with today's
//! numbering: the record moves to 20 and the bookings' ward (now 19) is applied.

#![allow(clippy::panic)]

use sqlx::sqlite::SqlitePoolOptions;
use staffbank_store_sqlite::SqliteStore;

#[tokio::test]
async fn a_database_with_the_earlier_numbering_opens_and_gains_the_bookings_ward() {
    let path = std::env::temp_dir().join(format!(
        "staffbank-test-renumber-{}.sqlite",
        uuid::Uuid::new_v4()
    ));
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    store.close().await;

    // Put the file back as the earlier numbering left it.
    let pool = SqlitePoolOptions::new()
        .connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    for statement in [
        "DROP INDEX bookings_by_ward",
        "ALTER TABLE bookings DROP COLUMN ward_id",
        "DELETE FROM _sqlx_migrations WHERE version = 19",
        "UPDATE _sqlx_migrations SET version = 19 WHERE version = 20",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e:#}"));
    }
    pool.close().await;

    let store = SqliteStore::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    store.close().await;
    let pool = SqlitePoolOptions::new()
        .connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let versions: Vec<(i64, String)> = sqlx::query_as(
        "SELECT version, description FROM _sqlx_migrations WHERE version IN (19, 20) ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        versions,
        vec![
            (19, "bookings ward".to_owned()),
            (20, "core tier hours".to_owned())
        ]
    );
    let ward_column: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pragma_table_info('bookings') WHERE name = 'ward_id'",
    )
    .fetch_one(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(ward_column, 1);
    pool.close().await;
    let _ = std::fs::remove_file(&path);
}
