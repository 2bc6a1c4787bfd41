//! Timesheets: how one is read, and the guarded write that a change and an approval share.
//! The `PayStore` methods that use them are in `super::payroll`, beside the rest of pay (one
//! trait, one impl block).

use staffbank_domain::timesheet::TimesheetState;
use staffbank_domain::{BookingId, OrgId, ShiftId, WardId, WorkerId};
use staffbank_store::{Conflict, StoreError, Timesheet, TimesheetBody};

use super::missing_or;
use super::types::{At, Texts};
use super::{get, instant};
use crate::db::{in_texts, DbRow, Tx};
use crate::sql::OrStore;

/// What every read of a timesheet selects, in the order [`timesheet_row`] reads it.
pub(super) const COLUMNS: &str =
    "id, booking_id, shift_id, worker_id, org_id, ward_id, state, body, updated_at";

/// A timesheet from a row of [`COLUMNS`]; a state or body the domain no longer reads is an
/// error rather than a guess.
pub(super) fn timesheet_row(r: &DbRow) -> Result<Timesheet, StoreError> {
    let state: String = get(r, "state")?;
    let body: String = get(r, "body")?;
    Ok(Timesheet {
        id: get(r, "id")?,
        booking_id: BookingId(get(r, "booking_id")?),
        shift_id: ShiftId(get(r, "shift_id")?),
        worker_id: WorkerId(get(r, "worker_id")?),
        org_id: OrgId(get(r, "org_id")?),
        ward_id: WardId(get(r, "ward_id")?),
        state: TimesheetState::parse(&state)
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("stored timesheet state")))?,
        body: TimesheetBody::decode(&body)?,
        updated_at: instant(r, "updated_at")?,
    })
}

/// Stores a changed timesheet only if it is still in one of the states `from`, so two
/// decisions on the same timesheet cannot both land: the loser is `RequestDecided` (or
/// `NotFound` if there is no such timesheet).
pub(super) async fn guarded_update(
    tx: &mut Tx,
    t: &Timesheet,
    from: &[TimesheetState],
) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE timesheets SET state = $2, body = $3, updated_at = $4 \
         WHERE id = $1 AND state {}",
        in_texts(5)
    );
    let changed = sqlx::query(&sql)
        .bind(t.id)
        .bind(t.state.as_str())
        .bind(t.body.encode()?)
        .bind(At(t.updated_at))
        .bind(Texts::of(from.iter().map(|s| s.as_str())))
        .execute(&mut **tx)
        .await
        .or_store()?
        .rows_affected();
    if changed == 0 {
        return Err(missing_or(tx, "timesheets", t.id, Conflict::RequestDecided).await);
    }
    Ok(())
}
