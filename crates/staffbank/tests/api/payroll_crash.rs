//! The payroll export survives SIGKILL: several trusts' weekly runs are closed, then the real
//! `staffbank export-payroll` process is killed at random moments while it delivers them, again
//! and again. After every kill each file in the directory is whole; at the end there is exactly
//! one file per run, the one recorded, every pay line is in exactly one file, and (when NATS is
//! configured) each run is announced on JetStream once.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::Duration as StdDuration;

use chrono::Duration;
use rand::Rng;
use reqwest::StatusCode;
use serde_json::json;
use staffbank_domain::pay::PayPeriod;
use staffbank_domain::role::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, Trust};

crate::both_backends!(a_killed_export_leaves_one_whole_file_per_run);

/// Books, works, submits and approves a shift for each nurse on one trust; the period it was
/// approved in.
async fn week_of_work(app: &TestApp, trust: &Trust, nurses: &[String], manager: &str) {
    // A day ahead by the app's clock, which the test has moved on.
    let ahead = 24 + (app.app.now() - chrono::Utc::now()).num_hours();
    let shift = app
        .shift(trust, &trust.bank, ahead, 8, nurses.len() as i64)
        .await;
    let mut bookings = Vec::new();
    for nurse in nurses {
        let booked = app.book(nurse, &shift, &Uuid::new_v4().to_string()).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        bookings.push(booked.body["id"].as_str().unwrap().to_owned());
    }
    app.advance(Duration::hours(33));
    for (nurse, booking) in nurses.iter().zip(bookings) {
        let approved = app.work_and_approve(&booking, nurse, manager).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    }
}

/// Every file in the directory with its final name is whole: a header, detail records, and a
/// trailer whose count and total match them. Returns each file's pay line identifiers.
fn whole_files(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with('.') {
            continue; // a temporary file, never a delivered one
        }
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        assert!(text.ends_with("\r\n"), "{name} is cut off:\n{text}");
        let records: Vec<Vec<&str>> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        let (trailer, details) = records.split_last().unwrap();
        assert_eq!(trailer[0], "T", "{name} has no trailer:\n{text}");
        assert!(details.iter().all(|d| d[0] == "D"));
        assert_eq!(
            trailer[7].parse::<usize>().unwrap(),
            details.len(),
            "{name}"
        );
        let total: i64 = details.iter().map(|d| d[12].parse::<i64>().unwrap()).sum();
        assert_eq!(trailer[12].parse::<i64>().unwrap(), total, "{name}");
        files.insert(name, details.iter().map(|d| d[7].to_owned()).collect());
    }
    files
}

