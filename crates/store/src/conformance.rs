//! The behaviour every [`Store`] backend must show. Each backend's tests run every case here against
//! a fresh database of its own through [`crate::conformance_suite!`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use staffbank_domain::booking::{BookingStatus, CancelledBy};
use staffbank_domain::org::{BankKind, OdsCode, OrgKind};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::text::{Email, Label};
use staffbank_domain::worker::{GeoPoint, Skill};
use staffbank_domain::*;
use uuid::Uuid;

use crate::*;

mod agency;
mod directory;
mod events;
mod insight;
mod issuers;
mod matching;
mod notify;
mod offers;
mod push;
mod timesheets;
pub use agency::*;
pub use directory::*;
pub use events::*;
pub use insight::*;
pub use issuers::*;
pub use matching::*;
pub use notify::*;
pub use offers::*;
pub use push::*;
pub use timesheets::*;

/// Generates one `#[tokio::test]` per conformance case for a backend. `$make` is an async function
/// returning a fresh, migrated `Arc<dyn Store>`.
#[macro_export]
macro_rules! conformance_suite {
    ($make:path) => {
        $crate::conformance_suite!(@cases $make;
            organisations_round_trip_and_ods_codes_are_unique,
            wards_are_renamed_and_moved_only_within_their_trust,
            users_grants_and_sessions_round_trip,
            workers_join_banks_once,
            posting_is_all_or_nothing,
            open_shifts_show_only_what_a_worker_may_book,
            open_shifts_page_by_start_time,
            places_are_never_exceeded_under_concurrency,
            a_rush_over_many_shifts_takes_every_place_once,
            a_failed_booking_among_simultaneous_ones_takes_nothing_else_with_it,
            a_worker_never_holds_overlapping_bookings_across_trusts,
            back_to_back_bookings_are_allowed,
            idempotency_keys_replay_and_refuse_reuse,
            cancelling_releases_the_place_at_once,
            cancelled_shifts_cannot_be_booked,
            audit_entries_are_written_with_their_change_only,
            sequencing_appends_leaves_subtrees_and_heads,
            one_sequencer_holds_the_lease,
            person_keys_are_kept_once_and_erased,
            worked_time_counts_every_trust_and_opt_outs_are_kept,
            simultaneous_bookings_never_break_working_time_together,
            credentials_are_recorded_then_only_revoked,
            release_settings_round_trip,
            agency_spend_is_fixed_at_release_and_caps_round_trip,
            insight_marks_changes_and_sums_each_day_once,
            requests_are_made_once_and_decided_once,
            approval_and_instant_booking_never_share_the_last_place,
            matching_reads_agree_on_the_same_facts,
            offer_rounds_are_claimed_once_and_a_freed_place_falls_due,
            deliveries_fan_out_once_lease_keep_order_and_dead_letter,
            issuer_keys_rotate_and_trust_is_kept,
            passport_offers_are_decided_once_and_revocation_is_final,
            presentation_requests_are_answered_once,
            refresher_periods_are_replaced_whole,
            timesheets_are_decided_once_and_paid_once,
            pay_runs_take_each_line_once_and_advances_keep_their_share,
            sign_ons_and_escalations_happen_once,
            workers_are_found_by_name_email_or_registration,
            the_feed_follows_the_ledger_and_cursors_keep_their_place,
            webhooks_belong_to_their_trust_and_advance_once,
            oidc_attempts_are_taken_once_and_membership_is_per_organisation,
            push_subscriptions_are_one_per_browser_and_their_workers_own,
            refused_sign_ins_are_counted_cleared_and_pruned
        );
    };
    (@cases $make:path; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let store = $make().await;
                $crate::conformance::$case(store).await;
            }
        )*
    };
}

mod oidc;
pub use oidc::oidc_attempts_are_taken_once_and_membership_is_per_organisation;
mod sign_in_guard;
pub use sign_in_guard::refused_sign_ins_are_counted_cleared_and_pruned;

/// A small world: two trusts in one collaborative bank, each with its own bank and a ward.
pub struct World {
    /// The store under test.
    pub store: Arc<dyn Store>,
    /// Trust A, B.
    pub orgs: [Organisation; 2],
    /// A ward at each trust.
    pub wards: [Ward; 2],
    /// Own banks of A and B, then the collaborative bank.
    pub banks: [Bank; 3],
    /// A booker at trust A.
    pub booker: User,
    /// "Now" for the test.
    pub now: DateTime<Utc>,
}

fn label(s: &str) -> Label {
    Label::parse(s, 200).unwrap()
}

fn new_id() -> Uuid {
    Uuid::new_v4()
}

impl World {
    /// Builds the world in `store`.
    pub async fn new(store: Arc<dyn Store>) -> Self {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
        let mut orgs = Vec::new();
        let mut wards = Vec::new();
        let mut banks = Vec::new();
        for code in ["RXL", "RXN"] {
            let org = Organisation {
                id: OrgId(new_id()),
                ods_code: OdsCode::parse(code).unwrap(),
                name: label(&format!("Trust {code}")),
                kind: OrgKind::Trust,
            };
            store.create_organisation(&org, &[]).await.unwrap();
            let site = Site {
                id: SiteId(new_id()),
                org_id: org.id,
                name: label("General Hospital"),
                location: GeoPoint::new(53.8, -2.7).unwrap(),
            };
            store.create_site(&site, &[]).await.unwrap();
            let ward = Ward {
                id: WardId(new_id()),
                site_id: site.id,
                org_id: org.id,
                name: label("Ward 1"),
                instant_booking: true,
            };
            store.create_ward(&ward, &[]).await.unwrap();
            let bank = Bank {
                id: BankId(new_id()),
                name: label(&format!("{code} bank")),
                kind: BankKind::Own,
                lead_org_id: org.id,
                member_orgs: vec![org.id],
            };
            store.create_bank(&bank, &[]).await.unwrap();
            orgs.push(org);
            wards.push(ward);
            banks.push(bank);
        }
        let collaborative = Bank {
            id: BankId(new_id()),
            name: label("Collaborative bank"),
            kind: BankKind::Collaborative,
            lead_org_id: orgs[0].id,
            member_orgs: vec![orgs[0].id, orgs[1].id],
        };
        store.create_bank(&collaborative, &[]).await.unwrap();
        banks.push(collaborative);
        let booker = user(
            "booker@a.test",
            vec![Grant {
                role: Role::Booker,
                scope: Scope::Organisation(orgs[0].id),
            }],
            now,
        );
        store.create_user(&booker, &[]).await.unwrap();
        Self {
            store,
            orgs: [orgs[0].clone(), orgs[1].clone()],
            wards: [wards[0].clone(), wards[1].clone()],
            banks: [banks[0].clone(), banks[1].clone(), banks[2].clone()],
            booker,
            now,
        }
    }

