//! The dashboard's read model: triggers mark every change, saved figures are summed per day for
//! the trust, its bank and the platform, and a resaved shift replaces (never adds to) its sums.

use std::sync::Arc;

use chrono::NaiveDate;
use staffbank_domain::insight::Figures;
use staffbank_domain::shift::RULES_ZONE;

use super::World;
use crate::*;

fn row(world: &World, shift: &Shift, day: NaiveDate, places: i64) -> InsightShift {
    InsightShift {
        shift_id: shift.id,
        org_id: shift.org_id,
        bank_id: shift.bank_id,
        day,
        ward_id: shift.ward_id,
        site_id: world.wards[0].site_id,
        staff_group: "nursing_and_midwifery".into(),
        grade: "band_5".into(),
        time_of_day: "day".into(),
        week_part: "weekday".into(),
        figures: Figures {
            shifts: 1,
            places,
            own_bank: 1,
            ..Figures::default()
        },
    }
}

/// Posting and booking mark the shift; saved figures sum into each scope's day; saving the
/// shift again replaces its part of the sums and clears exactly the marks read.
pub async fn insight_marks_changes_and_sums_each_day_once(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    // Whatever the migration and the world's setup marked is not this test's.
    let before = store.insight_dirty(100_000).await.unwrap();
    let ids: Vec<i64> = before.iter().map(|(id, _)| *id).collect();
    store.save_insight(&[], &[], &[], &ids).await.unwrap();

    let worker = world.worker("ida", &[world.banks[0].id]).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 30, 8, 2))
        .await;
    store
        .book(&world.booking(&shift, &worker, "insight-1"), &[], None)
        .await
        .unwrap();
    let marks = store.insight_dirty(100).await.unwrap();
    assert!(marks.len() >= 2, "{marks:?}");
    assert!(marks.iter().all(|(_, s)| *s == shift.id));
    let sources = store.insight_sources(&[shift.id]).await.unwrap();
    assert_eq!(sources.shifts.len(), 1);
    assert_eq!(sources.bookings.len(), 1);
    assert!(sources.bookings[0].own_bank && sources.bookings[0].active);
    assert_eq!(
        sources.ward_sites,
        vec![(world.wards[0].id, world.wards[0].site_id)]
    );

    let day = shift.window.start().with_timezone(&RULES_ZONE).date_naive();
    let done: Vec<i64> = marks.iter().map(|(id, _)| *id).collect();
    for places in [2, 2] {
        let worker_part = InsightWorker {
            shift_id: shift.id,
            org_id: shift.org_id,
            day,
            pseudonym: "w-1".into(),
            booked: 1,
            paid_seconds: 60,
            pay_pence: 100,
        };
        store
            .save_insight(
                &[shift.id],
                &[row(&world, &shift, day, places)],
                &[worker_part],
                &done,
            )
            .await
            .unwrap();
        while store.resum_insight(10).await.unwrap() > 0 {}
    }
    assert!(store.insight_dirty(100).await.unwrap().is_empty());
    for scope in [
        InsightScope::Trust(shift.org_id),
        InsightScope::Bank(shift.bank_id),
        InsightScope::Platform,
    ] {
        let days = store.insight_days(scope, day, day).await.unwrap();
        let all: Vec<_> = days.iter().filter(|d| d.dimension == "all").collect();
        assert_eq!(all.len(), 1, "{scope:?}: {days:?}");
        assert_eq!(all[0].figures.places, 2, "{scope:?}");
        let groups: Vec<_> = days
            .iter()
            .filter(|d| d.dimension == "staff_group")
            .collect();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].value, "nursing_and_midwifery");
    }
    // The other trust sees nothing of it.
    let other = store
        .insight_days(InsightScope::Trust(world.orgs[1].id), day, day)
        .await
        .unwrap();
    assert!(other.is_empty());
    let workers = store
        .insight_workers(shift.org_id, day, day, 10)
        .await
        .unwrap();
    assert_eq!(workers.len(), 1);
    assert_eq!(workers[0].pay_pence, 100);
}
