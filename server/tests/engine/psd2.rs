//! The PSD2 limit: 4 unattended syncs per access per 24 h; the fifth fails with `1020`
//! and `data.next_sync_possible_at`; syncs with the end-user present (`psu_ip_address`
//! with an access token, or any sync of a widget session) do not count.

use serde_json::json;

use crate::helpers::{TapStatus, attended, error_code, spawn_app, spawn_on};

#[tokio::test]
async fn the_fifth_unattended_sync_fails_with_1020() {
    let app = spawn_app().await.unattended().await;
    let access = app.access("demo", true).await;
    for _ in 0..4 {
        app.run_sync(&access, json!({}))
            .await
            .tap_status("COMPLETED");
    }
    // Present end-users are not limited.
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    let fifth = app.run_sync(&access, json!({})).await.tap_status("FAILED");
    assert_eq!(error_code(&fifth), 1020);
    let next = fifth["error"]["data"]["next_sync_possible_at"]
        .as_str()
        .unwrap();
    let next =
        time::OffsetDateTime::parse(next, &time::format_description::well_known::Rfc3339).unwrap();
    let in_a_day = time::OffsetDateTime::now_utc() + time::Duration::hours(24);
    assert!((next - in_a_day).abs() < time::Duration::minutes(1));
    let (_, view) = app.get(&format!("/rest/accesses/{access}")).await;
    assert!(view["next_sync_possible_at"].is_string());
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
}

#[tokio::test]
async fn widget_session_syncs_are_attended_without_psu_ip_address() {
    let app = spawn_app().await;
    let access = app.access("demo", true).await;
    for _ in 0..5 {
        app.run_sync(&access, json!({}))
            .await
            .tap_status("COMPLETED");
    }
    let (_, view) = app.get(&format!("/rest/accesses/{access}")).await;
    assert!(view["next_sync_possible_at"].is_null(), "{view}");
    // An embedded challenge reaches the end-user instead of failing with 10020.
    let challenged = app.access("embedded", false).await;
    let sync = app.start(&challenged, json!({})).await;
    app.wait_status(&sync, "AWAIT_AUTH").await;
}

#[tokio::test]
async fn the_limit_is_counted_in_the_database_and_holds_across_restarts() {
    let (dir, database);
    let access;
    let token;
    {
        let app = spawn_app().await.unattended().await;
        (dir, database) = (app.dir.clone(), app.database.clone());
        token = app.token.clone();
        access = app.access("demo", true).await;
        for _ in 0..4 {
            app.run_sync(&access, json!({}))
                .await
                .tap_status("COMPLETED");
        }
    }
    let mut again = spawn_on(dir, database, |_| {}).await;
    again.token = token; // the access token outlives the restart
    let fifth = again
        .run_sync(&access, json!({}))
        .await
        .tap_status("FAILED");
    assert_eq!(error_code(&fifth), 1020);
}
