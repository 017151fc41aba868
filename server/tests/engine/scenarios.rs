//! One test per sandbox scenario (contract §6), through the HTTP API alone.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    REDIRECT_URI, TapStatus, TestApp, attended, error_code, spawn_app, spawn_with,
};

#[tokio::test]
async fn demo_imports_two_accounts_and_sync_period_days_of_transactions_newest_first() {
    let app = spawn_app().await;
    let access = app.access("demo", false).await;
    let sync = app
        .run_sync(&access, json!({"sync_period": 30}))
        .await
        .tap_status("COMPLETED");
    assert!(sync["challenge"].is_null() && sync["ended_at"].is_string());
    let accounts = app.accounts().await;
    // Accounts created in the same instant have no defined order.
    let mut types: Vec<_> = accounts
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(types, ["Giro account", "Savings account"]);
    let giro = accounts
        .iter()
        .find(|a| a["type"] == "Giro account")
        .unwrap();
    assert_eq!(giro["access_id"], access.as_str());
    assert!(giro["iban"].as_str().unwrap().starts_with("DE"));
    assert_eq!(giro["balance"]["currency"], "EUR");
    let transactions = app.transactions(giro["id"].as_str().unwrap()).await;
    assert!(transactions.len() > 10);
    let dates: Vec<&str> = transactions
        .iter()
        .map(|t| t["booking_date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    let oldest = time::OffsetDateTime::now_utc().date() - time::Duration::days(30);
    assert!(dates.iter().all(|d| *d >= oldest.to_string().as_str()));
}

#[tokio::test]
async fn embedded_asks_for_a_text_tan_and_completes_with_123456() {
    let app = spawn_app().await;
    let access = app.access("embedded", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    assert_eq!(waiting["challenge"]["type"], "EMBEDDED");
    assert_eq!(waiting["challenge"]["format"], "TEXT");
    let (status, answered) = app.answer(&waiting, json!({"value": "123456"})).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    app.wait_status(&sync, "COMPLETED").await;
    assert_eq!(app.accounts().await.len(), 2);
}

#[tokio::test]
async fn a_wrong_tan_fails_the_sync_with_10004() {
    let app = spawn_app().await;
    let access = app.access("embedded", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    app.answer(&waiting, json!({"value": "000000"})).await;
    let failed = app.wait_status(&sync, "FAILED").await;
    assert_eq!(error_code(&failed), 10004);
    assert_eq!(failed["error"]["group"], "USER_ERROR");
}

#[tokio::test]
async fn photo_shows_a_png_data_uri() {
    let app = spawn_app().await;
    let access = app.access("photo", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    assert_eq!(waiting["challenge"]["format"], "PHOTO");
    let data = waiting["challenge"]["data"].as_str().unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(
            data.strip_prefix("data:image/png;base64,")
                .expect("a PNG data URI"),
        )
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    app.answer(&waiting, json!({"value": "123456"})).await;
    app.wait_status(&sync, "COMPLETED").await;
}

#[tokio::test]
async fn flicker_shows_a_checksummed_hhd_code() {
    let app = spawn_app().await;
    let access = app.access("flicker", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    assert_eq!(waiting["challenge"]["format"], "HHD");
    let code = waiting["challenge"]["data"].as_str().unwrap();
    assert!(code.chars().all(|c| c.is_ascii_hexdigit()));
    let lc = usize::from_str_radix(&code[..2], 16).unwrap();
    assert_eq!(code.len(), 2 + 2 * lc, "LC counts the bytes after it");
    let xor = code[..code.len() - 2]
        .chars()
        .fold(0, |acc, c| acc ^ c.to_digit(16).unwrap());
    assert_eq!(code[code.len() - 1..].to_string(), format!("{xor:X}"));
    app.answer(&waiting, json!({"value": "123456"})).await;
    app.wait_status(&sync, "COMPLETED").await;
}

#[tokio::test]
async fn methods_asks_method_then_medium_then_tan_and_remembers_them() {
    let app = spawn_app().await;
    let access = app.access("methods", false).await;
    let creds = json!({"credentials": {"pin": "1234"}});
    let sync = app.start(&access, attended(creds.clone())).await;
    let method = app.wait_status(&sync, "AWAIT_AUTH").await;
    assert_eq!(method["challenge"]["type"], "AUTH_METHOD_SELECT");
    assert_eq!(
        method["challenge"]["auth_methods"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let (status, _) = app.answer(&method, json!({"method_id": "nope"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.answer(&method, json!({"method_id": "903"})).await;
    let medium = app
        .wait_until(&sync, |s| s["challenge"]["type"] == "AUTH_MEDIUM_SELECT")
        .await;
    assert_eq!(
        medium["challenge"]["auth_methods"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.answer(&medium, json!({"medium_id": "phone-2"})).await;
    let tan = app
        .wait_until(&sync, |s| s["challenge"]["type"] == "EMBEDDED")
        .await;
    app.answer(&tan, json!({"value": "123456"})).await;
    app.wait_status(&sync, "COMPLETED").await;

    // reuse_auth_method / reuse_auth_medium (default true): straight to the TAN.
    let again = app.start(&access, attended(creds.clone())).await;
    let tan = app.wait_status(&again, "AWAIT_AUTH").await;
    assert_eq!(tan["challenge"]["type"], "EMBEDDED");
    app.answer(&tan, json!({"value": "123456"})).await;
    app.wait_status(&again, "COMPLETED").await;

    // Without reuse the bank asks for the method again.
    let mut body = attended(creds);
    body["reuse_auth_method"] = json!(false);
    let third = app.start(&access, body).await;
    let asked = app.wait_status(&third, "AWAIT_AUTH").await;
    assert_eq!(asked["challenge"]["type"], "AUTH_METHOD_SELECT");
}

#[tokio::test]
async fn decoupled_approves_itself_after_the_delay() {
    let app = spawn_app().await;
    let access = app.access("decoupled", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    assert_eq!(waiting["challenge"]["type"], "DECOUPLED");
    // Nobody answers: the bank approves after the configured delay.
    app.wait_status(&sync, "COMPLETED").await;
}

#[tokio::test]
async fn decoupled_approves_at_once_through_the_sandbox_endpoint() {
    let app =
        spawn_with(|c| c.sandbox.decoupled_delay = std::time::Duration::from_secs(3600)).await;
    let access = app.access("decoupled", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    // "done, check now" before approval: still waiting.
    let (status, _) = app.answer(&waiting, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    let challenge_id = waiting["challenge"]["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/sandbox/decoupled/{challenge_id}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.wait_status(&sync, "COMPLETED").await;
}

/// The end-user's decision on the sandbox bank's redirect page (no redirect followed).
async fn decide(app: &TestApp, location: &str, decision: &str) -> reqwest::Response {
    app.http
        .post(location)
        .form(&[("decision", decision)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn redirect_sends_the_user_to_the_sandbox_bank_and_back_with_state() {
    let app = spawn_app().await;
    let access = app.access("redirect", false).await;
    let body = attended(json!({"redirect_uri": REDIRECT_URI, "state": "s-42"}));
    let sync = app.start(&access, body).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    assert_eq!(waiting["challenge"]["type"], "REDIRECT");
    let location = waiting["challenge"]["location"].as_str().unwrap();
    assert!(location.starts_with(&format!("{}/sandbox/redirect/", app.address)));
    let page = app
        .http
        .get(location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Approve") && page.contains("Deny"));
    let response = decide(&app, location, "approve").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        &format!("{REDIRECT_URI}?state=s-42")
    );
    app.wait_status(&sync, "COMPLETED").await;
}

#[tokio::test]
async fn a_denied_redirect_fails_and_without_redirect_uri_the_page_says_close() {
    // An access token's sync without redirect_uri (a widget session's goes back to the widget).
    let app = spawn_app().await.unattended().await;
    let access = app.access("redirect", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    let location = waiting["challenge"]["location"].as_str().unwrap();
    let response = decide(&app, location, "deny").await;
    assert!(response.text().await.unwrap().contains("close this window"));
    let failed = app.wait_status(&sync, "FAILED").await;
    assert_eq!(error_code(&failed), 10010);
}

#[tokio::test]
async fn a_sync_redirects_only_to_registered_uris_or_the_widget_itself() {
    let session = spawn_app().await;
    let widget_page = format!("{}/", session.address);
    let integrator = session.with_token(&session.access_token(&session.client, "user-1").await);
    let registered_variants = [
        "https://evil.example/callback".to_owned(),
        format!("{REDIRECT_URI}/"),
        format!("{REDIRECT_URI}?next=https://evil.example"),
        REDIRECT_URI.to_uppercase(),
        format!("{}/sandbox/redirect/x", session.address),
    ];
    for (caller, allowed, refused) in [
        (
            &session,
            vec![REDIRECT_URI.to_owned(), widget_page.clone()],
            registered_variants.to_vec(),
        ),
        (
            &integrator,
            vec![REDIRECT_URI.to_owned()],
            [registered_variants.to_vec(), vec![widget_page.clone()]].concat(),
        ),
    ] {
        let access = caller.access("redirect", false).await;
        for uri in &refused {
            let body = attended(json!({"redirect_uri": uri}));
            let (status, error) = caller
                .post(&format!("/rest/accesses/{access}/syncs"), body.clone())
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {error}");
            assert_eq!(error["error"]["code"], 1000, "{uri}");
            let (status, _) = caller.post("/rest/syncs", body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        }
        for uri in &allowed {
            let access = caller.access("redirect", false).await;
            let sync = caller
                .start(&access, attended(json!({"redirect_uri": uri})))
                .await;
            let waiting = caller.wait_status(&sync, "AWAIT_AUTH").await;
            let location = waiting["challenge"]["location"].as_str().unwrap();
            let response = decide(caller, location, "approve").await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let back = response.headers()["location"].to_str().unwrap().to_owned();
            assert!(back.starts_with(uri.as_str()), "{back}");
            caller.wait_status(&sync, "COMPLETED").await;
        }
    }
    // A widget session that names none returns to the widget.
    let access = session.access("redirect", false).await;
    let sync = session
        .start(&access, attended(json!({"state": "w.1"})))
        .await;
    let waiting = session.wait_status(&sync, "AWAIT_AUTH").await;
    let response = decide(
        &session,
        waiting["challenge"]["location"].as_str().unwrap(),
        "approve",
    )
    .await;
    assert_eq!(
        response.headers()["location"],
        &format!("{widget_page}?state=w.1")
    );
}

#[tokio::test]
async fn multi_asks_two_challenges_in_a_row() {
    let app = spawn_app().await;
    let access = app.access("multi", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let first = app.wait_status(&sync, "AWAIT_AUTH").await;
    app.answer(&first, json!({"value": "123456"})).await;
    let second = app
        .wait_until(&sync, |s| {
            s["challenge"]["id"].is_string() && s["challenge"]["id"] != first["challenge"]["id"]
        })
        .await;
    assert_eq!(second["status"], "AWAIT_AUTH");
    let (_, list) = app
        .get(&format!(
            "/rest/accesses/{access}/syncs/{}/challenges",
            sync["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(list["challenges"].as_array().unwrap().len(), 2);
    app.answer(&second, json!({"value": "123456"})).await;
    app.wait_status(&sync, "COMPLETED").await;
}

#[tokio::test]
async fn locked_fails_with_10012() {
    let app = spawn_app().await;
    let access = app.access("locked", false).await;
    let sync = app
        .run_sync(&access, attended(json!({})))
        .await
        .tap_status("FAILED");
    assert_eq!(error_code(&sync), 10012);
}

#[tokio::test]
async fn pin_wrong_fails_with_10000() {
    let app = spawn_app().await;
    let access = app.access_with_pin("demo", "wrong", false).await;
    let sync = app
        .run_sync(&access, attended(json!({})))
        .await
        .tap_status("FAILED");
    assert_eq!(error_code(&sync), 10000);
    assert!(app.accounts().await.is_empty());
}

#[tokio::test]
async fn slow_completes_and_reports_its_steps() {
    let app = spawn_with(|c| c.sandbox.slow_step = std::time::Duration::from_millis(300)).await;
    let access = app.access("slow", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    let running = app.wait_until(&sync, |s| s["status"] == "RUNNING").await;
    assert!(running["step"].is_string(), "{running}");
    app.wait_status(&sync, "COMPLETED").await;
}

#[tokio::test]
async fn flaky_is_retried_with_backoff_then_succeeds() {
    let app = spawn_app().await;
    let access = app.access("flaky", false).await;
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
    assert_eq!(app.accounts().await.len(), 2);
}

#[tokio::test]
async fn flaky_fails_with_a_bank_error_when_retries_run_out() {
    let app = spawn_with(|c| c.engine.retry.max_attempts = 2).await;
    let access = app.access("flaky", false).await;
    let sync = app
        .run_sync(&access, attended(json!({})))
        .await
        .tap_status("FAILED");
    assert_eq!(error_code(&sync), 20002);
    // When to try again, in the form 1020 uses, some minutes ahead.
    let at = sync["error"]["data"]["next_sync_possible_at"]
        .as_str()
        .expect("next_sync_possible_at");
    let at = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339");
    assert!(at > time::OffsetDateTime::now_utc() + time::Duration::minutes(5));
}

#[tokio::test]
async fn an_unattended_sync_that_meets_a_challenge_fails_with_10020() {
    let app = spawn_app().await.unattended().await;
    let access = app.access("embedded", false).await;
    let sync = app.run_sync(&access, json!({})).await.tap_status("FAILED");
    assert_eq!(error_code(&sync), 10020);
}

#[tokio::test]
async fn an_unanswered_challenge_times_out() {
    let app =
        spawn_with(|c| c.engine.await_auth_timeout = std::time::Duration::from_millis(300)).await;
    let access = app.access("embedded", false).await;
    let sync = app.start(&access, attended(json!({}))).await;
    app.wait_status(&sync, "AWAIT_AUTH").await;
    let failed = app.wait_status(&sync, "FAILED").await;
    assert_eq!(error_code(&failed), 10021);
}

#[tokio::test]
async fn a_real_fints_bank_without_a_product_id_fails_cleanly() {
    let app = spawn_app().await;
    let (status, access) = app
        .post(
            "/rest/accesses",
            json!({"access_method_id": "de-12030000-fints", "credentials": {"login": "x", "pin": "y"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{access}");
    assert_eq!(access["provider_id"], "de-12030000");
    let sync = app
        .run_sync(access["id"].as_str().unwrap(), attended(json!({})))
        .await
        .tap_status("FAILED");
    assert_eq!(error_code(&sync), 20001);
    assert_eq!(sync["error"]["group"], "BANK_ERROR");
}