    /// Registers a band 5 nurse who is a member of `banks`.
    pub async fn worker(&self, name: &str, banks: &[BankId]) -> Worker {
        let account = user(
            &format!("{name}-{}@workers.test", new_id()),
            vec![],
            self.now,
        );
        let worker = Worker {
            id: WorkerId(new_id()),
            user_id: account.id,
            display_name: label(name),
            staff_group: StaffGroup::NursingAndMidwifery,
            grade: Grade::parse("band_5").unwrap(),
            pay_point: 1,
            skills: Skill::parse_list(&["iv_therapy"]).unwrap(),
            home: None,
            banks: vec![],
            weekly_limit_opt_out: false,
            tiered: vec![],
            max_travel_km: None,
            shift_times: staffbank_domain::ranking::ShiftTimes::Any,
        };
        self.store
            .register_worker(&account, &worker, &[])
            .await
            .unwrap();
        for bank in banks {
            self.store
                .join_bank(worker.id, *bank, self.now, &[])
                .await
                .unwrap();
        }
        self.store.worker(worker.id).await.unwrap().unwrap()
    }

    /// A band 5 to 6 nursing shift at trust `org` (0 or 1) posted to `bank`, starting `hours` after
    /// now and lasting `length` hours.
    pub fn shift(&self, org: usize, bank: BankId, hours: i64, length: i64, places: i64) -> Shift {
        let start = self.now + Duration::hours(hours);
        let group = StaffGroup::NursingAndMidwifery;
        Shift {
            id: ShiftId(new_id()),
            org_id: self.orgs[org].id,
            ward_id: self.wards[org].id,
            bank_id: bank,
            role: label("Staff nurse"),
            staff_group: group,
            grades: GradeRange::new(
                group,
                Grade::parse("band_5").unwrap(),
                Grade::parse("band_6").unwrap(),
            )
            .unwrap(),
            required_skills: vec![],
            window: ShiftWindow::new(start, start + Duration::hours(length)).unwrap(),
            places: Places::new(places).unwrap(),
            booked: 0,
            status: ShiftStatus::Open,
            posted_by: self.booker.id,
            created_at: self.now,
            required_credentials: staffbank_domain::credential::default_requirements(group),
            released_at: self.now,
            collaborative: None,
            priority_window: Duration::hours(2),
            booking_mode: staffbank_domain::booking::BookingMode::Instant,
            cancellation_notice: Duration::hours(48),
            agency: None,
            premium: Default::default(),
        }
    }

    /// Posts one shift and returns it as stored.
    pub async fn post(&self, shift: Shift) -> Shift {
        self.store
            .post_shifts(std::slice::from_ref(&shift), &[])
            .await
            .unwrap();
        self.store.shift(shift.id).await.unwrap().unwrap()
    }

    /// A new booking request.
    pub fn booking(&self, shift: &Shift, worker: &Worker, key: &str) -> Booking {
        Booking {
            id: BookingId(new_id()),
            shift_id: shift.id,
            worker_id: worker.id,
            window: shift.window,
            status: BookingStatus::Active,
            idempotency_key: key.to_owned(),
            created_at: self.now,
            cancellation: None,
        }
    }

    /// The open-shift query for a worker at now.
    pub fn query(&self, worker: &Worker, limit: u32) -> OpenShiftQuery {
        OpenShiftQuery {
            worker_id: worker.id,
            banks: worker.banks.clone(),
            staff_group: worker.staff_group,
            grade: worker.grade,
            starts_after: self.now,
            page: Page { limit, after: None },
        }
    }
}

fn user(email: &str, grants: Vec<Grant>, now: DateTime<Utc>) -> User {
    User {
        id: UserId(new_id()),
        email: Email::parse(email).unwrap(),
        display_name: label("Test User"),
        password_hash: Some("$argon2id$test".into()),
        grants,
        created_at: now,
    }
}

