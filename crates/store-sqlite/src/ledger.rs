//! The audit ledger's statements that SQLite writes its own way; the rest of the ledger is
//! shared (`crate::sql`).

use chrono::Utc;
use sqlx::{Sqlite, SqlitePool, Transaction};
use staffbank_store::{AuditRecord, Hash, StoreError};
use uuid::Uuid;

use crate::db::Tx;
use crate::rows::ms;
use crate::sql::ledger::bind_entry;
use crate::sql::OrStore;

/// Writes audit entries, and queues them for the sequencer, inside the caller's transaction.
pub(crate) async fn insert_audit(
    tx: &mut Transaction<'static, Sqlite>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    for r in audit {
        // Both statements in one query: one hand-off to the writer's thread instead of two.
        bind_entry(
            sqlx::query(
                "INSERT INTO ledger_entries (id, recorded_at, action, tenant, subject, body, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7); \
             INSERT INTO ledger_pending (entry_id, recorded_at) VALUES ($1, $2)",
            ),
            r,
        )
        .execute(&mut **tx)
        .await
        .or_store()?;
    }
    Ok(())
}

/// The stored subtrees among `wanted` (level, index), as (level, index, hash) in any order:
/// one statement comparing with a list of row values, which cannot be empty.
pub(crate) async fn find_nodes(
    reader: &SqlitePool,
    wanted: &[(i16, i64)],
) -> Result<Vec<(i16, i64, Vec<u8>)>, StoreError> {
    if wanted.is_empty() {
        return Ok(vec![]);
    }
    let pairs = vec!["(?, ?)"; wanted.len()].join(", ");
    let sql =
        format!("SELECT level, idx, hash FROM ledger_nodes WHERE (level, idx) IN (VALUES {pairs})");
    let mut query = sqlx::query_as(&sql);
    for (level, idx) in wanted {
        query = query.bind(level).bind(idx);
    }
    query.fetch_all(reader).await.or_store()
}

/// Nothing: the write transaction holds the only writer, so no other appender runs alongside.
pub(crate) async fn lock_leaves(_tx: &mut Tx) -> Result<(), StoreError> {
    Ok(())
}

/// Stores sequenced leaves (index, entry, hash), sequenced now, one statement each.
pub(crate) async fn insert_leaves(
    tx: &mut Tx,
    leaves: &[(i64, Uuid, Hash)],
) -> Result<(), StoreError> {
    let now = ms(Utc::now());
    for (seq, entry_id, hash) in leaves {
        sqlx::query(
            "INSERT INTO ledger_leaves (seq, entry_id, hash, sequenced_at) VALUES (?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(entry_id)
        .bind(hash.as_slice())
        .bind(now)
        .execute(&mut **tx)
        .await
        .or_store()?;
    }
    Ok(())
}

/// Stores sealed subtrees (level, index, hash), one statement each.
pub(crate) async fn insert_nodes(
    tx: &mut Tx,
    nodes: &[(i16, i64, Hash)],
) -> Result<(), StoreError> {
    for (level, idx, hash) in nodes {
        sqlx::query("INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)")
            .bind(level)
            .bind(idx)
            .bind(hash.as_slice())
            .execute(&mut **tx)
            .await
            .or_store()?;
    }
    Ok(())
}

/// After an erasure: with `secure_delete` on (see `connect`) SQLite zeroes what it frees in the
/// database file, but the write-ahead log still holds the page as it was until a checkpoint;
/// this one copies the log into the file and empties it.
pub(crate) async fn scrub_erased(store: &crate::SqliteStore) -> Result<(), StoreError> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.writer())
        .await
        .or_store()
        .map(drop)
}
