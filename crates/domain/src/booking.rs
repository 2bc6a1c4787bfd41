//! Bookings and the rules for cancelling them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ShiftWindow;

/// Whether a booking still holds its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Holds a place.
    Active,
    /// Released; the place went back to the shift.
    Cancelled,
}

impl BookingStatus {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// Which side cancelled: the rules (and later, cancellation pay) differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    /// The booked worker.
    Worker,
    /// The trust (a booker).
    Trust,
}

impl CancelledBy {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Worker => "worker",
            Self::Trust => "trust",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "worker" => Some(Self::Worker),
            "trust" => Some(Self::Trust),
            _ => None,
        }
    }
}

/// How a shift is booked: at once, or by request that a booker approves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingMode {
    /// The worker's booking is confirmed at once (the ward allows instant booking).
    Instant,
    /// The worker asks; a booker approves (eligibility re-checked) or declines.
    Request,
}

impl BookingMode {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instant => "instant",
            Self::Request => "request",
        }
    }

    /// The mode of a shift on a ward that books at once (`instant`) or by request.
    pub fn for_ward(instant: bool) -> Self {
        if instant {
            Self::Instant
        } else {
            Self::Request
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "instant" => Some(Self::Instant),
            "request" => Some(Self::Request),
            _ => None,
        }
    }
}

/// Why a booking cannot be cancelled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    /// Already cancelled.
    #[error("the booking is already cancelled")]
    AlreadyCancelled,
    /// The shift has started: what happened is now a timesheet matter.
    #[error("the shift has already started; record what happened on the timesheet instead")]
    ShiftStarted,
}

/// Checks that a booking in `status` for a shift at `window` may be cancelled at `now`.
pub fn check_cancellable(
    status: BookingStatus,
    window: ShiftWindow,
    now: DateTime<Utc>,
) -> Result<(), CancelError> {
    if status == BookingStatus::Cancelled {
        return Err(CancelError::AlreadyCancelled);
    }
    if window.start() <= now {
        return Err(CancelError::ShiftStarted);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn only_active_future_bookings_can_be_cancelled() {
        let now = DateTime::<Utc>::UNIX_EPOCH + Duration::days(10);
        let window = ShiftWindow::new(now + Duration::hours(1), now + Duration::hours(9)).unwrap();
        assert_eq!(
            check_cancellable(BookingStatus::Active, window, now),
            Ok(())
        );
        assert_eq!(
            check_cancellable(BookingStatus::Cancelled, window, now),
            Err(CancelError::AlreadyCancelled)
        );
        assert_eq!(
            check_cancellable(BookingStatus::Active, window, window.start()),
            Err(CancelError::ShiftStarted)
        );
    }
}
