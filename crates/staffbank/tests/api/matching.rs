//! Credentials, the release cascade, priority windows and break glass through the API.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::{OrgId, WardId};
use uuid::Uuid;

use crate::helpers::{midnight_in_days, post_at, TestApp, Trust};

crate::both_backends!(
    a_credential_that_lapses_mid_shift_blocks_booking_with_its_reason,
    only_the_recording_trust_manages_a_credential,
    shifts_wait_for_the_horizon_and_tiers_book_first,
    breaking_glass_needs_a_reason_and_happens_once,
    late_cancellations_are_recorded_and_the_trust_pays_for_its_own,
    a_workers_shifts_are_ranked_and_the_rest_explained,
    a_bookers_candidates_are_ranked_with_near_misses,
    a_booker_sees_that_another_trusts_booking_is_in_the_way_but_not_when,
    candidates_who_worked_the_ward_rank_first_and_a_filled_shift_has_none,
    a_request_ward_approves_each_booking_once,
    approval_judges_the_request_again_as_things_stand,
    a_workers_travel_limit_and_shift_times_choose_what_they_see,
    the_core_tier_is_earned_by_hours_worked_and_lapses
);

async fn compliance_officer(app: &TestApp, trust: &Trust, name: &str) -> String {
    let org = OrgId(Uuid::parse_str(&trust.id).unwrap());
    app.user_with_session(
        &format!("{name}@compliance.test"),
        vec![Grant {
            role: Role::ComplianceOfficer,
            scope: Scope::Organisation(org),
        }],
    )
    .await
}

/// Registers a nurse in `bank` with no credentials at all.
async fn bare_nurse(app: &TestApp, email: &str, bank: &str) -> (String, String) {
    nurse_living_at(app, email, bank, None).await
}

