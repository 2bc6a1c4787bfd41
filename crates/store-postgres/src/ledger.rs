//! The audit ledger on PostgreSQL.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};
use staffbank_domain::OrgId;
use staffbank_store::*;
use uuid::Uuid;

use crate::sql::OrStore;
use crate::PgStore;

const ENTRY_COLUMNS: &str = "e.id, e.recorded_at, e.action, e.tenant, e.subject, e.body";

fn hash(bytes: Vec<u8>) -> Result<Hash, StoreError> {
    Hash::try_from(bytes.as_slice())
        .map_err(|_| StoreError::Unexpected(anyhow::anyhow!("stored hash is not 32 bytes")))
}

fn seq_of(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Unexpected(anyhow::anyhow!("negative index")))
}

/// A position to look up or compare with: one past any real ledger reads as the largest stored
/// value, so asking for it finds nothing rather than failing.
fn position(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A position to store, which must fit.
fn index(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Unexpected(anyhow::anyhow!("index too large")))
}

fn record(row: &PgRow) -> Result<AuditRecord, StoreError> {
    let tenant: Option<Uuid> = row.try_get("tenant").or_store()?;
    Ok(AuditRecord {
        id: row.try_get("id").or_store()?,
        recorded_at: row.try_get("recorded_at").or_store()?,
        action: row.try_get("action").or_store()?,
        tenant: tenant.map(OrgId),
        subject: row.try_get("subject").or_store()?,
        body: row.try_get("body").or_store()?,
    })
}

fn entry(row: &PgRow) -> Result<LedgerEntry, StoreError> {
    let seq: Option<i64> = row.try_get("seq").or_store()?;
    Ok(LedgerEntry {
        seq: seq.map(seq_of).transpose()?,
        record: record(row)?,
    })
}

fn head(row: &PgRow) -> Result<SignedHead, StoreError> {
    Ok(SignedHead {
        size: seq_of(row.try_get("size").or_store()?)?,
        root: hash(row.try_get("root").or_store()?)?,
        timestamp_ms: row.try_get("signed_at").or_store()?,
        signature: row.try_get("signature").or_store()?,
    })
}

/// Writes audit entries, and queues them for the sequencer, inside the caller's transaction.
pub(crate) async fn insert_audit(
    tx: &mut Transaction<'static, Postgres>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    for r in audit {
        sqlx::query(
            "WITH e AS (INSERT INTO ledger_entries (id, recorded_at, action, tenant, subject, body) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, recorded_at) \
             INSERT INTO ledger_pending (entry_id, recorded_at) SELECT id, recorded_at FROM e",
        )
        .bind(r.id)
        .bind(r.recorded_at)
        .bind(&r.action)
        .bind(r.tenant.map(|t| t.0))
        .bind(r.subject)
        .bind(&r.body)
        .execute(&mut **tx)
        .await
        .or_store()?;
    }
    Ok(())
}

impl PgStore {
    pub(crate) async fn ledger_append_audit(
        &self,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    pub(crate) async fn ledger_person_key(
        &self,
        subject: Uuid,
    ) -> Result<Option<PersonKey>, StoreError> {
        type Row = (Option<Vec<u8>>, Option<DateTime<Utc>>);
        let row: Option<Row> =
            sqlx::query_as("SELECT wrapped, erased_at FROM person_keys WHERE subject = $1")
                .bind(subject)
                .fetch_optional(&self.pool)
                .await
                .or_store()?;
        Ok(row.map(|(wrapped, erased_at)| PersonKey { wrapped, erased_at }))
    }

    pub(crate) async fn ledger_create_person_key(
        &self,
        subject: Uuid,
        wrapped: &[u8],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO person_keys (subject, wrapped, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subject) DO NOTHING",
        )
        .bind(subject)
        .bind(wrapped)
        .bind(at)
        .execute(&self.pool)
        .await
        .or_store()
        .map(drop)
    }

    pub(crate) async fn ledger_erase_person_key(
        &self,
        subject: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        sqlx::query(
            "INSERT INTO person_keys (subject, wrapped, created_at, erased_at, erasure_reason) \
             VALUES ($1, NULL, $2, $2, $3) ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, \
             erased_at = excluded.erased_at, erasure_reason = excluded.erasure_reason",
        )
        .bind(subject)
        .bind(at)
        .bind(reason)
        .execute(&mut *tx)
        .await
        .or_store()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    pub(crate) async fn ledger_hold_lease(
        &self,
        holder: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "INSERT INTO ledger_lease (id, holder, expires_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE ledger_lease.holder = excluded.holder OR ledger_lease.expires_at < $3",
        )
        .bind(holder)
        .bind(until)
        .bind(now)
        .execute(&self.pool)
        .await
        .or_store()?
        .rows_affected();
        Ok(changed == 1)
    }

