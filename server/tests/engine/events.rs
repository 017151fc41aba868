//! The event queue, signed webhooks with retry, and the daily automatic sync.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TapStatus, attended, spawn_app, spawn_with};

#[tokio::test]
async fn a_sync_leaves_its_story_in_the_event_queue() {
    let app = spawn_app().await;
    let access = app.access("embedded", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    app.answer(&waiting, json!({"value": "123456"})).await;
    app.wait_status(&sync, "COMPLETED").await;
    let events = app.events().await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "SYNC_QUEUED",
            "SYNC_RUNNING",
            "SYNC_AWAIT_AUTH",
            "SYNC_RUNNING",
            "ACCOUNTS_UPDATED",
            "TRANSACTIONS_UPDATED",
            "SYNC_COMPLETED"
        ]
    );
    // `after` pages through the queue, oldest first.
    let third = events[2]["id"].as_str().unwrap();
    let (_, rest) = app.get(&format!("/rest/events?after={third}")).await;
    assert_eq!(rest["events"].as_array().unwrap()[..], events[3..]);
}

pub type Received = Arc<Mutex<Vec<(String, Bytes)>>>;

/// A receiver that answers 500 to the first delivery, then 200.
pub async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                let signature = headers
                    .get("x-kontolink-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let mut seen = store.lock().unwrap();
                seen.push((signature, body));
                if seen.len() == 1 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, received)
}

/// The ids of the syncs delivered so far.
fn delivered(received: &Received) -> Vec<Value> {
    received
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| serde_json::from_slice::<Value>(body).unwrap()["id"].clone())
        .collect()
}

#[tokio::test]
async fn finished_syncs_are_posted_signed_and_retried_until_2xx() {
    let mut app = spawn_app().await;
    let (url, received) = receiver().await;
    // `client create --notification-uri` seals the client secret that signs the webhooks.
    let client = app.register_client(Some(&url)).await;
    app.token = app.widget_session(&client, "user-1").await;
    let access = app.access("demo", false).await;
    let sync = app
        .run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    let deadline = Instant::now() + Duration::from_secs(20);
    while received.lock().unwrap().len() < 2 {
        assert!(Instant::now() < deadline, "the webhook was not retried");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deliveries = received.lock().unwrap().clone();
    for (signature, body) in &deliveries {
        let mut mac = Hmac::<Sha256>::new_from_slice(client.secret.as_bytes()).unwrap();
        mac.update(body);
        assert_eq!(
            signature,
            &format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        );
        let posted: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(posted["id"], sync["id"]);
        assert_eq!(posted["status"], "COMPLETED");
    }
    // disable_notifications: never delivered, while the next sync is.
    let quiet = app
        .run_sync(
            &access,
            json!({"disable_notifications": true, "credentials": {"pin": "1"}}),
        )
        .await
        .tap_status("COMPLETED");
    let loud = app
        .run_sync(&access, json!({"credentials": {"pin": "1"}}))
        .await
        .tap_status("COMPLETED");
    while !delivered(&received).contains(&loud["id"]) {
        assert!(
            Instant::now() < deadline,
            "the third sync was not delivered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!delivered(&received).contains(&quiet["id"]));
    assert_eq!(delivered(&received).len(), 3);
}

#[tokio::test]
async fn accesses_with_saved_secrets_are_synced_automatically() {
    let app = spawn_with(|c| c.engine.daily_sync_interval = Duration::from_millis(500)).await;
    let saved = app.access("demo", true).await;
    let unsaved = app.access("demo", false).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, view) = app.get(&format!("/rest/accesses/{saved}")).await;
        if view["last_synced_at"].is_string() {
            break;
        }
        assert!(Instant::now() < deadline, "no automatic sync happened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let accounts = app.accounts().await;
    assert!(accounts.iter().any(|a| a["access_id"] == saved.as_str()));
    assert!(accounts.iter().all(|a| a["access_id"] != unsaved.as_str()));
    let (_, view) = app.get(&format!("/rest/accesses/{unsaved}")).await;
    assert!(view["last_synced_at"].is_null());
}
