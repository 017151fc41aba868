//! Access upgrades: the first sync is fine, the next fails with 40001/40002/40003 and
//! `error.data` names the new access method and each account's new access.

use serde_json::{Value, json};

use crate::helpers::{TapStatus, TestApp, attended, error_code, spawn_app};

async fn upgrade(app: &TestApp, login: &str) -> (String, Value) {
    let access = app.access(login, true).await;
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    let failed = app
        .run_sync(&access, attended(json!({})))
        .await
        .tap_status("FAILED");
    (access, failed)
}

fn moves(failed: &Value) -> Vec<(String, String)> {
    failed["error"]["data"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["access_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn upgrade1_moves_every_account_to_one_new_access() {
    let app = spawn_app().await;
    let (old, failed) = upgrade(&app, "upgrade1").await;
    assert_eq!(error_code(&failed), 40001);
    assert_eq!(
        failed["error"]["data"]["access_method_id"],
        "kontolink-sandbox-psd2"
    );
    let moves = moves(&failed);
    assert_eq!(moves.len(), 2);
    let new = &moves[0].1;
    assert!(moves.iter().all(|(_, a)| a == new) && new != &old);
    let (_, new_access) = app.get(&format!("/rest/accesses/{new}")).await;
    assert_eq!(new_access["access_method_id"], "kontolink-sandbox-psd2");
    assert_eq!(new_access["accounts"].as_array().unwrap().len(), 2);
    let (_, old_access) = app.get(&format!("/rest/accesses/{old}")).await;
    assert_eq!(old_access["status"], "UPGRADE_REQUIRED");
    // The old access keeps failing with the same error; the new one syncs into the same accounts.
    let again = app.run_sync(&old, attended(json!({}))).await;
    assert_eq!(error_code(&again), 40001);
    app.run_sync(new, attended(json!({"credentials": {"pin": "1234"}})))
        .await
        .tap_status("COMPLETED");
    let accounts = app.accounts().await;
    assert_eq!(accounts.len(), 2, "no duplicate accounts after the upgrade");
    assert!(accounts.iter().all(|a| a["access_id"] == new.as_str()));
    assert!(
        app.events()
            .await
            .iter()
            .any(|e| e["event_type"] == "ACCESS_UPGRADED")
    );
}

#[tokio::test]
async fn upgrade2_gives_every_account_its_own_access() {
    let app = spawn_app().await;
    let (_, failed) = upgrade(&app, "upgrade2").await;
    assert_eq!(error_code(&failed), 40002);
    let moves = moves(&failed);
    assert_eq!(moves.len(), 2);
    assert_ne!(moves[0].1, moves[1].1);
    assert_eq!(
        failed["error"]["data"]["access_ids"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The bank reports both accounts on each new access; an ACCOUNTS sync adds neither
    // account a second time, and each stays in its own access.
    for (_, access) in &moves {
        let body = json!({"credentials": {"pin": "1234"}, "scope": ["ACCOUNTS", "TRANSACTIONS"]});
        app.run_sync(access, attended(body))
            .await
            .tap_status("COMPLETED");
    }
    let accounts = app.accounts().await;
    assert_eq!(accounts.len(), 2, "no duplicate accounts after the split");
    for (account, access) in &moves {
        let held = accounts
            .iter()
            .find(|a| a["id"] == account.as_str())
            .unwrap();
        assert_eq!(held["access_id"], access.as_str());
    }
}

#[tokio::test]
async fn upgrade3_moves_only_some_accounts() {
    let app = spawn_app().await;
    let (old, failed) = upgrade(&app, "upgrade3").await;
    assert_eq!(error_code(&failed), 40003);
    let moves = moves(&failed);
    assert_eq!(
        moves.iter().filter(|(_, a)| *a == old).count(),
        1,
        "one account stays"
    );
    let (_, old_access) = app.get(&format!("/rest/accesses/{old}")).await;
    assert_eq!(old_access["status"], "ACTIVE");
    // The remaining account keeps syncing on the old access, the moved one on the new;
    // ACCOUNTS syncs on either add no account twice.
    let accounts_too = json!({"scope": ["ACCOUNTS", "TRANSACTIONS"]});
    app.run_sync(&old, attended(accounts_too))
        .await
        .tap_status("COMPLETED");
    let (_, new) = moves.iter().find(|(_, a)| *a != old).unwrap();
    let body = json!({"credentials": {"pin": "1234"}, "scope": ["ACCOUNTS", "TRANSACTIONS"]});
    app.run_sync(new, attended(body))
        .await
        .tap_status("COMPLETED");
    assert_eq!(app.accounts().await.len(), 2, "no duplicate accounts");
}

#[tokio::test]
async fn two_accesses_connected_separately_to_one_bank_keep_their_own_accounts() {
    let app = spawn_app().await;
    for _ in 0..2 {
        let access = app.access("demo", true).await;
        let body = json!({"scope": ["ACCOUNTS", "TRANSACTIONS"]});
        app.run_sync(&access, attended(body))
            .await
            .tap_status("COMPLETED");
    }
    // Not an upgrade family: each access holds the bank's two accounts.
    assert_eq!(app.accounts().await.len(), 4);
}
