//! The audit ledger (entries, the sequencer's steps, signed tree heads, people's data keys) and
//! the operator's checks on it.
//!
//! Writing an entry with a change (`crate::ledger::insert_audit`), looking up many subtrees at
//! once, and the sequencer's table lock and batch inserts are written differently by each
//! database, so they stay in each backend's `ledger` module; everything else is here.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use staffbank_domain::OrgId;
use staffbank_store::{
    AuditRecord, Conflict, Hash, Leaf, LeafWithBody, LedgerEntry, LedgerStore, OperationsStore,
    PersonKey, SequencedBatch, SignedHead, StoreError,
};
use uuid::Uuid;

use super::types::{At, Ids};
use super::{get, instant, opt_instant};
use crate::db::{in_ids, Db, DbRow, ThisStore, Tx, REFRESH_STATISTICS};
use crate::ledger::{find_nodes, insert_audit, insert_leaves, insert_nodes, lock_leaves};
use crate::sql::OrStore;
use sqlx::query::Query;

/// Binds an audit record's columns as `$1` to `$7` (id, recorded at, action, tenant, subject,
/// body, MAC), for each backend's statement that writes an entry and queues it.
pub(crate) fn bind_entry<'q>(
    query: Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
    r: &'q AuditRecord,
) -> Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>> {
    query
        .bind(r.id)
        .bind(At(r.recorded_at))
        .bind(&r.action)
        .bind(r.tenant.map(|t| t.0))
        .bind(r.subject)
        .bind(&r.body)
        .bind(&r.mac)
}

/// An entry's columns (alias `e`), as [`record`] reads them.
const ENTRY_COLUMNS: &str = "e.id, e.recorded_at, e.action, e.tenant, e.subject, e.body, e.mac";

/// The tree size: one past the last sequenced index.
const SIZE: &str = "SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_leaves";

/// A stored hash, which the schema keeps at 32 bytes.
fn hash(bytes: Vec<u8>) -> Result<Hash, StoreError> {
    Hash::try_from(bytes.as_slice())
        .map_err(|_| StoreError::Unexpected(anyhow::anyhow!("stored hash is not 32 bytes")))
}

/// A stored index or size, which is never negative.
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

/// An entry read through [`ENTRY_COLUMNS`].
fn record(row: &DbRow) -> Result<AuditRecord, StoreError> {
    let tenant: Option<Uuid> = get(row, "tenant")?;
    Ok(AuditRecord {
        id: get(row, "id")?,
        recorded_at: instant(row, "recorded_at")?,
        action: get(row, "action")?,
        tenant: tenant.map(OrgId),
        subject: get(row, "subject")?,
        body: get(row, "body")?,
        mac: get(row, "mac")?,
    })
}

/// An entry with its index (`seq`, empty until sequenced).
fn entry(row: &DbRow) -> Result<LedgerEntry, StoreError> {
    let seq: Option<i64> = get(row, "seq")?;
    Ok(LedgerEntry {
        seq: seq.map(seq_of).transpose()?,
        record: record(row)?,
    })
}

/// A row of `ledger_heads`.
fn head(row: &DbRow) -> Result<SignedHead, StoreError> {
    Ok(SignedHead {
        size: seq_of(get(row, "size")?)?,
        root: hash(get(row, "root")?)?,
        timestamp_ms: get(row, "signed_at")?,
        signature: get(row, "signature")?,
    })
}

#[async_trait]
impl LedgerStore for ThisStore {
    async fn append_audit(&self, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()
    }

    async fn person_key(&self, subject: Uuid) -> Result<Option<PersonKey>, StoreError> {
        sqlx::query("SELECT wrapped, erased_at FROM person_keys WHERE subject = $1")
            .bind(subject)
            .fetch_optional(self.reader())
            .await
            .or_store()?
            .map(|r| {
                Ok(PersonKey {
                    wrapped: get(&r, "wrapped")?,
                    erased_at: opt_instant(&r, "erased_at")?,
                })
            })
            .transpose()
    }

    async fn create_person_key(
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
        .bind(At(at))
        .execute(self.writer())
        .await
        .or_store()
        .map(drop)
    }

    async fn erase_person_key(
        &self,
        subject: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // Conditional, so two erasures at once write one: the second finds it erased.
        let destroyed = sqlx::query(
            "INSERT INTO person_keys (subject, wrapped, created_at, erased_at, erasure_reason) \
             VALUES ($1, NULL, $2, $2, $3) ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, \
             erased_at = excluded.erased_at, erasure_reason = excluded.erasure_reason \
             WHERE person_keys.erased_at IS NULL",
        )
        .bind(subject)
        .bind(At(at))
        .bind(reason)
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if destroyed != 1 {
            return Err(StoreError::Conflict(Conflict::AlreadyErased));
        }
        erase_live_data(&mut tx, subject).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.or_store()?;
        // The old row version still holds the wrapped key until the database reclaims it.
        crate::ledger::scrub_erased(self).await
    }

