//! Conformance cases for credentials, release policies, tiers, preferences and break glass.

use std::sync::Arc;

use chrono::Duration;
use staffbank_domain::availability::Availability;
use staffbank_domain::credential::{CredentialKind, CredentialStatus, DbsLevel};
use staffbank_domain::pay::Premium;
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::release::{ReleasePolicy, Tier};
use staffbank_domain::*;

use super::{conflict, label, new_id, World};
use crate::*;

/// Credentials read back as written, newest first; revoking happens once and keeps the facts.
pub async fn credentials_are_recorded_then_only_revoked(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Asha", &[world.banks[0].id]).await;
    let mut recorded = Vec::new();
    for (i, kind) in [CredentialKind::RightToWork, CredentialKind::DbsCheck]
        .into_iter()
        .enumerate()
    {
        let credential = Credential {
            id: CredentialId(new_id()),
            worker_id: worker.id,
            kind,
            dbs_level: (kind == CredentialKind::DbsCheck).then_some(DbsLevel::Enhanced),
            issuer_org_id: world.orgs[0].id,
            valid_from: world.now - Duration::days(10),
            valid_until: (i == 0).then_some(world.now + Duration::days(90)),
            status: CredentialStatus::Active,
            revoked_at: None,
            recorded_by: world.booker.id,
            recorded_at: world.now + Duration::minutes(i as i64),
        };
        store.record_credential(&credential, &[]).await.unwrap();
        recorded.push(credential);
    }
    let listed = store.credentials_of(worker.id).await.unwrap();
    assert_eq!(listed, vec![recorded[1].clone(), recorded[0].clone()]);

    let at = world.now + Duration::hours(1);
    let reason = label("Certificate withdrawn");
    let revoked = store
        .revoke_credential(recorded[1].id, world.booker.id, &reason, at, &[])
        .await
        .unwrap();
    assert_eq!(revoked.status, CredentialStatus::Revoked);
    assert_eq!(revoked.revoked_at, Some(at));
    assert_eq!(revoked.valid_from, recorded[1].valid_from);
    assert_eq!(
        conflict(
            store
                .revoke_credential(recorded[1].id, world.booker.id, &reason, at, &[])
                .await
        ),
        Conflict::AlreadyRevoked
    );
    assert!(matches!(
        store
            .revoke_credential(CredentialId(new_id()), world.booker.id, &reason, at, &[])
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.credential(recorded[1].id).await.unwrap(),
        Some(revoked.clone())
    );

    // Read beside a shift, as a booking reads them: the same credentials, and a worker with none
    // still gets the shift.
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 8, 1))
        .await;
    let context = store
        .booking_context(shift.id, worker.id, "first")
        .await
        .unwrap()
        .unwrap();
    let expected = BookingContext {
        shift: shift.clone(),
        credentials: vec![revoked, recorded[0].clone()],
        key_booking: None,
    };
    assert_eq!(context, expected);
    let newcomer = world.worker("Bea", &[world.banks[0].id]).await;
    let context = store
        .booking_context(shift.id, newcomer.id, "first")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (context.shift, context.credentials),
        (shift.clone(), vec![])
    );
    assert_eq!(
        store
            .booking_context(ShiftId(new_id()), worker.id, "first")
            .await
            .unwrap(),
        None
    );
    // A key already used finds its booking, whichever shift is asked about; another key does not.
    let made = store
        .book(&world.booking(&shift, &worker, "first"), &[], None)
        .await
        .unwrap();
    let other = world
        .post(world.shift(0, world.banks[0].id, 72, 8, 1))
        .await;
    for asked in [shift.id, other.id] {
        let context = store
            .booking_context(asked, worker.id, "first")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(context.key_booking, Some(made.booking.id));
    }
    let context = store
        .booking_context(shift.id, worker.id, "second")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(context.shift.booked, 1);
    assert_eq!(context.key_booking, None);
    assert_eq!(
        store
            .booking_context(shift.id, newcomer.id, "first")
            .await
            .unwrap()
            .unwrap()
            .key_booking,
        None
    );

    // Read from a session token, the caller and the context come together, exactly as read
    // apart; a booker gets no context, and an expired or unknown session nothing at all.
    let session = |user, token: &str| Session {
        token_hash: token.repeat(32),
        user_id: user,
        csrf_token: "csrf".into(),
        expires_at: world.now + Duration::hours(1),
        absolute_expires_at: None,
    };
    let worker_session = session(worker.user_id, "a1");
    let booker_session = session(world.booker.id, "b2");
    for s in [&worker_session, &booker_session] {
        store.create_session(s).await.unwrap();
    }
    // Every read below is at `now` with the key "first".
    let now = world.now;
    let read = |token: &str, shift| {
        let (store, token) = (store.clone(), token.to_owned());
        async move {
            store
                .signed_in_to_book(&token, now, shift, "first")
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (worker_token, booker_token) = (&worker_session.token_hash, &booker_session.token_hash);

    // The caller's data key comes with the context once they have one, and goes once erased.
    let user = worker.user_id.0;
    assert_eq!(read(worker_token, shift.id).await.wrapped_key, None);
    store
        .create_person_key(user, b"wrapped key", world.now)
        .await
        .unwrap();
    assert_eq!(
        read(worker_token, shift.id).await.wrapped_key,
        Some(b"wrapped key".to_vec())
    );
    assert_eq!(
        read(worker_token, ShiftId(new_id())).await.wrapped_key,
        None
    );
    store
        .create_person_key(world.booker.id.0, b"booker's key", world.now)
        .await
        .unwrap();
    assert_eq!(read(booker_token, shift.id).await.wrapped_key, None);

    let SignedInToBook {
        signed_in: who,
        context,
        ..
    } = read(worker_token, shift.id).await;
    let apart = store.signed_in(worker_token, now).await.unwrap().unwrap();
    assert_eq!(
        (who.session, who.user, who.worker),
        (apart.session, apart.user, apart.worker)
    );
    assert_eq!(
        context,
        store
            .booking_context(shift.id, worker.id, "first")
            .await
            .unwrap()
    );
    assert!(context.is_some_and(|c| c.credentials.len() == 2));
    assert_eq!(read(worker_token, ShiftId(new_id())).await.context, None);
    let SignedInToBook {
        signed_in: who,
        context,
        ..
    } = read(booker_token, shift.id).await;
    assert_eq!(
        (who.user, who.worker, context),
        (world.booker.clone(), None, None)
    );
    let later = world.now + Duration::hours(2);
    for (token, at) in [
        (&worker_session.token_hash, later),
        (&"c3".repeat(32), world.now),
    ] {
        assert!(store
            .signed_in_to_book(token, at, shift.id, "first")
            .await
            .unwrap()
            .is_none());
    }

    // Erasure destroys the key and ends the person's sign-in; it happens once.
    store
        .erase_person_key(user, "erasure request", world.now, &[])
        .await
        .unwrap();
    let key = store.person_key(user).await.unwrap().unwrap();
    assert_eq!(key.wrapped, None);
    assert!(store
        .signed_in_to_book(worker_token, now, shift.id, "first")
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store.erase_person_key(user, "again", world.now, &[]).await,
        Err(crate::StoreError::Conflict(crate::Conflict::AlreadyErased))
    ));
}

