//! About 500 shifts over the next four weeks, a fifth of them booked, and the long day the demo
//! worker worked two days ago, its timesheet still to fill in.

use chrono::{Duration, NaiveTime, Utc};
use chrono_tz::Europe::London;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use staffbank_domain::booking::{BookingMode, BookingStatus};
use staffbank_domain::credential::default_requirements;
use staffbank_domain::release::{ReleasePolicy, Schedule};
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::*;
use staffbank_store::{Booking, Shift, Store, Ward, Worker};

use super::organisations::World;
use super::workers::{group_plan, pick};
use super::{id, label};

/// Day, night, early and late patterns on the UK clock.
const PATTERNS: [((u32, u32), (u32, u32)); 4] = [
    ((7, 30), (20, 0)),
    ((19, 30), (8, 0)),
    ((7, 0), (15, 0)),
    ((13, 0), (21, 0)),
];

/// The role a shift for a staff group is posted as.
fn role_for(group: StaffGroup) -> &'static str {
    match group {
        StaffGroup::NursingAndMidwifery => "Registered nurse",
        StaffGroup::HealthcareSupport => "Healthcare assistant",
        StaffGroup::Medical => "Resident doctor",
        StaffGroup::AlliedHealth => "Physiotherapist",
        StaffGroup::Admin => "Ward clerk",
    }
}

/// A shift as the demo's booker posts it, released by the default policy.
pub(super) fn demo_shift(
    world: &World,
    ward: &Ward,
    bank: BankId,
    (group, grades): (StaffGroup, GradeRange),
    window: ShiftWindow,
    places: Places,
) -> anyhow::Result<Shift> {
    let now = Utc::now();
    let schedule = Schedule::plan(
        &ReleasePolicy::default(),
        window,
        now,
        bank,
        Some(world.collaborative.id),
    );
    Ok(Shift {
        id: ShiftId(id()),
        org_id: ward.org_id,
        ward_id: ward.id,
        bank_id: bank,
        role: label(role_for(group))?,
        staff_group: group,
        grades,
        required_skills: vec![],
        window,
        places,
        booked: 0,
        status: ShiftStatus::Open,
        posted_by: world.booker,
        created_at: now,
        required_credentials: default_requirements(group),
        released_at: schedule.first.1,
        collaborative: schedule.collaborative,
        priority_window: schedule.priority_window,
        booking_mode: BookingMode::for_ward(ward.instant_booking),
        cancellation_notice: ReleasePolicy::default().cancellation_notice,
        agency: None,
        premium: Default::default(),
    })
}

/// A long day the demo worker worked two days ago on a ward of their own bank's trust, booked
/// and worked, so their timesheet can be filled in and submitted at once. (Two days, so that a
/// shift they book for today always leaves the 11 hours' rest.)
pub(super) async fn seed_worked_shift(
    store: &dyn Store,
    world: &World,
    worker: &Worker,
) -> anyhow::Result<()> {
    let Some(bank) = world
        .own_banks
        .iter()
        .find(|b| worker.banks.contains(&b.id))
    else {
        return Ok(());
    };
    let Some(ward) = world.wards.iter().find(|w| w.org_id == bank.lead_org_id) else {
        return Ok(());
    };
    let day = Utc::now().with_timezone(&London).date_naive() - Duration::days(2);
    let (Some(start), Some(end)) = (
        NaiveTime::from_hms_opt(7, 30, 0),
        NaiveTime::from_hms_opt(20, 0, 0),
    ) else {
        return Ok(());
    };
    let window = ShiftWindow::from_london(day, start, end).map_err(|e| anyhow::anyhow!("{e}"))?;
    let grades = GradeRange::new(worker.staff_group, worker.grade, worker.grade)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let one = Places::new(1).ok_or_else(|| anyhow::anyhow!("places"))?;
    let shift = demo_shift(
        world,
        ward,
        bank.id,
        (worker.staff_group, grades),
        window,
        one,
    )?;
    store.post_shifts(std::slice::from_ref(&shift), &[]).await?;
    let booking = Booking {
        id: BookingId(id()),
        shift_id: shift.id,
        worker_id: worker.id,
        window,
        status: BookingStatus::Active,
        idempotency_key: format!("demo-worked-{}", shift.id),
        created_at: Utc::now(),
        cancellation: None,
    };
    store.book(&booking, &[], None).await?;
    Ok(())
}