/// Registers a nurse in `bank` with no credentials, living at `home` (latitude, longitude).
async fn nurse_living_at(
    app: &TestApp,
    email: &str,
    bank: &str,
    home: Option<(f64, f64)>,
) -> (String, String) {
    let reply = app
        .call(
            Method::POST,
            "/api/v1/workers",
            None,
            Some(
                json!({"email": email, "password": "correct horse battery", "display_name": "Nurse",
                "staff_group": "nursing_and_midwifery", "grade": "band_5",
                "home_lat": home.map(|h| h.0), "home_lon": home.map(|h| h.1)}),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let user =
        staffbank_domain::UserId(Uuid::parse_str(reply.body["id"].as_str().unwrap()).unwrap());
    let token = app.session_for(user).await;
    let joined = app
        .post("/api/v1/me/banks", &token, json!({"bank_id": bank}))
        .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    let id = app.worker_id(&token).await.0.to_string();
    (token, id)
}

async fn record(app: &TestApp, officer: &str, worker: &str, body: serde_json::Value) -> String {
    let reply = app
        .post(
            &format!("/api/v1/workers/{worker}/credentials"),
            officer,
            body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

/// Records every standard nursing check, the DBS check ending at `dbs_until`.
async fn standard_checks(app: &TestApp, officer: &str, worker: &str, dbs_until: Option<String>) {
    let from = (Utc::now() - Duration::days(365)).to_rfc3339();
    for kind in [
        "identity",
        "right_to_work",
        "core_skills_training",
        "occupational_health",
        "professional_registration",
    ] {
        record(
            app,
            officer,
            worker,
            json!({"kind": kind, "valid_from": from}),
        )
        .await;
    }
    record(
        app,
        officer,
        worker,
        json!({"kind": "dbs_check", "dbs_level": "enhanced_barred", "valid_from": from,
            "valid_until": dbs_until}),
    )
    .await;
}

async fn a_credential_that_lapses_mid_shift_blocks_booking_with_its_reason(app: TestApp) {
    let trust = app.trust("RXL").await;
    let officer = compliance_officer(&app, &trust, "cora").await;
    let (nurse, worker) = bare_nurse(&app, "ida@nurse.test", &trust.bank).await;
    let shift = app.shift(&trust, &trust.bank, 48, 12, 1).await;

    let refused = app.book(&nurse, &shift, "k1").await;
    refused.assert_problem(422, "not-eligible");
    assert_eq!(
        refused.body["reasons"].as_array().unwrap().len(),
        6,
        "{}",
        refused.body
    );

    // The DBS check ends three hours before the shift does.
    let ends: chrono::DateTime<Utc> = app
        .get(&format!("/api/v1/shifts/{shift}"), &trust.booker)
        .await
        .body["ends_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let dbs_until = (ends - Duration::hours(3)).to_rfc3339();
    standard_checks(&app, &officer, &worker, Some(dbs_until)).await;
    let refused = app.book(&nurse, &shift, "k2").await;
    refused.assert_problem(422, "not-eligible");
    assert_eq!(refused.body["reasons"][0]["reason"], "credential");
    assert_eq!(refused.body["reasons"][0]["problem"], "expires");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("expires 3 hours before the shift ends"),
        "{detail}"
    );
    let open = app.get("/api/v1/me/open-shifts", &nurse).await;
    assert_eq!(
        open.body["items"],
        json!([]),
        "an ineligible shift is not offered"
    );

    // A renewed check valid past the shift's end makes it bookable.
    record(
        &app,
        &officer,
        &worker,
        json!({"kind": "dbs_check", "dbs_level": "enhanced_barred",
            "valid_from": (Utc::now() - Duration::days(1)).to_rfc3339()}),
    )
    .await;
    let booked = app.book(&nurse, &shift, "k3").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);

    let mine = app.get("/api/v1/me/credentials", &nurse).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 7);
}

async fn only_the_recording_trust_manages_a_credential(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let officer_a = compliance_officer(&app, &a, "ava").await;
    let officer_b = compliance_officer(&app, &b, "bea").await;
    let (nurse, worker) = bare_nurse(&app, "jo@nurse.test", &a.bank).await;
    let from = Utc::now().to_rfc3339();
    // B's officer has no relation to a worker outside B's banks: the worker does not exist for them.
    app.post(
        &format!("/api/v1/workers/{worker}/credentials"),
        &officer_b,
        json!({"kind": "identity", "valid_from": from}),
    )
    .await
    .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/workers/{worker}/credentials"), &officer_b)
        .await
        .assert_problem(404, "not-found");
    // Bad input is refused field by field, and nothing is recorded.
    let bad = app
        .post(
            &format!("/api/v1/workers/{worker}/credentials"),
            &officer_a,
            json!({"kind": "dbs_check", "valid_from": "yesterday"}),
        )
        .await;
    bad.assert_problem(422, "validation-error");
    assert_eq!(
        bad.body["errors"].as_array().unwrap().len(),
        2,
        "{}",
        bad.body
    );
    let id = record(
        &app,
        &officer_a,
        &worker,
        json!({"kind": "identity", "valid_from": "2025-01-01"}),
    )
    .await;
    let listed = app
        .get(&format!("/api/v1/workers/{worker}/credentials"), &officer_a)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    // Only the recording trust revokes, once, with a reason.
    let revoke = |token: String, reason: &'static str| {
        let path = format!("/api/v1/credentials/{id}/revoke");
        let app = &app;
        async move { app.post(&path, &token, json!({"reason": reason})).await }
    };
    revoke(officer_b.clone(), "not ours")
        .await
        .assert_problem(404, "not-found");
    revoke(nurse.clone(), "mine")
        .await
        .assert_problem(404, "not-found");
    revoke(officer_a.clone(), "")
        .await
        .assert_problem(422, "validation-error");
    let revoked = revoke(officer_a.clone(), "Identity documents withdrawn").await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["status"], "revoked");
    revoke(officer_a.clone(), "again")
        .await
        .assert_problem(409, "already-revoked");
}

async fn shifts_wait_for_the_horizon_and_tiers_book_first(app: TestApp) {
    let trust = app.trust("RXL").await;
    app.set_policy(&trust, json!({"priority_window_minutes": 60}))
        .await;
    let core = app.worker("core@nurse.test", &[&trust.bank]).await;
    let casual = app.worker("casual@nurse.test", &[&trust.bank]).await;
    let core_id = app.worker_id(&core).await;
    let tier = app
        .call(
            Method::PUT,
            &format!("/api/v1/banks/{}/members/{}/tier", trust.bank, core_id.0),
            Some(&trust.booker),
            Some(json!({"tier": "core"})),
        )
        .await;
    assert_eq!(tier.status, StatusCode::NO_CONTENT, "{}", tier.body);

    // 30 days ahead: released at the 28-day horizon, two days from now.
    let far = app.shift(&trust, &trust.bank, 30 * 24, 12, 2).await;
    app.book(&core, &far, "k1")
        .await
        .assert_problem(404, "not-found");
    app.advance(Duration::days(2) + Duration::minutes(1));
    let booked = app.book(&core, &far, "k1").await;
    assert_eq!(
        booked.status,
        StatusCode::CREATED,
        "tiered workers book at release: {}",
        booked.body
    );
    let early = app.book(&casual, &far, "k2").await;
    early.assert_problem(422, "not-eligible");
    assert_eq!(early.body["reasons"][0]["reason"], "not_yet_open");
    app.advance(Duration::hours(1));
    let booked = app.book(&casual, &far, "k2").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
}

