//! Importing credentials a trust has checked: a good file recorded whole with its ledger
//! entries, every problem named by row and column with nothing written, a second import adding
//! nothing, only the trust's own compliance officers importing, and the command line on a file.

use reqwest::StatusCode;
use serde_json::Value;
use staffbank_domain::role::Role;

use crate::helpers::{Reply, TestApp, Trust};

crate::both_backends!(
    a_good_file_is_recorded_once,
    a_file_with_problems_records_nothing,
    only_the_trusts_compliance_officers_import,
    the_command_line_imports_credentials
);

const WORKERS: &str = "Assignment number,Name,Email,Staff group,Grade,Registration body,\
Registration number,Contract type,Banks\n\
10000001,Amina Patel,amina@rxl.test,Nursing and midwifery,Band 5,NMC,18A1234E,Bank,RXL bank\n\
10000002,Tom Jones,tom@rxl.test,Healthcare support,band_3,,,Bank,RXL bank\n";

const HEADER: &str = "Assignment number,Email,Credential,DBS level,Valid from,Valid until\n";

/// Three good rows: by assignment number and by email, UK and ISO dates, label and slug.
fn good() -> String {
    format!(
        "{HEADER}10000001,,DBS check,Enhanced with barred lists,01/04/2026,\n\
         ,tom@rxl.test,right_to_work,,2026-04-01,31/03/2029\n\
         10000002,,Core skills training,,01/04/2026,2027-03-31\n"
    )
}

/// A trust with two imported workers in its bank, and a compliance officer's token.
async fn setup(app: &TestApp) -> (Trust, String) {
    let trust = app.trust("RXL").await;
    let imported = send(app, &trust.booker, &trust.id, "workers", false, WORKERS).await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let officer = app
        .staff("compliance@rxl.test", Role::ComplianceOfficer, &trust)
        .await;
    (trust, officer)
}

async fn send(app: &TestApp, token: &str, org: &str, what: &str, check: bool, text: &str) -> Reply {
    let response = app
        .http
        .post(format!(
            "{}/api/v1/imports/{what}?org_id={org}&check={check}",
            app.base
        ))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(text.to_owned())
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

async fn a_good_file_is_recorded_once(app: TestApp) {
    let (trust, officer) = setup(&app).await;
    let checked = send(&app, &officer, &trust.id, "credentials", true, &good()).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert_eq!(checked.body["added"], 3);
    assert!(app.ledger_entries("credential.recorded").await.is_empty());

    let first = send(&app, &officer, &trust.id, "credentials", false, &good()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["summary"], "3 added, 0 already present");
    let entries = app.ledger_entries("credential.recorded").await;
    assert_eq!(entries.len(), 3);
    let user = app
        .store
        .user_by_email("amina@rxl.test")
        .await
        .unwrap()
        .unwrap();
    let worker = app.store.worker_for_user(user.id).await.unwrap().unwrap();
    let held = app.store.credentials_of(worker.id).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].kind.as_str(), "dbs_check");
    assert_eq!(
        held[0].dbs_level.map(|l| l.as_str()),
        Some("enhanced_barred")
    );
    assert_eq!(held[0].issuer_org_id.0.to_string(), trust.id);

    let second = send(&app, &officer, &trust.id, "credentials", false, &good()).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body["summary"], "0 added, 3 already present");
    assert_eq!(app.ledger_entries("credential.recorded").await.len(), 3);
}

async fn a_file_with_problems_records_nothing(app: TestApp) {
    let (trust, officer) = setup(&app).await;
    app.worker("outsider@example.test", &[]).await;
    let bad = format!(
        "{}99999999,,DBS check,Enhanced,01/04/2026,\n\
         ,outsider@example.test,Shoe size,,31/02/2026,\n\
         ,amina@rxl.test,DBS check,,01/04/2026,01/01/2026\n\
         ,,Right to work,,,\n\
         ,tom@rxl.test,Right to work,Basic,01/04/2026,\n",
        good()
    );
    let refused = send(&app, &officer, &trust.id, "credentials", false, &bad).await;
    refused.assert_problem(422, "validation-error");
    let named = fields(&refused);
    for field in [
        "rows[5].assignment_number",
        "rows[6].email",
        "rows[6].credential",
        "rows[6].valid_from",
        "rows[7].dbs_level",
        "rows[7].valid_until",
        "rows[8].email",
        "rows[8].valid_from",
        "rows[9].dbs_level",
    ] {
        assert!(named.contains(&field.to_owned()), "{field} in {named:?}");
    }
    assert!(
        named.iter().all(|f| !f.starts_with("rows[2]")
            && !f.starts_with("rows[3]")
            && !f.starts_with("rows[4]")),
        "good rows are not blamed: {named:?}"
    );
    assert!(app.ledger_entries("credential.recorded").await.is_empty());

    let refused = send(&app, &officer, &trust.id, "credentials", false, "Name\nA\n").await;
    refused.assert_problem(422, "validation-error");
    assert_eq!(fields(&refused), vec!["file".to_owned()]);
}

async fn only_the_trusts_compliance_officers_import(app: TestApp) {
    let (trust, _) = setup(&app).await;
    let other = app.trust("RXN").await;
    let theirs = app
        .staff("compliance@rxn.test", Role::ComplianceOfficer, &other)
        .await;
    // Into another trust: as if it did not exist.
    let refused = send(&app, &theirs, &trust.id, "credentials", false, &good()).await;
    refused.assert_problem(404, "not-found");
    // Their own trust, naming this trust's workers: not their workers.
    let refused = send(&app, &theirs, &other.id, "credentials", false, &good()).await;
    refused.assert_problem(422, "validation-error");
    assert!(fields(&refused).contains(&"rows[3].email".to_owned()));
    // A booker is not a compliance officer.
    let refused = send(
        &app,
        &trust.booker,
        &trust.id,
        "credentials",
        false,
        &good(),
    )
    .await;
    refused.assert_problem(403, "forbidden");
    assert!(app.ledger_entries("credential.recorded").await.is_empty());
}

async fn run(app: &TestApp, file: &std::path::Path, by: &str) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_staffbank"))
        .args(["import", "credentials"])
        .arg(file)
        .args(["--database-url", &app.database_url, "--trust", "rxl"])
        .args(["--recorded-by", by])
        .env("STAFFBANK_MASTER_KEY", &app.master_text)
        .env("RUST_LOG", "error")
        .output()
        .await
        .unwrap()
}

async fn the_command_line_imports_credentials(app: TestApp) {
    setup(&app).await;
    let dir = std::env::temp_dir().join(format!("staffbank-creds-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!("{}77777777,,DBS check,,01/04/2026,\n", good()),
    )
    .unwrap();
    let out = run(&app, &bad, "compliance@rxl.test").await;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    for named in [
        "row 5, Assignment number",
        "row 5, DBS level",
        "nothing imported",
    ] {
        assert!(said.contains(named), "{named} in {said}");
    }
    assert!(app.ledger_entries("credential.recorded").await.is_empty());

    let file = dir.join("credentials.csv");
    std::fs::write(&file, good()).unwrap();
    let out = run(&app, &file, "booker@rxl.test").await;
    assert!(
        !out.status.success(),
        "a booker does not record credentials"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a compliance officer"));

    let out = run(&app, &file, "compliance@rxl.test").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("3 added, 0 already present"), "{said}");
    let entries = app.ledger_entries("credential.recorded").await;
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["actor"].is_null()), "{entries:?}");

    let out = run(&app, &file, "compliance@rxl.test").await;
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("0 added, 3 already present"), "{said}");
    std::fs::remove_dir_all(&dir).ok();
}
