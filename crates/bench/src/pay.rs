//! `staffbank-bench pay`: the pure pay engine's throughput on one core, over generated
//! timesheets across every band, days, nights, weekends, bank holidays and both clock changes
//! of 2026 and 2027, paid by the repository's default rules (`data/pay`), as approvals use them.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use staffbank_domain::grade::AFC_BANDS;
use staffbank_domain::pay::{pay, Pence, RateCard, Worked};
use staffbank_domain::Grade;

/// Options of `staffbank-bench pay`.
#[derive(clap::Args)]
pub struct PayBenchArgs {
    /// Timesheets to pay.
    #[arg(long, default_value_t = 1_000_000)]
    pub count: usize,
}

fn timesheets(count: usize, card: &RateCard) -> anyhow::Result<Vec<Worked>> {
    let mut rng = StdRng::seed_from_u64(2026);
    let from = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("start"))?;
    (0..count)
        .map(|_| {
            // Starts in 2026 and 2027, ending before 2028 (which the calendar does not hold).
            let start = from + Duration::minutes(rng.gen_range(0..(2 * 365 * 24 - 14) * 4) * 15);
            let hours = rng.gen_range(4..=13);
            let end = start + Duration::hours(hours);
            let breaks = if hours > 6 {
                let at = start + Duration::hours(hours / 2);
                vec![(at, at + Duration::minutes(30))]
            } else {
                vec![]
            };
            let band = AFC_BANDS[rng.gen_range(0..AFC_BANDS.len())];
            let grade = Grade::parse(band).ok_or_else(|| anyhow::anyhow!("{band}"))?;
            let points = u8::try_from(card.points(grade).unwrap_or(1))?;
            Ok(Worked {
                grade,
                pay_point: rng.gen_range(1..=points),
                start,
                end,
                breaks,
                premium: staffbank_domain::pay::Premium {
                    percent: if rng.gen_bool(0.2) {
                        rng.gen_range(5..=35)
                    } else {
                        0
                    },
                    ..staffbank_domain::pay::Premium::none()
                },
            })
        })
        .collect()
}

/// Pays every generated timesheet and prints the rate.
pub fn run(args: &PayBenchArgs) -> anyhow::Result<()> {
    let rules =
        staffbank_app::timesheets::default_pay_rules().map_err(|e| anyhow::anyhow!("{e}"))?;
    let sheets = timesheets(args.count, &rules.rate_card)?;
    let started = Instant::now();
    let mut total = Pence(0);
    for sheet in &sheets {
        total = total + pay(sheet, rules).map_err(|e| anyhow::anyhow!("{e}"))?.total;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "pay calculation, pure engine, one core: {:.0} timesheets/s ({} paid in {seconds:.2} s, {total} in all)",
        args.count as f64 / seconds,
        args.count
    );
    if let Some(first) = sheets.first() {
        let line = pay(first, rules).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("for example:");
        for row in line.explain() {
            println!("  {row}");
        }
    }
    Ok(())
}