/// Posts the shifts and books about a fifth of them; returns (shifts, bookings).
pub(super) async fn seed_shifts(
    store: &dyn Store,
    world: &World,
    workers: &[Worker],
    rng: &mut StdRng,
) -> anyhow::Result<(usize, usize)> {
    let today = Utc::now().with_timezone(&London).date_naive();
    let plan = group_plan();
    let mut shifts = Vec::new();
    for _ in 0..500 {
        let ward = pick(rng, &world.wards)?;
        let trust = world
            .orgs
            .iter()
            .position(|o| o.id == ward.org_id)
            .unwrap_or(0);
        let slot = rng.gen_range(0..100);
        let mut cumulative = 0;
        let mut group = StaffGroup::NursingAndMidwifery;
        let mut grades: &[&str] = &["band_5"];
        for (g, gr, _, share) in &plan {
            cumulative += share;
            if slot < cumulative {
                group = *g;
                grades = gr;
                break;
            }
        }
        let mut sorted: Vec<Grade> = grades.iter().filter_map(|g| Grade::parse(g)).collect();
        sorted.sort();
        let (Some(low), Some(high)) = (sorted.first().copied(), sorted.last().copied()) else {
            continue;
        };
        let ((sh, sm), (eh, em)) = *pick(rng, &PATTERNS)?;
        let date = today + Duration::days(rng.gen_range(1..=28));
        let (Some(start), Some(end)) = (
            NaiveTime::from_hms_opt(sh, sm, 0),
            NaiveTime::from_hms_opt(eh, em, 0),
        ) else {
            continue;
        };
        let Ok(window) = ShiftWindow::from_london(date, start, end) else {
            continue;
        };
        let bank = if rng.gen_bool(0.7) {
            world.own_banks[trust].id
        } else {
            world.collaborative.id
        };
        let grades = GradeRange::new(group, low, high).map_err(|e| anyhow::anyhow!("{e}"))?;
        let places = Places::new(rng.gen_range(1..=3)).ok_or_else(|| anyhow::anyhow!("places"))?;
        shifts.push(demo_shift(
            world,
            ward,
            bank,
            (group, grades),
            window,
            places,
        )?);
    }
    store.post_shifts(&shifts, &[]).await?;
    // Book about a fifth of them with matching workers (other than the demo worker), so bookers
    // see names and some shifts are already filled.
    let mut booked = 0;
    for shift in shifts.iter().step_by(5) {
        let candidates: Vec<&Worker> = workers[1..]
            .iter()
            .filter(|w| {
                w.staff_group == shift.staff_group
                    && shift.grades.contains(w.grade)
                    && shift.schedule().banks().any(|b| w.banks.contains(&b))
            })
            .collect();
        for worker in candidates.choose_multiple(rng, usize::from(shift.places.get())) {
            let booking = Booking {
                id: BookingId(id()),
                shift_id: shift.id,
                worker_id: worker.id,
                window: shift.window,
                status: BookingStatus::Active,
                idempotency_key: format!("demo-{}", shift.id),
                created_at: Utc::now(),
                cancellation: None,
            };
            if store.book(&booking, &[], None).await.is_ok() {
                booked += 1;
            }
        }
    }
    println!(
        "Seeded {} workers, {} shifts and {booked} bookings.",
        workers.len(),
        shifts.len()
    );
    Ok((shifts.len(), booked))
}
