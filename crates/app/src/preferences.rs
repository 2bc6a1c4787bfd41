//! A worker's preferences and availability: how far they will travel, days or nights, the days
//! of the week they work and the dates they cannot. Their shift search and the offers made to
//! them both leave out shifts that do not suit.

use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::availability::{Availability, WEEK};
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::shift::RULES_ZONE;

use crate::audit::Change;
use crate::error::Fields;
use crate::{App, AppError, Principal};

/// A worker's preferences, whole: what `PUT` sets and `GET` reads.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// The furthest they will travel, in km (1 to 500), or null for no limit.
    pub max_travel_km: Option<f64>,
    /// `any`, `days` or `nights`.
    pub shift_times: String,
    /// The days of the week they work, e.g. `["monday", "tuesday"]` (default: every day).
    #[serde(default)]
    pub days: Option<Vec<String>>,
    /// Dates they cannot work, e.g. `["2026-12-25"]`; dates already past are dropped.
    #[serde(default)]
    pub unavailable_dates: Option<Vec<String>>,
}

/// A day of the week's name as the API spells it.
pub fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

fn parse_day(raw: &str) -> Option<Weekday> {
    let raw = raw.trim().to_ascii_lowercase();
    WEEK.into_iter().find(|d| day_name(*d) == raw)
}

impl App {
    /// The signed-in worker's preferences and availability.
    pub async fn my_preferences(&self, who: &Principal) -> Result<Preferences, AppError> {
        let worker = who.require_worker()?;
        let availability = self.store.availability(worker.id).await?;
        Ok(Preferences {
            max_travel_km: worker.max_travel_km,
            shift_times: worker.shift_times.as_str().to_owned(),
            days: Some(
                availability
                    .days()
                    .map(|d| day_name(d).to_owned())
                    .collect(),
            ),
            unavailable_dates: Some(availability.unavailable().map(|d| d.to_string()).collect()),
        })
    }

    /// Records the signed-in worker's preferences and availability, whole; every bad field is
    /// named and nothing changes unless all are good.
    pub async fn set_preferences(
        &self,
        who: &Principal,
        input: Preferences,
    ) -> Result<Preferences, AppError> {
        let worker = who.require_worker()?;
        let mut fields = Fields::default();
        let times = fields.take(
            "shift_times",
            ShiftTimes::parse(input.shift_times.trim()).ok_or("must be any, days or nights"),
        );
        if let Some(km) = input.max_travel_km {
            if !(1.0..=500.0).contains(&km) {
                fields.push("max_travel_km", "must be between 1 and 500");
            }
        }
        let mut days = Vec::new();
        for (i, raw) in input.days.iter().flatten().enumerate() {
            if let Some(day) = fields.take(
                format!("days[{i}]"),
                parse_day(raw).ok_or("must be a day of the week, e.g. monday"),
            ) {
                days.push(day);
            }
        }
        if input.days.is_none() {
            days = WEEK.to_vec();
        }
        let today = self.now().with_timezone(&RULES_ZONE).date_naive();
        let mut dates = Vec::new();
        for (i, raw) in input.unavailable_dates.iter().flatten().enumerate() {
            if let Some(date) = fields.take(
                format!("unavailable_dates[{i}]"),
                raw.trim()
                    .parse::<NaiveDate>()
                    .map_err(|_| "must be a date, e.g. 2026-12-25"),
            ) {
                if date >= today {
                    dates.push(date);
                }
            }
        }
        let availability = fields.take("days", Availability::new(days, dates));
        fields.finish()?;
        let (Some(times), Some(availability)) = (times, availability) else {
            return Err(AppError::field(
                "shift_times",
                "must be any, days or nights",
            ));
        };
        let record = self
            .audit_record(Change {
                action: "worker.preferences",
                actor: Some(who.user.id),
                tenant: None,
                subject: Some(who.user.id),
                facts: json!({"worker": worker.id, "shift_times": times.as_str(),
                    "weekdays": availability.bits()}),
                personal: Some(json!({"max_travel_km": input.max_travel_km,
                    "unavailable_dates": availability.unavailable().map(|d| d.to_string()).collect::<Vec<_>>()})),
            })
            .await?;
        self.store
            .set_preferences(
                worker.id,
                input.max_travel_km,
                times,
                &availability,
                &[record],
            )
            .await?;
        Ok(Preferences {
            max_travel_km: input.max_travel_km,
            shift_times: times.as_str().to_owned(),
            days: Some(
                availability
                    .days()
                    .map(|d| day_name(d).to_owned())
                    .collect(),
            ),
            unavailable_dates: Some(availability.unavailable().map(|d| d.to_string()).collect()),
        })
    }
}