/// Policies, tiers, preferences, booking modes, release schedules, break glass and premiums
/// round-trip.
pub async fn release_settings_round_trip(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let org = world.orgs[0].id;
    assert_eq!(store.release_policy(org).await.unwrap(), None);
    let policy = ReleasePolicy {
        horizon: Duration::days(14),
        priority_window: Duration::minutes(90),
        ..ReleasePolicy::default()
    };
    store.set_release_policy(org, &policy, &[]).await.unwrap();
    store.set_release_policy(org, &policy, &[]).await.unwrap();
    assert_eq!(store.release_policy(org).await.unwrap(), Some(policy));

    let worker = world.worker("Bo", &[world.banks[0].id]).await;
    store
        .set_tier(worker.id, world.banks[0].id, Some(Tier::Core), &[])
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_tier(worker.id, world.banks[1].id, Some(Tier::Silver), &[])
            .await,
        Err(StoreError::NotFound)
    ));
    // A change made on an older reading of the tier changes nothing and records nothing.
    let stale = super::audit("worker.tier", Some(worker.user_id.0), world.now);
    let from_none = store
        .change_tier(
            worker.id,
            world.banks[0].id,
            None,
            None,
            std::slice::from_ref(&stale),
        )
        .await
        .unwrap();
    assert!(!from_none, "the member is on the core tier, not none");
    assert_eq!(store.entry(stale.id).await.unwrap(), None);
    let lapse = super::audit("worker.tier", Some(worker.user_id.0), world.now);
    let lapsed = store
        .change_tier(
            worker.id,
            world.banks[0].id,
            Some(Tier::Core),
            None,
            std::slice::from_ref(&lapse),
        )
        .await
        .unwrap();
    assert!(lapsed);
    assert!(store.entry(lapse.id).await.unwrap().is_some());
    assert!(store
        .worker(worker.id)
        .await
        .unwrap()
        .unwrap()
        .tiered
        .is_empty());
    let again = super::audit("worker.tier", Some(worker.user_id.0), world.now);
    let twice = store
        .change_tier(
            worker.id,
            world.banks[0].id,
            Some(Tier::Core),
            None,
            std::slice::from_ref(&again),
        )
        .await
        .unwrap();
    assert!(!twice, "a second count on the same reading changes nothing");
    assert_eq!(store.entry(again.id).await.unwrap(), None);
    let regained = store
        .change_tier(worker.id, world.banks[0].id, None, Some(Tier::Core), &[])
        .await
        .unwrap();
    assert!(regained);
    assert_eq!(
        store.availability(worker.id).await.unwrap(),
        Availability::default(),
        "available every day until they say otherwise"
    );
    let weekends = Availability::new(
        [chrono::Weekday::Sat, chrono::Weekday::Sun],
        [chrono::NaiveDate::from_ymd_opt(2026, 12, 26).unwrap()],
    )
    .unwrap();
    for _ in 0..2 {
        store
            .set_preferences(worker.id, Some(25.0), ShiftTimes::Nights, &weekends, &[])
            .await
            .unwrap();
    }
    let read = store.worker(worker.id).await.unwrap().unwrap();
    assert_eq!(read.tiered, vec![world.banks[0].id]);
    assert_eq!(
        (read.max_travel_km, read.shift_times),
        (Some(25.0), ShiftTimes::Nights)
    );
    assert_eq!(store.availability(worker.id).await.unwrap(), weekends);
    assert_eq!(
        store.availabilities(&[worker.id]).await.unwrap(),
        vec![(worker.id, weekends)]
    );

    // A ward's booking mode reaches its open shifts not yet started, and nothing else.
    let ahead = world
        .post(world.shift(0, world.banks[0].id, 30, 8, 1))
        .await;
    let mut started = world.shift(0, world.banks[0].id, 1, 8, 1);
    started.window = ShiftWindow::new(
        world.now - Duration::hours(1),
        world.now + Duration::hours(7),
    )
    .unwrap();
    let started = world.post(started).await;
    let elsewhere = world
        .post(world.shift(1, world.banks[1].id, 30, 8, 1))
        .await;
    let mode = |shift: ShiftId| {
        let store = store.clone();
        async move { store.shift(shift).await.unwrap().unwrap().booking_mode }
    };
    use staffbank_domain::booking::BookingMode::{Instant, Request};
    for instant in [false, true, false] {
        store
            .set_instant_booking(world.wards[0].id, instant, world.now, &[])
            .await
            .unwrap();
        assert_eq!(
            store
                .ward(world.wards[0].id)
                .await
                .unwrap()
                .unwrap()
                .instant_booking,
            instant
        );
        let expected = if instant { Instant } else { Request };
        assert_eq!(
            (
                mode(ahead.id).await,
                mode(started.id).await,
                mode(elsewhere.id).await
            ),
            (expected, Instant, Instant)
        );
    }
    assert!(matches!(
        store
            .set_instant_booking(WardId(new_id()), true, world.now, &[])
            .await,
        Err(StoreError::NotFound)
    ));

    let mut shift = world.shift(0, world.banks[0].id, 48, 12, 1);
    shift.collaborative = Some((world.banks[2].id, world.now + Duration::hours(24)));
    shift.booking_mode = staffbank_domain::booking::BookingMode::Request;
    let posted = world.post(shift.clone()).await;
    assert_eq!(posted, shift);
    let release = AgencyRelease {
        at: world.now,
        by: world.booker.id,
        reason: label("No bank staff available for ITU"),
        rate_pence: Some(7_250),
        agency_name: None,
        cost: None,
        spend_seen: None,
    };
    store
        .release_to_agency(shift.id, &release, &[])
        .await
        .unwrap();
    assert_eq!(
        store.shift(shift.id).await.unwrap().unwrap().agency,
        Some(AgencyRelease {
            cost: Some(AgencyCost {
                places: 1,
                spend_pence: 7_250 * 12
            }),
            ..release.clone()
        })
    );
    assert_eq!(
        conflict(store.release_to_agency(shift.id, &release, &[]).await),
        Conflict::AlreadyAtAgency
    );
    // A shift whose places were taken after the caller read it is judged under the write.
    let filled = world
        .post(world.shift(0, world.banks[0].id, 60, 8, 1))
        .await;
    store
        .book(&world.booking(&filled, &worker, "filled"), &[], None)
        .await
        .unwrap();
    assert_eq!(
        conflict(store.release_to_agency(filled.id, &release, &[]).await),
        Conflict::ShiftFull
    );
    assert_eq!(store.shift(filled.id).await.unwrap().unwrap().agency, None);

    // A premium is posted with the shift and only ever rises, with its break-glass reason.
    let mut premium_shift = world.shift(0, world.banks[0].id, 72, 8, 1);
    premium_shift.premium = Premium {
        percent: 20,
        override_reason: None,
        cap: Some(35),
    };
    assert_eq!(world.post(premium_shift.clone()).await, premium_shift);
    let raised = Premium {
        percent: 50,
        override_reason: Some(label("ICU short of two nurses")),
        cap: Some(30),
    };
    store
        .raise_premium(premium_shift.id, &raised, &[])
        .await
        .unwrap();
    let read = store.shift(premium_shift.id).await.unwrap().unwrap();
    assert_eq!(read.premium, raised);
    for lower in [50, 30] {
        let lower = Premium {
            percent: lower,
            override_reason: None,
            cap: Some(60),
        };
        assert_eq!(
            conflict(store.raise_premium(premium_shift.id, &lower, &[]).await),
            Conflict::PremiumNotRaised
        );
    }
    assert_eq!(
        store
            .shift(premium_shift.id)
            .await
            .unwrap()
            .unwrap()
            .premium,
        raised,
        "a refused change leaves it as it was"
    );
    assert!(matches!(
        store.raise_premium(ShiftId(new_id()), &raised, &[]).await,
        Err(StoreError::NotFound)
    ));
}

