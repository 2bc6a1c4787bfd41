//! The credential-expiry forecast: lapses counted per horizon and ward, the open shifts each
//! would stop the worker booking, the CSV, and tenancy (another trust sees a 404 and nothing).

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use staffbank_domain::credential::default_requirements;
use staffbank_domain::StaffGroup;
use uuid::Uuid;

use crate::helpers::{post_at, TestApp};

crate::both_backends!(credential_expiry_counts_lapses_wards_and_stopped_shifts);

/// A band 5 nurse straight in the store, member of `bank`, whose standard checks end in
/// `valid_days` (`None`: never); their token and id.
pub async fn nurse_until(
    app: &TestApp,
    bank: &str,
    name: &str,
    valid_days: Option<i64>,
) -> (String, staffbank_domain::WorkerId) {
    use staffbank_domain::text::{Email, Label};
    use staffbank_domain::worker::Skill;
    use staffbank_domain::{BankId, Grade, UserId, WorkerId};
    use staffbank_store::User;
    let user = User {
        id: UserId(Uuid::now_v7()),
        email: Email::parse(&format!("{}@outlook.test", Uuid::new_v4().simple())).unwrap(),
        display_name: Label::parse(name, 100).unwrap(),
        password_hash: None,
        grants: vec![],
        created_at: Utc::now(),
    };
    let worker = staffbank_store::Worker {
        id: WorkerId(Uuid::now_v7()),
        user_id: user.id,
        display_name: user.display_name.clone(),
        staff_group: StaffGroup::NursingAndMidwifery,
        grade: Grade::parse("band_5").unwrap(),
        pay_point: 1,
        skills: Skill::parse_list::<&str>(&[]).unwrap(),
        home: None,
        banks: vec![],
        weekly_limit_opt_out: false,
        tiered: vec![],
        max_travel_km: None,
        shift_times: staffbank_domain::ranking::ShiftTimes::Any,
    };
    app.store
        .register_worker(&user, &worker, &[])
        .await
        .unwrap();
    app.store
        .join_bank(
            worker.id,
            BankId(Uuid::parse_str(bank).unwrap()),
            Utc::now(),
            &[],
        )
        .await
        .unwrap();
    app.give_credentials(worker.id, bank, valid_days).await;
    (app.session_for(user.id).await, worker.id)
}

fn lapses_of<'a>(body: &'a Value, worker: &str) -> Vec<&'a Value> {
    body["lapses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["worker_id"] == worker)
        .collect()
}

async fn credential_expiry_counts_lapses_wards_and_stopped_shifts(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    let kinds = default_requirements(StaffGroup::NursingAndMidwifery).len();
    let (_, soon) = nurse_until(&app, &trust.bank, "Ada Soon", Some(20)).await;
    let (_, mid) = nurse_until(&app, &trust.bank, "Bea Mid", Some(45)).await;
    let (late_token, late) = nurse_until(&app, &trust.bank, "Cy Late", Some(80)).await;
    nurse_until(&app, &trust.bank, "Di Far", Some(200)).await;
    nurse_until(&app, &trust.bank, "Ed Never", None).await;
    nurse_until(&app, &other.bank, "Fay Elsewhere", Some(10)).await;

    // Days 5, 25 and 50 from now, 12 hours each.
    let base = Utc::now();
    let shifts = post_at(&app, &trust, base, &[5 * 24, 25 * 24, 50 * 24], 12).await;
    let (early, day25, day50) = (&shifts[0], &shifts[1], &shifts[2]);
    // The late nurse books the early shift: it places them on the trust's ward and fills it.
    let booked = app.book(&late_token, early, "k-early").await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);

    let path = format!("/api/v1/trusts/{}/forecasts/credential-expiry", trust.id);
    let reply = app.get(&path, &trust.booker).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = &reply.body;

    // Each standard check of each nurse lapses at once: one lapse per kind.
    let (soon_id, mid_id, late_id) = (soon.0.to_string(), mid.0.to_string(), late.0.to_string());
    assert_eq!(lapses_of(body, &soon_id).len(), kinds);
    assert_eq!(lapses_of(body, &mid_id).len(), kinds);
    assert_eq!(lapses_of(body, &late_id).len(), kinds);
    assert_eq!(body["lapses"].as_array().unwrap().len(), 3 * kinds);
    assert_eq!(body["within_30"], kinds);
    assert_eq!(body["within_60"], 2 * kinds);
    assert_eq!(body["within_90"], 3 * kinds);
    for l in lapses_of(body, &soon_id) {
        assert_eq!(l["within_days"], 30);
        assert_eq!(l["worker_name"], "Ada Soon");
        // Both later open shifts end after day 20; the early one is before the lapse.
        let mut stopped: Vec<&str> = l["open_shifts_stopped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        stopped.sort_unstable();
        let mut expected = vec![day25.as_str(), day50.as_str()];
        expected.sort_unstable();
        assert_eq!(stopped, expected, "{l}");
        assert_eq!(l["booked_shifts_at_risk"], json!([]));
        assert_eq!(l["wards"], json!([]));
    }
    for l in lapses_of(body, &mid_id) {
        assert_eq!(l["within_days"], 60);
        assert_eq!(l["open_shifts_stopped"], json!([day50]));
    }
    for l in lapses_of(body, &late_id) {
        assert_eq!(l["within_days"], 90);
        assert_eq!(
            l["open_shifts_stopped"],
            json!([]),
            "every shift ends first"
        );
        assert_eq!(l["wards"][0]["id"], trust.ward.as_str());
        assert_eq!(l["wards"][0]["name"], "Ward 1");
    }
    let ends = chrono::DateTime::parse_from_rfc3339(
        lapses_of(body, &soon_id)[0]["ends_at"].as_str().unwrap(),
    )
    .unwrap();
    assert!((ends.with_timezone(&Utc) - (Utc::now() + Duration::days(20))).num_minutes() < 5);

    // Per ward: the late nurse on Ward 1; the other two on no ward yet.
    let wards = body["wards"].as_array().unwrap();
    assert_eq!(wards.len(), 2, "{}", body["wards"]);
    assert_eq!(wards[0]["ward_id"], trust.ward.as_str());
    assert_eq!(
        (
            &wards[0]["within_30"],
            &wards[0]["within_60"],
            &wards[0]["within_90"]
        ),
        (&json!(0), &json!(0), &json!(kinds))
    );
    assert_eq!(wards[1]["ward_name"], "No ward yet");
    assert_eq!(
        (
            &wards[1]["within_30"],
            &wards[1]["within_60"],
            &wards[1]["within_90"]
        ),
        (&json!(kinds), &json!(2 * kinds), &json!(2 * kinds))
    );
    assert_eq!(wards[1]["shifts_stopped"], 2);

    // The CSV: a header and one line per lapse.
    let csv = app
        .http
        .get(format!("{}{path}.csv", app.base))
        .bearer_auth(&trust.booker)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + 3 * kinds, "{text}");
    assert!(text.contains("Ada Soon"));

    // Tenancy: another trust's bank office, and a worker, see a 404; the other trust's own
    // forecast holds only its own nurse.
    app.get(&path, &other.booker)
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("{path}.csv"), &other.booker)
        .await
        .assert_problem(404, "not-found");
    app.get(&path, &late_token)
        .await
        .assert_problem(404, "not-found");
    let theirs = app
        .get(
            &format!("/api/v1/trusts/{}/forecasts/credential-expiry", other.id),
            &other.booker,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    let names: Vec<&str> = theirs.body["lapses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["worker_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Fay Elsewhere"; kinds]);
}
