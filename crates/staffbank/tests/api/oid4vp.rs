//! OpenID4VP 1.0 over HTTP, with the test acting as a standards-based wallet app: it reads the
//! worker's request as an authorisation request (DCQL, `direct_post`), presents only the claims
//! the query names with a key binding to the client identifier, and posts to the response URI;
//! the verifier sees every check. The wrong audience, a wrong `state`, a malformed `vp_token`,
//! someone else's credential and a second answer are refused, and a refused answer leaves the
//! request open for the worker's own; `access_denied` declines only from the worker's own
//! session, and from anyone else is refused and leaves the request open.

use p256::ecdsa::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use staffbank_passport::key_binding::{bind, Binding};
use staffbank_passport::sd_jwt::SdJwt;

use crate::helpers::TestApp;
use crate::passport::{holder_with_credential, officer};

crate::both_backends!(a_wallet_app_answers_a_request_with_only_what_it_asks);

/// The worker's pending request as the wallet app reads it: its parameters.
async fn authorization_request(app: &TestApp, worker: &str, id: &str) -> Value {
    let reply = app
        .get(
            &format!("/api/v1/me/presentation-requests/{id}/authorization-request"),
            worker,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body["uri"]
        .as_str()
        .unwrap()
        .starts_with("openid4vp://?client_id=redirect_uri%3A"));
    reply.body["authorization_request"].clone()
}

/// A presentation of the claims a DCQL query names, bound to `aud` and the request's nonce.
fn answer(sd: &SdJwt, key: &SigningKey, params: &Value, aud: &str) -> String {
    let names: Vec<&str> = params["dcql_query"]["credentials"][0]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["path"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .as_str()
                .unwrap()
        })
        .collect();
    let binding = Binding {
        aud: aud.into(),
        nonce: params["nonce"].as_str().unwrap().into(),
        iat: chrono::Utc::now().timestamp(),
    };
    bind(sd.disclosing(&names), &binding, key).compact()
}

/// Posts to the response URI as a wallet app would.
async fn respond(app: &TestApp, params: &Value, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    respond_as(app, None, params, fields).await
}

