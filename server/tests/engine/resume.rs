//! A sync claimed again after its challenge was answered is resumed, not taken over: only a
//! worker that stopped heartbeating counts as a takeover (`kontolink_sync_takeovers_total`,
//! the warning in the log), so a real crash stands out.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{attended, spawn_app};

#[tokio::test]
async fn answering_a_challenge_resumes_the_sync_and_counts_no_takeover() {
    let app = spawn_app().await;
    let access = app.access("multi", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    for _ in 0..2 {
        let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
        let (status, answered) = app.answer(&waiting, json!({"value": "123456"})).await;
        assert_eq!(status, StatusCode::OK, "{answered}");
        app.wait_until(&sync, |s| {
            s["challenge"]["id"] != waiting["challenge"]["id"]
        })
        .await;
    }
    app.wait_status(&sync, "COMPLETED").await;
    let metrics = &app.state.metrics;
    assert_eq!(metrics.sync_takeovers.get(), 0);
    assert!(
        metrics
            .render()
            .contains("kontolink_sync_takeovers_total 0"),
        "{}",
        metrics.render()
    );
}
