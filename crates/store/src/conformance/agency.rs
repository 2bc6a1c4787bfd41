//! Agency spend: what a release costs is fixed under the shift's lock, spend is read by the
//! start of the shift, and a trust's cap is kept whole and replaced whole.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use staffbank_domain::agency::Period;

use super::{conflict, label, World};
use crate::*;

fn release(world: &World, rate_pence: Option<i64>) -> AgencyRelease {
    AgencyRelease {
        at: world.now,
        by: world.booker.id,
        reason: label("No bank staff for nights"),
        rate_pence,
        agency_name: Some(label("Medics Direct")),
        cost: None,
        spend_seen: None,
    }
}

/// A release's cost is its rate for the shift's hours and unfilled places; spend is read per
/// trust by start time; caps round-trip and are replaced.
pub async fn agency_spend_is_fixed_at_release_and_caps_round_trip(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("agnes", &[world.banks[0].id]).await;
    // 12 hours, 3 places, one taken: the release covers 2 places at £65.01 an hour.
    let shift = world
        .post(world.shift(0, world.banks[0].id, 30, 12, 3))
        .await;
    store
        .book(&world.booking(&shift, &worker, "agency-1"), &[], None)
        .await
        .unwrap();
    store
        .release_to_agency(shift.id, &release(&world, Some(6_501)), &[])
        .await
        .unwrap();
    let read = store
        .shift(shift.id)
        .await
        .unwrap()
        .unwrap()
        .agency
        .unwrap();
    assert_eq!(read.rate_pence, Some(6_501));
    assert_eq!(read.agency_name, Some(label("Medics Direct")));
    assert_eq!(
        read.cost,
        Some(AgencyCost {
            places: 2,
            spend_pence: 6_501 * 12 * 2
        })
    );

    // Another trust's release, and one of this trust's outside the window, are not counted.
    let other = world
        .post(world.shift(1, world.banks[1].id, 30, 8, 1))
        .await;
    store
        .release_to_agency(other.id, &release(&world, Some(9_000)), &[])
        .await
        .unwrap();
    let later = world
        .post(world.shift(0, world.banks[0].id, 200, 8, 1))
        .await;
    store
        .release_to_agency(later.id, &release(&world, Some(5_000)), &[])
        .await
        .unwrap();
    let fills = store
        .agency_fills(
            world.orgs[0].id,
            world.now,
            world.now + Duration::hours(100),
        )
        .await
        .unwrap();
    assert_eq!(
        fills,
        vec![AgencyFill {
            shift_id: shift.id,
            ward_id: shift.ward_id,
            staff_group: shift.staff_group,
            starts_at: shift.window.start(),
            spend_pence: 6_501 * 24,
        }]
    );

    // A release judged on a spend that has changed since is refused and changes nothing; judged
    // on the spend as it is, it is recorded.
    let third = world
        .post(world.shift(0, world.banks[0].id, 40, 8, 1))
        .await;
    let seen = |pence| SpendSeen {
        org: world.orgs[0].id,
        from: world.now,
        to: world.now + Duration::hours(100),
        pence,
    };
    let judged = |pence| AgencyRelease {
        spend_seen: Some(seen(pence)),
        ..release(&world, Some(4_000))
    };
    assert_eq!(
        conflict(store.release_to_agency(third.id, &judged(0), &[]).await),
        Conflict::AgencySpendChanged
    );
    assert_eq!(store.shift(third.id).await.unwrap().unwrap().agency, None);
    store
        .release_to_agency(third.id, &judged(6_501 * 24), &[])
        .await
        .unwrap();
    assert!(store
        .shift(third.id)
        .await
        .unwrap()
        .unwrap()
        .agency
        .is_some());

    // Caps: none, then set, then replaced whole.
    let org = world.orgs[0].id;
    assert_eq!(store.agency_cap(org).await.unwrap(), None);
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let mut cap = AgencyCap {
        period: Period::new(day(4, 1), day(9, 30)).unwrap(),
        cap_pence: Some(1_000_000),
        baseline: None,
        set_by: world.booker.id,
        set_at: world.now,
    };
    store.set_agency_cap(org, &cap, &[]).await.unwrap();
    assert_eq!(store.agency_cap(org).await.unwrap(), Some(cap.clone()));
    cap.cap_pence = None;
    cap.baseline = Some(Period::new(day(1, 1), day(3, 31)).unwrap());
    store.set_agency_cap(org, &cap, &[]).await.unwrap();
    assert_eq!(store.agency_cap(org).await.unwrap(), Some(cap));
    assert_eq!(store.agency_cap(world.orgs[1].id).await.unwrap(), None);
}
