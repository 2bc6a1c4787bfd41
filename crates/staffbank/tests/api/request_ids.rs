//! Every response carries `x-request-id`: the caller's own when it is a sane token, a fresh
//! UUID otherwise, on successes and problems alike.

use uuid::Uuid;

use crate::helpers::TestApp;

crate::both_backends!(every_response_carries_a_sane_request_id);

/// The id answered to a GET of `path` sent with `sent` as its id (if any).
async fn answered_id(app: &TestApp, path: &str, sent: Option<&str>) -> String {
    let mut request = app.http.get(format!("{}{path}", app.base));
    if let Some(id) = sent {
        request = request.header("x-request-id", id);
    }
    let response = request.send().await.unwrap();
    response
        .headers()
        .get("x-request-id")
        .unwrap_or_else(|| panic!("no x-request-id on {path}"))
        .to_str()
        .unwrap()
        .to_owned()
}

async fn every_response_carries_a_sane_request_id(app: TestApp) {
    // Made fresh when none is sent, different every time, on pages, API answers and problems.
    let mut seen = Vec::new();
    for path in [
        "/health/live",
        "/api/v1/ledger/public-key",
        "/api/v1/me",
        "/nowhere",
    ] {
        let id = answered_id(&app, path, None).await;
        Uuid::parse_str(&id).unwrap_or_else(|_| panic!("{id} from {path} is not a UUID"));
        assert!(!seen.contains(&id), "{id} answered twice");
        seen.push(id);
    }
    // A proxy's or caller's own sane id is kept, so their logs and ours line up.
    for sent in [
        "0b9e7a54-3d0c-4d8e-a3b2-7f1e5c2d9a60",
        "lb-7f3a.42:Root=1-abc",
    ] {
        assert_eq!(answered_id(&app, "/api/v1/me", Some(sent)).await, sent);
    }
    // Anything else is replaced, never echoed.
    let long = "a".repeat(129);
    for sent in ["two words", "<script>", long.as_str()] {
        let id = answered_id(&app, "/health/live", Some(sent)).await;
        assert_ne!(id, sent);
        Uuid::parse_str(&id).unwrap();
    }
}