fn conflict<T: std::fmt::Debug>(result: Result<T, StoreError>) -> Conflict {
    match result {
        Err(StoreError::Conflict(c)) => c,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// Organisations read back as written, and an ODS code is used once.
pub async fn organisations_round_trip_and_ods_codes_are_unique(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let read = store.organisation(world.orgs[0].id).await.unwrap();
    assert_eq!(read.as_ref(), Some(&world.orgs[0]));
    let mut dup = world.orgs[0].clone();
    dup.id = OrgId(new_id());
    assert_eq!(
        conflict(store.create_organisation(&dup, &[]).await),
        Conflict::OdsCodeTaken
    );
    assert_eq!(store.organisations().await.unwrap().len(), 2);
    let bank = store.bank(world.banks[2].id).await.unwrap().unwrap();
    assert_eq!(bank.kind, BankKind::Collaborative);
    let mut members = bank.member_orgs.clone();
    members.sort();
    let mut expected = vec![world.orgs[0].id, world.orgs[1].id];
    expected.sort();
    assert_eq!(members, expected);
    assert_eq!(
        store.wards(world.orgs[1].id).await.unwrap(),
        vec![world.wards[1].clone()]
    );
    let mut orphan = world.wards[0].clone();
    orphan.id = WardId(new_id());
    orphan.site_id = SiteId(new_id());
    assert_eq!(
        conflict(store.create_ward(&orphan, &[]).await),
        Conflict::MissingReference
    );
}

/// A ward is renamed and moved to another site of its trust, never to another trust's site, and
/// a refused change changes nothing.
pub async fn wards_are_renamed_and_moved_only_within_their_trust(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let site = Site {
        id: SiteId(new_id()),
        org_id: world.orgs[0].id,
        name: label("Clifton Hospital"),
        location: GeoPoint::new(53.75, -3.0).unwrap(),
    };
    store.create_site(&site, &[]).await.unwrap();
    let mut moved = world.wards[0].clone();
    moved.name = label("Ward 1 Renamed");
    moved.site_id = site.id;
    store.update_ward(&moved, &[]).await.unwrap();
    assert_eq!(store.ward(moved.id).await.unwrap(), Some(moved.clone()));

    let mut elsewhere = moved.clone();
    elsewhere.site_id = world.wards[1].site_id;
    elsewhere.name = label("Taken over");
    assert!(matches!(
        store.update_ward(&elsewhere, &[]).await,
        Err(crate::StoreError::NotFound)
    ));
    let mut theirs = world.wards[1].clone();
    theirs.org_id = world.orgs[0].id;
    theirs.site_id = site.id;
    assert!(matches!(
        store.update_ward(&theirs, &[]).await,
        Err(crate::StoreError::NotFound)
    ));
    assert_eq!(store.ward(moved.id).await.unwrap(), Some(moved));
    assert_eq!(
        store.ward(world.wards[1].id).await.unwrap(),
        Some(world.wards[1].clone())
    );
}

/// Users keep their grants; emails are unique; sessions expire.
pub async fn users_grants_and_sessions_round_trip(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let read = store.user_by_email("booker@a.test").await.unwrap().unwrap();
    assert_eq!(read, world.booker);
    let mut dup = world.booker.clone();
    dup.id = UserId(new_id());
    assert_eq!(
        conflict(store.create_user(&dup, &[]).await),
        Conflict::EmailTaken
    );
    let session = Session {
        token_hash: "ab".repeat(32),
        user_id: world.booker.id,
        csrf_token: "csrf".into(),
        expires_at: world.now + Duration::hours(1),
        absolute_expires_at: None,
    };
    store.create_session(&session).await.unwrap();
    let found = store.session(&session.token_hash, world.now).await.unwrap();
    assert_eq!(found, Some(session.clone()));
    // One read gives the session, its user with every grant, and no worker profile for a booker.
    let who = store
        .signed_in(&session.token_hash, world.now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.session, session);
    assert_eq!(who.user, world.booker);
    assert_eq!(who.worker, None);
    assert!(store
        .signed_in(&session.token_hash, world.now + Duration::hours(2))
        .await
        .unwrap()
        .is_none());
    // Several grants, one of them with no scope id, come back whole and paired as written.
    let grants = vec![
        Grant {
            role: Role::Booker,
            scope: Scope::Ward(world.wards[0].id),
        },
        Grant {
            role: Role::Auditor,
            scope: Scope::Platform,
        },
        Grant {
            role: Role::Booker,
            scope: Scope::Organisation(world.orgs[1].id),
        },
    ];
    let multi = user("multi@a.test", grants.clone(), world.now);
    store.create_user(&multi, &[]).await.unwrap();
    let multi_session = Session {
        token_hash: "ef".repeat(32),
        user_id: multi.id,
        ..session.clone()
    };
    store.create_session(&multi_session).await.unwrap();
    let who = store
        .signed_in(&multi_session.token_hash, world.now)
        .await
        .unwrap()
        .unwrap();
    let sorted = |mut g: Vec<Grant>| {
        g.sort_by_key(|g| format!("{g:?}"));
        g
    };
    assert_eq!(sorted(who.user.grants.clone()), sorted(grants));
    // A worker's session carries their profile with its banks, as read on its own.
    let worker = world
        .worker("Bea", &[world.banks[0].id, world.banks[2].id])
        .await;
    let worker_session = Session {
        token_hash: "cd".repeat(32),
        user_id: worker.user_id,
        ..session.clone()
    };
    store.create_session(&worker_session).await.unwrap();
    let who = store
        .signed_in(&worker_session.token_hash, world.now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.user.id, worker.user_id);
    assert!(who.user.grants.is_empty());
    assert_eq!(who.worker.as_ref(), Some(&worker));
    assert_eq!(
        who.worker,
        store.worker_for_user(worker.user_id).await.unwrap()
    );
    let expired = store
        .session(&session.token_hash, world.now + Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(expired, None);
    store.delete_session(&session.token_hash).await.unwrap();
    assert_eq!(
        store.session(&session.token_hash, world.now).await.unwrap(),
        None
    );
}

/// Joining a bank twice keeps one membership.
pub async fn workers_join_banks_once(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Asha", &[world.banks[0].id]).await;
    store
        .join_bank(worker.id, world.banks[0].id, world.now, &[])
        .await
        .unwrap();
    store
        .join_bank(worker.id, world.banks[2].id, world.now, &[])
        .await
        .unwrap();
    let read = store.worker(worker.id).await.unwrap().unwrap();
    let mut banks = read.banks.clone();
    banks.sort();
    let mut expected = vec![world.banks[0].id, world.banks[2].id];
    expected.sort();
    assert_eq!(banks, expected);
    assert_eq!(
        store.worker_for_user(worker.user_id).await.unwrap(),
        Some(read)
    );
    assert_eq!(
        conflict(
            store
                .join_bank(worker.id, BankId(new_id()), world.now, &[])
                .await
        ),
        Conflict::MissingReference
    );
}

/// A batch with one bad shift posts nothing.
pub async fn posting_is_all_or_nothing(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let good = world.shift(0, world.banks[0].id, 24, 12, 2);
    let mut bad = world.shift(0, world.banks[0].id, 48, 12, 2);
    bad.ward_id = WardId(new_id());
    assert_eq!(
        conflict(store.post_shifts(&[good.clone(), bad], &[]).await),
        Conflict::MissingReference
    );
    assert_eq!(store.shift(good.id).await.unwrap(), None);
    store
        .post_shifts(std::slice::from_ref(&good), &[])
        .await
        .unwrap();
    assert_eq!(store.shift(good.id).await.unwrap(), Some(good));
}

/// Open shifts: the worker's banks, group and grade, in the future, not filled, not clashing with a booking.
pub async fn open_shifts_show_only_what_a_worker_may_book(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Ben", &[world.banks[0].id]).await;
    let other = world.worker("Cai", &[world.banks[0].id]).await;
    let visible = world
        .post(world.shift(0, world.banks[0].id, 24, 12, 2))
        .await;
    let _other_bank = world
        .post(world.shift(1, world.banks[1].id, 24, 12, 1))
        .await;
    let mut senior = world.shift(0, world.banks[0].id, 30, 8, 1);
    senior.grades = GradeRange::new(
        StaffGroup::NursingAndMidwifery,
        Grade::parse("band_7").unwrap(),
        Grade::parse("band_8a").unwrap(),
    )
    .unwrap();
    world.post(senior).await;
    let mut past = world.shift(0, world.banks[0].id, 1, 8, 1);
    past.window = ShiftWindow::new(
        world.now - Duration::hours(2),
        world.now + Duration::hours(6),
    )
    .unwrap();
    world.post(past).await;
    let filled = world
        .post(world.shift(0, world.banks[0].id, 72, 8, 1))
        .await;
    store
        .book(&world.booking(&filled, &other, "k1"), &[], None)
        .await
        .unwrap();
    let booked_by_me = world
        .post(world.shift(0, world.banks[0].id, 96, 8, 3))
        .await;
    store
        .book(&world.booking(&booked_by_me, &worker, "k2"), &[], None)
        .await
        .unwrap();

    let clashing = world
        .post(world.shift(0, world.banks[0].id, 100, 8, 1))
        .await;
    let shown = store.open_shifts(&world.query(&worker, 50)).await.unwrap();
    let ids: Vec<ShiftId> = shown.iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        vec![visible.id],
        "not {clashing:?}, which overlaps a booking"
    );
    let shown_to_other = store.open_shifts(&world.query(&other, 50)).await.unwrap();
    assert!(shown_to_other.iter().any(|s| s.id == booked_by_me.id));
    assert!(!shown_to_other.iter().any(|s| s.id == filled.id));
    let read = store.shift(filled.id).await.unwrap().unwrap();
    assert_eq!((read.booked, read.status), (1, ShiftStatus::Filled));
}

/// Paging walks every open shift once, in start order.
pub async fn open_shifts_page_by_start_time(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Dee", &[world.banks[0].id]).await;
    let mut posted = Vec::new();
    for i in 0..7 {
        posted.push(world.shift(0, world.banks[0].id, 24 + (i % 3) * 24, 8, 1));
    }
    store.post_shifts(&posted, &[]).await.unwrap();
    let mut seen = Vec::new();
    let mut query = world.query(&worker, 3);
    loop {
        let page = store.open_shifts(&query).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        let last = page.last().unwrap();
        query.page.after = Some(Cursor {
            start: last.window.start(),
            id: last.id.0,
        });
        seen.extend(page);
    }
    assert_eq!(seen.len(), 7);
    assert!(seen
        .windows(2)
        .all(|w| w[0].window.start() <= w[1].window.start()));
    let mut ids: Vec<_> = seen.iter().map(|s| s.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 7);
    // A booker's list: by trust, by ward alone, or both, each shift once; paged by start.
    let at_b = world
        .post(world.shift(1, world.banks[1].id, 30, 8, 1))
        .await;
    let now = world.now;
    let posted_for = |orgs: Vec<OrgId>, wards: Vec<WardId>, page: Page| {
        let store = store.clone();
        async move {
            store
                .shifts_posted_for(&orgs, &wards, now, page)
                .await
                .unwrap()
        }
    };
    let all = Page {
        limit: 100,
        after: None,
    };
    let (a, b) = (world.orgs[0].id, world.orgs[1].id);
    let (ward_a, ward_b) = (world.wards[0].id, world.wards[1].id);
    assert_eq!(posted_for(vec![a], vec![], all).await.len(), 7);
    assert_eq!(posted_for(vec![], vec![ward_a], all).await.len(), 7);
    let of_b = posted_for(vec![], vec![ward_b], all).await;
    assert_eq!(of_b.iter().map(|s| s.id).collect::<Vec<_>>(), vec![at_b.id]);
    assert!(posted_for(vec![], vec![], all).await.is_empty());
    let both = posted_for(vec![a, b], vec![ward_a], all).await;
    assert_eq!(both.len(), 8);
    assert!(both
        .windows(2)
        .all(|w| (w[0].window.start(), w[0].id.0) < (w[1].window.start(), w[1].id.0)));
    let first_two = posted_for(
        vec![a],
        vec![ward_b],
        Page {
            limit: 2,
            after: None,
        },
    )
    .await;
    let rest = posted_for(
        vec![a],
        vec![ward_b],
        Page {
            limit: 100,
            after: first_two.last().map(|s| Cursor {
                start: s.window.start(),
                id: s.id.0,
            }),
        },
    )
    .await;
    let paged: Vec<ShiftId> = first_two.iter().chain(&rest).map(|s| s.id).collect();
    assert_eq!(paged, both.iter().map(|s| s.id).collect::<Vec<_>>());
}

/// 200 workers racing for 3 places: exactly 3 bookings, 197 `ShiftFull`.
pub async fn places_are_never_exceeded_under_concurrency(store: Arc<dyn Store>) {
    let world = Arc::new(World::new(store.clone()).await);
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 12, 3))
        .await;
    let mut workers = Vec::new();
    for i in 0..200 {
        workers.push(world.worker(&format!("W{i}"), &[world.banks[0].id]).await);
    }
    let attempts = workers.iter().map(|w| {
        let world = world.clone();
        let request = world.booking(&shift, w, "race");
        tokio::spawn(async move { world.store.book(&request, &[], None).await })
    });
    let results = futures::future::join_all(attempts).await;
    let mut booked = 0;
    let mut full = 0;
    for result in results {
        match result.unwrap() {
            Ok(outcome) => {
                assert!(!outcome.replayed);
                booked += 1;
            }
            Err(StoreError::Conflict(Conflict::ShiftFull)) => full += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((booked, full), (3, 197));
    let read = store.shift(shift.id).await.unwrap().unwrap();
    assert_eq!((read.booked, read.status), (3, ShiftStatus::Filled));
    assert_eq!(store.bookings_of_shift(shift.id).await.unwrap().len(), 3);
}

/// A rush over many shifts at once: every place is taken exactly once, and each shift's count is
/// its bookings.
pub async fn a_rush_over_many_shifts_takes_every_place_once(store: Arc<dyn Store>) {
    let world = Arc::new(World::new(store.clone()).await);
    let mut shifts = Vec::new();
    for i in 0..8 {
        shifts.push(
            world
                .post(world.shift(0, world.banks[0].id, 24 + i, 8, 2))
                .await,
        );
    }
    let mut requests = Vec::new();
    for i in 0..40 {
        let worker = world.worker(&format!("R{i}"), &[world.banks[0].id]).await;
        requests.push(world.booking(&shifts[i % 8], &worker, "rush"));
    }
    let attempts = requests.into_iter().map(|request| {
        let world = world.clone();
        tokio::spawn(async move { world.store.book(&request, &[], None).await })
    });
    let mut made = 0;
    let mut full = 0;
    for result in futures::future::join_all(attempts).await {
        match result.unwrap() {
            Ok(_) => made += 1,
            Err(StoreError::Conflict(Conflict::ShiftFull)) => full += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((made, full), (16, 24));
    for shift in &shifts {
        let read = store.shift(shift.id).await.unwrap().unwrap();
        assert_eq!((read.booked, read.status), (2, ShiftStatus::Filled));
        assert_eq!(store.bookings_of_shift(shift.id).await.unwrap().len(), 2);
    }
}

/// Bookings made at the same moment stand or fall alone: one whose ledger entry cannot be written
/// (its id is already taken) is refused whole, and every other one is made with its entry. Half
/// of them share a shift and half have one each, so they are written together whichever way a
/// store groups them.
pub async fn a_failed_booking_among_simultaneous_ones_takes_nothing_else_with_it(
    store: Arc<dyn Store>,
) {
    let world = Arc::new(World::new(store.clone()).await);
    let shared = world
        .post(world.shift(0, world.banks[0].id, 24, 12, 20))
        .await;
    let mut shifts = vec![shared.clone()];
    let mut requests = Vec::new();
    for i in 0..16 {
        let worker = world.worker(&format!("W{i}"), &[world.banks[0].id]).await;
        let shift = if i % 2 == 0 {
            shared.clone()
        } else {
            let own = world
                .post(world.shift(0, world.banks[0].id, 24, 12, 1))
                .await;
            shifts.push(own.clone());
            own
        };
        let record = audit("booking.made", Some(worker.user_id.0), world.now);
        requests.push((world.booking(&shift, &worker, "rush"), record));
    }
    // The seventh booking's entry (on the shared shift) reuses the fourth's (on its own).
    requests[6].1.id = requests[3].1.id;
    let attempts = requests.iter().cloned().map(|(request, record)| {
        let world = world.clone();
        tokio::spawn(async move { world.store.book(&request, &[record], None).await })
    });
    let results = futures::future::join_all(attempts).await;
    let mut made = Vec::new();
    let mut refused = Vec::new();
    for ((request, record), result) in requests.iter().zip(results) {
        match result.unwrap() {
            Ok(outcome) => made.push((outcome.booking.id, record.id)),
            Err(_) => refused.push(request.id),
        }
    }
    assert_eq!(refused.len(), 1, "exactly one of the pair is refused");
    assert!(
        refused[0] == requests[3].0.id || refused[0] == requests[6].0.id,
        "only a booking of the pair is refused"
    );
    assert_eq!(made.len(), 15);
    let mut stored = 0;
    for shift in &shifts {
        let held = store.bookings_of_shift(shift.id).await.unwrap();
        assert!(held.iter().all(|b| b.id != refused[0]));
        assert_eq!(
            store.shift(shift.id).await.unwrap().unwrap().booked as usize,
            held.len()
        );
        stored += held.len();
    }
    assert_eq!(stored, 15);
    let pending: std::collections::HashSet<Uuid> = store
        .pending_entries(100)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert!(made.iter().all(|(_, entry)| pending.contains(entry)));
    assert_eq!(pending.len(), 15);
}

/// The same worker booking overlapping shifts at two trusts at once gets at most one, every time.
pub async fn a_worker_never_holds_overlapping_bookings_across_trusts(store: Arc<dyn Store>) {
    let world = Arc::new(World::new(store.clone()).await);
    for round in 0..20 {
        let worker = world
            .worker(
                &format!("Eve{round}"),
                &[world.banks[0].id, world.banks[1].id],
            )
            .await;
        let at_a = world
            .post(world.shift(0, world.banks[0].id, 24, 12, 5))
            .await;
        let at_b = world
            .post(world.shift(1, world.banks[1].id, 30, 12, 5))
            .await;
        let first = world.booking(&at_a, &worker, "a");
        let second = world.booking(&at_b, &worker, "b");
        let (w1, w2) = (world.clone(), world.clone());
        let (r1, r2) = tokio::join!(
            tokio::spawn(async move { w1.store.book(&first, &[], None).await }),
            tokio::spawn(async move { w2.store.book(&second, &[], None).await }),
        );
        let results = [r1.unwrap(), r2.unwrap()];
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "round {round}: {results:?}");
        assert!(results
            .iter()
            .any(|r| matches!(r, Err(StoreError::Conflict(Conflict::OverlappingBooking)))));
        let held = store
            .bookings_of_worker(
                worker.id,
                Page {
                    limit: 10,
                    after: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(held.len(), 1);
    }
}

/// A shift ending at 20:00 and one starting at 20:00 can both be held.
pub async fn back_to_back_bookings_are_allowed(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world
        .worker("Fin", &[world.banks[0].id, world.banks[2].id])
        .await;
    let day = world
        .post(world.shift(0, world.banks[0].id, 24, 12, 1))
        .await;
    let night = world
        .post(world.shift(1, world.banks[2].id, 36, 12, 1))
        .await;
    store
        .book(&world.booking(&day, &worker, "day"), &[], None)
        .await
        .unwrap();
    store
        .book(&world.booking(&night, &worker, "night"), &[], None)
        .await
        .unwrap();
    let overlapping = world
        .post(world.shift(0, world.banks[0].id, 35, 2, 1))
        .await;
    assert_eq!(
        conflict(
            store
                .book(&world.booking(&overlapping, &worker, "x"), &[], None)
                .await
        ),
        Conflict::OverlappingBooking
    );
    let read = store.shift(overlapping.id).await.unwrap().unwrap();
    assert_eq!(read.booked, 0, "a refused booking changes nothing");
}

/// A retry with the same key returns the original booking; the key on another shift is refused.
pub async fn idempotency_keys_replay_and_refuse_reuse(store: Arc<dyn Store>) {
    let world = Arc::new(World::new(store.clone()).await);
    let worker = world.worker("Gil", &[world.banks[0].id]).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 12, 5))
        .await;
    let retries = (0..10).map(|_| {
        let world = world.clone();
        let request = world.booking(&shift, &worker, "same-key");
        tokio::spawn(async move { world.store.book(&request, &[], None).await })
    });
    let results = futures::future::join_all(retries).await;
    let outcomes: Vec<BookOutcome> = results.into_iter().map(|r| r.unwrap().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|o| !o.replayed).count(), 1);
    let first = outcomes[0].booking.id;
    assert!(outcomes.iter().all(|o| o.booking.id == first));
    assert_eq!(store.shift(shift.id).await.unwrap().unwrap().booked, 1);
    let by_key = store.booking_by_key(worker.id, "same-key").await.unwrap();
    assert_eq!(by_key.map(|b| b.id), Some(first));
    assert_eq!(
        store.booking_by_key(worker.id, "other").await.unwrap(),
        None
    );
    let other = world
        .post(world.shift(0, world.banks[0].id, 96, 12, 5))
        .await;
    assert_eq!(
        conflict(
            store
                .book(&world.booking(&other, &worker, "same-key"), &[], None)
                .await
        ),
        Conflict::IdempotencyKeyReused
    );
}

/// Cancelling gives the place back at once; cancelling twice is refused.
pub async fn cancelling_releases_the_place_at_once(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let first = world.worker("Hal", &[world.banks[0].id]).await;
    let second = world.worker("Ida", &[world.banks[0].id]).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 12, 1))
        .await;
    let booking = store
        .book(&world.booking(&shift, &first, "k"), &[], None)
        .await
        .unwrap()
        .booking;
    assert_eq!(
        conflict(
            store
                .book(&world.booking(&shift, &second, "k"), &[], None)
                .await
        ),
        Conflict::ShiftFull
    );
    let reason = label("Unwell");
    let by_worker = CancellationRecord {
        by: CancelledBy::Worker,
        by_user: first.user_id,
        reason: reason.clone(),
        at: world.now,
        late: true,
    };
    let cancelled = store
        .cancel_booking(booking.id, &by_worker, None, None, &[])
        .await
        .unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert_eq!(cancelled.cancellation.clone(), Some(by_worker));
    let read = store.shift(shift.id).await.unwrap().unwrap();
    assert_eq!((read.booked, read.status), (0, ShiftStatus::Open));
    let by_trust = CancellationRecord {
        by: CancelledBy::Trust,
        by_user: world.booker.id,
        reason: reason.clone(),
        at: world.now,
        late: true,
    };
    let payment = |booking: BookingId, worker: WorkerId| CancellationPayment {
        booking_id: booking,
        org_id: shift.org_id,
        worker_id: worker,
        shift_minutes: shift.window.length().num_minutes(),
        created_at: world.now,
        pay_line_id: None,
    };
    let refused = store
        .cancel_booking(
            booking.id,
            &by_trust,
            Some(&payment(booking.id, first.id)),
            None,
            &[],
        )
        .await;
    assert_eq!(conflict(refused), Conflict::AlreadyCancelled);
    assert_eq!(
        store.cancellation_payments(shift.org_id).await.unwrap(),
        vec![]
    );
    let rebooked = store
        .book(&world.booking(&shift, &second, "k"), &[], None)
        .await
        .unwrap()
        .booking;
    assert_eq!(store.booking(booking.id).await.unwrap(), Some(cancelled));
    // A late cancellation by the trust is paid by a line written with it, taken by a pay run.
    let line = PayLineRecord {
        id: new_id(),
        timesheet_id: None,
        shift_id: shift.id,
        worker_id: second.id,
        org_id: shift.org_id,
        work_date: shift.window.start().date_naive(),
        kind: PayLineKind::Cancellation,
        seconds: shift.window.length().num_seconds(),
        base_pay: 19_056,
        enhancements: 0,
        premium: 0,
        holiday_pay: 0,
        amount: 19_056,
        explanation: "[]".into(),
        created_at: world.now,
        pay_run_id: None,
    };
    let owed = CancellationPayment {
        pay_line_id: Some(line.id),
        ..payment(rebooked.id, second.id)
    };
    store
        .cancel_booking(rebooked.id, &by_trust, Some(&owed), Some(&line), &[])
        .await
        .unwrap();
    assert_eq!(
        store.cancellation_payments(shift.org_id).await.unwrap(),
        vec![owed]
    );
    assert_eq!(
        store.pay_lines_of(second.id).await.unwrap(),
        vec![line],
        "the line is written with the cancellation"
    );
    let counts = store
        .matching_counts(shift.org_id, shift.window.start(), shift.window.end())
        .await
        .unwrap();
    assert_eq!(
        counts,
        MatchingCounts {
            cancelled_by_trust: 1,
            late_by_trust: 1,
            cancelled_by_worker: 1,
            late_by_worker: 1,
            cancellation_payments: 1,
            break_glass: 0,
        }
    );
}

