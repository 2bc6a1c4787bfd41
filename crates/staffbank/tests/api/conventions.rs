//! API conventions: problem documents for every error, never a 500, nothing changed by a refusal,
//! unknown fields refused, a body size limit, and the OpenAPI document.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// Method, path, bearer token, content type, body, expected status.
type Case<'a> = (Method, String, Option<&'a str>, &'a str, Vec<u8>, u16);

crate::both_backends!(
    hostile_requests_get_problems_and_change_nothing,
    openapi_document_is_served
);

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, String, Value) {
    let mut request = app
        .http
        .request(method, format!("{}{path}", app.base))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
    (status, kind, body)
}

async fn hostile_requests_get_problems_and_change_nothing(app: TestApp) {
    let trust = app.trust("RXL").await;
    let nurse = app.worker("fin@nurse.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank.clone(), 24, 8, 1).await;
    let good_shift = json!({"ward_id": trust.ward, "bank_id": trust.bank, "role": "Nurse",
        "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_6",
        "starts_at": (chrono::Utc::now() + chrono::Duration::hours(50)).to_rfc3339(),
        "ends_at": (chrono::Utc::now() + chrono::Duration::hours(58)).to_rfc3339()});
    let with = |field: &str, value: Value| {
        let mut s = good_shift.clone();
        s[field] = value;
        json!({"shifts": [good_shift.clone(), s]})
    };
    let huge = format!(
        "{{\"shifts\": [], \"pad\": \"{}\"}}",
        "x".repeat(400 * 1024)
    );
    let cases: Vec<Case> = vec![
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", b"{".to_vec(), 400),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", b"null".to_vec(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", b"[1,2,3]".to_vec(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "text/plain", b"hello".to_vec(), 415),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", huge.into_bytes(), 413),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", vec![0xff, 0xfe, 0x00], 400),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", with("extra", json!(1)).to_string().into_bytes(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", with("places", json!(0)).to_string().into_bytes(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", with("places", json!(1e300)).to_string().into_bytes(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", with("starts_at", json!("yesterday")).to_string().into_bytes(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", with("grade_min", json!("band_9")).to_string().into_bytes(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", with("role", json!("\u{0000}")).to_string().into_bytes(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", with("ward_id", json!("not-a-uuid")).to_string().into_bytes(), 422),
        (Method::POST, "/api/v1/shifts".into(), Some("forged-token"), "application/json", b"{}".to_vec(), 401),
        (Method::POST, "/api/v1/shifts".into(), None, "application/json", b"{}".to_vec(), 401),
        (Method::GET, "/api/v1/shifts/not-a-uuid".into(), Some(&trust.booker), "application/json", vec![], 404),
        (Method::GET, "/api/v1/shifts?limit=0".into(), Some(&trust.booker), "application/json", vec![], 422),
        (Method::GET, "/api/v1/shifts?limit=-1".into(), Some(&trust.booker), "application/json", vec![], 422),
        (Method::GET, "/api/v1/shifts?cursor=%00%ff".into(), Some(&trust.booker), "application/json", vec![], 422),
        (Method::GET, "/api/v1/shifts?unknown=1".into(), Some(&trust.booker), "application/json", vec![], 422),
        (Method::DELETE, "/api/v1/shifts".into(), Some(&trust.booker), "application/json", vec![], 405),
        (Method::GET, "/api/v1/nowhere".into(), None, "application/json", vec![], 404),
        (Method::POST, format!("/api/v1/shifts/{shift}/bookings"), Some(&nurse), "application/json", vec![], 400),
        (Method::POST, format!("/api/v1/shifts/{shift}/bookings"), Some("forged-token"), "application/json", vec![], 401),
        (Method::POST, format!("/api/v1/shifts/{shift}/bookings"), None, "application/json", vec![], 401),
        (Method::POST, "/api/v1/shifts/not-a-uuid/bookings".into(), Some("forged-token"), "application/json", vec![], 401),
        (Method::POST, "/api/v1/shifts/not-a-uuid/bookings".into(), Some(&nurse), "application/json", vec![], 404),
        (Method::POST, "/api/v1/workers".into(), None, "application/json", br#"{"email":"x@y.test","password":"short","display_name":"","staff_group":"wizard","grade":"band_5"}"#.to_vec(), 422),
        (Method::PUT, "/api/v1/trust-framework".into(), Some(&app.admin), "application/json", b"{not json".to_vec(), 400),
        (Method::PUT, "/api/v1/trust-framework".into(), Some(&app.admin), "application/json", br#"{"org_id":"x","vct":"v","trusted":true}"#.to_vec(), 422),
        (Method::PUT, "/api/v1/trust-framework".into(), Some(&app.admin), "application/json", format!(r#"{{"org_id":"{}","vct":"v","trusted":true,"extra":1}}"#, trust.id).into_bytes(), 422),
        (Method::DELETE, format!("/api/v1/organisations/{}/issuer-keys", trust.id), Some(&app.admin), "application/json", vec![], 405),
        (Method::POST, "/api/v1/me/passport/not-a-uuid/accept".into(), Some(&nurse), "application/json", br#"{"proof":"x"}"#.to_vec(), 404),
        (Method::POST, format!("/api/v1/me/passport/{}/accept", uuid::Uuid::new_v4()), Some(&nurse), "application/json", br#"{"proof":"x"}"#.to_vec(), 404),
        (Method::POST, format!("/api/v1/me/presentation-requests/{}/present", uuid::Uuid::new_v4()), Some(&nurse), "application/json", br#"{"presentation":1}"#.to_vec(), 422),
        (Method::POST, "/api/v1/paper-checks".into(), Some(&app.admin), "application/json", br#"{"credential":["x"]}"#.to_vec(), 422),
        (Method::POST, "/api/v1/paper-checks".into(), Some(&nurse), "application/json", br#"{"credential":"a~b~"}"#.to_vec(), 403),
        (Method::POST, "/api/v1/paper-checks".into(), None, "application/json", br#"{"credential":"a~b~"}"#.to_vec(), 401),
        (Method::GET, "/api/v1/me/paper-passport".into(), Some(&app.admin), "application/json", vec![], 403),
        (Method::POST, format!("/issuers/{}/token", trust.id), None, "application/json", br#"{"grant_type":"x"}"#.to_vec(), 400),
        (Method::POST, format!("/issuers/{}/token", trust.id), None, "application/x-www-form-urlencoded", b"%ff%fe=\x00".to_vec(), 400),
        (Method::POST, format!("/issuers/{}/credential", trust.id), None, "application/json", b"{".to_vec(), 400),
        (Method::POST, format!("/issuers/{}/credential", trust.id), Some("forged"), "application/json", br#"{"proofs":5}"#.to_vec(), 401),
        (Method::GET, "/api/v1/me/passport/not-a-uuid/credential-offer".into(), Some(&nurse), "application/json", vec![], 404),
        (Method::POST, format!("/verifiers/{}/responses/{}", trust.id, uuid::Uuid::new_v4()), None, "application/x-www-form-urlencoded", b"state=x&vp_token=%7B".to_vec(), 404),
        (Method::POST, format!("/verifiers/{}/responses/not-a-uuid", trust.id), None, "application/x-www-form-urlencoded", b"state=x".to_vec(), 404),
        (Method::POST, format!("/verifiers/{}/responses/{}", trust.id, uuid::Uuid::new_v4()), None, "text/plain", b"state=x".to_vec(), 400),
        (Method::GET, format!("/api/v1/me/presentation-requests/{}/authorization-request", uuid::Uuid::new_v4()), Some(&nurse), "application/json", vec![], 404),
        (Method::PUT, format!("/api/v1/timesheets/{}/hours", uuid::Uuid::new_v4()), Some(&nurse), "application/json", br#"{"start":"yesterday","end":1}"#.to_vec(), 422),
        (Method::PUT, format!("/api/v1/timesheets/{}/hours", uuid::Uuid::new_v4()), Some(&nurse), "application/json", br#"{"start":"2026-06-02T08:00:00Z","end":"2026-06-02T16:00:00Z"}"#.to_vec(), 404),
        (Method::POST, format!("/api/v1/timesheets/{}/decision", uuid::Uuid::new_v4()), Some(&trust.booker), "application/json", br#"{"decision":"approve","extra":1}"#.to_vec(), 422),
        (Method::POST, "/api/v1/bookings/not-a-uuid/timesheet".into(), Some(&nurse), "application/json", vec![], 404),
        (Method::GET, "/api/v1/timesheets".into(), Some(&nurse), "application/json", vec![], 403),
        (Method::GET, "/issuers/not-a-uuid/status-list".into(), None, "application/json", vec![], 404),
        (Method::POST, format!("/api/v1/organisations/{}/pay-runs", trust.id), Some(&trust.booker), "application/json", br#"{"first_day":"not a date"}"#.to_vec(), 422),
        (Method::POST, format!("/api/v1/organisations/{}/pay-runs", trust.id), Some(&nurse), "application/json", br#"{}"#.to_vec(), 403),
        (Method::PUT, format!("/api/v1/organisations/{}/pay-settings", trust.id), Some(&nurse), "application/json", br#"{"period_weeks":1e9}"#.to_vec(), 422),
        (Method::GET, "/api/v1/pay-runs/not-a-uuid/file".into(), Some(&nurse), "application/json", vec![], 404),
        (Method::POST, "/api/v1/me/advances".into(), Some(&nurse), "application/json", br#"{"org_id":"x","amount_pence":"lots"}"#.to_vec(), 422),
        (Method::POST, "/api/v1/me/advances".into(), Some(&nurse), "application/json", format!(r#"{{"org_id":"{}","amount_pence":9223372036854775807}}"#, trust.id).into_bytes(), 409),
        (Method::POST, format!("/api/v1/timesheets/{}/adjustments", uuid::Uuid::new_v4()), Some(&nurse), "application/json", br#"{"amount_pence":1,"reason":"x"}"#.to_vec(), 403),
        (Method::POST, format!("/api/v1/sign-on-challenges/{}/proof", uuid::Uuid::new_v4()), Some(&nurse), "application/json", br#"{"proof":"a.b.c"}"#.to_vec(), 422),
        (Method::POST, format!("/api/v1/sign-on-challenges/{}/proof", uuid::Uuid::new_v4()), Some(&app.admin), "application/json", br#"{"proof":"a.b.c"}"#.to_vec(), 403),
        (Method::POST, format!("/api/v1/bookings/{}/sign-on-challenges", uuid::Uuid::new_v4()), Some(&nurse), "application/json", vec![], 403),
        (Method::POST, format!("/api/v1/bookings/{}/smartcard-sign-on", uuid::Uuid::new_v4()), Some(&nurse), "application/json", br#"{"card":5}"#.to_vec(), 422),
        (Method::POST, format!("/api/v1/bookings/{}/sign-off", uuid::Uuid::new_v4()), Some(&nurse), "application/json", vec![], 404),
        (Method::PUT, format!("/api/v1/workers/{}/smartcard", uuid::Uuid::new_v4()), Some(&nurse), "application/json", br#"{"card":"123456789012"}"#.to_vec(), 404),
        (Method::GET, "/api/v1/escalations".into(), Some(&nurse), "application/json", vec![], 403),
        (Method::POST, "/api/v1/workers".into(), None, "application/json", r#"{"email":"zw@nurse.test","password":"correct horse battery","display_name":"\u200b\u200d","staff_group":"nursing_and_midwifery","grade":"band_5"}"#.as_bytes().to_vec(), 422),
        (Method::POST, "/api/v1/workers".into(), None, "application/json", r#"{"email":"rlo@nurse.test","password":"correct horse battery","display_name":"Ann \u202eeeL","staff_group":"nursing_and_midwifery","grade":"band_5"}"#.as_bytes().to_vec(), 422),
        (Method::GET, format!("/issuers/{}/status-list", trust.id), None, "application/json", vec![], 404),
    ];
    for (method, path, token, content_type, body, expected) in cases {
        let (status, kind, problem) =
            raw(&app, method.clone(), &path, token, content_type, body).await;
        assert_eq!(status.as_u16(), expected, "{method} {path}: {problem}");
        assert_eq!(kind, "application/problem+json", "{method} {path}");
        let slug = problem["type"].as_str().unwrap_or_default();
        assert!(
            slug.starts_with("/api/v1/problems/"),
            "{method} {path}: {problem}"
        );
        assert_eq!(problem["status"], expected);
        let doc = app.call(Method::GET, slug, None, None).await;
        assert_eq!(
            doc.body["status"], expected,
            "the problem type {slug} is documented"
        );
    }

    let key = "k".repeat(129);
    app.book(&nurse, &shift, &key)
        .await
        .assert_problem(422, "validation-error");
    app.book(&nurse, &shift, "spaces are not allowed")
        .await
        .assert_problem(422, "validation-error");

    // Validation names every bad field at once.
    let reply = app
        .post(
            "/api/v1/workers",
            &trust.booker,
            json!({"email": "nope", "password": "short", "display_name": " ",
        "staff_group": "wizard", "grade": "band_5"}),
        )
        .await;
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["email", "password", "display_name", "staff_group"]
    );

    // None of the refused writes changed anything: still one shift, no bookings.
    let listed = app.get("/api/v1/shifts", &trust.booker).await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        listed.body
    );
    let mine = app.get("/api/v1/me/bookings", &nurse).await;
    assert!(mine.body["items"].as_array().unwrap().is_empty());
    let trusted = app
        .call(Method::GET, "/api/v1/trust-framework", None, None)
        .await;
    assert_eq!(trusted.body, json!([]));
    assert_eq!(app.get("/api/v1/me/passport", &nurse).await.body, json!([]));
}

async fn openapi_document_is_served(app: TestApp) {
    let doc = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/shifts",
        "/api/v1/shifts/{shift_id}/bookings",
        "/api/v1/me/open-shifts",
        "/api/v1/bookings/{booking_id}/cancel",
    ] {
        assert!(doc.body["paths"].get(path).is_some(), "{path} documented");
    }
    let live = app
        .http
        .get(format!("{}/health/ready", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
}
