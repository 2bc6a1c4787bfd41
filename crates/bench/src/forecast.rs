//! `staffbank-bench forecast`: how well the demand forecast of unfilled shifts predicts held-out
//! weeks, beside the naive "next week is like last week", on synthetic ward histories shaped as
//! the national data's wards are (ten wards a site, two sites a trust): a winter peak and a
//! summer-holiday bump, each ward its own size and trend, and noise.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use staffbank_domain::forecast::demand::{backtest, Error, SEASON};

/// Options of `staffbank-bench forecast`.
#[derive(clap::Args)]
pub struct ForecastBenchArgs {
    /// Trusts to generate (20 wards each).
    #[arg(long, default_value_t = 50)]
    pub trusts: usize,
    /// Weeks of history per ward.
    #[arg(long, default_value_t = 3 * SEASON)]
    pub weeks: usize,
    /// The last weeks held out and forecast one week ahead.
    #[arg(long, default_value_t = 26)]
    pub held_out: usize,
}

/// One ward's weekly unfilled shifts.
fn ward_history(rng: &mut StdRng, weeks: usize) -> Vec<f64> {
    let size = rng.gen_range(2.0..12.0);
    let trend = rng.gen_range(-0.01..0.03) * size;
    let phase = rng.gen_range(0..3);
    (0..weeks)
        .map(|w| {
            let week = (w + phase) % SEASON;
            // Winter pressure peaks around the new year; a smaller bump in the summer holidays.
            let winter = (week as f64 * std::f64::consts::TAU / SEASON as f64).cos();
            let summer = if (29..35).contains(&week) { 0.25 } else { 0.0 };
            let mean = size * (1.0 + 0.45 * winter + summer) + trend * w as f64 / SEASON as f64;
            let noise: f64 = (0..4).map(|_| rng.gen_range(-1.0..1.0)).sum::<f64>() * 0.25;
            (mean * (1.0 + 0.3 * noise)).round().max(0.0)
        })
        .collect()
}

fn average(errors: &[Error]) -> Error {
    let n = errors.len().max(1) as f64;
    Error {
        mae: errors.iter().map(|e| e.mae).sum::<f64>() / n,
        smape: errors.iter().map(|e| e.smape).sum::<f64>() / n,
    }
}

/// Generates the histories, judges both forecasts on the held-out weeks, and prints the errors.
pub fn run(args: &ForecastBenchArgs) -> anyhow::Result<()> {
    if args.weeks <= args.held_out + 1 {
        anyhow::bail!("--weeks must exceed --held-out by at least two");
    }
    let mut rng = StdRng::seed_from_u64(2026);
    let wards = args.trusts * 20;
    let histories: Vec<Vec<f64>> = (0..wards)
        .map(|_| ward_history(&mut rng, args.weeks))
        .collect();
    let started = Instant::now();
    let judged: Vec<_> = histories
        .iter()
        .map(|h| backtest(h, args.held_out))
        .collect();
    let elapsed = started.elapsed();
    let seasonal = average(&judged.iter().map(|j| j.seasonal).collect::<Vec<_>>());
    let naive = average(&judged.iter().map(|j| j.naive).collect::<Vec<_>>());
    let better = judged
        .iter()
        .filter(|j| j.seasonal.mae < j.naive.mae)
        .count();
    println!(
        "demand forecast: {wards} wards, {} weeks of history, last {} held out (one week ahead)",
        args.weeks, args.held_out
    );
    println!(
        "  seasonal baseline: MAE {:.2} shifts/week, sMAPE {:.1}%",
        seasonal.mae, seasonal.smape
    );
    println!(
        "  naive (last week): MAE {:.2} shifts/week, sMAPE {:.1}%",
        naive.mae, naive.smape
    );
    println!(
        "  seasonal better on {better} of {wards} wards; {:.1} ms to forecast every held-out week",
        elapsed.as_secs_f64() * 1000.0
    );
    if seasonal.mae >= naive.mae {
        anyhow::bail!("the seasonal baseline did no better than the naive forecast");
    }
    Ok(())
}
