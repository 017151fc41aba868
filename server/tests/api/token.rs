use kontolink_api::TokenResponse;
use serde_json::json;

use crate::helpers::{REDIRECT_URI, assert_oauth_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_code_is_exchanged_for_tokens_with_a_form_body() {
    let app = spawn_app().await;
    let client = app.client().await;
    let code = app.authorization_code(&client).await;
    let response = app.redeem(&client, &code).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens: TokenResponse = response.json().await.unwrap();
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, 3600);
    assert_eq!(tokens.scope, "accounts=ro balance=ro transactions=ro");
    assert!(tokens.access_token.len() >= 43 && tokens.refresh_token.len() >= 43);
    assert_ne!(tokens.access_token, tokens.refresh_token);
    assert!(app.access_grant(&tokens.access_token).await.is_some());
}

#[tokio::test]
async fn a_code_is_exchanged_for_tokens_with_a_json_body() {
    let app = spawn_app().await;
    let client = app.client().await;
    let code = app.authorization_code(&client).await;
    let response = app
        .post_json(
            "/auth/token",
            &client,
            &json!({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_ongoing_grant_has_the_offline_scope() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.ongoing_flow(&client, "customer-1").await;
    let code = app.complete_flow(&token).await;
    let tokens: TokenResponse = app.redeem(&client, &code).await.json().await.unwrap();
    assert_eq!(
        tokens.scope,
        "accounts=ro balance=ro transactions=ro offline"
    );
}

#[tokio::test]
async fn a_refresh_returns_a_new_refresh_token_and_retires_the_old_one() {
    let app = spawn_app().await;
    let client = app.client().await;
    let first = app.tokens(&client).await;
    let response = app.refresh(&client, &first.refresh_token).await;
    assert_eq!(response.status(), 200);
    let second: TokenResponse = response.json().await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(second.scope, first.scope);
    let third = app.refresh(&client, &second.refresh_token).await;
    assert_eq!(third.status(), 200);
}

#[tokio::test]
async fn the_access_token_expires_after_its_lifetime() {
    let app = spawn_app_with(|c| c.lifetimes.access_token = std::time::Duration::ZERO).await;
    let client = app.client().await;
    let tokens = app.tokens(&client).await;
    assert!(app.access_grant(&tokens.access_token).await.is_none());
}

#[tokio::test]
async fn an_expired_code_or_refresh_token_is_an_invalid_grant() {
    let app = spawn_app_with(|c| {
        c.lifetimes.authorization_code = std::time::Duration::ZERO;
    })
    .await;
    let client = app.client().await;
    let code = app.authorization_code(&client).await;
    assert_oauth_error(app.redeem(&client, &code).await, 400, "invalid_grant").await;

    let app = spawn_app_with(|c| c.lifetimes.refresh_token = std::time::Duration::ZERO).await;
    let client = app.client().await;
    let tokens = app.tokens(&client).await;
    let response = app.refresh(&client, &tokens.refresh_token).await;
    assert_oauth_error(response, 400, "invalid_grant").await;
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client_with_401() {
    let app = spawn_app().await;
    let client = app.client().await;
    let code = app.authorization_code(&client).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
    ];
    let response = app.token_form(&client.wrong_secret(), &form).await;
    assert_eq!(
        response.headers()["www-authenticate"],
        "Basic realm=\"kontolink\", charset=\"UTF-8\""
    );
    assert_oauth_error(response, 401, "invalid_client").await;
    let response = app
        .http
        .post(app.url("/auth/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_oauth_error(response, 401, "invalid_client").await;
    let response = app
        .http
        .post(app.url("/auth/token"))
        .header("authorization", "Basic %%%")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_oauth_error(response, 401, "invalid_client").await;
    let unknown = crate::helpers::TestClient {
        id: "nobody".into(),
        secret: "x".into(),
    };
    assert_oauth_error(app.token_form(&unknown, &form).await, 401, "invalid_client").await;
    assert_eq!(
        app.redeem(&client, &code).await.status(),
        200,
        "failed attempts did not use the code"
    );
}

#[tokio::test]
async fn bad_token_requests_answer_rfc_6749_errors() {
    let app = spawn_app().await;
    let client = app.client().await;
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("grant_type", "password")], "unsupported_grant_type"),
        (
            vec![("grant_type", "client_credentials")],
            "unsupported_grant_type",
        ),
        (vec![], "invalid_request"),
        (
            vec![("grant_type", "authorization_code")],
            "invalid_request",
        ),
        (
            vec![("grant_type", "authorization_code"), ("code", "klc_x")],
            "invalid_request",
        ),
        (vec![("grant_type", "refresh_token")], "invalid_request"),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", "klc_x"),
                ("redirect_uri", REDIRECT_URI),
            ],
            "invalid_grant",
        ),
        (
            vec![("grant_type", "refresh_token"), ("refresh_token", "klr_x")],
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("grant_type", "refresh_token"),
            ],
            "invalid_request",
        ),
    ];
    for (form, error) in cases {
        let response = app.token_form(&client, &form).await;
        assert_oauth_error(response, 400, error).await;
    }
    let send = |body: String, content_type: &'static str| {
        app.http
            .post(app.url("/auth/token"))
            .basic_auth(&client.id, Some(&client.secret))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let response = send("{bad".into(), "application/json").await.unwrap();
    assert_oauth_error(response, 400, "invalid_request").await;
    let response = send(r#"{"grant_type": 5}"#.into(), "application/json")
        .await
        .unwrap();
    assert_oauth_error(response, 400, "invalid_request").await;
    let response = send("grant_type=refresh_token".into(), "text/plain")
        .await
        .unwrap();
    assert_oauth_error(response, 400, "invalid_request").await;
    let huge = format!(
        "grant_type=refresh_token&refresh_token={}",
        "x".repeat(70_000)
    );
    let response = send(huge, "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_oauth_error(response, 413, "invalid_request").await;
}

#[tokio::test]
async fn token_requests_are_rate_limited_per_client() {
    let app = spawn_app_with(|c| {
        c.rate_limits.token_per_client = kontolink_server::config::RateLimit {
            burst: 3,
            per_second: 0.0,
        };
    })
    .await;
    let client = app.client().await;
    let other = app.client().await;
    let form = [("grant_type", "refresh_token"), ("refresh_token", "klr_x")];
    for _ in 0..3 {
        assert_eq!(app.token_form(&client, &form).await.status(), 400);
    }
    let response = app.token_form(&client, &form).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_oauth_error(response, 429, "invalid_request").await;
    assert_eq!(
        app.token_form(&other, &form).await.status(),
        400,
        "other clients unaffected"
    );
}
