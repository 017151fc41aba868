use kontolink_api::AccessLocation;
use kontolink_server::domain::secret_token::SecretToken;
use serde_json::json;

use kontolink_server::domain::ids::UserId;

use crate::helpers::{REDIRECT_URI, TestApp, assert_api_error, spawn_app};

async fn user_of(app: &TestApp, flow_token: &str) -> UserId {
    app.store()
        .flow_by_token(&SecretToken::from_presented(flow_token).hash())
        .await
        .unwrap()
        .expect("flow")
        .user_id
}

#[tokio::test]
async fn a_onetime_access_answers_201_with_a_location_under_the_public_url() {
    let app = spawn_app().await;
    let client = app.client().await;
    let response = app
        .post_onetime(
            &client,
            &json!({
                "redirect_uri": REDIRECT_URI,
                "language": "en",
                "accounts": [{"id": "DE82900948150000002881"}],
                "account_types": ["Giro account"],
                "allow_multi_selection": false,
                "sync_period": 730,
                "state": "s",
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: AccessLocation = response.json().await.unwrap();
    let prefix = format!("{}/?token=", app.address);
    assert!(body.location.starts_with(&prefix), "{}", body.location);
    assert!(
        body.location.len() > prefix.len() + 40,
        "a long random token"
    );
    assert!(!body.id.is_empty());
}

#[tokio::test]
async fn a_flow_token_is_stored_only_as_its_hash() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    let stored: String = app.database.scalar("SELECT token_hash FROM flows").await;
    assert_ne!(stored, token);
    assert_eq!(stored, SecretToken::from_presented(&token).hash().to_hex());
    let secret: String = app.database.scalar("SELECT secret_hash FROM clients").await;
    assert_ne!(secret, client.secret);
    // Nowhere else either: neither the token nor the client secret is in any row.
    let everything = app.database.everything_stored().await;
    assert!(everything.contains(&stored), "the dump holds the rows");
    assert!(!everything.contains(&token));
    assert!(!everything.contains(&client.secret));
}

#[tokio::test]
async fn access_endpoints_require_client_authentication() {
    let app = spawn_app().await;
    let client = app.client().await;
    let body = json!({"redirect_uri": REDIRECT_URI});
    let response = app
        .http
        .post(app.url("/onetime/access"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["www-authenticate"].to_str().unwrap(),
        "Basic realm=\"kontolink\", charset=\"UTF-8\""
    );
    assert_api_error(response, 401, 1001).await;
    let response = app.post_onetime(&client.wrong_secret(), &body).await;
    assert_api_error(response, 401, 1001).await;
    let response = app
        .http
        .post(app.url("/ongoing/access"))
        .header("authorization", "Basic not-base64!")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_api_error(response, 401, 1001).await;
}

#[tokio::test]
async fn a_redirect_uri_that_is_not_exactly_registered_is_refused() {
    let app = spawn_app().await;
    let client = app
        .register_client(&[REDIRECT_URI, "https://app.example.com:8443/cb?x=1"], &[])
        .await;
    for uri in [
        "https://APP.example.com/callback",
        "https://app.example.com/Callback",
        "https://app.example.com/callback?extra=1",
        "https://app.example.com/callback/",
        "https://app.example.com/callback/..;/callback",
        "https://app.example.com/x/../callback",
        "https://evil.example@app.example.com/callback",
        "https://app.example.com@evil.example/callback",
        "javascript:alert(document.domain)//https://app.example.com/callback",
        "https://app.example.com:444/callback",
        "http://app.example.com/callback",
        "https://app.example.com/callback#frag",
        "https://app.example.com:8443/cb",
        "https://app.example.com:8443/cb?x=1&y=2",
        "",
    ] {
        let response = app
            .post_onetime(&client, &json!({"redirect_uri": uri}))
            .await;
        let body = assert_api_error(response, 400, 1000).await;
        assert!(
            body["error"]["description"]
                .as_str()
                .unwrap()
                .contains("redirect_uri"),
            "{uri}: {body}"
        );
    }
    for uri in [REDIRECT_URI, "https://app.example.com:8443/cb?x=1"] {
        let response = app
            .post_onetime(&client, &json!({"redirect_uri": uri}))
            .await;
        assert_eq!(response.status(), 201, "{uri}");
    }
}

#[tokio::test]
async fn state_must_have_1_to_1024_characters() {
    let app = spawn_app().await;
    let client = app.client().await;
    for (state, status) in [
        ("".to_owned(), 400),
        ("ä".repeat(1024), 201),
        ("x".repeat(1025), 400),
    ] {
        let response = app
            .post_onetime(
                &client,
                &json!({"redirect_uri": REDIRECT_URI, "state": state}),
            )
            .await;
        assert_eq!(
            response.status(),
            status,
            "state of {} chars",
            state.chars().count()
        );
    }
}

#[tokio::test]
async fn sync_period_must_be_1_to_730_days() {
    let app = spawn_app().await;
    let client = app.client().await;
    for (days, status) in [(0, 400), (1, 201), (730, 201), (731, 400), (-5, 400)] {
        let response = app
            .post_onetime(
                &client,
                &json!({"redirect_uri": REDIRECT_URI, "sync_period": days}),
            )
            .await;
        assert_eq!(response.status(), status, "sync_period {days}");
    }
}

#[tokio::test]
async fn an_iban_failing_the_mod_97_check_is_refused_with_a_clear_error() {
    let app = spawn_app().await;
    let client = app.client().await;
    let response = app
        .post_onetime(
            &client,
            &json!({"redirect_uri": REDIRECT_URI, "accounts": [{"id": "DE82900948150000002882"}]}),
        )
        .await;
    let body = assert_api_error(response, 400, 1000).await;
    let description = body["error"]["description"].as_str().unwrap();
    assert!(
        description.contains("accounts[0].id") && description.contains("mod-97"),
        "{description}"
    );
}

#[tokio::test]
async fn account_types_must_be_published_types() {
    let app = spawn_app().await;
    let client = app.client().await;
    for (types, status) in [
        (json!(kontolink_api::ACCOUNT_TYPES), 201),
        (json!(["Savings account"]), 201),
        (json!([]), 201),
        (json!(["Girokonto"]), 400),
        (json!(["giro account"]), 400),
        (json!(["Giro account", "Spaceship"]), 400),
    ] {
        let response = app
            .post_onetime(
                &client,
                &json!({"redirect_uri": REDIRECT_URI, "account_types": types}),
            )
            .await;
        assert_eq!(response.status(), status, "{types}");
    }
}

#[tokio::test]
async fn language_must_be_one_of_de_en_fr_es() {
    let app = spawn_app().await;
    let client = app.client().await;
    for (language, status) in [
        ("de", 201),
        ("en", 201),
        ("fr", 201),
        ("es", 201),
        ("it", 400),
        ("DE", 400),
    ] {
        let response = app
            .post_onetime(
                &client,
                &json!({"redirect_uri": REDIRECT_URI, "language": language}),
            )
            .await;
        assert_eq!(response.status(), status, "{language}");
    }
}

#[tokio::test]
async fn malformed_bodies_answer_in_the_error_format_and_store_nothing() {
    let app = spawn_app().await;
    let client = app.client().await;
    let send = |body: String, content_type: &'static str| {
        app.http
            .post(app.url("/onetime/access"))
            .basic_auth(&client.id, Some(&client.secret))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let response = send("{not json".into(), "application/json").await.unwrap();
    assert_api_error(response, 400, 1000).await;
    let response = send(r#"{"redirect_uri": 5}"#.into(), "application/json")
        .await
        .unwrap();
    assert_api_error(response, 400, 1000).await;
    let unknown = format!(r#"{{"redirect_uri": "{REDIRECT_URI}", "colour": "red"}}"#);
    let response = send(unknown, "application/json").await.unwrap();
    assert_api_error(response, 400, 1000).await;
    let response = send(r#"{"state": "x"}"#.into(), "application/json")
        .await
        .unwrap();
    assert_api_error(response, 400, 1000).await;
    let response = send(format!("redirect_uri={REDIRECT_URI}"), "text/plain")
        .await
        .unwrap();
    assert_api_error(response, 415, 1000).await;
    let huge = format!(
        r#"{{"redirect_uri": "{REDIRECT_URI}", "state": "{}"}}"#,
        "x".repeat(70_000)
    );
    let response = send(huge, "application/json").await.unwrap();
    assert_api_error(response, 413, 1009).await;

    let flows: i64 = app.database.scalar("SELECT count(*) FROM flows").await;
    let users: i64 = app.database.scalar("SELECT count(*) FROM users").await;
    assert_eq!((flows, users), (0, 0));
}

#[tokio::test]
async fn an_ongoing_access_needs_a_user_id_and_keeps_one_user_per_client_and_user_id() {
    let app = spawn_app().await;
    let client = app.client().await;
    let response = app
        .post_ongoing(&client, &json!({"redirect_uri": REDIRECT_URI}))
        .await;
    assert_api_error(response, 400, 1000).await;
    let response = app
        .post_ongoing(
            &client,
            &json!({"redirect_uri": REDIRECT_URI, "user_id": "  "}),
        )
        .await;
    assert_api_error(response, 400, 1000).await;

    let (_, first) = app.ongoing_flow(&client, "customer-7").await;
    let (_, second) = app.ongoing_flow(&client, "customer-7").await;
    let (_, other) = app.ongoing_flow(&client, "customer-8").await;
    let other_client = app.client().await;
    let (_, same_name_other_client) = app.ongoing_flow(&other_client, "customer-7").await;
    let first = user_of(&app, &first).await;
    assert_eq!(first, user_of(&app, &second).await);
    assert_ne!(first, user_of(&app, &other).await);
    assert_ne!(first, user_of(&app, &same_name_other_client).await);
}

#[tokio::test]
async fn each_onetime_flow_gets_its_own_internal_user() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, a) = app.onetime_flow(&client).await;
    let (_, b) = app.onetime_flow(&client).await;
    assert_ne!(user_of(&app, &a).await, user_of(&app, &b).await);
}

#[tokio::test]
async fn flow_creation_is_rate_limited_per_client() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.rate_limits.access_per_client = kontolink_server::config::RateLimit {
            burst: 2,
            per_second: 0.0,
        };
    })
    .await;
    let client = app.client().await;
    let other = app.client().await;
    let body = json!({"redirect_uri": REDIRECT_URI});
    assert_eq!(app.post_onetime(&client, &body).await.status(), 201);
    assert_eq!(app.post_onetime(&client, &body).await.status(), 201);
    let response = app.post_onetime(&client, &body).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_api_error(response, 429, 1029).await;
    assert_eq!(
        app.post_onetime(&other, &body).await.status(),
        201,
        "other clients unaffected"
    );
}

/// A widget session of a new ongoing flow for `user_id`, with one connected sandbox access.
async fn user_with_access(
    app: &TestApp,
    client: &crate::helpers::TestClient,
    user_id: &str,
) -> (String, String) {
    let (_, token) = app.ongoing_flow(client, user_id).await;
    let session = app.widget_session(&token).await.session_token;
    let response = app
        .widget_post(
            "/rest/accesses",
            &session,
            Some(json!({"access_method_id": "kontolink-sandbox-pin", "credentials": {"login": "demo", "pin": "1"}})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let access: serde_json::Value = response.json().await.unwrap();
    (session, access["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_ongoing_reconnect_needs_an_access_of_that_user_id() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, access) = user_with_access(&app, &client, "alice").await;
    let reconnect =
        |user: &str| json!({"redirect_uri": REDIRECT_URI, "user_id": user, "access_id": access});
    let response = app.post_ongoing(&client, &reconnect("bob")).await;
    let body = assert_api_error(response, 400, 1000).await;
    assert!(body.to_string().contains("access_id"), "{body}");
    let response = app.post_ongoing(&client, &reconnect("alice")).await;
    assert_eq!(response.status(), 201);
    let other = app.client().await;
    let response = app.post_ongoing(&other, &reconnect("alice")).await;
    assert_api_error(response, 400, 1000).await;
    let unknown = json!({"redirect_uri": REDIRECT_URI, "user_id": "alice", "access_id": "nope"});
    assert_api_error(app.post_ongoing(&client, &unknown).await, 400, 1000).await;
}

#[tokio::test]
async fn a_onetime_reconnect_acts_for_the_accesss_end_user() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, access) = user_with_access(&app, &client, "alice").await;
    let body = json!({"redirect_uri": REDIRECT_URI, "access_id": access});
    let other = app.client().await;
    assert_api_error(app.post_onetime(&other, &body).await, 400, 1000).await;
    let unknown = json!({"redirect_uri": REDIRECT_URI, "access_id": "nope"});
    assert_api_error(app.post_onetime(&client, &unknown).await, 400, 1000).await;
    let (_, token) = crate::api_client::flow_created(app.post_onetime(&client, &body).await).await;
    let opened = app.widget_session(&token).await;
    let named = opened
        .flow
        .access
        .as_ref()
        .expect("the flow names the access");
    assert_eq!(named.id, access, "the widget syncs this access");
    assert_eq!(named.access_method_id, "kontolink-sandbox-pin");
    assert_eq!(
        opened.flow.provider_id.as_deref(),
        Some("kontolink-sandbox")
    );
    let session = opened.session_token;
    let response = app
        .widget_get(&format!("/rest/accesses/{access}"), &session)
        .await;
    assert_eq!(
        response.status(),
        200,
        "the reconnect's session reaches the access"
    );
    // A plain one-time flow is a new end-user who does not.
    let (_, token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&token).await.session_token;
    let response = app
        .widget_get(&format!("/rest/accesses/{access}"), &session)
        .await;
    assert_eq!(response.status(), 404);
}
