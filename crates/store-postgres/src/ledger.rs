//! The audit ledger's statements that PostgreSQL writes its own way; the rest of the ledger is
//! shared (`crate::sql`).

use sqlx::{PgPool, Postgres, Transaction};
use staffbank_store::{AuditRecord, Hash, StoreError};
use uuid::Uuid;

use crate::db::Tx;
use crate::sql::ledger::bind_entry;
use crate::sql::OrStore;

/// Writes audit entries, and queues them for the sequencer, inside the caller's transaction.
pub(crate) async fn insert_audit(
    tx: &mut Transaction<'static, Postgres>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    for r in audit {
        bind_entry(sqlx::query(
            "WITH e AS (INSERT INTO ledger_entries (id, recorded_at, action, tenant, subject, body, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, recorded_at) \
             INSERT INTO ledger_pending (entry_id, recorded_at) SELECT id, recorded_at FROM e",
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
/// one statement joining the pairs passed as two arrays.
pub(crate) async fn find_nodes(
    reader: &PgPool,
    wanted: &[(i16, i64)],
) -> Result<Vec<(i16, i64, Vec<u8>)>, StoreError> {
    let (levels, idxs): (Vec<i16>, Vec<i64>) = wanted.iter().copied().unzip();
    sqlx::query_as(
        "SELECT n.level, n.idx, n.hash FROM ledger_nodes n \
         JOIN UNNEST($1::smallint[], $2::bigint[]) AS want(level, idx) \
         ON n.level = want.level AND n.idx = want.idx",
    )
    .bind(&levels)
    .bind(&idxs)
    .fetch_all(reader)
    .await
    .or_store()
}

/// One appender at a time, whatever the lease says: appenders in other server processes queue
/// here until this transaction ends.
pub(crate) async fn lock_leaves(tx: &mut Tx) -> Result<(), StoreError> {
    sqlx::query("LOCK TABLE ledger_leaves IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut **tx)
        .await
        .or_store()
        .map(drop)
}

/// Stores sequenced leaves (index, entry, hash), sequenced now, in one statement.
pub(crate) async fn insert_leaves(
    tx: &mut Tx,
    leaves: &[(i64, Uuid, Hash)],
) -> Result<(), StoreError> {
    let seqs: Vec<i64> = leaves.iter().map(|l| l.0).collect();
    let ids: Vec<Uuid> = leaves.iter().map(|l| l.1).collect();
    let hashes: Vec<Vec<u8>> = leaves.iter().map(|l| l.2.to_vec()).collect();
    sqlx::query(
        "INSERT INTO ledger_leaves (seq, entry_id, hash, sequenced_at) \
         SELECT seq, entry_id, hash, now() FROM UNNEST($1::bigint[], $2::uuid[], $3::bytea[]) \
         AS t(seq, entry_id, hash)",
    )
    .bind(&seqs)
    .bind(&ids)
    .bind(&hashes)
    .execute(&mut **tx)
    .await
    .or_store()
    .map(drop)
}

/// Stores sealed subtrees (level, index, hash) in one statement.
pub(crate) async fn insert_nodes(
    tx: &mut Tx,
    nodes: &[(i16, i64, Hash)],
) -> Result<(), StoreError> {
    let levels: Vec<i16> = nodes.iter().map(|n| n.0).collect();
    let idxs: Vec<i64> = nodes.iter().map(|n| n.1).collect();
    let hashes: Vec<Vec<u8>> = nodes.iter().map(|n| n.2.to_vec()).collect();
    sqlx::query(
        "INSERT INTO ledger_nodes (level, idx, hash) \
         SELECT * FROM UNNEST($1::smallint[], $2::bigint[], $3::bytea[])",
    )
    .bind(&levels)
    .bind(&idxs)
    .bind(&hashes)
    .execute(&mut **tx)
    .await
    .or_store()
    .map(drop)
}

/// After an erasure: PostgreSQL keeps a row's old version (here, the wrapped key) until it is
/// vacuumed, so the person-key table is vacuumed at once rather than whenever autovacuum comes.
/// A plain VACUUM takes no lock that stops other work; the table holds one small row a person.
pub(crate) async fn scrub_erased(store: &crate::PgStore) -> Result<(), StoreError> {
    sqlx::query("VACUUM person_keys")
        .execute(store.writer())
        .await
        .or_store()
        .map(drop)
}
