//! Presentation requests: what PostgreSQL writes its own way.

use chrono::{DateTime, Utc};
use staffbank_store::{AuditRecord, RequestState, StoreError};
use uuid::Uuid;

use crate::error::OrStore;
use crate::PgStore;

/// Answers a pending request together with its one ledger entry in a single statement (a
/// data-modifying `WITH`, atomic on its own; the entry is written only if the answer was), so
/// the usual answer is one round trip. `Some(false)`: the request was not pending.
pub(crate) async fn answer_with_entry(
    store: &PgStore,
    id: Uuid,
    state: RequestState,
    result: Option<&str>,
    at: DateTime<Utc>,
    record: &AuditRecord,
) -> Result<Option<bool>, StoreError> {
    let changed = sqlx::query(
        "WITH answered AS (UPDATE presentation_requests SET state = $2, result = $3, \
         decided_at = $4 WHERE id = $1 AND state = 'pending' RETURNING id), \
         e AS (INSERT INTO ledger_entries (id, recorded_at, action, tenant, subject, body) \
         SELECT $5, $6, $7, $8, $9, $10 FROM answered RETURNING id, recorded_at) \
         INSERT INTO ledger_pending (entry_id, recorded_at) SELECT id, recorded_at FROM e",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(result)
    .bind(at)
    .bind(record.id)
    .bind(record.recorded_at)
    .bind(&record.action)
    .bind(record.tenant.map(|t| t.0))
    .bind(record.subject)
    .bind(&record.body)
    .execute(store.writer())
    .await
    .or_store()?
    .rows_affected();
    Ok(Some(changed == 1))
}
