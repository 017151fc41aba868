//! Saved and unsaved secrets: saved ones let later (and automatic) syncs run without the
//! end-user; `save_secrets: false` discards them when the sync ends; none ever leak.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TapStatus, attended, spawn_app};

#[tokio::test]
async fn saved_secrets_let_the_next_sync_run_without_credentials() {
    let app = spawn_app().await;
    let access = app.access("demo", true).await;
    let (_, view) = app.get(&format!("/rest/accesses/{access}")).await;
    assert_eq!(view["secrets_saved"], true);
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
}

#[tokio::test]
async fn unsaved_secrets_are_discarded_when_the_sync_ends() {
    let app = spawn_app().await;
    let access = app.access("demo", false).await;
    let (_, view) = app.get(&format!("/rest/accesses/{access}")).await;
    assert_eq!(view["secrets_saved"], false);
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    let (status, error) = app
        .post(&format!("/rest/accesses/{access}/syncs"), json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], 1011, "{error}");
    assert_eq!(error["error"]["data"]["missing"], json!(["pin"]));
    // Credentials in the sync body work, and are discarded again.
    let body = attended(json!({"credentials": {"pin": "1234"}}));
    app.run_sync(&access, body).await.tap_status("COMPLETED");
    let (status, _) = app
        .post(&format!("/rest/accesses/{access}/syncs"), json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn save_secrets_false_on_a_sync_discards_saved_secrets() {
    let app = spawn_app().await;
    let access = app.access("demo", true).await;
    app.run_sync(&access, attended(json!({"save_secrets": false})))
        .await
        .tap_status("COMPLETED");
    let (_, view) = app.get(&format!("/rest/accesses/{access}")).await;
    assert_eq!(view["secrets_saved"], false);
    let (status, _) = app
        .post(&format!("/rest/accesses/{access}/syncs"), json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn save_secrets_true_on_a_sync_keeps_them_for_later() {
    let app = spawn_app().await;
    let access = app.access("demo", false).await;
    let body = attended(json!({"save_secrets": true}));
    app.run_sync(&access, body).await.tap_status("COMPLETED");
    let (_, view) = app.get(&format!("/rest/accesses/{access}")).await;
    assert_eq!(view["secrets_saved"], true);
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
}

#[tokio::test]
async fn creating_an_access_checks_method_credentials_and_consent() {
    let app = spawn_app().await;
    let (status, error) = app
        .post(
            "/rest/accesses",
            json!({"access_method_id": "kontolink-sandbox-pin", "credentials": {"login": "demo"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], 1011);
    let (status, _) = app
        .post(
            "/rest/accesses",
            json!({"access_method_id": "no-such-method", "credentials": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .post(
            "/rest/accesses",
            json!({"access_method_id": "kontolink-sandbox-pin", "credentials": {"login": "demo", "pin": "1"}, "save_secrets": true}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no consent");
    assert!(
        app.get("/rest/accesses").await.1["accesses"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn secrets_appear_nowhere_in_answers_events_or_the_database() {
    let app = spawn_app().await;
    let pin = "pin-canary-8472";
    let access = app.access_with_pin("embedded", pin, true).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    app.answer(&waiting, json!({"value": "123456"})).await;
    let done = app.wait_status(&sync, "COMPLETED").await;
    let everything = format!(
        "{done}{waiting}{:?}{}",
        app.events().await,
        app.get("/rest/accesses").await.1
    );
    assert!(!everything.contains(pin));
    // Everything the database holds: the SQLite file and its WAL, or every PostgreSQL table.
    let raw = app.database.everything_stored().await;
    assert!(raw.contains(&access), "the dump holds the stored rows");
    assert!(!raw.contains(pin), "the PIN is stored in plain text");
}
