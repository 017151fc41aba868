//! Bad input answers a clear 4xx in the finX error format, never a 500.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TapStatus, attended, spawn_app};

fn code(body: &Value) -> u64 {
    body["error"]["code"].as_u64().expect("finX error format")
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401() {
    let app = spawn_app().await;
    for token in ["", "nope"] {
        let response = app
            .http
            .get(format!("{}/rest/accounts", app.address))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(code(&response.json().await.unwrap()), 1001);
    }
}

#[tokio::test]
async fn malformed_bodies_and_unknown_ids_are_4xx() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(format!("{}/rest/accesses", app.address))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(code(&response.json().await.unwrap()), 1000);
    // A body that is not declared JSON: 415 in the error format.
    let response = app
        .http
        .post(format!("{}/rest/accesses", app.address))
        .bearer_auth(&app.token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(code(&response.json().await.unwrap()), 1000);
    // A sync needs no body at all; a malformed one is still refused.
    let access = app.access("demo", false).await;
    let url = format!("{}/rest/accesses/{access}/syncs", app.address);
    let response = app
        .http
        .post(&url)
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = app
        .http
        .post(&url)
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("[1,")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (status, body) = app
        .post("/rest/accesses", json!({"access_method_id": 5}))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, 1000));
    let (status, body) = app.get("/rest/accesses/nope").await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, 1003));
    let (status, _) = app.get("/rest/accounts/nope/transactions").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let access = app.access("demo", true).await;
    for bad in [
        json!({"sync_period": 0}),
        json!({"sync_period": 731}),
        json!({"scope": ["EVERYTHING"]}),
        json!({"psu_ip_address": "not-an-ip"}),
        json!({"unknown": 1}),
        json!({"state": ""}),
    ] {
        let (status, body) = app
            .post(&format!("/rest/accesses/{access}/syncs"), bad.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad} → {body}");
    }
    let big = "x".repeat(70 * 1024);
    let (status, body) = app
        .post("/rest/accesses", json!({"access_method_id": big}))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, 1009));
    let account_query = app.get("/rest/events?after=abc").await;
    assert_eq!(account_query.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_second_sync_of_a_busy_access_is_1008_and_sync_all_returns_the_running_one() {
    let app = spawn_app().await;
    let access = app.access("embedded", true).await;
    let other = app.access("demo", true).await;
    let first = app.start(&access, attended(json!({}))).await;
    app.wait_status(&first, "AWAIT_AUTH").await;
    let (status, body) = app
        .post(&format!("/rest/accesses/{access}/syncs"), json!({}))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, 1008));
    let (status, all) = app.post("/rest/syncs", attended(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let syncs = all["syncs"].as_array().unwrap();
    assert_eq!(syncs.len(), 2);
    assert!(syncs.iter().any(|s| s["id"] == first["id"]));
    let new = syncs
        .iter()
        .find(|s| s["access_id"] == other.as_str())
        .unwrap();
    app.wait_status(new, "COMPLETED").await;
}

#[tokio::test]
async fn another_users_resources_are_invisible() {
    let app = spawn_app().await;
    let access = app.access("demo", false).await;
    let sync = app.run_sync(&access, attended(json!({}))).await;
    let stranger = app.widget_session(&app.client, "user-2").await;
    let other_client = app.register_client(None).await;
    let same_name_elsewhere = app.widget_session(&other_client, "user-1").await;
    for path in [
        format!("/rest/accesses/{access}"),
        format!(
            "/rest/accesses/{access}/syncs/{}",
            sync["id"].as_str().unwrap()
        ),
        format!(
            "/rest/accounts/{}",
            app.accounts().await[0]["id"].as_str().unwrap()
        ),
    ] {
        for token in [&stranger, &same_name_elsewhere] {
            let response = app
                .http
                .get(format!("{}{path}", app.address))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
}

#[tokio::test]
async fn answering_a_closed_challenge_is_1008_and_a_wrong_shape_is_400() {
    let app = spawn_app().await;
    let access = app.access("embedded", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    let (status, _) = app.answer(&waiting, json!({"method_id": "901"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.answer(&waiting, json!({"value": "123456"})).await;
    let (status, body) = app.answer(&waiting, json!({"value": "123456"})).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, 1008));
    app.wait_status(&sync, "COMPLETED").await;
}

#[tokio::test]
async fn sync_all_names_every_access_and_fails_those_that_need_the_end_user_with_1011() {
    let app = spawn_app().await;
    let saved = app.access("demo", true).await;
    let unsaved = app.access("demo", false).await;
    // The first sync of the unsaved access used its credentials and discarded them.
    app.run_sync(&unsaved, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    let (status, all) = app.post("/rest/syncs", attended(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let syncs = all["syncs"].as_array().unwrap();
    assert_eq!(syncs.len(), 2, "one sync per access: {all}");
    let of = |access: &str| {
        syncs
            .iter()
            .find(|s| s["access_id"] == access)
            .unwrap()
            .clone()
    };
    let needs_user = of(&unsaved);
    assert_eq!(needs_user["status"], "FAILED");
    assert_eq!(needs_user["error"]["code"], 1011);
    assert_eq!(needs_user["error"]["data"]["missing"], json!(["pin"]));
    app.wait_status(&of(&saved), "COMPLETED").await;
    assert!(
        app.events()
            .await
            .iter()
            .any(|e| e["event_type"] == "SYNC_FAILED" && e["resource_id"] == needs_user["id"]),
        "the failed sync is in the event queue"
    );
}

#[tokio::test]
async fn credentials_the_access_method_does_not_name_are_refused() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/rest/accesses",
            json!({
                "access_method_id": "kontolink-sandbox-pin",
                "credentials": {"login": "demo", "pin": "1234", "otp": "1"},
            }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, 1000),
        "{body}"
    );
    assert!(body.to_string().contains("otp"), "{body}");
    let access = app.access("demo", false).await;
    let (status, body) = app
        .post(
            &format!("/rest/accesses/{access}/syncs"),
            json!({"credentials": {"pin": "1234", "otp": "1"}}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, 1000),
        "{body}"
    );
}
