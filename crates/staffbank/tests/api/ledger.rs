//! The audit ledger through the API: every change is an entry, entries are proved against signed
//! tree heads and those proofs check out with an independent RFC 6962 implementation (`ct-merkle`),
//! workers see their own entries, erasure keeps the tree verifiable.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2_reference::Sha256 as RefSha256;
use staffbank_app::ledger::verify_ledger;
use staffbank_domain::role::{Grant, Role, Scope};

use crate::helpers::TestApp;

crate::both_backends!(
    changes_are_entries_proved_by_an_independent_implementation,
    a_booking_on_a_cold_server_seals_the_name_with_the_workers_own_key,
    a_server_holding_an_erased_workers_key_seals_nothing_more_with_it,
    people_see_their_own_entries_and_erasure_keeps_the_tree_verifiable,
    erasure_removes_live_personal_data_once,
    an_entry_that_does_not_parse_never_stops_the_entries_list
);

fn bytes(v: &Value) -> Vec<u8> {
    STANDARD.decode(v.as_str().unwrap()).unwrap()
}

/// A served proof's hashes, concatenated as `ct-merkle` reads them.
fn proof_bytes(body: &Value) -> Vec<u8> {
    body["proof"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(bytes)
        .collect()
}

async fn head(app: &TestApp) -> Value {
    let signed = app
        .call(Method::POST, "/api/v1/ledger/heads", Some(&app.admin), None)
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    signed.body
}

async fn booking_story(app: &TestApp) -> (String, String) {
    let trust = app.trust("RXL").await;
    let nurse = app.worker("nia@nurse.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank.clone(), 24, 8, 1).await;
    let booked = app.book(&nurse, &shift, "k").await;
    let booking = booked.body["id"].as_str().unwrap().to_owned();
    let cancelled = app
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            &nurse,
            json!({"reason": "My daughter is ill"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    (nurse, booking)
}

/// Books `nurse` onto `shift` through the server at `base`.
async fn book_through(app: &TestApp, base: &str, nurse: &str, shift: &str, key: &str) -> String {
    let booked = app
        .http
        .post(format!("{base}/api/v1/shifts/{shift}/bookings"))
        .bearer_auth(nurse)
        .header("idempotency-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), StatusCode::CREATED);
    let body: Value = booked.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// A server that has sealed nothing for a nurse yet takes their key from the booking's own read
/// (on PostgreSQL): the name in the booking's entry opens, so it was sealed with that key.
async fn a_booking_on_a_cold_server_seals_the_name_with_the_workers_own_key(app: TestApp) {
    let trust = app.trust("RXL").await;
    let nurse = app.worker("nia@nurse.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank.clone(), 24, 8, 1).await;
    let cold = app.another_server().await;
    book_through(&app, &cold, &nurse, &shift, "cold").await;
    let made = app.ledger_entries("booking.made").await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["personal"]["worker_name"], "Nurse Test");
}

/// A second server holds a nurse's key from her booking; she is then erased through the first.
/// When the trust cancels her booking on the second server, whatever that server seals with the
/// key it still holds can never be opened: the key is gone from the database, so the
/// cancellation's reason reads as erased, like the booking's name.
async fn a_server_holding_an_erased_workers_key_seals_nothing_more_with_it(app: TestApp) {
    let trust = app.trust("RXL").await;
    let nurse = app.worker("nia@nurse.test", &[&trust.bank]).await;
    let shift = app.shift(&trust, &trust.bank.clone(), 72, 8, 1).await;
    let other = app.another_server().await;
    let booking = book_through(&app, &other, &nurse, &shift, "before").await;
    let me = app.get("/api/v1/me", &nurse).await;
    let user = me.body["id"].as_str().unwrap().to_owned();
    let erased = app
        .post(
            &format!("/api/v1/people/{user}/erasure"),
            &app.admin,
            json!({"reason": "Right to erasure request RE-2026-200"}),
        )
        .await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT, "{}", erased.body);
    let cancelled = app
        .http
        .post(format!("{other}/api/v1/bookings/{booking}/cancel"))
        .bearer_auth(&trust.booker)
        .json(&json!({"reason": "Ward closed for deep clean"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let entry = |entries: Vec<Value>| {
        entries
            .into_iter()
            .find(|e| e["facts"]["booking"] == booking.as_str())
            .unwrap()
    };
    let made = entry(app.ledger_entries("booking.made").await);
    let gone = entry(app.ledger_entries("booking.cancelled").await);
    let sealed = |e: &Value| {
        staffbank_ledger::entry::Entry::from_bytes(&bytes(&e["body"]))
            .unwrap()
            .sealed
            .is_some()
    };
    assert!(sealed(&made), "sealed while the key was there");
    assert!(made["personal"].is_null(), "{made}");
    assert!(gone["personal"].is_null(), "{gone}");
    assert_eq!(gone["facts"]["by"], "trust");
}

async fn changes_are_entries_proved_by_an_independent_implementation(app: TestApp) {
    let _ = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "nobody@x.test", "password": "wrong password"})),
        )
        .await;
    let (_, booking) = booking_story(&app).await;
    let first = head(&app).await;
    let n = first["size"].as_u64().unwrap();

    let auditor = app
        .user_with_session(
            "auditor@platform.test",
            vec![Grant {
                role: Role::Auditor,
                scope: Scope::Platform,
            }],
        )
        .await;
    let listed = app
        .get(
            &format!("/api/v1/ledger/entries?from=0&limit={n}"),
            &auditor,
        )
        .await;
    let entries = listed.body.as_array().unwrap().clone();
    assert_eq!(entries.len() as u64, n);
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        !actions.contains(&"sign_in.refused"),
        "a refused sign-in is counted outside the ledger, never one entry each"
    );
    for expected in [
        "organisation.registered",
        "site.registered",
        "ward.registered",
        "bank.registered",
        "worker.registered",
        "bank.joined",
        "shift.posted",
        "booking.made",
        "booking.cancelled",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let made = entries
        .iter()
        .find(|e| e["action"] == "booking.made")
        .unwrap();
    assert_eq!(made["facts"]["booking"], booking.as_str());
    assert_eq!(
        made["personal"]["worker_name"], "Nurse Test",
        "platform auditors can read it"
    );
    let cancelled = entries
        .iter()
        .find(|e| e["action"] == "booking.cancelled")
        .unwrap();
    assert_eq!(cancelled["facts"]["status_after"], "cancelled");
    assert!(
        !String::from_utf8(bytes(&cancelled["body"]))
            .unwrap()
            .contains("daughter"),
        "personal data is sealed"
    );

    // The independent implementation rebuilds the same tree from the entries' bytes.
    let mut reference = MemoryBackedTree::<RefSha256, Vec<u8>>::new();
    for entry in &entries {
        reference.push(bytes(&entry["body"]));
    }
    let reference_root = reference.root();
    assert_eq!(
        reference_root.as_bytes().as_slice(),
        bytes(&first["root"]).as_slice()
    );
    let public_key = app
        .call(Method::GET, "/api/v1/ledger/public-key", None, None)
        .await;
    let key = ed25519_dalek::VerifyingKey::from_bytes(
        &bytes(&public_key.body["public_key"]).try_into().unwrap(),
    )
    .unwrap();
    let signed = staffbank_ledger::head::TreeHead {
        size: n,
        root: bytes(&first["root"]).try_into().unwrap(),
        timestamp_ms: first["timestamp_ms"].as_i64().unwrap(),
    };
    assert!(signed.verify(&bytes(&first["signature"]), &key));

    for (i, entry) in entries.iter().enumerate() {
        let proof = app
            .get(
                &format!("/api/v1/ledger/entries/{i}/inclusion-proof?tree_size={n}"),
                &auditor,
            )
            .await;
        assert_eq!(proof.status, StatusCode::OK, "{}", proof.body);
        let hashes = proof_bytes(&proof.body);
        let proof = InclusionProof::<RefSha256>::try_from_bytes(hashes).unwrap();
        assert!(
            reference_root
                .verify_inclusion(&bytes(&entry["body"]), i as u64, &proof)
                .is_ok(),
            "entry {i}"
        );
    }

    // More changes, a second head, and a consistency proof between the two.
    let _ = app.trust("RXN").await;
    let second = head(&app).await;
    let m = second["size"].as_u64().unwrap();
    assert!(m > n);
    let more = app
        .get(
            &format!("/api/v1/ledger/entries?from={n}&limit=1000"),
            &auditor,
        )
        .await;
    for entry in more.body.as_array().unwrap() {
        reference.push(bytes(&entry["body"]));
    }
    let consistency = app
        .get(
            &format!("/api/v1/ledger/consistency-proof?first={n}&second={m}"),
            &auditor,
        )
        .await;
    assert_eq!(consistency.status, StatusCode::OK, "{}", consistency.body);
    let hashes = proof_bytes(&consistency.body);
    let proof = ConsistencyProof::<RefSha256>::try_from_bytes(hashes).unwrap();
    assert!(reference
        .root()
        .verify_consistency(&reference_root, &proof)
        .is_ok());
    assert_eq!(
        reference.root().as_bytes().as_slice(),
        bytes(&second["root"]).as_slice()
    );

    // The newest head is public, so anyone can keep a copy outside the platform's database...
    let public = app
        .call(Method::GET, "/api/v1/ledger/heads/latest", None, None)
        .await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert!(public.body["size"].as_u64().unwrap() >= m);
    // ...and a client holding a head of any earlier size, signed here or not, gets a
    // consistency proof from it: checked against a reference tree cut at that size.
    let k = n - 1;
    let mut at_k = MemoryBackedTree::<RefSha256, Vec<u8>>::new();
    for entry in entries.iter().take(k as usize) {
        at_k.push(bytes(&entry["body"]));
    }
    let from_k = app
        .get(
            &format!("/api/v1/ledger/consistency-proof?first={k}&second={m}"),
            &auditor,
        )
        .await;
    assert_eq!(from_k.status, StatusCode::OK, "{}", from_k.body);
    let hashes = proof_bytes(&from_k.body);
    let proof = ConsistencyProof::<RefSha256>::try_from_bytes(hashes).unwrap();
    assert!(reference
        .root()
        .verify_consistency(&at_k.root(), &proof)
        .is_ok());

    // No head is ever signed at a size the ledger has not reached. (A size in between two heads
    // may have one: the background sequencer signs as entries arrive.)
    app.get(
        &format!(
            "/api/v1/ledger/consistency-proof?first={m}&second={}",
            m + 5
        ),
        &auditor,
    )
    .await
    .assert_problem(422, "validation-error");
    app.get(&format!("/api/v1/ledger/entries/{m}"), &auditor)
        .await
        .assert_problem(404, "not-found");
    // Indexes and sizes beyond any real ledger are simply not there.
    let huge = u64::MAX;
    for path in [
        format!("/api/v1/ledger/entries/{huge}"),
        format!("/api/v1/ledger/entries/{huge}/inclusion-proof"),
    ] {
        app.get(&path, &auditor)
            .await
            .assert_problem(404, "not-found");
    }
    app.get(
        &format!("/api/v1/ledger/entries/0/inclusion-proof?tree_size={huge}"),
        &auditor,
    )
    .await
    .assert_problem(422, "validation-error");
    app.get(
        &format!("/api/v1/ledger/consistency-proof?first={n}&second={huge}"),
        &auditor,
    )
    .await
    .assert_problem(422, "validation-error");
    for path in [
        format!("/api/v1/ledger/entries?from={}", i64::MAX),
        format!("/api/v1/ledger/heads?after_size={}", i64::MAX),
    ] {
        let reply = app.get(&path, &auditor).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_eq!(reply.body, json!([]));
    }
    // Past the document's int64 bound: refused, naming the field.
    for path in [
        format!("/api/v1/ledger/entries?from={huge}"),
        format!("/api/v1/ledger/heads?after_size={huge}"),
    ] {
        app.get(&path, &auditor)
            .await
            .assert_problem(422, "validation-error");
    }
    let report = verify_ledger(
        app.store.as_ref(),
        &app.master.signing_key().verifying_key(),
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!((report.first_problem(), report.entries), (None, m));
}

async fn people_see_their_own_entries_and_erasure_keeps_the_tree_verifiable(app: TestApp) {
    let (nurse, _) = booking_story(&app).await;
    let other = app.worker("oz@nurse.test", &[]).await;
    let head_before = head(&app).await;

    let mine = app.get("/api/v1/me/ledger-entries", &nurse).await;
    let mine = mine.body.as_array().unwrap().clone();
    let actions: Vec<&str> = mine.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        vec![
            "worker.registered",
            "account.confirmed",
            "bank.joined",
            "booking.made",
            "booking.cancelled"
        ]
    );
    let cancelled = mine
        .iter()
        .find(|e| e["action"] == "booking.cancelled")
        .unwrap();
    assert_eq!(cancelled["personal"]["reason"], "My daughter is ill");
    let seq = cancelled["seq"].as_u64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/ledger/entries/{seq}"), &nurse)
            .await
            .status,
        StatusCode::OK
    );
    app.get(&format!("/api/v1/ledger/entries/{seq}"), &other)
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/ledger/entries/{seq}/inclusion-proof"),
        &other,
    )
    .await
    .assert_problem(404, "not-found");
    app.get("/api/v1/ledger/entries", &nurse)
        .await
        .assert_problem(403, "forbidden");
    app.call(Method::POST, "/api/v1/ledger/heads", Some(&nurse), None)
        .await
        .assert_problem(403, "forbidden");

    let me = app.get("/api/v1/me", &nurse).await;
    let user = me.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/people/{user}/erasure"),
        &nurse,
        json!({"reason": "x"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let erased = app
        .post(
            &format!("/api/v1/people/{user}/erasure"),
            &app.admin,
            json!({"reason": "Right to erasure request RE-2026-114"}),
        )
        .await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT, "{}", erased.body);
    let after = app
        .get(&format!("/api/v1/ledger/entries/{seq}"), &app.admin)
        .await;
    assert_eq!(after.body["personal_status"], "erased");
    assert!(after.body["personal"].is_null());
    assert_eq!(
        after.body["body"], cancelled["body"],
        "the entry's bytes are unchanged"
    );

    let head_after = head(&app).await;
    let proof = app
        .get(
            &format!("/api/v1/ledger/entries/{seq}/inclusion-proof"),
            &app.admin,
        )
        .await;
    let hashes: Vec<[u8; 32]> = proof.body["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| bytes(h).try_into().unwrap())
        .collect();
    let leaf: [u8; 32] = bytes(&proof.body["leaf_hash"]).try_into().unwrap();
    let root: [u8; 32] = bytes(&head_after["root"]).try_into().unwrap();
    let size = head_after["size"].as_u64().unwrap();
    assert_eq!(
        staffbank_ledger::merkle::verify_inclusion(seq, size, &leaf, &hashes, &root),
        Ok(())
    );
    let consistency = app
        .get(
            &format!(
                "/api/v1/ledger/consistency-proof?first={}&second={size}",
                head_before["size"]
            ),
            &app.admin,
        )
        .await;
    assert_eq!(consistency.status, StatusCode::OK);
    let erasure = app
        .get(
            &format!("/api/v1/ledger/entries?from={}", head_before["size"]),
            &app.admin,
        )
        .await;
    assert!(erasure
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "person.erased"));
    let report = verify_ledger(
        app.store.as_ref(),
        &app.master.signing_key().verifying_key(),
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.first_problem(), None);
}

/// Erasing a person reaches past the ledger: their name, email and home leave the live tables,
/// they can no longer sign in (old sessions end too), they drop out of candidate lists, and a
/// second erasure is refused rather than recorded again.
async fn erasure_removes_live_personal_data_once(app: TestApp) {
    let trust = app.trust("RXE").await;
    let nurse = app.worker("erase.me@nurse.test", &[&trust.bank]).await;
    let worker = app.worker_id(&nurse).await;
    let user = app.get("/api/v1/me", &nurse).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shift = app.shift(&trust, &trust.bank, 72, 12, 1).await;
    let candidates = |body: &Value| -> Vec<String> {
        body["eligible"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["worker_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = app
        .get(&format!("/api/v1/shifts/{shift}/candidates"), &trust.booker)
        .await;
    assert!(
        candidates(&before.body).contains(&worker.0.to_string()),
        "{}",
        before.body
    );

    let path = format!("/api/v1/people/{user}/erasure");
    let erased = app
        .post(
            &path,
            &app.admin,
            json!({"reason": "Right to erasure request RE-2026-301"}),
        )
        .await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT, "{}", erased.body);

    app.get("/api/v1/me", &nurse)
        .await
        .assert_problem(401, "unauthenticated");
    app.call(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"email": "erase.me@nurse.test", "password": "correct horse battery"})),
    )
    .await
    .assert_problem(401, "unauthenticated");
    let after = app
        .get(&format!("/api/v1/shifts/{shift}/candidates"), &trust.booker)
        .await;
    assert!(
        !candidates(&after.body).contains(&worker.0.to_string()),
        "{}",
        after.body
    );
    let stored = app.store.worker(worker).await.unwrap().unwrap();
    assert_eq!(stored.display_name.as_str(), "Erased person");
    assert_eq!(stored.home, None);
    let account = app
        .store
        .user(staffbank_domain::UserId(user.parse().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert!(!account.email.as_str().contains("erase.me"));

    let entries = app.ledger_entries("person.erased").await.len();
    app.post(&path, &app.admin, json!({"reason": "Asked again"}))
        .await
        .assert_problem(409, "already-erased");
    assert_eq!(app.ledger_entries("person.erased").await.len(), entries);
}

/// JSON nested `depth` arrays deep.
fn nested(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| json!([inner]))
}

async fn an_entry_that_does_not_parse_never_stops_the_entries_list(app: TestApp) {
    // JSON has no nesting limit on writing but one (128) on reading: facts nested 130 deep
    // make an entry whose bytes were written but do not read back.
    let refused = app
        .app
        .audit_record(staffbank_app::audit::Change {
            action: "test.nested",
            actor: None,
            tenant: None,
            subject: None,
            facts: json!({"deep": nested(130)}),
            personal: None,
        })
        .await;
    assert!(refused.is_err(), "such an entry is never written");
    let readable = app
        .app
        .audit_record(staffbank_app::audit::Change {
            action: "test.nested",
            actor: None,
            tenant: None,
            subject: None,
            facts: json!({"deep": nested(100)}),
            personal: None,
        })
        .await
        .unwrap();

    // One written before that check, straight into the store, beside a readable one.
    let entry = staffbank_ledger::entry::Entry {
        v: staffbank_ledger::entry::FORMAT,
        id: uuid::Uuid::now_v7(),
        at: chrono::Utc::now(),
        action: "test.unreadable".into(),
        actor: None,
        tenant: None,
        subject: None,
        facts: json!({"deep": nested(130)}),
        sealed: None,
    };
    let body = entry.to_bytes();
    assert!(staffbank_ledger::entry::Entry::from_bytes(&body).is_err());
    let unreadable = staffbank_store::AuditRecord {
        id: entry.id,
        recorded_at: entry.at,
        action: entry.action.clone(),
        tenant: None,
        subject: None,
        mac: Some(app.master.entry_mac(&body).to_vec()),
        body,
    };
    app.store
        .append_audit(&[unreadable, readable.clone()])
        .await
        .unwrap();
    let head = app
        .call(Method::POST, "/api/v1/ledger/heads", Some(&app.admin), None)
        .await;
    assert_eq!(head.status, StatusCode::CREATED, "{}", head.body);

    let listed = app
        .get("/api/v1/ledger/entries?from=0&limit=1000", &app.admin)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let items = listed.body.as_array().unwrap();
    let shown = items
        .iter()
        .find(|e| e["id"] == json!(entry.id))
        .expect("the unreadable entry is listed");
    assert_eq!(shown["personal_status"], "unreadable");
    assert_eq!(shown["action"], "test.unreadable");
    assert!(shown["facts"].is_null());
    let next = items
        .iter()
        .find(|e| e["id"] == json!(readable.id))
        .expect("the entry after it is listed");
    assert_eq!(next["personal_status"], "none");
    let one = app
        .get(
            &format!("/api/v1/ledger/entries/{}", shown["seq"]),
            &app.admin,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.body["personal_status"], "unreadable");
}
