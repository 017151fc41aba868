//! A grant reaches exactly the accounts the end-user chose (contract §2): on every data
//! endpoint, in the event queue, in an upgrade's error data and in webhooks; plus the
//! accounts chosen in later reconnect flows of the access, and everything of an access the
//! grant's own token created.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::events::receiver;
use crate::helpers::{REDIRECT_URI, TapStatus, TestApp, attended, error_code, spawn_app};

/// A widget session of `user-1` connects the sandbox bank as `login` (secrets saved), syncs,
/// and returns the access and its account ids (giro first).
async fn connect(widget: &TestApp, login: &str) -> (String, Vec<String>) {
    let access = widget.access(login, true).await;
    widget
        .run_sync(&access, json!({}))
        .await
        .tap_status("COMPLETED");
    let mut accounts: Vec<Value> = widget
        .accounts()
        .await
        .into_iter()
        .filter(|a| a["access_id"] == access.as_str())
        .collect();
    accounts.sort_by_key(|a| a["type"] != "Giro account");
    let ids = accounts
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    (access, ids)
}

/// A grant from a flow of `user-1` in which the end-user chose `chosen` only.
async fn grant_choosing(app: &TestApp, login: &str) -> (TestApp, String, Vec<String>) {
    let widget = app.with_token(&app.widget_session(&app.client, "user-1").await);
    let (access, accounts) = connect(&widget, login).await;
    assert_eq!(accounts.len(), 2);
    let code = widget.complete(json!([accounts[0]])).await;
    let token = app.redeem(&app.client, &code).await;
    (app.with_token(&token), access, accounts)
}

fn ids(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_grant_reaches_only_the_accounts_the_end_user_chose() {
    let app = spawn_app().await;
    let (integrator, access, accounts) = grant_choosing(&app, "demo").await;
    let (chosen, unchosen) = (&accounts[0], &accounts[1]);

    assert_eq!(
        ids(&integrator.accounts().await),
        std::slice::from_ref(chosen)
    );
    assert!(!integrator.transactions(chosen).await.is_empty());
    for path in [
        format!("/rest/accounts/{unchosen}"),
        format!("/rest/accounts/{unchosen}/transactions"),
    ] {
        let (status, body) = integrator.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (_, list) = integrator.get("/rest/accesses").await;
    let (_, one) = integrator.get(&format!("/rest/accesses/{access}")).await;
    for shown in [&list["accesses"][0], &one] {
        assert_eq!(shown["id"], access.as_str());
        assert_eq!(shown["accounts"].as_array().unwrap().len(), 1, "{shown}");
    }

    // A sync of the integrator's own (attended) keeps the unchosen account out of sight,
    // in the data and in the event queue.
    integrator
        .run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    assert_eq!(
        ids(&integrator.accounts().await),
        std::slice::from_ref(chosen)
    );
    let events = integrator.events().await;
    assert!(
        events
            .iter()
            .any(|e| e["event_type"] == "TRANSACTIONS_UPDATED")
    );
    let everything = serde_json::to_string(&events).unwrap()
        + &serde_json::to_string(&integrator.get("/rest/accesses").await.1).unwrap();
    assert!(!everything.contains(unchosen.as_str()), "{everything}");
    // The widget session saw both: the end-user chooses there.
    assert!(!app.events().await.is_empty());
}

#[tokio::test]
async fn a_reconnect_flow_adds_what_the_end_user_chooses_there() {
    let app = spawn_app().await;
    let (integrator, access, accounts) = grant_choosing(&app, "demo").await;

    // The integrator reconnects the access; this time the end-user picks the other account.
    let flow = json!({"redirect_uri": REDIRECT_URI, "access_id": access});
    let session = app.flow_session(&app.client, "/onetime/access", flow).await;
    let reconnect = app.with_token(&session);
    let code = reconnect.complete(json!([accounts[1]])).await;
    let second = app.with_token(&app.redeem(&app.client, &code).await);

    let mut both = ids(&integrator.accounts().await);
    both.sort();
    let mut expected = accounts.clone();
    expected.sort();
    assert_eq!(
        both, expected,
        "the first grant reaches the reconnect's choice too"
    );
    assert_eq!(ids(&second.accounts().await), [accounts[1].clone()]);
}

#[tokio::test]
async fn an_access_the_grant_created_itself_is_all_its_own() {
    let app = spawn_app().await;
    let (integrator, first_access, _) = grant_choosing(&app, "demo").await;
    let own = integrator.access("demo", false).await;
    let sync = integrator
        .run_sync(&own, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    let own_accounts: Vec<Value> = integrator
        .accounts()
        .await
        .into_iter()
        .filter(|a| a["access_id"] == own.as_str())
        .collect();
    assert_eq!(own_accounts.len(), 2, "{sync}");

    // Another grant of the same end-user sees neither the first nor the other's access.
    let (other, other_access, _) = grant_choosing(&app, "demo").await;
    let (_, accesses) = other.get("/rest/accesses").await;
    assert_eq!(
        ids(accesses["accesses"].as_array().unwrap()),
        [other_access]
    );
    for access in [&own, &first_access] {
        let (status, _) = other.get(&format!("/rest/accesses/{access}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = other
            .post(&format!("/rest/accesses/{access}/syncs"), json!({}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, body) = other.post("/rest/syncs", attended(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["syncs"].as_array().unwrap().len(), 1, "{body}");
}

#[tokio::test]
async fn an_upgrade_names_only_the_accounts_the_grant_reaches() {
    let mut app = spawn_app().await;
    let (url, received) = receiver().await;
    app.client = app.register_client(Some(&url)).await;
    let (integrator, access, accounts) = grant_choosing(&app, "upgrade2").await;

    // upgrade2 splits the access: every account moves to an access of its own.
    let failed = integrator
        .run_sync(&access, attended(json!({})))
        .await
        .tap_status("FAILED");
    assert_eq!(error_code(&failed), 40002);
    let data = &failed["error"]["data"];
    assert_eq!(data["accounts"].as_array().unwrap().len(), 1, "{data}");
    assert_eq!(data["accounts"][0]["id"], accounts[0].as_str());
    assert_eq!(data["access_ids"].as_array().unwrap().len(), 1, "{data}");
    // The emptied old access and its failed sync stay readable.
    integrator
        .sync(&access, failed["id"].as_str().unwrap())
        .await;
    let upgraded = integrator
        .events()
        .await
        .into_iter()
        .find(|e| e["event_type"] == "ACCESS_UPGRADED")
        .expect("the upgrade event");
    assert_eq!(upgraded["data"]["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(ids(&integrator.accounts().await), [accounts[0].clone()]);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let posted: Vec<Value> = received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| serde_json::from_slice(body).unwrap())
            .collect();
        if let Some(hook) = posted.iter().find(|p| p["id"] == failed["id"]) {
            let text = hook.to_string();
            assert!(!text.contains(accounts[1].as_str()), "{text}");
            assert_eq!(
                hook["error"]["data"]["accounts"].as_array().unwrap().len(),
                1
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the webhook never came: {posted:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