    async fn hold_sequencer_lease(
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
        .bind(At(until))
        .bind(At(now))
        .execute(self.writer())
        .await
        .or_store()?
        .rows_affected();
        Ok(changed == 1)
    }

    async fn pending_entries(&self, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger_pending p JOIN ledger_entries e ON e.id = p.entry_id \
             ORDER BY p.recorded_at, p.entry_id LIMIT $1"
        );
        self.read_all(&sql, i64::from(limit), record).await
    }

    async fn ledger_size(&self) -> Result<u64, StoreError> {
        let size: i64 = sqlx::query_scalar(SIZE)
            .fetch_one(self.reader())
            .await
            .or_store()?;
        seq_of(size)
    }

    async fn ledger_nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Option<Hash>>, StoreError> {
        let wanted: Vec<(i16, i64)> = ids
            .iter()
            .map(|&(level, idx)| (i16::from(level), position(idx)))
            .collect();
        let mut found = HashMap::new();
        for (level, idx, h) in find_nodes(self.reader(), &wanted).await? {
            found.insert((level, idx), hash(h)?);
        }
        Ok(wanted.iter().map(|key| found.get(key).copied()).collect())
    }

    async fn append_sequenced(&self, batch: &SequencedBatch) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        lock_leaves(&mut tx).await?;
        let size: i64 = sqlx::query_scalar(SIZE)
            .fetch_one(&mut *tx)
            .await
            .or_store()?;
        if let Some(first) = batch.leaves.first() {
            if index(first.seq)? != size {
                return Err(StoreError::Conflict(Conflict::LedgerMoved));
            }
        }
        let leaves: Vec<(i64, Uuid, Hash)> = batch
            .leaves
            .iter()
            .map(|l| Ok((index(l.seq)?, l.entry_id, l.hash)))
            .collect::<Result<_, StoreError>>()?;
        // Each entry is sequenced once: a batch read before another appender took some of its
        // entries has moved on, even if the size happens to line up.
        let taken = sqlx::query(&format!(
            "DELETE FROM ledger_pending WHERE entry_id {}",
            in_ids(1)
        ))
        .bind(Ids::of(&batch.leaves, |l| l.entry_id))
        .execute(&mut *tx)
        .await
        .or_store()?
        .rows_affected();
        if taken != batch.leaves.len() as u64 {
            return Err(StoreError::Conflict(Conflict::LedgerMoved));
        }
        insert_leaves(&mut tx, &leaves).await?;
        let nodes: Vec<(i16, i64, Hash)> = batch
            .nodes
            .iter()
            .map(|n| Ok((i16::from(n.level), index(n.index)?, n.hash)))
            .collect::<Result<_, StoreError>>()?;
        insert_nodes(&mut tx, &nodes).await?;
        if let Some(head) = &batch.head {
            // Two heads of one size signed in the same millisecond say the same thing.
            sqlx::query(
                "INSERT INTO ledger_heads (size, root, signed_at, signature) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
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

    async fn latest_head(&self) -> Result<Option<SignedHead>, StoreError> {
        sqlx::query("SELECT * FROM ledger_heads ORDER BY size DESC, signed_at DESC LIMIT 1")
            .fetch_optional(self.reader())
            .await
            .or_store()?
            .as_ref()
            .map(head)
            .transpose()
    }

    async fn head_of_size(&self, size: u64) -> Result<Option<SignedHead>, StoreError> {
        self.read_one(
            "SELECT * FROM ledger_heads WHERE size = $1 ORDER BY signed_at DESC LIMIT 1",
            position(size),
            head,
        )
        .await
    }

    async fn heads(
        &self,
        after: Option<(u64, i64)>,
        limit: u32,
    ) -> Result<Vec<SignedHead>, StoreError> {
        let (size, at) = match after {
            Some((size, at)) => (position(size), at),
            None => (-1, i64::MIN),
        };
        sqlx::query(
            "SELECT * FROM ledger_heads WHERE (size, signed_at) > ($1, $2) \
             ORDER BY size, signed_at LIMIT $3",
        )
        .bind(size)
        .bind(at)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(head)
        .collect()
    }

    async fn entry_at(&self, seq: u64) -> Result<Option<LedgerEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, l.seq FROM ledger_leaves l JOIN ledger_entries e ON e.id = l.entry_id \
             WHERE l.seq = $1"
        );
        self.read_one(&sql, position(seq), entry).await
    }

    async fn entry(&self, id: Uuid) -> Result<Option<LedgerEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, l.seq FROM ledger_entries e LEFT JOIN ledger_leaves l \
             ON l.entry_id = e.id WHERE e.id = $1"
        );
        self.read_one(&sql, id, entry).await
    }

    async fn entries_about(
        &self,
        subject: Uuid,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        // Entries are recorded at the time of the change, so none comes before the epoch.
        let (at, id) = after.unwrap_or((DateTime::<Utc>::UNIX_EPOCH, Uuid::nil()));
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, l.seq FROM ledger_entries e LEFT JOIN ledger_leaves l \
             ON l.entry_id = e.id WHERE e.subject = $1 AND (e.recorded_at, e.id) > ($2, $3) \
             ORDER BY e.recorded_at, e.id LIMIT $4"
        );
        sqlx::query(&sql)
            .bind(subject)
            .bind(At(at))
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .or_store()?
            .iter()
            .map(entry)
            .collect()
    }

    async fn leaves_from(&self, from: u64, limit: u32) -> Result<Vec<LeafWithBody>, StoreError> {
        sqlx::query(
            "SELECT l.seq, l.entry_id, l.hash, e.body, e.tenant, e.subject, e.mac, n.hash AS sealed \
             FROM ledger_leaves l \
             LEFT JOIN ledger_entries e ON e.id = l.entry_id \
             LEFT JOIN ledger_nodes n ON n.level = 0 AND n.idx = l.seq \
             WHERE l.seq >= $1 ORDER BY l.seq LIMIT $2",
        )
        .bind(position(from))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .or_store()?
        .iter()
        .map(|row| {
            Ok(LeafWithBody {
                leaf: Leaf {
                    seq: seq_of(get(row, "seq")?)?,
                    entry_id: get(row, "entry_id")?,
                    hash: hash(get(row, "hash")?)?,
                },
                body: get(row, "body")?,
                sealed: get::<Option<Vec<u8>>>(row, "sealed")?
                    .map(hash)
                    .transpose()?,
                tenant: get(row, "tenant")?,
                subject: get(row, "subject")?,
                mac: get(row, "mac")?,
            })
        })
        .collect()
    }
}

