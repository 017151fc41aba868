//! Scopes: `ACCOUNTS` refreshes (and adds) accounts only; `TRANSACTIONS` (default) also
//! fetches bookings but adds accounts only on an access's first import.

use serde_json::json;

use crate::helpers::{TapStatus, attended, spawn_app};

#[tokio::test]
async fn scope_accounts_fetches_no_transactions() {
    let app = spawn_app().await;
    let access = app.access("demo", false).await;
    let sync = app
        .run_sync(&access, attended(json!({"scope": ["ACCOUNTS"]})))
        .await
        .tap_status("COMPLETED");
    assert_eq!(sync["scope"], json!(["ACCOUNTS"]));
    let accounts = app.accounts().await;
    assert_eq!(accounts.len(), 2);
    assert!(
        app.transactions(accounts[0]["id"].as_str().unwrap())
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn only_scope_accounts_adds_new_provider_accounts() {
    let app = spawn_app().await;
    let access = app.access("grow", true).await;
    let body = attended(json!({"scope": ["TRANSACTIONS"]}));
    app.run_sync(&access, body.clone())
        .await
        .tap_status("COMPLETED");
    assert_eq!(app.accounts().await.len(), 1);
    app.run_sync(&access, body).await.tap_status("COMPLETED");
    assert_eq!(
        app.accounts().await.len(),
        1,
        "TRANSACTIONS does not add the new account"
    );
    app.run_sync(&access, attended(json!({"scope": ["ACCOUNTS"]})))
        .await
        .tap_status("COMPLETED");
    assert_eq!(app.accounts().await.len(), 2, "ACCOUNTS adds it");
}

#[tokio::test]
async fn syncing_again_never_duplicates_accounts_or_transactions() {
    let app = spawn_app().await;
    let access = app.access("demo", true).await;
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    let accounts = app.accounts().await;
    let first = app.transactions(accounts[0]["id"].as_str().unwrap()).await;
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    assert_eq!(app.accounts().await, accounts);
    let second = app.transactions(accounts[0]["id"].as_str().unwrap()).await;
    assert_eq!(first, second, "same ids, same data");
}

#[tokio::test]
async fn transactions_can_be_filtered_and_paged() {
    let app = spawn_app().await;
    let access = app.access("demo", false).await;
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    let accounts = app.accounts().await;
    let giro = accounts
        .iter()
        .find(|a| a["type"] == "Giro account")
        .unwrap();
    let account = giro["id"].as_str().unwrap().to_owned();
    let all = app.transactions(&account).await;
    let (_, page) = app
        .get(&format!(
            "/rest/accounts/{account}/transactions?count=3&offset=2"
        ))
        .await;
    assert_eq!(page["transactions"].as_array().unwrap()[..], all[2..5]);
    let day = all[5]["booking_date"].as_str().unwrap();
    let (_, one_day) = app
        .get(&format!(
            "/rest/accounts/{account}/transactions?since={day}&until={day}"
        ))
        .await;
    let list = one_day["transactions"].as_array().unwrap();
    assert!(!list.is_empty() && list.iter().all(|t| t["booking_date"] == day));
}