    pub(crate) async fn ledger_pending(&self, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger_pending p JOIN ledger_entries e ON e.id = p.entry_id \
             ORDER BY p.recorded_at, p.entry_id LIMIT $1"
        );
        let rows = sqlx::query(&sql)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .or_store()?;
        rows.iter().map(record).collect()
    }

    pub(crate) async fn ledger_size(&self) -> Result<u64, StoreError> {
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_leaves")
            .fetch_one(&self.pool)
            .await
            .or_store()?;
        seq_of(size)
    }

    pub(crate) async fn ledger_nodes(
        &self,
        ids: &[(u8, u64)],
    ) -> Result<Vec<Option<Hash>>, StoreError> {
        let levels: Vec<i16> = ids.iter().map(|(l, _)| i16::from(*l)).collect();
        let idxs: Vec<i64> = ids.iter().map(|(_, i)| position(*i)).collect();
        let rows: Vec<(i16, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT n.level, n.idx, n.hash FROM ledger_nodes n \
             JOIN UNNEST($1::smallint[], $2::bigint[]) AS want(level, idx) \
             ON n.level = want.level AND n.idx = want.idx",
        )
        .bind(&levels)
        .bind(&idxs)
        .fetch_all(&self.pool)
        .await
        .or_store()?;
        let mut found = std::collections::HashMap::new();
        for (level, idx, h) in rows {
            found.insert((level, idx), hash(h)?);
        }
        ids.iter()
            .map(|(l, i)| Ok(found.get(&(i16::from(*l), position(*i))).copied()))
            .collect()
    }

    pub(crate) async fn ledger_append_sequenced(
        &self,
        batch: &SequencedBatch,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.or_store()?;
        // One appender at a time, whatever the lease says.
        sqlx::query("LOCK TABLE ledger_leaves IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .or_store()?;
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_leaves")
            .fetch_one(&mut *tx)
            .await
            .or_store()?;
        if let Some(first) = batch.leaves.first() {
            if index(first.seq)? != size {
                return Err(StoreError::Conflict(Conflict::LedgerMoved));
            }
        }
        let seqs: Vec<i64> = batch
            .leaves
            .iter()
            .map(|l| index(l.seq))
            .collect::<Result<_, _>>()?;
        let ids: Vec<Uuid> = batch.leaves.iter().map(|l| l.entry_id).collect();
        // Each entry is sequenced once: a batch read before another appender took some of its
        // entries has moved on, even if the size happens to line up.
        let taken = sqlx::query("DELETE FROM ledger_pending WHERE entry_id = ANY($1)")
            .bind(&ids)
            .execute(&mut *tx)
            .await
            .or_store()?
            .rows_affected();
        if taken != ids.len() as u64 {
            return Err(StoreError::Conflict(Conflict::LedgerMoved));
        }
        let hashes: Vec<Vec<u8>> = batch.leaves.iter().map(|l| l.hash.to_vec()).collect();
        sqlx::query(
            "INSERT INTO ledger_leaves (seq, entry_id, hash, sequenced_at) \
             SELECT seq, entry_id, hash, now() FROM UNNEST($1::bigint[], $2::uuid[], $3::bytea[]) \
             AS t(seq, entry_id, hash)",
        )
        .bind(&seqs)
        .bind(&ids)
        .bind(&hashes)
        .execute(&mut *tx)
        .await
        .or_store()?;
        let levels: Vec<i16> = batch.nodes.iter().map(|n| i16::from(n.level)).collect();
        let idxs: Vec<i64> = batch
            .nodes
            .iter()
            .map(|n| index(n.index))
            .collect::<Result<_, _>>()?;
        let node_hashes: Vec<Vec<u8>> = batch.nodes.iter().map(|n| n.hash.to_vec()).collect();
        sqlx::query(
            "INSERT INTO ledger_nodes (level, idx, hash) \
             SELECT * FROM UNNEST($1::smallint[], $2::bigint[], $3::bytea[])",
        )
        .bind(&levels)
        .bind(&idxs)
        .bind(&node_hashes)
        .execute(&mut *tx)
        .await
        .or_store()?;
        if let Some(head) = &batch.head {
            // Two heads of one size signed in the same millisecond say the same thing.
            sqlx::query("INSERT INTO ledger_heads (size, root, signed_at, signature) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT DO NOTHING")
                .bind(index(head.size)?)
                .bind(head.root.as_slice())
                .bind(head.timestamp_ms)
                .bind(&head.signature)
                .execute(&mut *tx)
                .await
                .or_store()?;
        }
        tx.commit().await.or_store()
    }

    pub(crate) async fn ledger_latest_head(&self) -> Result<Option<SignedHead>, StoreError> {
        let row =
            sqlx::query("SELECT * FROM ledger_heads ORDER BY size DESC, signed_at DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await
                .or_store()?;
        row.as_ref().map(head).transpose()
    }

    pub(crate) async fn ledger_head_of_size(
        &self,
        size: u64,
    ) -> Result<Option<SignedHead>, StoreError> {
        let row = sqlx::query(
            "SELECT * FROM ledger_heads WHERE size = $1 ORDER BY signed_at DESC LIMIT 1",
        )
        .bind(position(size))
        .fetch_optional(&self.pool)
        .await
        .or_store()?;
        row.as_ref().map(head).transpose()
    }

    pub(crate) async fn ledger_heads(
        &self,
        after: Option<(u64, i64)>,
        limit: u32,
    ) -> Result<Vec<SignedHead>, StoreError> {
        let (size, at) = match after {
            Some((size, at)) => (position(size), at),
            None => (-1, i64::MIN),
        };
        let rows = sqlx::query(
            "SELECT * FROM ledger_heads WHERE (size, signed_at) > ($1, $2) ORDER BY size, signed_at LIMIT $3",
        )
        .bind(size)
        .bind(at)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .or_store()?;
        rows.iter().map(head).collect()
    }

    pub(crate) async fn ledger_entry_at(
        &self,
        seq: u64,
    ) -> Result<Option<LedgerEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, l.seq FROM ledger_leaves l JOIN ledger_entries e ON e.id = l.entry_id \
             WHERE l.seq = $1"
        );
        let row = sqlx::query(&sql)
            .bind(position(seq))
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.as_ref().map(entry).transpose()
    }

    pub(crate) async fn ledger_entry(&self, id: Uuid) -> Result<Option<LedgerEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, l.seq FROM ledger_entries e LEFT JOIN ledger_leaves l \
             ON l.entry_id = e.id WHERE e.id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .or_store()?;
        row.as_ref().map(entry).transpose()
    }

    pub(crate) async fn ledger_entries_about(
        &self,
        subject: Uuid,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let (at, id) = after.unwrap_or((DateTime::<Utc>::UNIX_EPOCH, Uuid::nil()));
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, l.seq FROM ledger_entries e LEFT JOIN ledger_leaves l \
             ON l.entry_id = e.id WHERE e.subject = $1 AND (e.recorded_at, e.id) > ($2, $3) \
             ORDER BY e.recorded_at, e.id LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(subject)
            .bind(at)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .or_store()?;
        rows.iter().map(entry).collect()
    }

    pub(crate) async fn ledger_leaves_from(
        &self,
        from: u64,
        limit: u32,
    ) -> Result<Vec<LeafWithBody>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.seq, l.entry_id, l.hash, e.body, n.hash AS sealed FROM ledger_leaves l \
             LEFT JOIN ledger_entries e ON e.id = l.entry_id \
             LEFT JOIN ledger_nodes n ON n.level = 0 AND n.idx = l.seq \
             WHERE l.seq >= $1 ORDER BY l.seq LIMIT $2",
        )
        .bind(position(from))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .or_store()?;
        rows.iter()
            .map(|row| {
                Ok(LeafWithBody {
                    leaf: Leaf {
                        seq: seq_of(row.try_get("seq").or_store()?)?,
                        entry_id: row.try_get("entry_id").or_store()?,
                        hash: hash(row.try_get("hash").or_store()?)?,
                    },
                    body: row.try_get("body").or_store()?,
                    sealed: row
                        .try_get::<Option<Vec<u8>>, _>("sealed")
                        .or_store()?
                        .map(hash)
                        .transpose()?,
                })
            })
            .collect()
    }

    pub(crate) async fn ledger_orphans(&self, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        sqlx::query_scalar(
            "SELECT e.id FROM ledger_entries e WHERE NOT EXISTS \
             (SELECT 1 FROM ledger_leaves l WHERE l.entry_id = e.id) AND NOT EXISTS \
             (SELECT 1 FROM ledger_pending p WHERE p.entry_id = e.id) ORDER BY e.recorded_at LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .or_store()
    }
}