async fn a_killed_export_leaves_one_whole_file_per_run(app: TestApp) {
    let trusts = [
        app.trust("RXL").await,
        app.trust("RXN").await,
        app.trust("RTX").await,
    ];
    let mut payroll = Vec::new();
    let mut managers = Vec::new();
    let mut nurses = Vec::new();
    for (i, t) in trusts.iter().enumerate() {
        payroll.push(
            app.staff(&format!("pay{i}@t.test"), Role::PayrollOfficer, t)
                .await,
        );
        managers.push(
            app.staff(&format!("wm{i}@t.test"), Role::WardManager, t)
                .await,
        );
        let mut of_trust = Vec::new();
        for n in 0..3 {
            of_trust.push(
                app.worker(&format!("nurse{i}-{n}@t.test"), &[&t.bank])
                    .await,
            );
        }
        nurses.push(of_trust);
    }
    // Three weeks of work at each trust.
    let mut periods = Vec::new();
    for _ in 0..3 {
        let week = PayPeriod::containing(app.app.now(), 1);
        for (i, t) in trusts.iter().enumerate() {
            week_of_work(&app, t, &nurses[i], &managers[i]).await;
        }
        periods.push(PayPeriod::containing(app.app.now(), 1).first_day);
        periods.push(week.first_day);
        app.advance(Duration::days(7) - Duration::hours(33 * 3));
    }
    periods.sort();
    periods.dedup();
    app.advance(Duration::days(8));
    let mut runs = Vec::new();
    for (i, t) in trusts.iter().enumerate() {
        for first_day in &periods {
            let closed = app
                .post(
                    &format!("/api/v1/organisations/{}/pay-runs", t.id),
                    &payroll[i],
                    json!({"first_day": first_day}),
                )
                .await;
            // A period in which nothing was left to pay is refused, and closes no run.
            if closed.status == StatusCode::CONFLICT {
                closed.assert_problem(409, "pay-run-empty");
                continue;
            }
            assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.body);
            runs.push(closed.body.clone());
        }
    }
    let nats = std::env::var("STAFFBANK_TEST_NATS").ok();

    // Kill the exporter at random moments until it finishes on its own.
    let dir = std::env::temp_dir().join(format!("staffbank-crash-{}", Uuid::new_v4()));
    let mut kills = 0;
    let mut mid_run_kills = 0;
    let mut finished = false;
    for attempt in 0..60 {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_staffbank"));
        command
            .arg("export-payroll")
            .arg("--database-url")
            .arg(&app.database_url)
            .arg("--payroll-dir")
            .arg(&dir)
            .env("STAFFBANK_MASTER_KEY", &app.master_text)
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        if let Some(url) = &nats {
            command.arg("--nats-url").arg(url);
        }
        let mut child = command.spawn().unwrap();
        // Later attempts wait longer, so the last ones finish.
        let wait = rand::thread_rng().gen_range(5..40 + attempt * 10);
        tokio::select! {
            status = child.wait() => {
                assert!(status.unwrap().success());
                finished = true;
            }
            _ = tokio::time::sleep(StdDuration::from_millis(wait as u64)) => {
                // SIGKILL: no chance to tidy up.
                child.start_kill().unwrap();
                child.wait().await.unwrap();
                kills += 1;
            }
        }
        if dir.exists() {
            let delivered = whole_files(&dir).len();
            if !finished && delivered > 0 && delivered < runs.len() {
                mid_run_kills += 1;
            }
        }
        if finished {
            break;
        }
    }
    assert!(finished, "the exporter never finished");
    assert!(kills > 0, "the exporter was never interrupted");
    println!(
        "exporter killed {kills} times ({mid_run_kills} with some files delivered) before it \
         finished {} runs",
        runs.len()
    );

    // One whole file per run, as recorded; every pay line in exactly one.
    let files = whole_files(&dir);
    let recorded = {
        let mut all = Vec::new();
        for (i, t) in trusts.iter().enumerate() {
            let listed = app
                .get(
                    &format!("/api/v1/organisations/{}/pay-runs", t.id),
                    &payroll[i],
                )
                .await;
            all.extend(listed.body.as_array().unwrap().clone());
        }
        all
    };
    assert_eq!(recorded.len(), runs.len());
    assert_eq!(files.len(), runs.len(), "{:?}", files.keys());
    for run in &recorded {
        assert_eq!(run["export"], "delivered", "{run}");
        let name = run["file_name"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(run["bytes"], json!(bytes.len()));
        assert_eq!(files[name].len() as i64, run["lines"].as_i64().unwrap());
    }
    let mut seen = HashSet::new();
    for line in files.values().flatten() {
        assert!(seen.insert(line.clone()), "line {line} is in two files");
    }
    let mut approved = 0;
    for of_trust in &nurses {
        for nurse in of_trust {
            let lines = app.get("/api/v1/me/pay-lines", nurse).await;
            for line in lines.body.as_array().unwrap() {
                approved += 1;
                assert!(
                    seen.contains(line["id"].as_str().unwrap()),
                    "{line} is in no file"
                );
            }
        }
    }
    assert_eq!(seen.len(), approved);
    assert_eq!(approved, 3 * 3 * 3);

    // Announced once each, however often the exporter was killed.
    if let Some(url) = nats {
        let ids: HashSet<String> = runs
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        let announced = announcements(&url, &ids).await;
        assert_eq!(announced.len(), ids.len(), "{announced:?}");
        assert!(announced.values().all(|n| *n == 1), "{announced:?}");
    }
    std::fs::remove_dir_all(dir).ok();
}

/// How many times each of these runs was announced on JetStream.
async fn announcements(url: &str, runs: &HashSet<String>) -> BTreeMap<String, usize> {
    use futures::StreamExt;
    use staffbank_app::exports::{EXPORTED_SUBJECT, STREAM};
    let client = async_nats::connect(url).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let stream = js.get_stream(STREAM).await.unwrap();
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            filter_subject: EXPORTED_SUBJECT.into(),
            ack_policy: async_nats::jetstream::consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut counts = BTreeMap::new();
    let mut messages = consumer
        .batch()
        .max_messages(100_000)
        .expires(StdDuration::from_secs(2))
        .messages()
        .await
        .unwrap();
    while let Some(message) = messages.next().await {
        let message = message.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
        let run = body["pay_run"].as_str().unwrap_or_default().to_owned();
        if runs.contains(&run) {
            *counts.entry(run).or_insert(0) += 1;
        }
    }
    counts
}