fn request(world: &World, shift: &Shift, worker: &Worker, key: &str) -> BookingRequest {
    BookingRequest {
        id: RequestId(new_id()),
        shift_id: shift.id,
        worker_id: worker.id,
        status: RequestStatus::Pending,
        idempotency_key: key.to_owned(),
        created_at: world.now,
        decided: None,
        booking_id: None,
    }
}

/// Requests replay by key, one pending per worker and shift, and are decided once.
pub async fn requests_are_made_once_and_decided_once(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 8, 2))
        .await;
    let asha = world.worker("Asha", &[world.banks[0].id]).await;
    let made = request(&world, &shift, &asha, "r1");
    let first = store.request_booking(&made, &[]).await.unwrap();
    assert!(!first.replayed);
    let again = store.request_booking(&made, &[]).await.unwrap();
    assert_eq!((again.replayed, again.request), (true, made.clone()));
    assert_eq!(
        conflict(
            store
                .request_booking(&request(&world, &shift, &asha, "r2"), &[])
                .await
        ),
        Conflict::AlreadyRequested
    );
    assert_eq!(
        store.pending_requests(shift.org_id).await.unwrap(),
        vec![made.clone()]
    );
    let decline = Decision::Decline {
        by: world.booker.id,
        at: world.now,
    };
    let declined = store
        .decide_request(made.id, &decline, &[], None)
        .await
        .unwrap();
    assert_eq!(declined.status, RequestStatus::Declined);
    assert_eq!(declined.decided, Some((world.now, world.booker.id)));
    assert_eq!(
        conflict(store.decide_request(made.id, &decline, &[], None).await),
        Conflict::RequestDecided
    );
    assert_eq!(store.pending_requests(shift.org_id).await.unwrap(), vec![]);
    // Asked again and withdrawn by the worker: no longer pending, and withdrawn once only.
    let withdrawn = request(&world, &shift, &asha, "r-withdrawn");
    store.request_booking(&withdrawn, &[]).await.unwrap();
    let withdraw = Decision::Withdraw {
        by: asha.user_id,
        at: world.now,
    };
    let gone = store
        .decide_request(withdrawn.id, &withdraw, &[], None)
        .await
        .unwrap();
    assert_eq!(gone.status, RequestStatus::Withdrawn);
    assert_eq!(gone.booking_id, None);
    assert_eq!(
        conflict(
            store
                .decide_request(withdrawn.id, &withdraw, &[], None)
                .await
        ),
        Conflict::RequestDecided
    );
    assert_eq!(store.pending_requests(shift.org_id).await.unwrap(), vec![]);
    // Declined or withdrawn, the worker may ask again.
    let second = request(&world, &shift, &asha, "r3");
    store.request_booking(&second, &[]).await.unwrap();
    let approve = Decision::Approve {
        booking: world.booking(&shift, &asha, "approved-r3"),
        by: world.booker.id,
        at: world.now,
    };
    let approved = store
        .decide_request(second.id, &approve, &[], None)
        .await
        .unwrap();
    assert_eq!(approved.status, RequestStatus::Approved);
    assert_eq!(store.shift(shift.id).await.unwrap().unwrap().booked, 1);
    assert_eq!(store.requests_of_worker(asha.id).await.unwrap().len(), 3);
}

