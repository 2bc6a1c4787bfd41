//! Importing shifts from an e-rostering export: the roster's columns and checks at the command
//! line, every problem printed by row and column with nothing posted, and posting the same roster
//! twice (at the command line or through the booker's upload) posting nothing the second time.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

crate::both_backends!(
    posting_a_roster_twice_posts_nothing_the_second_time,
    the_command_line_imports_a_roster
);

const HEADER: &str = "Ward,Date,Start,End,Role,Staff group,Grade,Highest grade,Places,Bank\n";

/// A day `days` ahead, as a roster writes it.
fn day(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%d/%m/%Y")
        .to_string()
}

/// Three rows, two of them the same shift (two identical gaps on one ward).
fn roster() -> String {
    format!(
        "{HEADER}Ward 1,{d},07:30,19:30,Staff nurse,Nursing and midwifery,Band 5,Band 6,2,\n\
         Ward 1,{d},20:00,08:00,Healthcare assistant,Healthcare support,band_3,,,\n\
         Ward 1,{d},20:00,08:00,Healthcare assistant,Healthcare support,band_3,,,\n",
        d = day(3)
    )
}

async fn send(app: &TestApp, token: &str, text: String) -> Reply {
    let response = app
        .http
        .post(format!("{}/api/v1/shifts/roster", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(text)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

async fn listed(app: &TestApp, token: &str) -> usize {
    app.get("/api/v1/shifts", token).await.body["items"]
        .as_array()
        .map_or(0, Vec::len)
}

async fn posting_a_roster_twice_posts_nothing_the_second_time(app: TestApp) {
    let trust = app.trust("RXL").await;
    let first = send(&app, &trust.booker, roster()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body.as_array().unwrap().len(), 3);
    assert_eq!(listed(&app, &trust.booker).await, 3);

    let second = send(&app, &trust.booker, roster()).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body.as_array().unwrap().len(), 0, "{}", second.body);
    assert_eq!(listed(&app, &trust.booker).await, 3, "nothing posted again");
    assert_eq!(app.ledger_entries("shift.posted").await.len(), 3);

    // A third identical gap is new: the file now has one more of that shift than the ward.
    let more = format!(
        "{}Ward 1,{d},20:00,08:00,Healthcare assistant,Healthcare support,band_3,,,\n",
        roster(),
        d = day(3)
    );
    let third = send(&app, &trust.booker, more).await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.body);
    assert_eq!(third.body.as_array().unwrap().len(), 1, "{}", third.body);
    assert_eq!(listed(&app, &trust.booker).await, 4);
}

async fn run(app: &TestApp, file: &std::path::Path, posted_by: &str) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_staffbank"))
        .args(["import", "shifts"])
        .arg(file)
        .args(["--database-url", &app.database_url, "--trust", "rxl"])
        .args(["--posted-by", posted_by])
        .env("STAFFBANK_MASTER_KEY", &app.master_text)
        .env("RUST_LOG", "error")
        .output()
        .await
        .unwrap()
}

async fn the_command_line_imports_a_roster(app: TestApp) {
    let trust = app.trust("RXL").await;
    app.trust("RXN").await;
    let dir = std::env::temp_dir().join(format!("staffbank-shifts-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{}Ward 9,{d},7am,19:30,Staff nurse,Nursing and midwifery,Band 12,,,\n",
            roster(),
            d = day(4)
        ),
    )
    .unwrap();
    let out = run(&app, &bad, "booker@rxl.test").await;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    for named in [
        "row 5, Ward",
        "row 5, Start",
        "row 5, Grade",
        "nothing imported",
    ] {
        assert!(said.contains(named), "{named} in {said}");
    }
    assert!(!said.contains("row 2,"), "good rows are not blamed: {said}");
    assert_eq!(listed(&app, &trust.booker).await, 0, "nothing posted");

    let file = dir.join("roster.csv");
    std::fs::write(&file, roster()).unwrap();
    // Only a booker of the trust may be named as posting.
    let out = run(&app, &file, "booker@rxn.test").await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a booker of this trust"));
    assert_eq!(listed(&app, &trust.booker).await, 0);

    let out = run(&app, &file, "booker@rxl.test").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("3 posted, 0 already present"), "{said}");
    assert_eq!(listed(&app, &trust.booker).await, 3);
    let entries = app.ledger_entries("shift.posted").await;
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["actor"].is_null()), "{entries:?}");

    let out = run(&app, &file, "booker@rxl.test").await;
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("0 posted, 3 already present"), "{said}");
    assert_eq!(listed(&app, &trust.booker).await, 3);
    std::fs::remove_dir_all(&dir).ok();
}
