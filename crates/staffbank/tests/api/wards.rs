//! A trust's bookers add, list, rename and move its wards; never another trust's.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

crate::both_backends!(a_booker_keeps_their_trusts_wards_only);

async fn a_booker_keeps_their_trusts_wards_only(app: TestApp) {
    let a = app.trust("RXL").await;
    let b = app.trust("RXN").await;
    let site = app
        .post(
            &format!("/api/v1/organisations/{}/sites", a.id),
            &app.admin,
            json!({"name": "Clifton", "lat": 53.75, "lon": -3.0}),
        )
        .await;
    let site = site.body["id"].as_str().unwrap().to_owned();
    let b_site = app
        .post(
            &format!("/api/v1/organisations/{}/sites", b.id),
            &app.admin,
            json!({"name": "Preston", "lat": 53.7, "lon": -2.7}),
        )
        .await;
    let b_site = b_site.body["id"].as_str().unwrap().to_owned();

    // Adding: at their own trust's site, not another's.
    let added = app
        .post(
            &format!("/api/v1/sites/{site}/wards"),
            &a.booker,
            json!({"name": "Discharge Lounge", "instant_booking": false}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let ward = added.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/sites/{b_site}/wards"),
        &a.booker,
        json!({"name": "Theirs"}),
    )
    .await
    .assert_problem(404, "not-found");

    let put = |path: String, token: String, body| {
        let app = &app;
        async move { app.call(Method::PUT, &path, Some(&token), Some(body)).await }
    };
    // Renaming and moving within the trust.
    let moved = put(
        format!("/api/v1/wards/{}", a.ward),
        a.booker.clone(),
        json!({"name": "Ward 1 Renamed", "site_id": site}),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["site_name"], "Clifton");
    // Refused: a blank name, another trust's site, another trust's ward; nothing changes.
    let refused = put(
        format!("/api/v1/wards/{ward}"),
        a.booker.clone(),
        json!({"name": " ", "site_id": b_site}),
    )
    .await;
    refused.assert_problem(422, "validation-error");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "site_id"]);
    put(
        format!("/api/v1/wards/{}", b.ward),
        a.booker.clone(),
        json!({"name": "Mine now", "site_id": site}),
    )
    .await
    .assert_problem(404, "not-found");
    put(
        format!("/api/v1/wards/{}", a.ward),
        a.booker.clone(),
        json!({"name": "x", "site_id": "not a uuid"}),
    )
    .await
    .assert_problem(422, "validation-error");

    let listed = app.get("/api/v1/wards", &a.booker).await;
    let names: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Discharge Lounge", "Ward 1 Renamed"]);
    let theirs = app.get("/api/v1/wards", &b.booker).await;
    assert_eq!(theirs.body[0]["name"], "Ward 1");
    assert_eq!(theirs.body.as_array().unwrap().len(), 1);
}