/// An approval and an instant booking racing for the last place: exactly one wins, every round.
pub async fn approval_and_instant_booking_never_share_the_last_place(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    for round in 0..10 {
        let shift = world
            .post(world.shift(0, world.banks[0].id, 24 + round * 24, 8, 1))
            .await;
        let asker = world
            .worker(&format!("Asker{round}"), &[world.banks[0].id])
            .await;
        let booker = world
            .worker(&format!("Booker{round}"), &[world.banks[0].id])
            .await;
        let asked = request(&world, &shift, &asker, "r");
        store.request_booking(&asked, &[]).await.unwrap();
        let approve = Decision::Approve {
            booking: world.booking(&shift, &asker, "approved"),
            by: world.booker.id,
            at: world.now,
        };
        let instant = world.booking(&shift, &booker, "instant");
        let (a, b) = tokio::join!(
            store.decide_request(asked.id, &approve, &[], None),
            store.book(&instant, &[], None)
        );
        let wins = usize::from(a.is_ok()) + usize::from(b.is_ok());
        assert_eq!(wins, 1, "round {round}: {a:?} / {b:?}");
        let approval_won = a.is_ok();
        let loser = if approval_won {
            conflict(b)
        } else {
            conflict(a)
        };
        assert_eq!(loser, Conflict::ShiftFull);
        assert_eq!(store.shift(shift.id).await.unwrap().unwrap().booked, 1);
        let approved = store
            .booking_request(asked.id)
            .await
            .unwrap()
            .unwrap()
            .status;
        assert_eq!(approved == RequestStatus::Approved, approval_won);
    }
}