/// [`respond`], with a session's bearer token if given.
async fn respond_as(
    app: &TestApp,
    session: Option<&str>,
    params: &Value,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let uri = params["response_uri"].as_str().unwrap();
    let path = &uri[uri.find("/verifiers/").unwrap()..];
    let mut request = app.http.post(format!("{}{path}", app.base)).form(fields);
    if let Some(token) = session {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_wallet_app_answers_a_request_with_only_what_it_asks(app: TestApp) {
    let a = app.trust("RXL").await;
    let a_officer = officer(&app, "co@a.test", &a.id).await;
    let (nurse, key, sd, vct) = holder_with_credential(&app, &a, &a_officer, "holder@a.test").await;
    let (other, other_key, other_sd, _) =
        holder_with_credential(&app, &a, &a_officer, "other@a.test").await;
    app.call(
        Method::PUT,
        "/api/v1/trust-framework",
        Some(&app.admin),
        Some(json!({"org_id": a.id, "vct": vct, "trusted": true})),
    )
    .await;
    let nurse_id = app.worker_id(&nurse).await.0;
    let ask = || async {
        let made = app
            .post(
                &format!("/api/v1/workers/{nurse_id}/presentation-requests"),
                &a_officer,
                json!({"vct": vct, "claims": ["number", "registered"], "purpose": "Before your first shift"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        made.body["id"].as_str().unwrap().to_owned()
    };
    let outcome = |id: String| {
        let officer = a_officer.clone();
        let app = &app;
        async move {
            app.get(&format!("/api/v1/presentation-requests/{id}"), &officer)
                .await
                .body
        }
    };

    // The request as the app reads it: DCQL for the type and claims, direct_post, the nonce.
    let id = ask().await;
    let params = authorization_request(&app, &nurse, &id).await;
    assert_eq!(params["response_type"], "vp_token");
    assert_eq!(params["response_mode"], "direct_post");
    assert_eq!(
        params["dcql_query"]["credentials"][0]["meta"]["vct_values"],
        json!([vct])
    );
    assert_eq!(
        params["dcql_query"]["credentials"][0]["claims"],
        json!([{"path": ["number"]}, {"path": ["registered"]}])
    );
    let client_id = params["client_id"].as_str().unwrap().to_owned();
    assert_eq!(
        client_id,
        format!("redirect_uri:{}", params["response_uri"].as_str().unwrap())
    );
    app.get(
        &format!("/api/v1/me/presentation-requests/{id}/authorization-request"),
        &a_officer,
    )
    .await
    .assert_problem(403, "forbidden");

    // Refused before any check: the wrong state, a vp_token that is not one presentation.
    let good = answer(&sd, &key, &params, &client_id);
    let token = json!({"credential": [good]}).to_string();
    let (status, body) = respond(&app, &params, &[("vp_token", &token), ("state", "guess")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    for bad in [
        "not json",
        "{\"other\":[\"x\"]}",
        "{\"credential\":[\"a\",\"b\"]}",
    ] {
        let (status, body) = respond(&app, &params, &[("vp_token", bad), ("state", &id)]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{bad}"
        );
    }
    assert_eq!(outcome(id.clone()).await["state"], "pending");

    // The right answer: verified, only what was asked disclosed.
    let (status, body) = respond(&app, &params, &[("vp_token", &token), ("state", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen = outcome(id.clone()).await;
    assert_eq!(seen["state"], "verified", "{seen}");
    assert_eq!(seen["result"]["disclosed"]["number"], "71A2998E");
    assert!(seen["result"]["disclosed"].get("renewal").is_none());
    // Once only.
    let (status, _) = respond(&app, &params, &[("vp_token", &token), ("state", &id)]).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The built-in wallet's audience is not this client's: the key binding must name the
    // client identifier.
    let id = ask().await;
    let params = authorization_request(&app, &nurse, &id).await;
    let wrong_aud = answer(
        &sd,
        &key,
        &params,
        &format!("{}/verifiers/{}", app.base, a.id),
    );
    let (status, _) = respond(
        &app,
        &params,
        &[
            ("vp_token", &json!({"credential": [wrong_aud]}).to_string()),
            ("state", &id),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(outcome(id.clone()).await["state"], "pending");

    // Someone else's valid credential does not answer for this worker, and a stranger's answer
    // does not spoil the request: it stays open for the worker's own.
    let theirs = answer(
        &other_sd,
        &other_key,
        &params,
        params["client_id"].as_str().unwrap(),
    );
    let (status, body) = respond(
        &app,
        &params,
        &[
            ("vp_token", &json!({"credential": [theirs]}).to_string()),
            ("state", &id),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(outcome(id.clone()).await["state"], "pending");
    let mine = answer(&sd, &key, &params, params["client_id"].as_str().unwrap());
    let (status, _) = respond(
        &app,
        &params,
        &[
            ("vp_token", &json!({"credential": [mine]}).to_string()),
            ("state", &id),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outcome(id).await["state"], "verified");

    // A refusal from whoever saw the request (no session, another worker's, the verifier's
    // own officer's) is refused and logged: the request stays open for the worker.
    let id = ask().await;
    let params = authorization_request(&app, &nurse, &id).await;
    let denied = [("error", "access_denied"), ("state", id.as_str())];
    for session in [None, Some(other.as_str()), Some(a_officer.as_str())] {
        let (status, body) = respond_as(&app, session, &params, &denied).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "invalid_request", "{body}");
        assert_eq!(outcome(id.clone()).await["state"], "pending");
    }
    // A made-up session is not anyone's.
    let (status, _) = respond_as(&app, Some("not-a-session"), &params, &denied).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(outcome(id.clone()).await["state"], "pending");
    // The worker's own session declines.
    let (status, _) = respond_as(&app, Some(&nurse), &params, &denied).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outcome(id).await["state"], "declined");
}
