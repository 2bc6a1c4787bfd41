//! A booker of one trust can neither see nor change another trust's shifts or bookings.

use reqwest::Method;
use serde_json::{json, Value};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::{OrgId, WardId};
use uuid::Uuid;

use crate::helpers::TestApp;

crate::both_backends!(
    a_booker_cannot_see_or_change_another_trust,
    a_booker_lists_the_shifts_of_every_trust_and_ward_they_book_for
);

async fn a_booker_cannot_see_or_change_another_trust(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let b_shift = app.shift(&b, &b.bank.clone(), 24, 8, 2).await;
    let nurse = app.worker("dee@nurse.test", &[&b.bank]).await;
    let booked = app.book(&nurse, &b_shift, "k").await;
    let booking = booked.body["id"].as_str().unwrap().to_owned();

    app.get(&format!("/api/v1/shifts/{b_shift}"), &a.booker)
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/shifts/{b_shift}/bookings"), &a.booker)
        .await
        .assert_problem(404, "not-found");
    app.post(
        &format!("/api/v1/bookings/{booking}/cancel"),
        &a.booker,
        json!({"reason": "mine now"}),
    )
    .await
    .assert_problem(404, "not-found");
    let listed = app.get("/api/v1/shifts", &a.booker).await;
    assert!(
        listed.body["items"].as_array().unwrap().is_empty(),
        "{}",
        listed.body
    );

    let start = (chrono::Utc::now() + chrono::Duration::hours(30)).to_rfc3339();
    let end = (chrono::Utc::now() + chrono::Duration::hours(38)).to_rfc3339();
    let into_b = app
        .post(
            "/api/v1/shifts",
            &a.booker,
            json!({"shifts": [{"ward_id": b.ward, "bank_id": b.bank, "role": "Nurse",
            "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_5",
            "starts_at": start, "ends_at": end}]}),
        )
        .await;
    into_b.assert_problem(422, "validation-error");
    assert_eq!(into_b.body["errors"][0]["field"], "shifts[0].ward_id");
    let to_b_bank = app
        .post(
            "/api/v1/shifts",
            &a.booker,
            json!({"shifts": [{"ward_id": a.ward, "bank_id": b.bank, "role": "Nurse",
            "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_5",
            "starts_at": start, "ends_at": end}]}),
        )
        .await;
    to_b_bank.assert_problem(422, "validation-error");
    assert_eq!(to_b_bank.body["errors"][0]["field"], "shifts[0].bank_id");

    // Nothing of B's changed.
    let still = app
        .get(&format!("/api/v1/shifts/{b_shift}/bookings"), &b.booker)
        .await;
    assert_eq!(still.body[0]["status"], "active");
    let b_list = app.get("/api/v1/shifts", &b.booker).await;
    assert_eq!(b_list.body["items"].as_array().unwrap().len(), 1);

    // A worker is not a booker; a booker is not a worker; nobody but an admin administers.
    app.post("/api/v1/shifts", &nurse, json!({"shifts": []}))
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/me/open-shifts", &a.booker)
        .await
        .assert_problem(403, "forbidden");
    app.post(
        "/api/v1/organisations",
        &a.booker,
        json!({"ods_code": "RAA", "name": "X", "kind": "trust"}),
    )
    .await
    .assert_problem(403, "forbidden");
}

