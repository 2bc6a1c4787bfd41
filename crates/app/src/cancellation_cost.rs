//! What cancelling a booking now would cost, told before it is done: a booker cancelling inside
//! the shift's notice period commits the trust to paying the worker for the whole shift, so the
//! screen asks them to confirm with the amount in front of them.

use chrono::{DateTime, Utc};
use staffbank_domain::booking::CancelledBy;
use staffbank_domain::pay::Pence;
use staffbank_domain::release::is_late;
use staffbank_domain::{BookingId, ShiftId};

use crate::{App, AppError, Principal};

/// The consequences of cancelling one booking at this moment.
#[derive(Debug, Clone)]
pub struct CancellationCost {
    /// The booked shift.
    pub shift_id: ShiftId,
    /// The booked worker's name.
    pub worker_name: String,
    /// The shift's start and end.
    pub shift: (DateTime<Utc>, DateTime<Utc>),
    /// Hours of notice the shift was posted with.
    pub notice_hours: i64,
    /// Cancelling now is inside that notice.
    pub late: bool,
    /// The trust owes the worker for the shift (a late cancellation by the trust).
    pub trust_pays: bool,
    /// What it pays, where the rate card prices it; none when nothing is owed, or when the
    /// payment must be worked out by hand.
    pub payment: Option<Pence>,
}

impl App {
    /// What cancelling booking `id` now would cost, for whoever may cancel it (the worker or a
    /// booker of its ward; anyone else is told it does not exist). Nothing is changed.
    pub async fn cancellation_cost(
        &self,
        who: &Principal,
        id: BookingId,
    ) -> Result<CancellationCost, AppError> {
        let (booking, shift, by) = self.cancellable_by(who, id).await?;
        let worker = self
            .store
            .worker(booking.worker_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        let late = is_late(shift.cancellation_notice, shift.window.start(), now);
        let trust_pays = late && by == CancelledBy::Trust;
        let payment = if trust_pays {
            self.cancellation_pay_line(&shift, &worker, now)
                .await?
                .map(|line| Pence(line.amount))
        } else {
            None
        };
        Ok(CancellationCost {
            shift_id: shift.id,
            worker_name: worker.display_name.as_str().to_owned(),
            shift: (shift.window.start(), shift.window.end()),
            notice_hours: shift.cancellation_notice.num_hours(),
            late,
            trust_pays,
            payment,
        })
    }
}
