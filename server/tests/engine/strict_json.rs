//! Contract §7: an array (or scalar) where an object is expected, at any depth, and
//! duplicate keys, at any depth, are `400`/`1000` on every POST endpoint that reads JSON;
//! the valid bodies keep working. Contract §2/§4: a sync's `sync_period` defaults to (and,
//! for a widget session, is capped at) the flow's, else the access's.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{REDIRECT_URI, TestApp, spawn_app};

const IBAN: &str = "DE89370400440532013000";

enum Auth {
    None,
    Client,
    Bearer(String),
}

async fn post_raw(app: &TestApp, auth: &Auth, path: &str, body: &str) -> (StatusCode, Value) {
    let mut request = app
        .http
        .post(format!("{}{path}", app.address))
        .header("content-type", "application/json")
        .body(body.to_owned());
    request = match auth {
        Auth::None => request,
        Auth::Client => request.basic_auth(&app.client.id, Some(&app.client.secret)),
        Auth::Bearer(token) => request.bearer_auth(token),
    };
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A flow token of an ongoing flow (`extra` merged into its body).
async fn flow_token(app: &TestApp, extra: Value) -> String {
    let mut body = json!({"redirect_uri": REDIRECT_URI, "user_id": "user-1", "save_secrets": true});
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let (status, location) =
        post_raw(app, &Auth::Client, "/ongoing/access", &body.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{location}");
    location["location"]
        .as_str()
        .unwrap()
        .split_once("?token=")
        .unwrap()
        .1
        .to_owned()
}

async fn session(app: &TestApp, extra: Value) -> String {
    let token = flow_token(app, extra).await;
    let body = json!({ "token": token }).to_string();
    let (status, session) = post_raw(app, &Auth::None, "/widget/session", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    session["session_token"].as_str().unwrap().to_owned()
}

fn assert_refused(status: StatusCode, body: &Value, case: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {body}");
    assert_eq!(body["error"]["code"], 1000, "{case}: {body}");
    assert!(body["error"]["description"].is_string(), "{case}: {body}");
}

#[tokio::test]
async fn arrays_for_objects_and_duplicate_keys_are_refused_on_every_post_endpoint() {
    let app = spawn_app().await;
    let bearer = || Auth::Bearer(app.token.clone());
    let access = app.access("demo", false).await;
    let sync = app.run_sync(&access, json!({})).await;
    let challenge_path = format!(
        "/rest/accesses/{access}/syncs/{}/challenges/none/response",
        sync["id"].as_str().unwrap()
    );
    let syncs_path = format!("/rest/accesses/{access}/syncs");
    let flow = flow_token(&app, json!({})).await;
    let table: Vec<(Auth, &str, Vec<String>)> = vec![
        (Auth::Client, "/onetime/access", vec![
            format!(r#"["{REDIRECT_URI}"]"#),
            format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "accounts": [["{IBAN}"]]}}"#),
            format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "redirect_uri": "{REDIRECT_URI}"}}"#),
            format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "accounts": [{{"id": "{IBAN}", "id": "{IBAN}"}}]}}"#),
        ]),
        (Auth::Client, "/ongoing/access", vec![
            format!(r#"["{REDIRECT_URI}", null, null, null, null, null, null, null, "u"]"#),
            format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "user_id": "u", "accounts": [["{IBAN}"]]}}"#),
            format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "user_id": "u", "user_id": "v"}}"#),
            format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "user_id": "u", "accounts": [{{"id": "{IBAN}", "id": "{IBAN}"}}]}}"#),
        ]),
        (Auth::None, "/widget/session", vec![
            format!(r#"["{flow}"]"#),
            format!(r#"{{"token": "{flow}", "token": "{flow}"}}"#),
        ]),
        (bearer(), "/rest/accesses", vec![
            r#"["kontolink-sandbox-pin", {"login": "demo", "pin": "1234"}]"#.to_owned(),
            r#"{"access_method_id": "kontolink-sandbox-pin", "credentials": ["demo", "1234"]}"#.to_owned(),
            r#"{"access_method_id": "kontolink-sandbox-pin", "access_method_id": "kontolink-sandbox-pin", "credentials": {"login": "demo", "pin": "1234"}}"#.to_owned(),
            r#"{"access_method_id": "kontolink-sandbox-pin", "credentials": {"login": "demo", "pin": "1", "pin": "1234"}}"#.to_owned(),
        ]),
        (bearer(), syncs_path.as_str(), vec![
            "[]".to_owned(),
            r#"[{"pin": "1234"}]"#.to_owned(),
            r#"{"credentials": ["1234"]}"#.to_owned(),
            r#"{"sync_period": 30, "sync_period": 90}"#.to_owned(),
            r#"{"credentials": {"pin": "1", "pin": "1234"}}"#.to_owned(),
        ]),
        (bearer(), "/rest/syncs", vec![
            "[]".to_owned(),
            r#"{"save_secrets": false, "save_secrets": false}"#.to_owned(),
            r#"{"scope": [["TRANSACTIONS"]]}"#.to_owned(),
        ]),
        (bearer(), challenge_path.as_str(), vec![
            r#"["123456"]"#.to_owned(),
            r#"{"value": "1", "value": "2"}"#.to_owned(),
        ]),
        (bearer(), "/widget/complete", vec![
            "[[]]".to_owned(),
            r#"{"account_ids": [], "account_ids": []}"#.to_owned(),
        ]),
        (bearer(), "/widget/fail", vec![
            r#"["x"]"#.to_owned(),
            r#"{"error": "x", "error": "y"}"#.to_owned(),
        ]),
        (Auth::None, "/demo/start", vec![
            r#"["overlay"]"#.to_owned(),
            r#"{"mode": "overlay", "mode": "redirect"}"#.to_owned(),
        ]),
    ];
    for (auth, path, bodies) in &table {
        for body in bodies {
            let (status, answer) = post_raw(&app, auth, path, body).await;
            assert_refused(status, &answer, &format!("POST {path} {body}"));
        }
    }
    let flows: i64 = app.database.scalar("SELECT count(*) FROM flows").await;
    let accesses: i64 = app.database.scalar("SELECT count(*) FROM accesses").await;
    assert_eq!((flows, accesses), (2, 1), "nothing was stored");

    // The valid forms still work.
    let account_ids: Vec<Value> = app
        .accounts()
        .await
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    let complete = json!({ "account_ids": account_ids }).to_string();
    let valid: Vec<(Auth, &str, String, StatusCode)> = vec![
        (Auth::Client, "/onetime/access", format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "accounts": [{{"id": "{IBAN}"}}]}}"#), StatusCode::CREATED),
        (Auth::Client, "/ongoing/access", format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "user_id": "u"}}"#), StatusCode::CREATED),
        (Auth::None, "/widget/session", format!(r#"{{"token": "{flow}"}}"#), StatusCode::CREATED),
        (bearer(), "/rest/accesses", r#"{"access_method_id": "kontolink-sandbox-pin", "credentials": {"login": "demo", "pin": "1234"}}"#.to_owned(), StatusCode::CREATED),
        (bearer(), "/rest/syncs", r#"{"scope": ["TRANSACTIONS"]}"#.to_owned(), StatusCode::OK),
        (bearer(), challenge_path.as_str(), "{}".to_owned(), StatusCode::NOT_FOUND),
        (bearer(), "/widget/complete", complete, StatusCode::OK),
    ];
    for (auth, path, body, expected) in &valid {
        let (status, answer) = post_raw(&app, auth, path, body).await;
        assert_eq!(status, *expected, "POST {path} {body}: {answer}");
    }
    let other = session(&app, json!({})).await;
    let (status, answer) = post_raw(
        &app,
        &Auth::Bearer(other),
        "/widget/fail",
        r#"{"error": "x"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// The oldest booking date over every account of the caller (the sandbox's `demo` login has
/// transactions every day).
async fn oldest_booking(app: &TestApp) -> String {
    let mut oldest = None::<String>;
    for account in app.accounts().await {
        for transaction in app.transactions(account["id"].as_str().unwrap()).await {
            let date = transaction["booking_date"].as_str().unwrap().to_owned();
            if oldest.as_ref().is_none_or(|o| date < *o) {
                oldest = Some(date);
            }
        }
    }
    oldest.expect("transactions")
}

fn days_ago(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() - time::Duration::days(days)).to_string()
}

fn with_token(app: &TestApp, token: String) -> TestApp {
    TestApp {
        token,
        client: app.client.clone(),
        state: app.state.clone(),
        address: app.address.clone(),
        http: app.http.clone(),
        dir: app.dir.clone(),
        database: app.database.clone(),
    }
}

#[tokio::test]
async fn a_widget_session_syncs_the_flows_sync_period_at_most() {
    let app = spawn_app().await;
    let app = with_token(&app, session(&app, json!({"sync_period": 30})).await);
    let access = app.access("demo", true).await;
    app.run_sync(&access, json!({"sync_period": 5})).await;
    let oldest = oldest_booking(&app).await;
    assert!(
        oldest >= days_ago(5),
        "a smaller period is honoured: {oldest}"
    );

    app.run_sync(&access, json!({})).await;
    let oldest = oldest_booking(&app).await;
    assert!(
        oldest >= days_ago(30) && oldest < days_ago(5),
        "the flow's by default: {oldest}"
    );

    app.run_sync(&access, json!({"sync_period": 365})).await;
    let oldest = oldest_booking(&app).await;
    assert!(oldest >= days_ago(30), "capped at the flow's: {oldest}");
}

#[tokio::test]
async fn an_access_token_syncs_the_period_the_access_was_created_with() {
    let app = spawn_app().await;
    let widget = with_token(&app, session(&app, json!({"sync_period": 30})).await);
    let access = widget.access("demo", true).await;
    widget.run_sync(&access, json!({"sync_period": 3})).await;
    assert!(oldest_booking(&widget).await >= days_ago(3));
    let account_ids: Vec<Value> = widget
        .accounts()
        .await
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    let (status, finish) = widget
        .post("/widget/complete", json!({ "account_ids": account_ids }))
        .await;
    assert_eq!(status, StatusCode::OK, "{finish}");
    let code = finish["query"]["code"].as_str().unwrap();
    let tokens: Value = app
        .http
        .post(format!("{}/auth/token", app.address))
        .basic_auth(&app.client.id, Some(&app.client.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let integrator = with_token(&app, tokens["access_token"].as_str().unwrap().to_owned());
    integrator
        .run_sync(&access, json!({"psu_ip_address": "203.0.113.7"}))
        .await;
    let oldest = oldest_booking(&integrator).await;
    assert!(
        oldest >= days_ago(30) && oldest < days_ago(3),
        "the access's period (the flow's, 30 days), not 90: {oldest}"
    );
    integrator
        .run_sync(
            &access,
            json!({"psu_ip_address": "203.0.113.7", "sync_period": 60}),
        )
        .await;
    let oldest = oldest_booking(&integrator).await;
    assert!(
        oldest < days_ago(30),
        "an access token may ask for more: {oldest}"
    );
}

#[tokio::test]
async fn bad_sync_options_are_refused_even_without_any_access_to_sync() {
    let app = spawn_app().await;
    for body in [
        json!({"sync_period": 0}),
        json!({"sync_period": 731}),
        json!({"state": ""}),
        json!({"scope": []}),
        json!({"psu_ip_address": "not an address"}),
        json!({"redirect_uri": "https://evil.example/"}),
    ] {
        let (status, error) = app.post("/rest/syncs", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {error}");
        assert_eq!(error["error"]["code"], 1000, "{body}");
    }
}
