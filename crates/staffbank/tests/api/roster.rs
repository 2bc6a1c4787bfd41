//! Posting a roster file: every problem named by row and column, nothing posted unless every row
//! is right, the size and row limits, and a booker never reaches another trust's wards or banks.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};

crate::both_backends!(
    a_roster_is_posted_whole_or_not_at_all,
    a_roster_cannot_reach_another_trust,
    a_roster_too_large_or_empty_is_refused
);

const HEADER: &str = "Ward,Date,Start,End,Role,Staff group,Grade,Highest grade,Places,Bank\n";

/// A day `days` ahead, as a roster writes it.
fn day(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%d/%m/%Y")
        .to_string()
}

/// Posts a roster file; `Err` when the connection closed before an answer was read.
async fn try_send(
    app: &TestApp,
    http: &reqwest::Client,
    token: &str,
    text: String,
) -> Result<Reply, reqwest::Error> {
    let response = http
        .post(format!("{}/api/v1/shifts/roster", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(text)
        .send()
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = serde_json::from_str(&response.text().await?).unwrap_or(Value::Null);
    Ok(Reply {
        status,
        headers,
        body,
    })
}

async fn send(app: &TestApp, token: &str, text: String) -> Reply {
    try_send(app, &app.http, token, text).await.unwrap()
}

/// Sends a body the server stops reading part way. The server answers 413 and closes the
/// connection with the rest unread, so the client's write can race that close and lose the answer;
/// a few tries make sure the answer itself is seen and checked. Its own client keeps the closed
/// connection out of the pool the other requests reuse.
async fn send_oversized(app: &TestApp, token: &str, text: String) -> Reply {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for _ in 0..5 {
        if let Ok(reply) = try_send(app, &http, token, text.clone()).await {
            return reply;
        }
    }
    panic!("no answer to an oversized roster in five tries")
}

fn fields(reply: &Reply) -> Vec<String> {
    reply.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn listed(app: &TestApp, token: &str) -> usize {
    app.get("/api/v1/shifts", token).await.body["items"]
        .as_array()
        .map_or(0, Vec::len)
}

async fn a_roster_is_posted_whole_or_not_at_all(app: TestApp) {
    let trust = app.trust("RXL").await;
    let good = format!(
        "Ward 1,{d},07:30,19:30,Staff nurse,Nursing and midwifery,Band 5,Band 6,2,\n\
         ward 1,{d},20:00,08:00,Healthcare assistant,Healthcare support,band_3,,,RXL bank\n",
        d = day(3)
    );
    let bad = format!(
        "{good}Ward 1,{d},7am,19:30,Staff nurse,Nursing and midwifery,Band 7,Band 5,0,\n\
         Ward 1,{past},07:30,19:30,Staff nurse,Nursing and midwifery,Band 5,,1,\n",
        d = day(4),
        past = day(-2)
    );
    let refused = send(&app, &trust.booker, format!("{HEADER}{bad}")).await;
    refused.assert_problem(422, "validation-error");
    let named = fields(&refused);
    for field in ["rows[2].start", "rows[3].end"] {
        assert!(named.contains(&field.to_owned()), "{field} in {named:?}");
    }
    assert!(named
        .iter()
        .all(|f| !f.starts_with("rows[0]") && !f.starts_with("rows[1]")));
    assert_eq!(listed(&app, &trust.booker).await, 0, "nothing posted");

    // The posting rules run on rows that read: a grade range upside down, no places.
    let upside_down = format!(
        "{HEADER}Ward 1,{d},07:30,19:30,Staff nurse,Nursing and midwifery,Band 7,Band 5,0,\n",
        d = day(4)
    );
    let refused = send(&app, &trust.booker, upside_down).await;
    refused.assert_problem(422, "validation-error");
    let named = fields(&refused);
    assert!(
        named.contains(&"rows[0].highest_grade".to_owned()),
        "{named:?}"
    );
    assert!(named.contains(&"rows[0].places".to_owned()), "{named:?}");

    let posted = send(&app, &trust.booker, format!("{HEADER}{good}")).await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let shifts = posted.body.as_array().unwrap();
    assert_eq!(shifts.len(), 2);
    assert_eq!(shifts[0]["places"], 2);
    assert_eq!(shifts[1]["staff_group"], "healthcare_support");
    assert_eq!(listed(&app, &trust.booker).await, 2);
}

async fn a_roster_cannot_reach_another_trust(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let sites = app
        .post(
            &format!("/api/v1/organisations/{}/sites", b.id),
            &app.admin,
            json!({"name": "Preston", "lat": 53.7, "lon": -2.7}),
        )
        .await;
    let site = sites.body["id"].as_str().unwrap().to_owned();
    let ward = app
        .post(
            &format!("/api/v1/sites/{site}/wards"),
            &app.admin,
            json!({"name": "Other Ward"}),
        )
        .await;
    assert_eq!(ward.status, StatusCode::CREATED, "{}", ward.body);
    let text = format!(
        "{HEADER}Other Ward,{d},07:30,19:30,Staff nurse,Nursing and midwifery,Band 5,,1,\n\
         Ward 1,{d},07:30,19:30,Staff nurse,Nursing and midwifery,Band 5,,1,RXN bank\n",
        d = day(3)
    );
    let refused = send(&app, &a.booker, text).await;
    refused.assert_problem(422, "validation-error");
    assert_eq!(fields(&refused), vec!["rows[0].ward", "rows[1].bank"]);
    assert_eq!(listed(&app, &a.booker).await, 0);
    assert_eq!(listed(&app, &b.booker).await, 0);
}

async fn a_roster_too_large_or_empty_is_refused(app: TestApp) {
    let trust = app.trust("RXL").await;
    send(&app, &trust.booker, HEADER.to_owned())
        .await
        .assert_problem(422, "validation-error");
    let huge = format!("{HEADER}{}", "x".repeat(3 * 1024 * 1024));
    send_oversized(&app, &trust.booker, huge)
        .await
        .assert_problem(413, "payload-too-large");
    let row = format!(
        "Ward 1,{d},07:30,19:30,Staff nurse,Nursing and midwifery,Band 5,,1,\n",
        d = day(3)
    );
    let too_many = send(&app, &trust.booker, format!("{HEADER}{}", row.repeat(1001))).await;
    too_many.assert_problem(422, "validation-error");
    assert_eq!(fields(&too_many), vec!["roster"]);
    let broken = send(&app, &trust.booker, format!("{HEADER}\"Ward 1,unclosed\n")).await;
    assert_eq!(fields(&broken), vec!["roster"]);
    let nurse = app.worker("n@nurse.test", &[&trust.bank]).await;
    send(&app, &nurse, format!("{HEADER}{row}"))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(listed(&app, &trust.booker).await, 0);
}