async fn breaking_glass_needs_a_reason_and_happens_once(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let shift = app.shift(&a, &a.bank, 6, 8, 1).await;
    let path = format!("/api/v1/shifts/{shift}/agency-release");
    app.post(
        &path,
        &b.booker,
        json!({"reason": "ours now", "rate_pence": 6_000}),
    )
    .await
    .assert_problem(404, "not-found");
    app.post(
        &path,
        &a.booker,
        json!({"reason": "  ", "rate_pence": 6_000}),
    )
    .await
    .assert_problem(422, "validation-error");
    let released = app
        .post(
            &path,
            &a.booker,
            json!({"reason": "No bank nurse for tonight after two hours", "rate_pence": 6_000}),
        )
        .await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    assert!(released.body["agency_at"].is_string());
    app.post(
        &path,
        &a.booker,
        json!({"reason": "again", "rate_pence": 6_000}),
    )
    .await
    .assert_problem(409, "already-at-agency");
    let break_glass = || async {
        let report = app
            .get(
                &format!("/api/v1/organisations/{}/matching-report", a.id),
                &a.booker,
            )
            .await;
        report.body["break_glass"].clone()
    };
    assert_eq!(break_glass().await, 1);
    // Once a shift has begun, agency can no longer fill it: refused, and not counted.
    let begun = app.shift(&a, &a.bank, 2, 8, 1).await;
    app.advance(Duration::hours(3));
    app.post(
        &format!("/api/v1/shifts/{begun}/agency-release"),
        &a.booker,
        json!({"reason": "Too late", "rate_pence": 6_000}),
    )
    .await
    .assert_problem(409, "shift-started");
    assert_eq!(break_glass().await, 1);
}

