//! Staffbank's rules and types, free of IO, async and clocks.
//!
//! Everything here is pure so that it can be tested exhaustively: time and randomness are always
//! parameters. Types parse at the boundary ("parse, don't validate"), so a value of a type here is
//! always valid.

pub mod agency;
pub mod availability;
pub mod booking;
pub mod breaks;
pub mod credential;
pub mod credential_claims;
pub mod eligibility;
pub mod fairness;
pub mod forecast;
pub mod grade;
pub mod ids;
pub mod insight;
pub mod org;
pub mod pay;
pub mod ranking;
pub mod release;
pub mod retention;
pub mod role;
pub mod shift;
pub mod text;
pub mod timesheet;
pub mod worker;
pub mod working_time;

pub use grade::{Grade, GradeRange, StaffGroup};
pub use ids::*;
pub use shift::{Places, ShiftWindow};
