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
        Credential::WidgetSession { flow_id, .. } => format!("session {flow_id}"),
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

#[tokio::test]
async fn a_widget_session_saves_secrets_only_where_its_flow_allows_it() {
    let app = crate::helpers::spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&token).await.session_token;
    let saving = serde_json::json!({
        "access_method_id": "kontolink-sandbox-pin",
        "credentials": {"login": "demo", "pin": "1234"},
        "save_secrets": true,
        "consent": true,
    });
    let response = app
        .widget_post("/rest/accesses", &session, Some(saving.clone()))
        .await;
    let body = crate::helpers::assert_api_error(response, 400, 1000).await;
    assert!(body.to_string().contains("save_secrets"), "{body}");

    let mut not_saving = saving;
    not_saving["save_secrets"] = serde_json::json!(false);
    not_saving["consent"] = serde_json::json!(false);
    let response = app
        .widget_post("/rest/accesses", &session, Some(not_saving))
        .await;
    assert_eq!(response.status(), 201);
    let access: serde_json::Value = response.json().await.unwrap();
    let path = format!("/rest/accesses/{}/syncs", access["id"].as_str().unwrap());
    let response = app
        .widget_post(
            &path,
            &session,
            Some(serde_json::json!({"save_secrets": true})),
        )
        .await;
    crate::helpers::assert_api_error(response, 400, 1000).await;

    // An ongoing flow with save_secrets lets its session keep the credentials.
    let body = serde_json::json!({
        "redirect_uri": crate::helpers::REDIRECT_URI, "user_id": "saver", "save_secrets": true,
    });
    let (_, token) = crate::api_client::flow_created(app.post_ongoing(&client, &body).await).await;
    let session = app.widget_session(&token).await.session_token;
    let mut saving = not_saving_body();
    saving["save_secrets"] = serde_json::json!(true);
    saving["consent"] = serde_json::json!(true);
    let response = app
        .widget_post("/rest/accesses", &session, Some(saving))
        .await;
    assert_eq!(response.status(), 201);
}

fn not_saving_body() -> serde_json::Value {
    serde_json::json!({
        "access_method_id": "kontolink-sandbox-pin",
        "credentials": {"login": "demo", "pin": "1234"},
    })
}