/// A shift the trust cancelled is never booked.
pub async fn cancelled_shifts_cannot_be_booked(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world.worker("Jo", &[world.banks[0].id]).await;
    let mut shift = world.shift(0, world.banks[0].id, 24, 12, 1);
    shift.status = ShiftStatus::Cancelled;
    let shift = world.post(shift).await;
    assert_eq!(
        conflict(
            store
                .book(&world.booking(&shift, &worker, "k"), &[], None)
                .await
        ),
        Conflict::ShiftNotOpen
    );
    assert!(store
        .open_shifts(&world.query(&worker, 10))
        .await
        .unwrap()
        .is_empty());
}

/// An audit record about `subject`.
pub fn audit(action: &str, subject: Option<Uuid>, at: DateTime<Utc>) -> AuditRecord {
    let id = new_id();
    AuditRecord {
        id,
        recorded_at: at,
        action: action.into(),
        tenant: None,
        subject,
        body: format!("{{\"id\":\"{id}\",\"action\":\"{action}\"}}").into_bytes(),
        mac: Some(id.as_bytes().to_vec()),
    }
}

/// A change's entries are written with it, and a refused change writes none.
pub async fn audit_entries_are_written_with_their_change_only(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let first = world.worker("Kit", &[world.banks[0].id]).await;
    let second = world.worker("Lee", &[world.banks[0].id]).await;
    let shift = world
        .post(world.shift(0, world.banks[0].id, 24, 8, 1))
        .await;
    let made = audit("booking.made", Some(first.id.0), world.now);
    store
        .book(
            &world.booking(&shift, &first, "k"),
            std::slice::from_ref(&made),
            None,
        )
        .await
        .unwrap();
    let read = store.entry(made.id).await.unwrap().unwrap();
    assert_eq!((read.seq, read.record.clone()), (None, made.clone()));
    let refused = audit("booking.made", Some(second.id.0), world.now);
    assert_eq!(
        conflict(
            store
                .book(
                    &world.booking(&shift, &second, "k"),
                    std::slice::from_ref(&refused),
                    None
                )
                .await
        ),
        Conflict::ShiftFull
    );
    assert_eq!(
        store.entry(refused.id).await.unwrap(),
        None,
        "no entry without its change"
    );
    let replay = audit("booking.made", Some(first.id.0), world.now);
    let again = store
        .book(
            &world.booking(&shift, &first, "k"),
            std::slice::from_ref(&replay),
            None,
        )
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(
        store.entry(replay.id).await.unwrap(),
        None,
        "a replay changes nothing"
    );
    let pending = store.pending_entries(100).await.unwrap();
    assert_eq!(pending, vec![made.clone()]);
    let about = store.entries_about(first.id.0, None, 10).await.unwrap();
    assert_eq!(about.len(), 1);
    assert!(store.orphan_entries(10).await.unwrap().is_empty());
}

