//! A release policy out of range is refused field by field, and changes nothing; a trust's
//! bookers list the priority tiers of its own banks only.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

crate::both_backends!(
    a_release_policy_names_each_field_out_of_range,
    a_trusts_bookers_list_its_own_banks_tier_holders_only
);

async fn a_release_policy_names_each_field_out_of_range(app: TestApp) {
    let trust = app.trust("RXL").await;
    let path = format!("/api/v1/organisations/{}/release-policy", trust.id);
    let before = app.get(&path, &trust.booker).await.body;
    let refused = app
        .call(
            Method::PUT,
            &path,
            Some(&trust.booker),
            Some(json!({"horizon_days": 400, "collaborative_after_hours": -1,
                "collaborative_lead_hours": 72, "priority_window_minutes": 20000,
                "cancellation_notice_hours": 48, "core_tier_hours": 0})),
        )
        .await;
    refused.assert_problem(422, "validation-error");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "horizon_days",
            "collaborative_after_hours",
            "priority_window_minutes",
            "core_tier_hours"
        ]
    );
    assert_eq!(app.get(&path, &trust.booker).await.body, before);
}

/// The tiers list holds the banks the caller's trust leads: their tier holders and, with a search,
/// their members by name or email; another trust's booker sees none of them.
async fn a_trusts_bookers_list_its_own_banks_tier_holders_only(app: TestApp) {
    let trust = app.trust("RXL").await;
    let other = app.trust("RXN").await;
    let member = app.worker("tiered@nurse.test", &[&trust.bank]).await;
    let member_id = app.worker_id(&member).await;
    let tier = format!("/api/v1/banks/{}/members/{}/tier", trust.bank, member_id.0);
    app.call(
        Method::PUT,
        &tier,
        Some(&trust.booker),
        Some(json!({"tier": "silver"})),
    )
    .await;

    let listed = app.get("/api/v1/tiers?search=tiered", &trust.booker).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let banks = listed.body.as_array().unwrap();
    assert_eq!(banks.len(), 1, "{}", listed.body);
    assert_eq!(banks[0]["bank_id"], trust.bank.as_str());
    assert_eq!(banks[0]["holders"][0]["worker_id"], member_id.0.to_string());
    assert_eq!(banks[0]["holders"][0]["tier"], "silver");
    assert_eq!(banks[0]["found"][0]["worker_id"], member_id.0.to_string());

    // Another trust's booker lists only its own bank, and finds nobody of this one.
    let theirs = app.get("/api/v1/tiers?search=tiered", &other.booker).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    let text = theirs.body.to_string();
    assert!(!text.contains(&trust.bank), "{text}");
    assert!(!text.contains(&member_id.0.to_string()), "{text}");
    app.call(
        Method::PUT,
        &tier,
        Some(&other.booker),
        Some(json!({"tier": null})),
    )
    .await
    .assert_problem(404, "not-found");
    let still = app.get("/api/v1/tiers", &trust.booker).await;
    assert_eq!(still.body[0]["holders"][0]["tier"], "silver");

    // A worker may not list tiers; a one-letter search is refused.
    app.get("/api/v1/tiers", &member)
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/tiers?search=t", &trust.booker)
        .await
        .assert_problem(422, "validation-error");
}