/// The ids of a listed page's shifts.
fn listed_ids(listed: &Value) -> Vec<String> {
    listed["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {listed}"))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_booker_lists_the_shifts_of_every_trust_and_ward_they_book_for(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    // A second ward at trust A, on a site of its own.
    let site = app
        .post(
            &format!("/api/v1/organisations/{}/sites", a.id),
            &app.admin,
            json!({"name": "Community", "lat": 53.7, "lon": -2.6}),
        )
        .await;
    let site = site.body["id"].as_str().unwrap().to_owned();
    let ward = app
        .post(
            &format!("/api/v1/sites/{site}/wards"),
            &app.admin,
            json!({"name": "Ward 2"}),
        )
        .await;
    let second_ward = ward.body["id"].as_str().unwrap().to_owned();
    let start = (chrono::Utc::now() + chrono::Duration::hours(50)).to_rfc3339();
    let end = (chrono::Utc::now() + chrono::Duration::hours(58)).to_rfc3339();
    let posted = app
        .post(
            "/api/v1/shifts",
            &a.booker,
            json!({"shifts": [{"ward_id": second_ward, "bank_id": a.bank, "role": "Nurse",
            "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_5",
            "starts_at": start, "ends_at": end}]}),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let on_second_ward = posted.body[0]["id"].as_str().unwrap().to_owned();
    let on_a = app.shift(&a, &a.bank.clone(), 24, 8, 1).await;
    let on_b = app.shift(&b, &b.bank.clone(), 30, 8, 1).await;

    let user = |email: &'static str, grants: Vec<Grant>| app.user_with_session(email, grants);
    let org = |trust: &str| Scope::Organisation(OrgId(Uuid::parse_str(trust).unwrap()));
    let ward = |id: &str| Scope::Ward(WardId(Uuid::parse_str(id).unwrap()));
    let booker = |scope| Grant {
        role: Role::Booker,
        scope,
    };
    // Booking for both trusts: both trusts' shifts, soonest first.
    let both = user(
        "both@bank.test",
        vec![booker(org(&a.id)), booker(org(&b.id))],
    )
    .await;
    let listed = app.get("/api/v1/shifts", &both).await;
    assert_eq!(
        listed_ids(&listed.body),
        vec![on_a.clone(), on_b.clone(), on_second_ward.clone()]
    );
    // Booking for one ward alone: that ward's shifts, not the rest of its trust's.
    let one_ward = user("ward2@rxl.test", vec![booker(ward(&second_ward))]).await;
    let listed = app.get("/api/v1/shifts", &one_ward).await;
    assert_eq!(listed_ids(&listed.body), vec![on_second_ward.clone()]);
    // Trust B's booker with trust A's second ward too: B's shifts and that ward's.
    let mixed = user(
        "mixed@rxn.test",
        vec![booker(org(&b.id)), booker(ward(&second_ward))],
    )
    .await;
    let listed = app.get("/api/v1/shifts", &mixed).await;
    assert_eq!(listed_ids(&listed.body), vec![on_b, on_second_ward.clone()]);
    // The ward's booker posts to their ward, and their list shows it; not to the trust's other.
    let post_to = |ward: &str| {
        json!({"shifts": [{"ward_id": ward, "bank_id": a.bank, "role": "Nurse",
            "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_5",
            "starts_at": start, "ends_at": end}]})
    };
    app.post("/api/v1/shifts", &one_ward, post_to(&a.ward))
        .await
        .assert_problem(422, "validation-error");
    let own = app
        .post("/api/v1/shifts", &one_ward, post_to(&second_ward))
        .await;
    assert_eq!(own.status, 201, "{}", own.body);
    let listed = app.get("/api/v1/shifts", &one_ward).await;
    assert_eq!(listed_ids(&listed.body).len(), 2);
    // They set their own ward's booking mode, and no other: nor may another trust's booker.
    let set_mode = |token: String, ward: String| {
        let app = &app;
        async move {
            app.call(
                Method::PUT,
                &format!("/api/v1/wards/{ward}/booking-mode"),
                Some(&token),
                Some(json!({"instant_booking": false})),
            )
            .await
        }
    };
    set_mode(one_ward.clone(), a.ward.clone())
        .await
        .assert_problem(404, "not-found");
    set_mode(b.booker.clone(), second_ward.clone())
        .await
        .assert_problem(404, "not-found");
    let mode = |shift: String| {
        let app = &app;
        let token = a.booker.clone();
        async move {
            app.get(&format!("/api/v1/shifts/{shift}"), &token)
                .await
                .body["booking_mode"]
                .clone()
        }
    };
    assert_eq!(mode(on_a.clone()).await, "instant");
    assert_eq!(mode(on_second_ward.clone()).await, "instant");
    let switched = set_mode(one_ward.clone(), second_ward.clone()).await;
    assert_eq!(switched.status, 204, "{}", switched.body);
    assert_eq!(mode(on_second_ward.clone()).await, "request");
    assert_eq!(mode(on_a.clone()).await, "instant");
    // Anyone else who books for no one is refused.
    let auditor = user(
        "audit@rxl.test",
        vec![Grant {
            role: Role::Auditor,
            scope: org(&a.id),
        }],
    )
    .await;
    app.get("/api/v1/shifts", &auditor)
        .await
        .assert_problem(403, "forbidden");
}
