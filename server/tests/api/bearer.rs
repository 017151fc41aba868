//! The `AuthenticatedUser` extractor that §4 handlers use: an access token or a widget
//! session reaches exactly its own user.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use kontolink_server::http::bearer::{AuthenticatedUser, Credential};
use serde_json::json;
use tower::ServiceExt;

use crate::helpers::{TestApp, spawn_app};

async fn me(user: AuthenticatedUser) -> String {
    let via = match user.credential {
        Credential::AccessToken { scope, .. } => format!("token {scope}"),
        Credential::WidgetSession { flow_id } => format!("session {flow_id}"),
    };
    format!("{} {} {via}", user.user_id, user.client_id)
}

async fn call(app: &TestApp, authorization: Option<&str>) -> (u16, String) {
    let router = Router::new()
        .route("/me", get(me))
        .with_state(app.state.clone());
    let mut request = Request::get("/me");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = router
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn an_access_token_authenticates_its_user_and_client() {
    let app = spawn_app().await;
    let client = app.client().await;
    let tokens = app.tokens(&client).await;
    let grant = app.access_grant(&tokens.access_token).await.unwrap();
    let (status, body) = call(&app, Some(&format!("Bearer {}", tokens.access_token))).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        format!(
            "{} {} token accounts=ro balance=ro transactions=ro",
            grant.user_id, client.id
        )
    );
}

#[tokio::test]
async fn a_widget_session_authenticates_its_flows_user() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (location, token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&token).await.session_token;
    let (status, body) = call(&app, Some(&format!("Bearer {session}"))).await;
    assert_eq!(status, 200);
    assert!(
        body.ends_with(&format!("{} session {}", client.id, location.id)),
        "{body}"
    );
    let accounts = app.connect_accounts(&session).await;
    let response = app
        .widget_post(
            "/widget/complete",
            &session,
            Some(json!({"account_ids": [accounts[0]]})),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(call(&app, Some(&format!("Bearer {session}"))).await.0, 401);
}

#[tokio::test]
async fn missing_unknown_or_revoked_bearer_tokens_are_refused() {
    let app = spawn_app().await;
    let client = app.client().await;
    let tokens = app.tokens(&client).await;
    for header in [
        None,
        Some("Bearer"),
        Some("Bearer kla_unknown"),
        Some("Basic abc"),
    ] {
        let (status, body) = call(&app, header).await;
        assert_eq!(status, 401, "{header:?}");
        assert!(body.contains("\"code\":1001"), "{body}");
    }
    app.refresh(&client, &tokens.refresh_token).await;
    app.refresh(&client, &tokens.refresh_token).await;
    let (status, _) = call(&app, Some(&format!("Bearer {}", tokens.access_token))).await;
    assert_eq!(status, 401, "revoked with its family");
}
