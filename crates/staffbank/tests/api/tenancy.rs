//! A booker of one trust can neither see nor change another trust's shifts or bookings.

use serde_json::json;

use crate::helpers::TestApp;

crate::both_backends!(a_booker_cannot_see_or_change_another_trust);

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