async fn cancel(app: &TestApp, token: &str, booking: &str, reason: &str) -> serde_json::Value {
    let reply = app
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            token,
            json!({"reason": reason}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn late_cancellations_are_recorded_and_the_trust_pays_for_its_own(app: TestApp) {
    let trust = app.trust("RXL").await;
    app.set_policy(&trust, json!({"cancellation_notice_hours": 24}))
        .await;
    let nurse = app.worker("kit@nurse.test", &[&trust.bank]).await;
    let soon = app.shift(&trust, &trust.bank, 6, 8, 1).await;
    let later = app.shift(&trust, &trust.bank, 72, 8, 1).await;
    let tonight = app.shift(&trust, &trust.bank, 30, 8, 1).await;
    // Both sides see the rule before booking.
    let open = app.get("/api/v1/me/open-shifts", &nurse).await;
    assert!(open.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["cancellation_notice_hours"] == 24));

    let mut ids = Vec::new();
    for (i, shift) in [&soon, &later, &tonight].into_iter().enumerate() {
        let booked = app.book(&nurse, shift, &format!("k{i}")).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        ids.push(booked.body["id"].as_str().unwrap().to_owned());
    }
    let by_trust_late = cancel(&app, &trust.booker, &ids[0], "Ward closed").await;
    assert_eq!(by_trust_late["cancellation"]["late"], true);
    let by_trust_early = cancel(&app, &trust.booker, &ids[1], "Patient numbers down").await;
    assert_eq!(by_trust_early["cancellation"]["late"], false);
    app.advance(Duration::hours(8));
    let by_worker_late = cancel(&app, &nurse, &ids[2], "Childcare fell through").await;
    assert_eq!(by_worker_late["cancellation"]["late"], true);

    let report = app
        .get(
            &format!("/api/v1/organisations/{}/matching-report", trust.id),
            &trust.booker,
        )
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    for (key, value) in [
        ("cancelled_by_trust", 2),
        ("late_by_trust", 1),
        ("cancelled_by_worker", 1),
        ("late_by_worker", 1),
        ("cancellation_payments", 1),
    ] {
        assert_eq!(report.body[key], value, "{key}: {}", report.body);
    }
    let other = app.trust("RXN").await;
    app.get(
        &format!("/api/v1/organisations/{}/matching-report", trust.id),
        &other.booker,
    )
    .await
    .assert_problem(404, "not-found");
}

/// `nurse` books a four-hour shift of the trust's starting two hours from now, and the clock
/// moves past it.
async fn work_a_past_shift(app: &TestApp, trust: &Trust, nurse: &str) {
    let past = app.shift(trust, &trust.bank, 2, 4, 1).await;
    assert_eq!(
        app.book(nurse, &past, "past").await.status,
        StatusCode::CREATED
    );
    app.advance(Duration::hours(8));
}

async fn a_workers_shifts_are_ranked_and_the_rest_explained(app: TestApp) {
    let trust = app.trust("RXL").await;
    let nurse = app.worker("lee@nurse.test", &[&trust.bank]).await;
    // Work a shift on ward 1, then let it pass.
    work_a_past_shift(&app, &trust, &nurse).await;
    // Ward 2 of the same trust.
    let site_id = app
        .store
        .ward(staffbank_domain::WardId(
            Uuid::parse_str(&trust.ward).unwrap(),
        ))
        .await
        .unwrap()
        .unwrap()
        .site_id;
    let ward2 = app
        .post(
            &format!("/api/v1/sites/{}/wards", site_id.0),
            &app.admin,
            json!({"name": "Ward 2"}),
        )
        .await;
    let ward2 = ward2.body["id"].as_str().unwrap().to_owned();
    let other_ward = Trust {
        ward: ward2,
        ..trust.clone()
    };
    let elsewhere = app.shift(&other_ward, &trust.bank, 20, 8, 1).await;
    let familiar = app.shift(&trust, &trust.bank, 40, 8, 1).await;
    let matches = app.get("/api/v1/me/shift-matches", &nurse).await;
    assert_eq!(matches.status, StatusCode::OK, "{}", matches.body);
    let order: Vec<&str> = matches.body["bookable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["shift"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec![familiar.as_str(), elsewhere.as_str()],
        "continuity ranks first"
    );
    assert_eq!(
        matches.body["bookable"][0]["rank"]["worked_ward_before"],
        true
    );
    // Booking one makes an overlapping or too-close shift not bookable, with the reason.
    let clash = app.shift(&trust, &trust.bank, 44, 8, 1).await;
    assert_eq!(
        app.book(&nurse, &familiar, "f").await.status,
        StatusCode::CREATED
    );
    let matches = app.get("/api/v1/me/shift-matches", &nurse).await;
    let refused = matches.body["not_bookable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["shift"]["id"] == clash.as_str())
        .unwrap_or_else(|| panic!("{}", matches.body));
    let reason = &refused["reasons"][0];
    assert_eq!(reason["reason"], "holds_overlapping_booking");
    assert_eq!(reason["same_trust"], true);
    let familiar_shift = app
        .get(&format!("/api/v1/shifts/{familiar}"), &trust.booker)
        .await;
    let at = |v: &serde_json::Value| {
        v.as_str()
            .unwrap()
            .parse::<chrono::DateTime<Utc>>()
            .unwrap()
    };
    assert_eq!(
        at(&reason["starts_at"]),
        at(&familiar_shift.body["starts_at"])
    );
    assert_eq!(at(&reason["ends_at"]), at(&familiar_shift.body["ends_at"]));
    let said = refused["explanations"][0].as_str().unwrap();
    assert!(
        said.starts_with("you are already booked at this trust from "),
        "{said}"
    );
    app.get("/api/v1/me/shift-matches?limit=0", &nurse)
        .await
        .assert_problem(422, "validation-error");
}

async fn a_bookers_candidates_are_ranked_with_near_misses(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    let busy = app.worker("busy@nurse.test", &[&trust.bank]).await;
    let _fresh = app.worker("fresh@nurse.test", &[&trust.bank]).await;
    let _outsider = app.worker("out@nurse.test", &[&other.bank]).await;
    let (_, lapsing) = bare_nurse(&app, "lapsing@nurse.test", &trust.bank).await;
    let officer = compliance_officer(&app, &trust, "cat").await;
    standard_checks(
        &app,
        &officer,
        &lapsing,
        Some((Utc::now() + Duration::days(2)).to_rfc3339()),
    )
    .await;
    // The busy nurse already has 24 hours booked this period.
    for (i, hours) in [100, 130].into_iter().enumerate() {
        let s = app.shift(&trust, &trust.bank, hours, 12, 1).await;
        assert_eq!(
            app.book(&busy, &s, &format!("b{i}")).await.status,
            StatusCode::CREATED
        );
    }
    let shift = app.shift(&trust, &trust.bank, 72, 12, 1).await;
    let reply = app
        .get(&format!("/api/v1/shifts/{shift}/candidates"), &trust.booker)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body["eligible"].as_array().unwrap().len(),
        2,
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body["eligible"][0]["rank"]["hours_this_period"], 0.0,
        "fewer hours first"
    );
    assert_eq!(reply.body["eligible"][1]["rank"]["hours_this_period"], 24.0);
    let near = reply.body["near_misses"].as_array().unwrap();
    assert_eq!(near.len(), 1, "{}", reply.body);
    assert_eq!(near[0]["worker_id"], lapsing.as_str());
    let why = near[0]["explanations"][0].as_str().unwrap();
    assert!(
        why.contains("expires") && why.contains("before the shift ends"),
        "{why}"
    );
    app.get(&format!("/api/v1/shifts/{shift}/candidates"), &other.booker)
        .await
        .assert_problem(404, "not-found");
}

async fn a_booker_sees_that_another_trusts_booking_is_in_the_way_but_not_when(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    let nurse = app
        .worker("two@nurse.test", &[&trust.bank, &other.bank])
        .await;
    let there = app.shift(&other, &other.bank, 60, 12, 1).await;
    assert_eq!(
        app.book(&nurse, &there, "there").await.status,
        StatusCode::CREATED
    );
    let here = app.shift(&trust, &trust.bank, 66, 8, 1).await;
    // The nurse is told when her own booking is.
    let matches = app.get("/api/v1/me/shift-matches", &nurse).await;
    let mine = matches.body["not_bookable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["shift"]["id"] == here.as_str())
        .unwrap_or_else(|| panic!("{}", matches.body));
    assert_eq!(mine["reasons"][0]["same_trust"], false);
    assert!(mine["reasons"][0]["starts_at"].is_string(), "{mine}");
    // The trust's booker learns that a booking elsewhere is in the way, not when it is.
    let reply = app
        .get(&format!("/api/v1/shifts/{here}/candidates"), &trust.booker)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let near = reply.body["near_misses"].as_array().unwrap();
    assert_eq!(near.len(), 1, "{}", reply.body);
    let reason = &near[0]["reasons"][0];
    assert_eq!(reason["reason"], "holds_overlapping_booking");
    assert_eq!(reason["same_trust"], false);
    assert_eq!(
        (&reason["starts_at"], &reason["ends_at"]),
        (&json!(null), &json!(null)),
        "{reason}"
    );
    assert_eq!(
        near[0]["explanations"][0],
        "already booked at another trust at a time that overlaps this shift"
    );
}

async fn candidates_who_worked_the_ward_rank_first_and_a_filled_shift_has_none(app: TestApp) {
    let trust = app.trust("RXL").await;
    let regular = app.worker("regular@nurse.test", &[&trust.bank]).await;
    let newcomer = app.worker("newcomer@nurse.test", &[&trust.bank]).await;
    // The regular works a shift on the ward, and it passes.
    work_a_past_shift(&app, &trust, &regular).await;
    let shift = app.shift(&trust, &trust.bank, 72, 12, 1).await;
    let path = format!("/api/v1/shifts/{shift}/candidates");
    let reply = app.get(&path, &trust.booker).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let regular_id = app.worker_id(&regular).await.0.to_string();
    let newcomer_id = app.worker_id(&newcomer).await.0.to_string();
    let eligible = reply.body["eligible"].as_array().unwrap();
    let order: Vec<&str> = eligible
        .iter()
        .map(|c| c["worker_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, vec![regular_id.as_str(), newcomer_id.as_str()]);
    assert_eq!(eligible[0]["rank"]["worked_ward_before"], true);
    assert_eq!(eligible[1]["rank"]["worked_ward_before"], false);
    // Once the newcomer takes the only place, no one is eligible and the regular is told why.
    assert_eq!(
        app.book(&newcomer, &shift, "only").await.status,
        StatusCode::CREATED
    );
    let reply = app.get(&path, &trust.booker).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["eligible"], json!([]), "{}", reply.body);
    let near = reply.body["near_misses"].as_array().unwrap();
    assert_eq!(near.len(), 1, "{}", reply.body);
    assert_eq!(near[0]["worker_id"], regular_id.as_str());
    assert_eq!(near[0]["reasons"][0]["reason"], "shift_not_open");
    // That it is filled is the shift's, not the worker's: no words repeat it for each worker.
    assert_eq!(near[0]["explanations"], json!([]), "{}", reply.body);
}

/// Makes the trust's ward take booking requests instead of instant bookings.
async fn requests_only(app: &TestApp, trust: &Trust) {
    let mode = app
        .call(
            Method::PUT,
            &format!("/api/v1/wards/{}/booking-mode", trust.ward),
            Some(&trust.booker),
            Some(json!({"instant_booking": false})),
        )
        .await;
    assert_eq!(mode.status, StatusCode::NO_CONTENT, "{}", mode.body);
}

async fn a_request_ward_approves_each_booking_once(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    // Posted while the ward booked at once: the ward's change reaches it.
    let shift = app.shift(&trust, &trust.bank, 30, 8, 1).await;
    requests_only(&app, &trust).await;
    let ana = app.worker("ana@nurse.test", &[&trust.bank]).await;
    let ben = app.worker("ben@nurse.test", &[&trust.bank]).await;
    app.book(&ana, &shift, "b")
        .await
        .assert_problem(409, "book-by-request");
    let ask = |token: String, key: &'static str| {
        let path = format!("/api/v1/shifts/{shift}/requests");
        let app = &app;
        async move {
            app.call_with(
                Method::POST,
                &path,
                Some(&token),
                None,
                &[("idempotency-key", key)],
            )
            .await
        }
    };
    let asked = ask(ana.clone(), "r1").await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let again = ask(ana.clone(), "r1").await;
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.body["id"], asked.body["id"]);
    ask(ana.clone(), "r2")
        .await
        .assert_problem(409, "already-requested");
    let bens = ask(ben.clone(), "r1").await;
    assert_eq!(bens.status, StatusCode::CREATED, "{}", bens.body);

    let queue = app.get("/api/v1/approvals", &trust.booker).await;
    assert_eq!(queue.body.as_array().unwrap().len(), 2, "{}", queue.body);
    assert_eq!(
        app.get("/api/v1/approvals", &other.booker).await.body,
        json!([])
    );
    // A booker of the ward alone has the same queue; a booker of another trust's ward none.
    let ward_booker = |email: &'static str, ward: &str| {
        let ward = WardId(Uuid::parse_str(ward).unwrap());
        let app = &app;
        async move {
            app.user_with_session(
                email,
                vec![Grant {
                    role: Role::Booker,
                    scope: Scope::Ward(ward),
                }],
            )
            .await
        }
    };
    let ours = ward_booker("ward@rxl.test", &trust.ward).await;
    let queue = app.get("/api/v1/approvals", &ours).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert_eq!(queue.body.as_array().unwrap().len(), 2, "{}", queue.body);
    let theirs = ward_booker("ward@rxn.test", &other.ward).await;
    assert_eq!(app.get("/api/v1/approvals", &theirs).await.body, json!([]));
    let approve = |token: String, id: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/requests/{id}/approve"),
                &token,
                json!(null),
            )
            .await
        }
    };
    let ana_request = asked.body["id"].as_str().unwrap().to_owned();
    let ben_request = bens.body["id"].as_str().unwrap().to_owned();
    approve(other.booker.clone(), ana_request.clone())
        .await
        .assert_problem(404, "not-found");
    let approved = approve(trust.booker.clone(), ana_request.clone()).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert!(approved.body["booking_id"].is_string());
    assert_eq!(approved.body["shift"]["booked"], 1);
    // The last place is gone: approving Ben is refused and leaves his request to decline.
    approve(trust.booker.clone(), ben_request.clone())
        .await
        .assert_problem(409, "shift-full");
    let declined = app
        .post(
            &format!("/api/v1/requests/{ben_request}/decline"),
            &trust.booker,
            json!(null),
        )
        .await;
    assert_eq!(declined.body["status"], "declined", "{}", declined.body);
    approve(trust.booker.clone(), ben_request)
        .await
        .assert_problem(409, "request-decided");
    let mine = app.get("/api/v1/me/requests", &ana).await;
    assert_eq!(mine.body[0]["status"], "approved");
}

