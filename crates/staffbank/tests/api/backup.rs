//! `staffbank backup` taken while bookings are being made, restored into an empty database with
//! the ledger checked against a head kept outside it; and restore refusing a database in use.

use reqwest::{Method, StatusCode};
use sqlx::Connection;
use staffbank_domain::BookingId;
use staffbank_store::Store;
use uuid::Uuid;

use crate::binary::{described as text, run as staffbank};
use crate::helpers::{midnight_in_days, post_at, quick_worker, TestApp};

crate::both_backends!(a_backup_taken_while_booking_restores_with_every_earlier_booking);

/// Books each shift with its own worker at the same time; the bookings' ids.
async fn book_all(app: &TestApp, workers: &[String], shifts: &[String]) -> Vec<String> {
    let bookings = workers
        .iter()
        .zip(shifts)
        .map(|(worker, shift)| async move {
            let reply = app.book(worker, shift, &Uuid::new_v4().to_string()).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            reply.body["id"].as_str().unwrap().to_owned()
        });
    futures::future::join_all(bookings).await
}

/// Counts rows with SQL straight on a database, as an operator would look.
async fn count(url: &str, table: &str) -> i64 {
    let statement = format!("SELECT count(*) FROM {table}");
    if url.starts_with("postgres") {
        let mut db = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(&statement)
            .fetch_one(&mut db)
            .await
            .unwrap()
    } else {
        let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_scalar(&statement)
            .fetch_one(&mut db)
            .await
            .unwrap()
    }
}

async fn a_backup_taken_while_booking_restores_with_every_earlier_booking(app: TestApp) {
    let trust = app.trust("RXN").await;
    let shifts = post_at(
        &app,
        &trust,
        midnight_in_days(3),
        &[0, 2, 4, 6, 8, 10, 12, 14],
        1,
    )
    .await;
    let mut workers = Vec::new();
    for n in 0..shifts.len() {
        workers.push(quick_worker(&app, &trust.bank, n).await);
    }
    let before = book_all(&app, &workers[..4], &shifts[..4]).await;

    // An auditor keeps the newest signed head outside the platform.
    let signed = app
        .call(Method::POST, "/api/v1/ledger/heads", Some(&app.admin), None)
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    let latest = app
        .call(Method::GET, "/api/v1/ledger/heads/latest", None, None)
        .await;
    assert_eq!(latest.status, StatusCode::OK, "{}", latest.body);
    let dir = std::env::temp_dir().join(format!("staffbank-backup-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let head_file = dir.join("head.json");
    std::fs::write(&head_file, latest.body.to_string()).unwrap();
    let head_size = latest.body["size"].as_u64().unwrap();
    assert!(head_size > 0);

    // The backup runs while more bookings are being made.
    let file = dir.join(if app.database_url.starts_with("postgres") {
        "staffbank.dump"
    } else {
        "staffbank.sqlite"
    });
    let file_text = file.to_str().unwrap();
    let backup_args = [
        "backup",
        "--database-url",
        &app.database_url,
        "--out",
        file_text,
    ];
    let (backup, during) = tokio::join!(
        staffbank(&app, &backup_args),
        book_all(&app, &workers[4..], &shifts[4..]),
    );
    assert!(backup.status.success(), "{}", text(&backup));
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(said.contains(&format!("wrote {file_text}: ")), "{said}");
    let size: u64 = said
        .split("tree size ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no tree size in {said}"));
    assert!(size >= head_size, "{said}");
    assert_eq!(during.len(), 4);

    // Restored into a database nobody has used.
    let (target, postgres_name) = if app.database_url.starts_with("postgres") {
        let name = format!("staffbank_restore_{}", Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let (server, _) = app.database_url.rsplit_once('/').unwrap();
        (format!("{server}/{name}"), Some(name))
    } else {
        (
            format!("sqlite://{}", dir.join("restored.sqlite").display()),
            None,
        )
    };
    let head_text = head_file.to_str().unwrap();
    let restored = staffbank(
        &app,
        &[
            "restore",
            "--from",
            file_text,
            "--database-url",
            &target,
            "--trusted-head",
            head_text,
        ],
    )
    .await;
    assert!(restored.status.success(), "{}", text(&restored));
    let said = String::from_utf8_lossy(&restored.stdout);
    assert!(said.contains("ledger OK"), "{said}");
    assert!(said.contains("extends the trusted head"), "{said}");

    let verified = staffbank(
        &app,
        &[
            "ledger",
            "verify",
            "--database-url",
            &target,
            "--trusted-head",
            head_text,
        ],
    )
    .await;
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        String::from_utf8_lossy(&verified.stdout).contains("extends the trusted head"),
        "{}",
        text(&verified)
    );

    // Every booking made before the backup is in the restored database.
    {
        let store: std::sync::Arc<dyn Store> = if postgres_name.is_some() {
            std::sync::Arc::new(
                staffbank_store_postgres::PgStore::connect(&target)
                    .await
                    .unwrap(),
            )
        } else {
            std::sync::Arc::new(
                staffbank_store_sqlite::SqliteStore::connect(&target)
                    .await
                    .unwrap(),
            )
        };
        for id in &before {
            let id = BookingId(Uuid::parse_str(id).unwrap());
            assert!(
                store.booking(id).await.unwrap().is_some(),
                "booking {id:?} is missing from the restored database"
            );
        }
    }

    // A second restore over the restored database is refused and changes nothing.
    let bookings = count(&target, "bookings").await;
    let leaves = count(&target, "ledger_leaves").await;
    let again = staffbank(
        &app,
        &["restore", "--from", file_text, "--database-url", &target],
    )
    .await;
    assert!(!again.status.success(), "{}", text(&again));
    let err = String::from_utf8_lossy(&again.stderr);
    if postgres_name.is_some() {
        assert!(err.contains("restore only into an empty database"), "{err}");
        assert!(err.contains("createdb"), "{err}");
    } else {
        assert!(
            err.contains("already exists: restore only to a new file"),
            "{err}"
        );
    }
    assert_eq!(count(&target, "bookings").await, bookings);
    assert_eq!(count(&target, "ledger_leaves").await, leaves);
    assert!(bookings >= before.len() as i64);

    // So is a restore over the live database.
    let live_bookings = count(&app.database_url, "bookings").await;
    let over_live = staffbank(
        &app,
        &[
            "restore",
            "--from",
            file_text,
            "--database-url",
            &app.database_url,
        ],
    )
    .await;
    assert!(!over_live.status.success(), "{}", text(&over_live));
    assert_eq!(count(&app.database_url, "bookings").await, live_bookings);

    if let Some(name) = postgres_name {
        let mut admin = sqlx::PgConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    std::fs::remove_dir_all(&dir).ok();
}
