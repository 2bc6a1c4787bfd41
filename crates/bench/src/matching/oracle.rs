//! Booking decisions on the national data against the rules computed independently: for each
//! attempt the benchmark first works out from the stored facts whether PRODUCT.md allows it, then
//! asks the API to book it. The two must agree every time: no ineligible booking is accepted and
//! every eligible one is.

use chrono::{DateTime, Utc};
use staffbank_domain::booking::BookingStatus;
use staffbank_domain::credential::CredentialStatus;
use staffbank_domain::shift::ShiftStatus;
use staffbank_store::raw::grade_rank;
use staffbank_store::{Credential, Page, Shift, Store, Worker};

use super::rules;

/// Whether PRODUCT.md lets `worker` book `shift` at `now`, and if not, the first reason.
pub fn allowed(
    worker: &Worker,
    credentials: &[Credential],
    bookings: &[rules::Span],
    shift: &Shift,
    now: DateTime<Utc>,
) -> Result<(), &'static str> {
    let (start, end) = (shift.window.start(), shift.window.end());
    if shift.status == ShiftStatus::Cancelled || start <= now {
        return Err("not open");
    }
    if shift.booked >= shift.places.get() {
        return Err("full");
    }
    let released = (worker.banks.contains(&shift.bank_id) && shift.released_at <= now)
        || shift
            .collaborative
            .is_some_and(|(bank, at)| worker.banks.contains(&bank) && at <= now);
    if !released {
        return Err("not released to their banks");
    }
    let (family, rank) = grade_rank(worker.grade);
    let (min_family, min) = grade_rank(shift.grades.min());
    let (_, max) = grade_rank(shift.grades.max());
    if worker.staff_group != shift.staff_group || family != min_family || rank < min || rank > max {
        return Err("wrong group or grade");
    }
    for requirement in &shift.required_credentials {
        let wanted = requirement.as_string();
        let (kind, level) = match wanted.split_once(':') {
            Some((kind, level)) => (kind, Some(level)),
            None => (wanted.as_str(), None),
        };
        let levels = ["basic", "standard", "enhanced", "enhanced_barred"];
        let position = |l: &str| levels.iter().position(|x| *x == l);
        let held = credentials.iter().any(|c| {
            c.kind.as_str() == kind
                && c.status == CredentialStatus::Active
                && c.valid_from <= start
                && c.valid_until.is_none_or(|until| until >= end)
                && level.is_none_or(|l| {
                    c.dbs_level
                        .is_some_and(|held| position(held.as_str()) >= position(l))
                })
        });
        if !held {
            return Err("a required credential is missing or not valid for the whole shift");
        }
    }
    let mut work = bookings.to_vec();
    work.push((start, end));
    if rules::overlaps(&work) {
        return Err("overlaps a booking");
    }
    if !rules::breaches(&work, worker.weekly_limit_opt_out).is_empty() {
        return Err("breaks the working-time rules");
    }
    Ok(())
}

/// The worker's active bookings.
pub async fn bookings_of(store: &dyn Store, worker: &Worker) -> anyhow::Result<Vec<rules::Span>> {
    Ok(store
        .bookings_of_worker(
            worker.id,
            Page {
                limit: 1000,
                after: None,
            },
        )
        .await?
        .iter()
        .filter(|b| b.status == BookingStatus::Active)
        .map(|b| (b.window.start(), b.window.end()))
        .collect())
}