/// Between a request and its approval the worker's checks and week can change: approval judges
/// them again, refuses with the reason, books nothing and leaves the request pending.
async fn approval_judges_the_request_again_as_things_stand(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    requests_only(&app, &trust).await;
    let officer = compliance_officer(&app, &trust, "cora").await;
    let (nurse, worker) = bare_nurse(&app, "ida@nurse.test", &trust.bank).await;
    let joined = app
        .post("/api/v1/me/banks", &nurse, json!({"bank_id": other.bank}))
        .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    standard_checks(&app, &officer, &worker, None).await;
    let shift = app.shift(&trust, &trust.bank, 48, 8, 1).await;
    let asked = app
        .call_with(
            Method::POST,
            &format!("/api/v1/shifts/{shift}/requests"),
            Some(&nurse),
            None,
            &[("idempotency-key", "r1")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let request = asked.body["id"].as_str().unwrap().to_owned();
    let approve_path = format!("/api/v1/requests/{request}/approve");
    let approve = || app.post(&approve_path, &trust.booker, json!(null));
    let untouched = || async {
        let mine = app.get("/api/v1/me/requests", &nurse).await;
        assert_eq!(mine.body[0]["status"], "pending", "{}", mine.body);
        let seen = app
            .get(&format!("/api/v1/shifts/{shift}"), &trust.booker)
            .await;
        assert_eq!(seen.body["booked"], 0, "{}", seen.body);
    };

    // Meanwhile she books a 12-hour day at another trust ending 9 hours before the shift.
    let day = app.shift(&other, &other.bank, 27, 12, 1).await;
    let booked = app.book(&nurse, &day, "day").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let refused = approve().await;
    refused.assert_problem(422, "not-eligible");
    // About nine hours: the two shifts were posted moments apart, each from the clock's now.
    let reason = &refused.body["reasons"][0];
    assert_eq!(reason["rule"], "daily_rest", "{}", refused.body);
    assert_eq!(reason["same_trust"], false);
    assert!((535..=540).contains(&reason["rest_minutes"].as_i64().unwrap()));
    untouched().await;
    cancel(
        &app,
        &nurse,
        booked.body["id"].as_str().unwrap(),
        "Changed plans",
    )
    .await;

    // Then her DBS check is revoked.
    let credentials = app.get("/api/v1/me/credentials", &nurse).await;
    app.revoke_kind(
        &officer,
        &credentials.body,
        "dbs_check",
        "Barred list match",
    )
    .await;
    let refused = approve().await;
    refused.assert_problem(422, "not-eligible");
    assert_eq!(
        refused.body["reasons"][0]["reason"], "credential",
        "{}",
        refused.body
    );
    assert_eq!(refused.body["reasons"][0]["problem"], "revoked");
    untouched().await;

    // A new check recorded, the same request is approved.
    record(
        &app,
        &officer,
        &worker,
        json!({"kind": "dbs_check", "dbs_level": "enhanced_barred",
            "valid_from": (Utc::now() - Duration::days(1)).to_rfc3339()}),
    )
    .await;
    let approved = approve().await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["shift"]["booked"], 1);
}

/// A worker living about 75 km from the site: their travel limit hides the shifts beyond it,
/// their preferred times choose the default filter and rank first, and the filters narrow the
/// list by time of day and by how soon the shift starts.
async fn a_workers_travel_limit_and_shift_times_choose_what_they_see(app: TestApp) {
    let trust = app.trust("RXL").await; // its site is at 53.8, -2.7
    let (nurse, worker) =
        nurse_living_at(&app, "kit@nurse.test", &trust.bank, Some((53.8, -1.55))).await;
    let worker = staffbank_domain::WorkerId(Uuid::parse_str(&worker).unwrap());
    app.give_credentials(worker, &trust.bank, None).await;

    let base = midnight_in_days(3);
    let day = post_at(&app, &trust, base, &[8], 8).await.remove(0); // 08:00-16:00
    let night = post_at(&app, &trust, base, &[22], 8).await.remove(0); // 22:00-06:00
    let later = post_at(&app, &trust, base, &[10 * 24 + 8], 8)
        .await
        .remove(0);
    let seen = |query: &'static str| {
        let (app, nurse) = (&app, &nurse);
        async move {
            let reply = app
                .get(&format!("/api/v1/me/shift-matches{query}"), nurse)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let ids: Vec<String> = reply.body["bookable"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["shift"]["id"].as_str().unwrap().to_owned())
                .collect();
            (ids, reply.body)
        }
    };
    let prefer = |limit: serde_json::Value, times: &'static str| {
        let (app, nurse) = (&app, &nurse);
        async move {
            app.call(
                Method::PUT,
                "/api/v1/me/preferences",
                Some(nurse),
                Some(json!({"max_travel_km": limit, "shift_times": times})),
            )
            .await
        }
    };
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    let all = sorted(vec![day.clone(), night.clone(), later.clone()]);

    // No limit: every shift, with its distance.
    let (ids, body) = seen("").await;
    assert_eq!(sorted(ids), all);
    let km = body["bookable"][0]["rank"]["distance_km"].as_f64().unwrap();
    assert!((70.0..80.0).contains(&km), "{km}");

    // 50 km: none of them, since they are all about 75 km away.
    assert_eq!(
        prefer(json!(50), "any").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(seen("").await.0, Vec::<String>::new());
    prefer(json!(0), "any")
        .await
        .assert_problem(422, "validation-error");

    // 100 km and nights: nights by default, and first when every time is asked for.
    assert_eq!(
        prefer(json!(100), "nights").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(seen("").await.0, vec![night.clone()]);
    let (ids, _) = seen("?times=any").await;
    assert_eq!(ids[0], night);
    assert_eq!(sorted(ids), all);
    assert_eq!(seen("?times=days").await.0.len(), 2);
    assert!(!seen("?times=days").await.0.contains(&night));
    assert_eq!(
        sorted(seen("?times=any&within_days=5").await.0),
        sorted(vec![day, night])
    );
    for bad in ["?times=weekends", "?within_days=0", "?within_days=367"] {
        app.get(&format!("/api/v1/me/shift-matches{bad}"), &nurse)
            .await
            .assert_problem(422, "validation-error");
    }
}

/// The "super-bank" tier by hours worked: with a threshold of 20 hours in 13 weeks, a nurse who
/// worked 24 hours earns the core tier and books inside the priority window; one who worked 8
/// does not; once the hours fall out of the 13 weeks the tier lapses. A silver tier given by hand
/// is never touched.
async fn the_core_tier_is_earned_by_hours_worked_and_lapses(app: TestApp) {
    let trust = app.trust("RXL").await;
    app.set_policy(&trust, json!({"core_tier_hours": 20})).await;
    let path = format!("/api/v1/organisations/{}/release-policy", trust.id);
    let mut policy = app.get(&path, &trust.booker).await.body;
    assert_eq!(policy["core_tier_hours"], 20, "{policy}");
    policy["core_tier_hours"] = json!(0);
    app.call(Method::PUT, &path, Some(&trust.booker), Some(policy))
        .await
        .assert_problem(422, "validation-error");

    let ana = app.worker("ana@nurse.test", &[&trust.bank]).await;
    let ben = app.worker("ben@nurse.test", &[&trust.bank]).await;
    let cy = app.worker("cy@nurse.test", &[&trust.bank]).await;
    let cy_id = app.worker_id(&cy).await;
    let silver = app
        .call(
            Method::PUT,
            &format!("/api/v1/banks/{}/members/{}/tier", trust.bank, cy_id.0),
            Some(&trust.booker),
            Some(json!({"tier": "silver"})),
        )
        .await;
    assert_eq!(silver.status, StatusCode::NO_CONTENT, "{}", silver.body);
    // Ana works three 8-hour shifts, Ben the first of them.
    for (i, hours_ahead) in [2, 26, 50].into_iter().enumerate() {
        let worked = app.shift(&trust, &trust.bank, hours_ahead, 8, 2).await;
        let booked = app.book(&ana, &worked, &format!("a{i}")).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        if i == 0 {
            let booked = app.book(&ben, &worked, "b0").await;
            assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        }
    }
    app.advance(Duration::hours(60));
    // Shifts posted from now on give the tiered an hour to themselves.
    app.set_policy(
        &trust,
        json!({"priority_window_minutes": 60, "core_tier_hours": 20}),
    )
    .await;
    assert_eq!(app.app.award_core_tiers().await.unwrap(), 1);
    assert_eq!(app.app.award_core_tiers().await.unwrap(), 0, "once only");
    // A shift three days ahead, released now: the tiered book at once, the rest wait an hour.
    let books_first = |ahead: i64, key: &'static str| {
        let app = &app;
        let trust = &trust;
        let (ana, ben, cy) = (ana.clone(), ben.clone(), cy.clone());
        async move {
            let shift = app.shift(trust, &trust.bank, ahead, 8, 3).await;
            let mut first = Vec::new();
            for (name, token) in [("ana", ana), ("ben", ben), ("cy", cy)] {
                let reply = app.book(&token, &shift, key).await;
                match reply.status {
                    StatusCode::CREATED => first.push(name),
                    _ => assert_eq!(reply.body["reasons"][0]["reason"], "not_yet_open"),
                }
            }
            first
        }
    };
    assert_eq!(books_first(60 + 72, "early").await, vec!["ana", "cy"]);
    let earned = app.ledger_entries("worker.tier").await;
    let by_hours: Vec<_> = earned
        .iter()
        .filter(|e| e["facts"]["by"] == "hours_worked")
        .collect();
    assert_eq!(by_hours.len(), 1, "{earned:?}");
    assert_eq!(by_hours[0]["facts"]["tier"], "core");
    assert_eq!(by_hours[0]["facts"]["minutes_worked"], 24 * 60);

    // Thirteen weeks on, her hours have fallen out of the period: the tier lapses.
    app.advance(Duration::weeks(13));
    assert_eq!(app.app.award_core_tiers().await.unwrap(), 1);
    let later = 13 * 7 * 24 + 60 + 72;
    assert_eq!(books_first(later, "later").await, vec!["cy"]);
}
