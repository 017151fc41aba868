//! Credential attempts are rate-limited per flow and per client (contract §8): a widget
//! session guessing PINs, or an integrator's backend doing so for many users, is slowed
//! down with `429`/`1029` and `Retry-After`, before the bank is contacted.

use kontolink_server::config::RateLimit;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_with;

const THREE: RateLimit = RateLimit {
    burst: 3,
    per_second: 0.0,
};

fn wrong_pin() -> serde_json::Value {
    json!({
        "access_method_id": "kontolink-sandbox-pin",
        "credentials": {"login": "demo", "pin": "wrong"},
        "save_secrets": false,
        "consent": false,
    })
}

#[tokio::test]
async fn a_widget_session_has_a_few_credential_attempts_then_waits() {
    let app = spawn_with(|c| c.rate_limits.credentials_per_flow = THREE).await;
    let access = app.access("demo", false).await;
    // Attempts 2 and 3: a sync with credentials; reads and syncs without them do not count.
    for _ in 0..2 {
        let body = json!({"credentials": {"pin": "wrong"}});
        let ended = app.run_sync(&access, body).await;
        assert_eq!(ended["error"]["code"], 10000, "{ended}");
    }
    assert_eq!(app.get("/rest/accesses").await.0, StatusCode::OK);
    let (status, body) = app.post("/rest/accesses", wrong_pin()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], 1029);
    assert!(body["error"]["data"]["retry_after"].as_u64().unwrap() >= 1);
    let (status, _) = app.get("/rest/accesses").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "only credential attempts are refused"
    );
}

#[tokio::test]
async fn an_integrators_credential_attempts_share_one_budget_per_client() {
    let app = spawn_with(|c| c.rate_limits.credentials_per_client = THREE)
        .await
        .unattended()
        .await;
    // The widget flow that gave the access token made the client's first attempt.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(app.post("/rest/accesses", wrong_pin()).await.0.as_u16());
    }
    assert_eq!(statuses, [201, 201, 429]);
}