#[async_trait]
impl OperationsStore for ThisStore {
    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        sqlx::query(REFRESH_STATISTICS)
            .execute(self.writer())
            .await
            .or_store()
            .map(drop)
    }

    async fn orphan_entries(&self, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        sqlx::query_scalar(
            "SELECT e.id FROM ledger_entries e WHERE NOT EXISTS \
             (SELECT 1 FROM ledger_leaves l WHERE l.entry_id = e.id) AND NOT EXISTS \
             (SELECT 1 FROM ledger_pending p WHERE p.entry_id = e.id) ORDER BY e.recorded_at LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .or_store()
    }

    async fn queue_gauges(&self) -> Result<staffbank_store::QueueGauges, StoreError> {
        self.count_queues().await
    }
}

/// What an erased person leaves in the live tables: no name, email, home or registration
/// number; no way to sign in (password, sessions, single sign-on links, roles); no bank
/// memberships, so they drop out of every candidate list; no alert channels or preferences.
/// Their bookings, timesheets and pay lines stay, as the trusts' records, under the erased name.
async fn erase_live_data(tx: &mut Tx, user: Uuid) -> Result<(), StoreError> {
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut **tx)
        .await
        .or_store()?;
    let placeholder = format!("erased-{user}@erased.invalid");
    if let Some(email) = email {
        sqlx::query("UPDATE deliveries SET recipient = $2 WHERE recipient = $1")
            .bind(&email)
            .bind(&placeholder)
            .execute(&mut **tx)
            .await
            .or_store()?;
    }
    let workers = "(SELECT id FROM workers WHERE user_id = $1)";
    sqlx::query(
        "UPDATE users SET email = $2, display_name = 'Erased person', password_hash = NULL \
         WHERE id = $1",
    )
    .bind(user)
    .bind(&placeholder)
    .execute(&mut **tx)
    .await
    .or_store()?;
    let statements = [
        "UPDATE workers SET display_name = 'Erased person', home_lat = NULL, home_lon = NULL \
         WHERE user_id = $1"
            .to_owned(),
        format!(
            "UPDATE worker_assignments SET registration_body = NULL, registration_number = NULL \
             WHERE worker_id IN {workers}"
        ),
        "DELETE FROM sessions WHERE user_id = $1".to_owned(),
        "DELETE FROM user_grants WHERE user_id = $1".to_owned(),
        "DELETE FROM oidc_links WHERE user_id = $1".to_owned(),
        "DELETE FROM escalation_channels WHERE user_id = $1".to_owned(),
        "DELETE FROM push_subscriptions WHERE user_id = $1".to_owned(),
        format!("DELETE FROM notification_settings WHERE worker_id IN {workers}"),
        format!("DELETE FROM worker_availability WHERE worker_id IN {workers}"),
        format!("DELETE FROM bank_memberships WHERE worker_id IN {workers}"),
    ];
    for sql in statements {
        sqlx::query(&sql)
            .bind(user)
            .execute(&mut **tx)
            .await
            .or_store()?;
    }
    Ok(())
}
