//! The audit ledger on SQLite.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};
use staffbank_domain::OrgId;
use staffbank_store::*;
use uuid::Uuid;

use crate::rows::ms;
use crate::sql::OrStore;
use crate::SqliteStore;

const ENTRY_COLUMNS: &str = "e.id, e.recorded_at, e.action, e.tenant, e.subject, e.body";

fn instant(value: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(value)
        .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored instant out of range")))
}

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

fn record(row: &SqliteRow) -> Result<AuditRecord, StoreError> {
    let tenant: Option<Uuid> = row.try_get("tenant").or_store()?;
    Ok(AuditRecord {
        id: row.try_get("id").or_store()?,
        recorded_at: instant(row.try_get("recorded_at").or_store()?)?,
        action: row.try_get("action").or_store()?,
        tenant: tenant.map(OrgId),
        subject: row.try_get("subject").or_store()?,
        body: row.try_get("body").or_store()?,
    })
}

fn entry(row: &SqliteRow) -> Result<LedgerEntry, StoreError> {
    let seq: Option<i64> = row.try_get("seq").or_store()?;
    Ok(LedgerEntry {
        seq: seq.map(seq_of).transpose()?,
        record: record(row)?,
    })
}

fn head(row: &SqliteRow) -> Result<SignedHead, StoreError> {
    Ok(SignedHead {
        size: seq_of(row.try_get("size").or_store()?)?,
        root: hash(row.try_get("root").or_store()?)?,
        timestamp_ms: row.try_get("signed_at").or_store()?,
        signature: row.try_get("signature").or_store()?,
    })
}

