//! History for the bank office's forecasts and retention pages at the first trust: a year and
//! more of shifts its first two wards left unfilled, more in winter; a nurse who booked a shift
//! a week from seven weeks ago to four weeks ago and then stopped; and a nurse offered shifts in
//! each of the last three weeks who took none.

use chrono::{Datelike, Duration, NaiveTime, Utc};
use chrono_tz::Europe::London;
use staffbank_domain::booking::BookingStatus;
use staffbank_domain::*;
use staffbank_store::{Booking, OutboxEvent, Page, Shift, Store, Worker};

use super::id;
use super::organisations::World;
use super::shifts::demo_shift;

/// Weeks of unfilled-shift history.
const HISTORY_WEEKS: i64 = 64;

/// A past band 5 nursing day shift on `ward`, `days_ago` days back.
fn past_shift(world: &World, ward: &staffbank_store::Ward, days_ago: i64) -> anyhow::Result<Shift> {
    let bank = world
        .own_banks
        .iter()
        .find(|b| b.lead_org_id == ward.org_id)
        .ok_or_else(|| anyhow::anyhow!("the ward's trust has no bank"))?;
    let day = Utc::now().with_timezone(&London).date_naive() - Duration::days(days_ago);
    let (Some(start), Some(end)) = (
        NaiveTime::from_hms_opt(7, 30, 0),
        NaiveTime::from_hms_opt(20, 0, 0),
    ) else {
        anyhow::bail!("times");
    };
    let window = ShiftWindow::from_london(day, start, end).map_err(|e| anyhow::anyhow!("{e}"))?;
    let band = Grade::parse("band_5").ok_or_else(|| anyhow::anyhow!("band"))?;
    let grades = GradeRange::new(StaffGroup::NursingAndMidwifery, band, band)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let one = Places::new(1).ok_or_else(|| anyhow::anyhow!("places"))?;
    demo_shift(
        world,
        ward,
        bank.id,
        (StaffGroup::NursingAndMidwifery, grades),
        window,
        one,
    )
}

/// Seeds the history; returns how many past shifts it posted.
pub(super) async fn seed_outlook(
    store: &dyn Store,
    world: &World,
    workers: &[Worker],
) -> anyhow::Result<usize> {
    let Some(trust) = world.orgs.first() else {
        return Ok(0);
    };
    let wards: Vec<_> = world
        .wards
        .iter()
        .filter(|w| w.org_id == trust.id)
        .take(2)
        .collect();
    let mut shifts = Vec::new();
    for (n, ward) in wards.iter().enumerate() {
        for week in 1..=HISTORY_WEEKS {
            let days_ago = week * 7 + n as i64;
            let day = Utc::now().date_naive() - Duration::days(days_ago);
            let season = (f64::from(day.iso_week().week()) * std::f64::consts::TAU / 52.0).cos();
            let count = (3.0 + 2.0 * season + (week % 3) as f64 * 0.5)
                .round()
                .max(0.0) as i64;
            for _ in 0..count {
                shifts.push(past_shift(world, ward, days_ago)?);
            }
        }
    }
    store.post_shifts(&shifts, &[]).await?;
    // Two of the trust's nurses with no booking yet (the demo worker, first, is left alone).
    let mut nurses: Vec<&Worker> = Vec::new();
    for w in workers.iter().skip(1) {
        let in_bank = world
            .own_banks
            .iter()
            .any(|b| b.lead_org_id == trust.id && w.banks.contains(&b.id));
        if nurses.len() == 2 || w.staff_group != StaffGroup::NursingAndMidwifery || !in_bank {
            continue;
        }
        let first = Page {
            limit: 1,
            after: None,
        };
        if store.bookings_of_worker(w.id, first).await?.is_empty() {
            nurses.push(w);
        }
    }
    let (Some(regular), Some(ignorer), Some(ward)) = (nurses.first(), nurses.get(1), wards.first())
    else {
        return Ok(shifts.len());
    };
    // The regular booker: one booking a week, four to seven weeks ago.
    for week in 4..=7 {
        let shift = past_shift(world, ward, week * 7 - 2)?;
        store.post_shifts(std::slice::from_ref(&shift), &[]).await?;
        let booking = Booking {
            id: BookingId(id()),
            shift_id: shift.id,
            worker_id: regular.id,
            window: shift.window,
            status: BookingStatus::Active,
            idempotency_key: format!("demo-regular-{}", shift.id),
            created_at: Utc::now() - Duration::days(week * 7),
            cancellation: None,
        };
        store.book(&booking, &[], None).await?;
    }
    // The nurse who took none of the shifts offered over the last three weeks.
    for week in 0..3 {
        let shift = past_shift(world, ward, week * 7 + 1)?;
        store.post_shifts(std::slice::from_ref(&shift), &[]).await?;
        let offered = OutboxEvent {
            id: id(),
            topic: "offer.made".to_owned(),
            worker_id: Some(ignorer.id),
            payload: serde_json::json!({"worker_id": ignorer.id.0}).to_string(),
            created_at: Utc::now() - Duration::days(week * 7 + 2),
        };
        store.offer_to(shift.id, ignorer.id, &offered, &[]).await?;
    }
    Ok(shifts.len())
}