/// The reads matching runs on: shifts a worker may book now (not full, not started, released to
/// their bank), the wards they worked, their bookings, and a shift's candidate pool with
/// continuity and the period's minutes, all for the same facts on every backend.
pub async fn matching_reads_agree_on_the_same_facts(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let bank = world.banks[0].id;
    let asha = world.worker("Asha", &[bank]).await;
    let ben = world.worker("Ben", &[bank]).await;
    let outsider = world.worker("Cara", &[world.banks[1].id]).await;
    // Asha worked an 8-hour shift on ward A that ended two days ago.
    let past = world.post(world.shift(0, bank, -56, 8, 1)).await;
    store
        .book(&world.booking(&past, &asha, "past"), &[], None)
        .await
        .unwrap();
    let open = world.post(world.shift(0, bank, 24, 8, 2)).await;
    let full = world.post(world.shift(0, bank, 48, 8, 1)).await;
    store
        .book(&world.booking(&full, &ben, "full"), &[], None)
        .await
        .unwrap();
    let started = world.post(world.shift(0, bank, -1, 8, 2)).await;
    let elsewhere = world
        .post(world.shift(1, world.banks[1].id, 24, 8, 2))
        .await;

    let query = MatchQuery {
        banks: vec![bank],
        staff_group: asha.staff_group,
        grade: asha.grade,
        now: world.now,
        limit: 10,
    };
    let seen: Vec<ShiftId> = store
        .matchable_shifts(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.shift.id)
        .collect();
    assert_eq!(
        seen,
        vec![open.id],
        "not {:?}",
        [full.id, started.id, elsewhere.id]
    );

    assert_eq!(
        store.wards_worked(asha.id, world.now).await.unwrap(),
        vec![world.wards[0].id]
    );
    assert_eq!(
        store
            .wards_worked(asha.id, past.window.start())
            .await
            .unwrap(),
        vec![]
    );
    let worked = store
        .worked_by_workers(&[asha.id, ben.id], world.now - Duration::days(7), world.now)
        .await
        .unwrap();
    assert_eq!(worked.len(), 1);
    assert_eq!(worked[0].0, asha.id);
    assert_eq!(worked[0].1.window, past.window);

    let pool = store
        .candidate_pool(&PoolQuery {
            banks: vec![bank],
            staff_group: asha.staff_group,
            grades: vec![asha.grade],
            ward: world.wards[0].id,
            now: world.now,
            from: world.now - Duration::days(7),
            to: world.now + Duration::days(7),
        })
        .await
        .unwrap();
    let mut members: Vec<(WorkerId, bool, i64)> = pool
        .iter()
        .map(|m| (m.worker.id, m.worked_ward, m.minutes_in_period))
        .collect();
    members.sort();
    let mut expected = vec![(asha.id, true, 8 * 60), (ben.id, false, 8 * 60)];
    expected.sort();
    assert_eq!(members, expected);
    assert!(pool.iter().all(|m| m.worker.id != outsider.id));
    assert!(pool.iter().all(|m| m.worker.banks == vec![bank]));
}