/// The sequencer's appends: leaves from the current size only, subtrees, heads; pending drains.
pub async fn sequencing_appends_leaves_subtrees_and_heads(store: Arc<dyn Store>) {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
    let records: Vec<AuditRecord> = (0..3)
        .map(|i| audit(&format!("test.{i}"), None, now + Duration::seconds(i)))
        .collect();
    store.append_audit(&records).await.unwrap();
    assert_eq!(store.ledger_size().await.unwrap(), 0);
    assert_eq!(store.latest_head().await.unwrap(), None);
    let leaves: Vec<Leaf> = records
        .iter()
        .enumerate()
        .map(|(i, r)| Leaf {
            seq: i as u64,
            entry_id: r.id,
            hash: [i as u8; 32],
        })
        .collect();
    let head = SignedHead {
        size: 3,
        root: [9; 32],
        timestamp_ms: 1_000,
        signature: vec![1; 64],
    };
    let batch = SequencedBatch {
        leaves: leaves.clone(),
        nodes: [
            (0, 0, [0; 32]),
            (0, 1, [1; 32]),
            (1, 0, [7; 32]),
            (0, 2, [2; 32]),
        ]
        .map(|(level, index, hash)| StoredNode { level, index, hash })
        .to_vec(),
        head: Some(head.clone()),
    };
    let mut moved = batch.clone();
    moved.leaves[0].seq = 1;
    assert_eq!(
        conflict(store.append_sequenced(&moved).await),
        Conflict::LedgerMoved
    );
    store.append_sequenced(&batch).await.unwrap();
    assert_eq!(
        conflict(store.append_sequenced(&batch).await),
        Conflict::LedgerMoved
    );
    // A stale batch whose size happens to line up (read before another appender took the same
    // entries) still moves: each entry is sequenced once.
    let stale = SequencedBatch {
        leaves: leaves
            .iter()
            .map(|l| Leaf {
                seq: l.seq + 3,
                ..*l
            })
            .collect(),
        nodes: vec![],
        head: None,
    };
    assert_eq!(
        conflict(store.append_sequenced(&stale).await),
        Conflict::LedgerMoved
    );
    // A second head of the same size and millisecond is the same statement: kept once.
    store
        .append_sequenced(&SequencedBatch {
            head: Some(head.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(store.ledger_size().await.unwrap(), 3);
    assert!(store.pending_entries(10).await.unwrap().is_empty());
    assert_eq!(store.latest_head().await.unwrap(), Some(head.clone()));
    assert_eq!(store.head_of_size(3).await.unwrap(), Some(head.clone()));
    assert_eq!(store.head_of_size(2).await.unwrap(), None);
    let later = SignedHead {
        timestamp_ms: 2_000,
        ..head.clone()
    };
    store
        .append_sequenced(&SequencedBatch {
            head: Some(later.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.heads(None, 10).await.unwrap(),
        vec![head.clone(), later.clone()]
    );
    assert_eq!(
        store.heads(Some((3, 1_000)), 10).await.unwrap(),
        vec![later]
    );
    assert_eq!(
        store
            .ledger_nodes(&[(0, 2), (1, 0), (1, 1), (0, 5)])
            .await
            .unwrap(),
        vec![Some([2; 32]), Some([7; 32]), None, None]
    );
    let at = store.entry_at(1).await.unwrap().unwrap();
    assert_eq!((at.seq, at.record.id), (Some(1), records[1].id));
    let walked = store.leaves_from(1, 10).await.unwrap();
    assert_eq!(
        walked.iter().map(|l| l.leaf).collect::<Vec<_>>(),
        leaves[1..].to_vec()
    );
    assert_eq!(walked[0].body.as_deref(), Some(records[1].body.as_slice()));
    assert_eq!(walked[0].sealed, Some([1; 32]));
}

/// Only one sequencer holds the lease until it expires.
pub async fn one_sequencer_holds_the_lease(store: Arc<dyn Store>) {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
    let (a, b) = (new_id(), new_id());
    let until = now + Duration::seconds(10);
    assert!(store.hold_sequencer_lease(a, now, until).await.unwrap());
    assert!(!store.hold_sequencer_lease(b, now, until).await.unwrap());
    assert!(store
        .hold_sequencer_lease(a, now + Duration::seconds(5), until + Duration::seconds(5))
        .await
        .unwrap());
    let expired = until + Duration::seconds(6);
    assert!(store
        .hold_sequencer_lease(b, expired, expired + Duration::seconds(10))
        .await
        .unwrap());
    assert!(!store
        .hold_sequencer_lease(a, expired, expired + Duration::seconds(10))
        .await
        .unwrap());
}

/// A person's key is stored once; erasure removes it for good and records the erasure.
pub async fn person_keys_are_kept_once_and_erased(store: Arc<dyn Store>) {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
    let person = new_id();
    assert_eq!(store.person_key(person).await.unwrap(), None);
    store
        .create_person_key(person, b"first", now)
        .await
        .unwrap();
    store
        .create_person_key(person, b"second", now)
        .await
        .unwrap();
    let key = store.person_key(person).await.unwrap().unwrap();
    assert_eq!(
        (key.wrapped.as_deref(), key.erased_at),
        (Some(b"first".as_slice()), None)
    );
    let record = audit("person.erased", Some(person), now);
    store
        .erase_person_key(
            person,
            "right to erasure request",
            now,
            std::slice::from_ref(&record),
        )
        .await
        .unwrap();
    let key = store.person_key(person).await.unwrap().unwrap();
    assert_eq!((key.wrapped, key.erased_at), (None, Some(now)));
    store
        .create_person_key(person, b"third", now)
        .await
        .unwrap();
    assert_eq!(
        store.person_key(person).await.unwrap().unwrap().wrapped,
        None,
        "erased stays erased"
    );
    assert!(store.entry(record.id).await.unwrap().is_some());
}

/// The shifts a worker holds anywhere are counted together; an opt-out is recorded with its entry.
pub async fn worked_time_counts_every_trust_and_opt_outs_are_kept(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    let worker = world
        .worker("Mo", &[world.banks[0].id, world.banks[1].id])
        .await;
    assert!(!worker.weekly_limit_opt_out);
    let at_a = world
        .post(world.shift(0, world.banks[0].id, 24, 12, 1))
        .await;
    let at_b = world
        .post(world.shift(1, world.banks[1].id, 48, 12, 1))
        .await;
    let later = world
        .post(world.shift(1, world.banks[1].id, 24 * 30, 12, 1))
        .await;
    for (shift, key) in [(&at_a, "a"), (&at_b, "b"), (&later, "c")] {
        store
            .book(&world.booking(shift, &worker, key), &[], None)
            .await
            .unwrap();
    }
    let worked = store
        .worked_between(worker.id, world.now, world.now + Duration::days(7))
        .await
        .unwrap();
    let seen: Vec<(ShiftWindow, OrgId)> = worked.iter().map(|w| (w.window, w.trust)).collect();
    assert_eq!(
        seen,
        vec![
            (at_a.window, world.orgs[0].id),
            (at_b.window, world.orgs[1].id)
        ]
    );
    let record = audit(
        "worker.weekly_limit_opt_out",
        Some(worker.user_id.0),
        world.now,
    );
    store
        .set_weekly_limit_opt_out(worker.id, true, std::slice::from_ref(&record))
        .await
        .unwrap();
    assert!(
        store
            .worker(worker.id)
            .await
            .unwrap()
            .unwrap()
            .weekly_limit_opt_out
    );
    assert!(store.entry(record.id).await.unwrap().is_some());
    assert!(matches!(
        store
            .set_weekly_limit_opt_out(WorkerId(new_id()), true, &[])
            .await,
        Err(crate::StoreError::NotFound)
    ));
}

/// Two simultaneous bookings for one worker that are each lawful but together leave too little
/// rest: the database-side check lets exactly one through, every time.
pub async fn simultaneous_bookings_never_break_working_time_together(store: Arc<dyn Store>) {
    let world = Arc::new(World::new(store.clone()).await);
    let rules = WorkingTimeCheck {
        rules: staffbank_domain::working_time::WorkingTimeRules::default(),
        opted_out: false,
    };
    for round in 0..10 {
        let worker = world
            .worker(
                &format!("Nat{round}"),
                &[world.banks[0].id, world.banks[1].id],
            )
            .await;
        // 12 hours at trust A, then 8 hours at trust B starting 5 hours later: 5 hours' rest.
        let at_a = world
            .post(world.shift(0, world.banks[0].id, 24 + round * 48, 12, 5))
            .await;
        let at_b = world
            .post(world.shift(1, world.banks[1].id, 41 + round * 48, 8, 5))
            .await;
        let (first, second) = (
            world.booking(&at_a, &worker, "a"),
            world.booking(&at_b, &worker, "b"),
        );
        let (w1, w2) = (world.clone(), world.clone());
        let (r1, r2) = tokio::join!(
            tokio::spawn(async move { w1.store.book(&first, &[], Some(&rules)).await }),
            tokio::spawn(async move { w2.store.book(&second, &[], Some(&rules)).await }),
        );
        let results = [r1.unwrap(), r2.unwrap()];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}: {results:?}"
        );
        assert!(results
            .iter()
            .any(|r| matches!(r, Err(StoreError::Conflict(Conflict::WorkingTime)))));
    }
}
