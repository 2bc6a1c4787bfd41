//! Presentation requests: what SQLite writes its own way.

use chrono::{DateTime, Utc};
use staffbank_store::{AuditRecord, RequestState, StoreError};
use uuid::Uuid;

use crate::SqliteStore;

/// Never answers: SQLite has no data-modifying `WITH` to write the answer and its ledger entry
/// in one statement, so the answer always takes the shared transaction (cheap on the single
/// writer).
pub(crate) async fn answer_with_entry(
    _store: &SqliteStore,
    _id: Uuid,
    _state: RequestState,
    _result: Option<&str>,
    _at: DateTime<Utc>,
    _record: &AuditRecord,
) -> Result<Option<bool>, StoreError> {
    Ok(None)
}
