//! The security rules of contract §8.

use std::collections::HashSet;

use kontolink_api::TokenResponse;

use crate::helpers::{REDIRECT_URI, TestClient, assert_oauth_error, spawn_app};

#[tokio::test]
async fn a_second_redemption_of_a_code_fails_and_revokes_its_tokens() {
    let app = spawn_app().await;
    let client = app.client().await;
    let code = app.authorization_code(&client).await;
    let tokens: TokenResponse = app.redeem(&client, &code).await.json().await.unwrap();
    let rotated: TokenResponse = app
        .refresh(&client, &tokens.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(app.access_grant(&rotated.access_token).await.is_some());

    assert_oauth_error(app.redeem(&client, &code).await, 400, "invalid_grant").await;

    assert!(app.access_grant(&tokens.access_token).await.is_none());
    assert!(app.access_grant(&rotated.access_token).await.is_none());
    let response = app.refresh(&client, &rotated.refresh_token).await;
    assert_oauth_error(response, 400, "invalid_grant").await;
}

#[tokio::test]
async fn a_code_is_bound_to_its_client_and_redirect_uri() {
    let app = spawn_app().await;
    let client = app
        .register_client(&[REDIRECT_URI, "https://app.example.com/other"], &[])
        .await;
    let thief = app.register_client(&[REDIRECT_URI], &[]).await;
    let code = app.authorization_code(&client).await;

    assert_oauth_error(app.redeem(&thief, &code).await, 400, "invalid_grant").await;
    for uri in [
        "https://app.example.com/other",
        "https://app.example.com/callback/",
        "",
    ] {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", uri),
        ];
        let status = if uri.is_empty() {
            "invalid_request"
        } else {
            "invalid_grant"
        };
        assert_oauth_error(app.token_form(&client, &form).await, 400, status).await;
    }
    assert_eq!(
        app.redeem(&client, &code).await.status(),
        200,
        "the rightful redemption still works"
    );
}

#[tokio::test]
async fn a_refresh_token_is_bound_to_its_client() {
    let app = spawn_app().await;
    let client = app.client().await;
    let thief = app.client().await;
    let tokens = app.tokens(&client).await;
    let response = app.refresh(&thief, &tokens.refresh_token).await;
    assert_oauth_error(response, 400, "invalid_grant").await;
    assert_eq!(
        app.refresh(&client, &tokens.refresh_token).await.status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_50_parallel_refreshes_with_one_token_exactly_one_succeeds() {
    let app = spawn_app().await;
    let client = app.client().await;
    let tokens = app.tokens(&client).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(50));
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let (http, url) = (app.http.clone(), app.url("/auth/token"));
            let (client, refresh) = (client.clone(), tokens.refresh_token.clone());
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                http.post(url)
                    .basic_auth(&client.id, Some(&client.secret))
                    .form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut successes = 0;
    for handle in handles {
        let response = handle.await.unwrap();
        match response.status().as_u16() {
            200 => successes += 1,
            400 => {
                assert_oauth_error(response, 400, "invalid_grant").await;
            }
            other => panic!(
                "unexpected status {other}: {}",
                response.text().await.unwrap()
            ),
        }
    }
    assert_eq!(successes, 1);
}

async fn rotate(
    app: &crate::helpers::TestApp,
    client: &TestClient,
    refresh: &str,
) -> TokenResponse {
    let response = app.refresh(client, refresh).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn replaying_a_retired_refresh_token_in_the_same_second_revokes_the_whole_family() {
    let app = spawn_app().await;
    let client = app.client().await;
    let first = app.tokens(&client).await;
    let second = rotate(&app, &client, &first.refresh_token).await;
    let third = rotate(&app, &client, &second.refresh_token).await;

    let response = app.refresh(&client, &first.refresh_token).await;
    assert_oauth_error(response, 400, "invalid_grant").await;

    let response = app.refresh(&client, &third.refresh_token).await;
    assert_oauth_error(response, 400, "invalid_grant").await;
    for access in [
        &first.access_token,
        &second.access_token,
        &third.access_token,
    ] {
        assert!(app.access_grant(access).await.is_none());
    }
}

#[tokio::test]
async fn replaying_a_retired_refresh_token_after_a_restart_revokes_the_whole_family() {
    let app = spawn_app().await;
    let client = app.client().await;
    let first = app.tokens(&client).await;
    let second = rotate(&app, &client, &first.refresh_token).await;

    let app = app.restart().await;
    assert!(
        app.access_grant(&second.access_token).await.is_some(),
        "state survived"
    );
    let response = app.refresh(&client, &first.refresh_token).await;
    assert_oauth_error(response, 400, "invalid_grant").await;

    let app = app.restart().await;
    let response = app.refresh(&client, &second.refresh_token).await;
    assert_oauth_error(response, 400, "invalid_grant").await;
    assert!(app.access_grant(&second.access_token).await.is_none());
}

#[tokio::test]
async fn the_family_of_one_code_is_revoked_without_touching_another() {
    let app = spawn_app().await;
    let client = app.client().await;
    let victim = app.tokens(&client).await;
    let bystander = app.tokens(&client).await;
    rotate(&app, &client, &victim.refresh_token).await;
    app.refresh(&client, &victim.refresh_token).await;
    assert!(app.access_grant(&victim.access_token).await.is_none());
    assert!(app.access_grant(&bystander.access_token).await.is_some());
    assert_eq!(
        app.refresh(&client, &bystander.refresh_token)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn every_issued_secret_is_distinct() {
    let app = spawn_app().await;
    let client = app.client().await;
    let mut seen = HashSet::new();
    for _ in 0..5 {
        let tokens = app.tokens(&client).await;
        assert!(seen.insert(tokens.access_token));
        assert!(seen.insert(tokens.refresh_token));
    }
}