/// Writes audit entries, and queues them for the sequencer, inside the caller's transaction.
pub(crate) async fn insert_audit(
    tx: &mut Transaction<'static, Sqlite>,
    audit: &[AuditRecord],
) -> Result<(), StoreError> {
    for r in audit {
        // Both statements in one query: one hand-off to the writer's thread instead of two.
        sqlx::query(
            "INSERT INTO ledger_entries (id, recorded_at, action, tenant, subject, body) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6); \
             INSERT INTO ledger_pending (entry_id, recorded_at) VALUES (?1, ?2)",
        )
        .bind(r.id)
        .bind(ms(r.recorded_at))
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

impl SqliteStore {
    pub(crate) async fn ledger_append_audit(
        &self,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    pub(crate) async fn ledger_person_key(
        &self,
        subject: Uuid,
    ) -> Result<Option<PersonKey>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<i64>)> =
            sqlx::query_as("SELECT wrapped, erased_at FROM person_keys WHERE subject = ?")
                .bind(subject)
                .fetch_optional(&self.reader)
                .await
                .or_store()?;
        row.map(|(wrapped, erased)| {
            Ok(PersonKey {
                wrapped,
                erased_at: erased.map(instant).transpose()?,
            })
        })
        .transpose()
    }

    pub(crate) async fn ledger_create_person_key(
        &self,
        subject: Uuid,
        wrapped: &[u8],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO person_keys (subject, wrapped, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (subject) DO NOTHING",
        )
        .bind(subject)
        .bind(wrapped)
        .bind(ms(at))
        .execute(&mut *tx)
        .await
        .or_store()?;
        tx.commit().await.or_store()
    }

    pub(crate) async fn ledger_erase_person_key(
        &self,
        subject: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO person_keys (subject, wrapped, created_at, erased_at, erasure_reason) \
             VALUES (?, NULL, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, \
             erased_at = excluded.erased_at, erasure_reason = excluded.erasure_reason",
        )
        .bind(subject)
        .bind(ms(at))
        .bind(ms(at))
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
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "INSERT INTO ledger_lease (id, holder, expires_at) VALUES (1, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE ledger_lease.holder = excluded.holder OR ledger_lease.expires_at < ?",
        )
        .bind(holder)
        .bind(ms(until))
        .bind(ms(now))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        tx.commit().await.or_store()?;
        Ok(changed == 1)
    }

    pub(crate) async fn ledger_pending(&self, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger_pending p JOIN ledger_entries e ON e.id = p.entry_id \
             ORDER BY p.recorded_at, p.entry_id LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .or_store()?;
        rows.iter().map(record).collect()
    }

    pub(crate) async fn ledger_size(&self) -> Result<u64, StoreError> {
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_leaves")
            .fetch_one(&self.reader)
            .await
            .or_store()?;
        seq_of(size)
    }

    pub(crate) async fn ledger_nodes(
        &self,
        ids: &[(u8, u64)],
    ) -> Result<Vec<Option<Hash>>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let wanted = vec!["(?, ?)"; ids.len()].join(", ");
        let sql = format!(
            "SELECT level, idx, hash FROM ledger_nodes WHERE (level, idx) IN (VALUES {wanted})"
        );
        let mut query = sqlx::query_as::<_, (i64, i64, Vec<u8>)>(&sql);
        for (level, idx) in ids {
            query = query.bind(i64::from(*level)).bind(position(*idx));
        }
        let mut found = std::collections::HashMap::new();
        for (level, idx, h) in query.fetch_all(&self.reader).await.or_store()? {
            found.insert((level, idx), hash(h)?);
        }
        Ok(ids
            .iter()
            .map(|(l, i)| found.get(&(i64::from(*l), position(*i))).copied())
            .collect())
    }

    pub(crate) async fn ledger_append_sequenced(
        &self,
        batch: &SequencedBatch,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_leaves")
            .fetch_one(&mut *tx)
            .await
            .or_store()?;
        if let Some(first) = batch.leaves.first() {
            if index(first.seq)? != size {
                return Err(StoreError::Conflict(Conflict::LedgerMoved));
            }
        }
        let now = ms(Utc::now());
        for leaf in &batch.leaves {
            // Each entry is sequenced once: a batch read before another appender took some of
            // its entries has moved on, even if the size happens to line up.
            let taken = sqlx::query("DELETE FROM ledger_pending WHERE entry_id = ?")
                .bind(leaf.entry_id)
                .execute(&mut *tx)
                .await
                .or_store()?
                .rows_affected();
            if taken != 1 {
                return Err(StoreError::Conflict(Conflict::LedgerMoved));
            }
            sqlx::query(
                "INSERT INTO ledger_leaves (seq, entry_id, hash, sequenced_at) VALUES (?, ?, ?, ?)",
            )
            .bind(index(leaf.seq)?)
            .bind(leaf.entry_id)
            .bind(leaf.hash.as_slice())
            .bind(now)
            .execute(&mut *tx)
            .await
            .or_store()?;
        }
        for node in &batch.nodes {
            sqlx::query("INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)")
                .bind(i64::from(node.level))
                .bind(index(node.index)?)
                .bind(node.hash.as_slice())
                .execute(&mut *tx)
                .await
                .or_store()?;
        }
        if let Some(head) = &batch.head {
            sqlx::query(
                "INSERT INTO ledger_heads (size, root, signed_at, signature) VALUES (?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING",
            )
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
                .fetch_optional(&self.reader)
                .await
                .or_store()?;
        row.as_ref().map(head).transpose()
    }

    pub(crate) async fn ledger_head_of_size(
        &self,
        size: u64,
    ) -> Result<Option<SignedHead>, StoreError> {
        let row = sqlx::query(
            "SELECT * FROM ledger_heads WHERE size = ? ORDER BY signed_at DESC LIMIT 1",
        )
        .bind(position(size))
        .fetch_optional(&self.reader)
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
            "SELECT * FROM ledger_heads WHERE (size, signed_at) > (?, ?) ORDER BY size, signed_at LIMIT ?",
        )
        .bind(size)
        .bind(at)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
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
             WHERE l.seq = ?"
        );
        let row = sqlx::query(&sql)
            .bind(position(seq))
            .fetch_optional(&self.reader)
            .await
            .or_store()?;
        row.as_ref().map(entry).transpose()
    }

    pub(crate) async fn ledger_entry(&self, id: Uuid) -> Result<Option<LedgerEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, l.seq FROM ledger_entries e LEFT JOIN ledger_leaves l \
             ON l.entry_id = e.id WHERE e.id = ?"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
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
        let (at, id) = match after {
            Some((at, id)) => (ms(at), id),
            None => (i64::MIN, Uuid::nil()),
        };
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, l.seq FROM ledger_entries e LEFT JOIN ledger_leaves l \
             ON l.entry_id = e.id WHERE e.subject = ? AND (e.recorded_at, e.id) > (?, ?) \
             ORDER BY e.recorded_at, e.id LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(subject)
            .bind(at)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
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
             WHERE l.seq >= ? ORDER BY l.seq LIMIT ?",
        )
        .bind(position(from))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
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
             (SELECT 1 FROM ledger_pending p WHERE p.entry_id = e.id) ORDER BY e.recorded_at LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .or_store()
    }
}
