//! A trust's demand forecast for its bank office: shifts each ward left unfilled week by week
//! (Monday to Sunday, UK time), and how many it is likely to leave unfilled in the coming four
//! weeks, with the forecast's error on recent weeks beside the naive "like last week" (rules in
//! `staffbank_domain::forecast::demand`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use staffbank_domain::forecast::demand::{backtest, seasonal, Error, SEASON};
use staffbank_domain::forecast::week_start;
use staffbank_domain::shift::{ShiftStatus, RULES_ZONE};
use staffbank_domain::{OrgId, WardId};
use uuid::Uuid;

use crate::{App, AppError, Principal};

/// Weeks of history read: enough for a year's season, its level and the weeks judged.
const HISTORY_WEEKS: i64 = SEASON as i64 + 20;
/// Recent weeks shown and judged.
pub const SHOWN_WEEKS: usize = 12;
/// Weeks forecast ahead (the current one first).
pub const AHEAD_WEEKS: usize = 4;

/// One week's figure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeekFigure {
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    /// Shifts left unfilled (actual), or forecast to be, to one decimal place.
    pub unfilled: f64,
}

/// A forecast's error on the recent weeks, each forecast one week ahead.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorView {
    /// Mean absolute error, in shifts a week.
    pub mae: f64,
    /// Symmetric mean absolute percentage error, 0 to 200.
    pub smape: f64,
}

/// One ward's demand.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WardDemand {
    /// The ward; absent for the whole trust's row.
    pub ward_id: Option<Uuid>,
    /// Its name ("Whole trust" for the total).
    pub ward_name: String,
    /// The recent weeks as they happened.
    pub actual: Vec<WeekFigure>,
    /// The recent weeks as the seasonal baseline forecast them, one week ahead.
    pub backcast: Vec<WeekFigure>,
    /// The coming weeks, the current one first.
    pub forecast: Vec<WeekFigure>,
    /// The seasonal baseline's error on the recent weeks.
    pub error: ErrorView,
    /// The naive forecast's error on the same weeks.
    pub naive_error: ErrorView,
}

/// The whole forecast.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnfilledForecast {
    /// When it was worked out.
    pub as_of: DateTime<Utc>,
    /// The whole trust first, then each ward with shifts in the history, by name.
    pub wards: Vec<WardDemand>,
}

fn tenth(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn error_view(e: Error) -> ErrorView {
    ErrorView {
        mae: (e.mae * 100.0).round() / 100.0,
        smape: tenth(e.smape),
    }
}

/// One ward's figures from its weekly series (oldest first), whose last week starts `last`.
fn demand(id: Option<WardId>, name: String, series: &[f64], last: NaiveDate) -> WardDemand {
    let week = |back: usize| last - Duration::weeks(back as i64);
    let shown = SHOWN_WEEKS.min(series.len());
    let start = series.len() - shown;
    let actual = (start..series.len())
        .map(|i| WeekFigure {
            week_start: week(series.len() - 1 - i),
            unfilled: series[i],
        })
        .collect();
    let backcast = (start..series.len())
        .map(|i| WeekFigure {
            week_start: week(series.len() - 1 - i),
            unfilled: tenth(seasonal(&series[..i], 1)),
        })
        .collect();
    let forecast = (1..=AHEAD_WEEKS)
        .map(|k| WeekFigure {
            week_start: last + Duration::weeks(k as i64),
            unfilled: tenth(seasonal(series, k)),
        })
        .collect();
    let judged = backtest(series, shown);
    WardDemand {
        ward_id: id.map(|w| w.0),
        ward_name: name,
        actual,
        backcast,
        forecast,
        error: error_view(judged.seasonal),
        naive_error: error_view(judged.naive),
    }
}

impl App {
    /// The demand forecast of unfilled shifts of a trust, per ward and in total (its bank office
    /// only).
    pub async fn unfilled_forecast(
        &self,
        who: &Principal,
        org: OrgId,
    ) -> Result<UnfilledForecast, AppError> {
        self.require_bank_office(who, org)?;
        let now = self.now();
        let this_week = week_start(now.with_timezone(&RULES_ZONE).date_naive());
        let last = this_week - Duration::weeks(1);
        let first = this_week - Duration::weeks(HISTORY_WEEKS);
        let weeks = usize::try_from(HISTORY_WEEKS).unwrap_or(0);
        let from = now - Duration::weeks(HISTORY_WEEKS + 1);
        let mut by_ward: BTreeMap<WardId, Vec<f64>> = BTreeMap::new();
        for shift in self.store.trust_shifts_between(org, from, now).await? {
            let unfilled = shift.status != ShiftStatus::Cancelled
                && shift.booked < shift.places.get()
                && shift.window.start() < now;
            let day = shift.window.start().with_timezone(&RULES_ZONE).date_naive();
            let index = (week_start(day) - first).num_weeks();
            let series = by_ward
                .entry(shift.ward_id)
                .or_insert_with(|| vec![0.0; weeks]);
            if let Some(slot) = usize::try_from(index).ok().and_then(|i| series.get_mut(i)) {
                if unfilled {
                    *slot += 1.0;
                }
            }
        }
        let names = self.ward_names(org).await?;
        let mut total = vec![0.0; weeks];
        for series in by_ward.values() {
            for (t, v) in total.iter_mut().zip(series) {
                *t += v;
            }
        }
        let mut wards: Vec<WardDemand> = by_ward
            .iter()
            .map(|(ward, series)| {
                let name = names.get(ward).cloned().unwrap_or_default();
                demand(Some(*ward), name, series, last)
            })
            .collect();
        wards.sort_by(|a, b| a.ward_name.cmp(&b.ward_name));
        wards.insert(0, demand(None, "Whole trust".to_owned(), &total, last));
        Ok(UnfilledForecast { as_of: now, wards })
    }
}
