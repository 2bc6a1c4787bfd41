//! Importing workers from an ESR staff extract: every problem named by row and column with
//! nothing written, a second import of the same file changing nothing, a booker reaching only
//! their own trust's banks, the size limit, and the command line on a file.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Reply, TestApp, Trust};

crate::both_backends!(
    a_file_with_problems_writes_nothing,
    importing_twice_changes_nothing,
    a_booker_imports_only_into_their_own_trust,
    an_oversized_file_is_refused,
    the_command_line_imports_a_file
);

const HEADER: &str = "Assignment number,Name,Email,Staff group,Grade,Registration body,\
Registration number,Contract type,Banks\n";

/// Two good rows for `trust`'s bank.
fn good(ods: &str) -> String {
    format!(
        "{HEADER}10000001,Amina Patel,amina@{o}.test,Nursing and midwifery,Band 5,NMC,18A1234E,Bank,{ods} bank\n\
         10000002,Tom Jones,tom@{o}.test,Healthcare support,band_3,,,Bank,{ods} bank\n",
        o = ods.to_lowercase()
    )
}

async fn try_send(
    app: &TestApp,
    token: &str,
    org: &str,
    check: bool,
    text: String,
) -> Result<Reply, reqwest::Error> {
    let response = app
        .http
        .post(format!(
            "{}/api/v1/imports/workers?org_id={org}&check={check}",
            app.base
        ))
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

async fn send(app: &TestApp, trust: &Trust, text: String) -> Reply {
    try_send(app, &trust.booker, &trust.id, false, text)
        .await
        .unwrap()
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

async fn account(app: &TestApp, email: &str) -> bool {
    app.store.user_by_email(email).await.unwrap().is_some()
}

async fn a_file_with_problems_writes_nothing(app: TestApp) {
    let trust = app.trust("RXL").await;
    let bad = format!(
        "{}20000003,Sam Lee,not-an-email,Nursing and midwifery,Band 12,,,Bank,RXL bank\n\
         20000004,,jo@rxl.test,Medical,Band 5,GMC,,Bank,No such bank\n\
         10000001,Amina Again,amina@rxl.test,Nursing and midwifery,Band 5,,,Bank,RXL bank\n",
        good("RXL")
    );
    let refused = send(&app, &trust, bad).await;
    refused.assert_problem(422, "validation-error");
    let named = fields(&refused);
    for field in [
        "rows[4].email",
        "rows[4].grade",
        "rows[5].name",
        "rows[5].grade",
        "rows[5].registration_number",
        "rows[5].banks",
        "rows[6].assignment_number",
        "rows[6].email",
    ] {
        assert!(named.contains(&field.to_owned()), "{field} in {named:?}");
    }
    assert!(
        named
            .iter()
            .all(|f| !f.starts_with("rows[2]") && !f.starts_with("rows[3]")),
        "good rows are not blamed: {named:?}"
    );
    assert!(
        !account(&app, "amina@rxl.test").await,
        "nothing was written"
    );
    assert!(app.ledger_entries("worker.imported").await.is_empty());

    // A file that cannot be a workers file at all names the file.
    let refused = send(&app, &trust, "Name,Email\nA,a@rxl.test\n".into()).await;
    refused.assert_problem(422, "validation-error");
    assert_eq!(fields(&refused), vec!["file".to_owned()]);
}

async fn importing_twice_changes_nothing(app: TestApp) {
    let trust = app.trust("RXL").await;
    let checked = try_send(&app, &trust.booker, &trust.id, true, good("RXL"))
        .await
        .unwrap();
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert_eq!(checked.body["added"], 2);
    assert!(
        !account(&app, "amina@rxl.test").await,
        "a check writes nothing"
    );

    let first = send(&app, &trust, good("RXL")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["summary"], "2 added, 0 already present");
    let user = app
        .store
        .user_by_email("amina@rxl.test")
        .await
        .unwrap()
        .unwrap();
    let worker = app.store.worker_for_user(user.id).await.unwrap().unwrap();
    assert_eq!(worker.grade.as_str(), "band_5");
    assert_eq!(worker.banks.len(), 1);
    assert_eq!(worker.banks[0].0.to_string(), trust.bank);
    assert_eq!(app.ledger_entries("worker.imported").await.len(), 2);

    let second = send(&app, &trust, good("RXL")).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body["added"], 0);
    assert_eq!(second.body["summary"], "0 added, 2 already present");
    assert_eq!(
        app.ledger_entries("worker.imported").await.len(),
        2,
        "a repeated import records nothing"
    );
}

async fn a_booker_imports_only_into_their_own_trust(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    // Into another trust: as if it did not exist.
    let refused = try_send(&app, &a.booker, &b.id, false, good("RXN"))
        .await
        .unwrap();
    refused.assert_problem(404, "not-found");
    // Another trust's bank, named from one's own trust: no such bank here.
    let refused = send(&app, &a, good("RXN")).await;
    refused.assert_problem(422, "validation-error");
    assert!(fields(&refused).contains(&"rows[2].banks".to_owned()));
    assert!(!account(&app, "amina@rxn.test").await);
    // A worker may not import at all.
    let worker = app.worker("someone@example.test", &[]).await;
    let refused = try_send(&app, &worker, &a.id, false, good("RXL"))
        .await
        .unwrap();
    refused.assert_problem(403, "forbidden");
}

async fn an_oversized_file_is_refused(app: TestApp) {
    let trust = app.trust("RXL").await;
    let row = "10000001,Amina Patel,amina@rxl.test,Nursing and midwifery,Band 5,,,Bank,RXL bank\n";
    let huge = HEADER.to_owned()
        + &row.repeat(staffbank_app::worker_import::MAX_IMPORT_BYTES / row.len() + 10);
    for _ in 0..5 {
        if let Ok(reply) = try_send(&app, &trust.booker, &trust.id, false, huge.clone()).await {
            reply.assert_problem(413, "payload-too-large");
            assert!(!account(&app, "amina@rxl.test").await);
            return;
        }
    }
    panic!("no answer to an oversized file in five tries")
}

async fn run(app: &TestApp, file: &std::path::Path) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_staffbank"))
        .args(["import", "workers"])
        .arg(file)
        .args(["--database-url", &app.database_url, "--trust", "rxl"])
        .env("STAFFBANK_MASTER_KEY", &app.master_text)
        .env("RUST_LOG", "error")
        .output()
        .await
        .unwrap()
}

async fn the_command_line_imports_a_file(app: TestApp) {
    app.trust("RXL").await;
    let dir = std::env::temp_dir().join(format!("staffbank-import-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!("{HEADER}10000001,Amina Patel,amina@rxl.test,Nursing and midwifery,Band 5,,,Bank,Nowhere\n"),
    )
    .unwrap();
    let out = run(&app, &bad).await;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("row 2, Banks"), "{said}");
    assert!(said.contains("nothing imported"), "{said}");
    assert!(!account(&app, "amina@rxl.test").await);

    let file = dir.join("workers.csv");
    std::fs::write(&file, good("RXL")).unwrap();
    let out = run(&app, &file).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("2 added, 0 already present"), "{said}");
    assert!(account(&app, "tom@rxl.test").await);

    let out = run(&app, &file).await;
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("0 added, 2 already present"), "{said}");
    std::fs::remove_dir_all(&dir).ok();
}
