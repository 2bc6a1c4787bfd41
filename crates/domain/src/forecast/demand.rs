//! How many shifts a ward will leave unfilled in coming weeks, from its weekly history.
//!
//! The forecast is a seasonal baseline with a level correction: the same weeks a year earlier
//! (the week itself and its neighbours, averaged, to damp noise), moved by how far the last four
//! weeks sit above or below the same four weeks a year earlier (the trend). With less than a
//! year and a month of history it falls back to the mean of the last four weeks. Its error is
//! judged against the naive forecast ("next week is like last week") on held-out weeks.

use serde::Serialize;

/// Weeks in a seasonal cycle.
pub const SEASON: usize = 52;
/// Weeks the level is judged over.
const LEVEL: usize = 4;

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The forecast for the week `ahead` weeks after the last of `history` (1 = next week), never
/// below zero. `history` is one count per consecutive week, oldest first.
pub fn seasonal(history: &[f64], ahead: usize) -> f64 {
    let n = history.len();
    let target = n + ahead - 1;
    let seasonal_ready = (1..SEASON).contains(&ahead) && n >= SEASON + LEVEL && target > SEASON;
    if seasonal_ready {
        let centre = target - SEASON;
        let from = centre.saturating_sub(1);
        let to = (centre + 1).min(n - 1);
        let last_year = mean(&history[from..=to]).unwrap_or(0.0);
        let now = mean(&history[n - LEVEL..]).unwrap_or(0.0);
        let then = mean(&history[n - LEVEL - SEASON..n - SEASON]).unwrap_or(0.0);
        return (last_year + now - then).max(0.0);
    }
    mean(&history[n.saturating_sub(LEVEL)..]).unwrap_or(0.0)
}

/// The naive forecast: the last week again.
pub fn naive(history: &[f64]) -> f64 {
    history.last().copied().unwrap_or(0.0)
}

/// A forecast's error over held-out weeks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Error {
    /// Mean absolute error, in shifts.
    pub mae: f64,
    /// Symmetric mean absolute percentage error, 0 to 200 (weeks where both are zero count 0).
    pub smape: f64,
}

/// The error of forecasts against what happened, paired week by week.
pub fn error(forecasts: &[f64], actual: &[f64]) -> Error {
    let pairs: Vec<(f64, f64)> = forecasts
        .iter()
        .copied()
        .zip(actual.iter().copied())
        .collect();
    if pairs.is_empty() {
        return Error {
            mae: 0.0,
            smape: 0.0,
        };
    }
    let n = pairs.len() as f64;
    let mae = pairs.iter().map(|(f, a)| (f - a).abs()).sum::<f64>() / n;
    let smape = pairs
        .iter()
        .map(|(f, a)| {
            let scale = f.abs() + a.abs();
            if scale == 0.0 {
                0.0
            } else {
                200.0 * (f - a).abs() / scale
            }
        })
        .sum::<f64>()
        / n;
    Error { mae, smape }
}

/// Both forecasts' errors on the last `held_out` weeks of `series`, each week forecast one
/// week ahead from the weeks before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Backtest {
    /// The seasonal baseline's error.
    pub seasonal: Error,
    /// The naive forecast's error.
    pub naive: Error,
    /// Weeks judged.
    pub weeks: usize,
}

/// Judges both forecasts on the last `held_out` weeks of `series`.
pub fn backtest(series: &[f64], held_out: usize) -> Backtest {
    let start = series.len().saturating_sub(held_out).max(1);
    let (mut s, mut nv, mut actual) = (Vec::new(), Vec::new(), Vec::new());
    for t in start..series.len() {
        s.push(seasonal(&series[..t], 1));
        nv.push(naive(&series[..t]));
        actual.push(series[t]);
    }
    Backtest {
        seasonal: error(&s, &actual),
        naive: error(&nv, &actual),
        weeks: actual.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A yearly wave on a rising level.
    fn wavy(weeks: usize) -> Vec<f64> {
        (0..weeks)
            .map(|w| {
                let season = (w as f64 * std::f64::consts::TAU / SEASON as f64).sin();
                10.0 + 6.0 * season + 0.05 * w as f64
            })
            .collect()
    }

    #[test]
    fn short_history_uses_the_recent_mean() {
        assert_eq!(seasonal(&[], 1), 0.0);
        assert_eq!(seasonal(&[2.0, 4.0, 6.0, 8.0, 10.0], 1), 7.0);
    }

    #[test]
    fn a_repeating_year_is_forecast_exactly_and_a_level_shift_is_carried() {
        let year: Vec<f64> = (0..SEASON).map(|w| (w % 7) as f64).collect();
        let mut series = year.clone();
        series.extend(&year);
        series.extend(&year[..10]);
        // Flat weeks make the neighbour average exact.
        let flat: Vec<f64> = series.iter().map(|_| 3.0).collect();
        assert_eq!(seasonal(&flat, 1), 3.0);
        let mut raised = flat.clone();
        for v in raised.iter_mut().skip(SEASON + 6) {
            *v += 2.0;
        }
        assert_eq!(seasonal(&raised, 1), 5.0);
        assert!(seasonal(&[0.0; 60], 2) >= 0.0);
    }

    #[test]
    fn the_seasonal_baseline_beats_naive_on_a_seasonal_series() {
        let series = wavy(3 * SEASON);
        let judged = backtest(&series, 26);
        assert_eq!(judged.weeks, 26);
        assert!(judged.seasonal.mae < judged.naive.mae, "{judged:?}");
    }

    #[test]
    fn errors_are_mae_and_smape() {
        let e = error(&[2.0, 0.0, 4.0], &[4.0, 0.0, 4.0]);
        assert!((e.mae - 2.0 / 3.0).abs() < 1e-9);
        assert!((e.smape - (200.0 * 2.0 / 6.0) / 3.0).abs() < 1e-9);
    }
}
