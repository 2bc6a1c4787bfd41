//! A release policy out of range is refused field by field, and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

crate::both_backends!(a_release_policy_names_each_field_out_of_range);

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
