use kontolink_api::{FinishRedirect, FlowInfo};
use serde_json::json;

use crate::helpers::{REDIRECT_URI, assert_api_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_flow_token_is_exchanged_for_a_session_with_the_flow() {
    let app = spawn_app().await;
    let client = app.client().await;
    let response = app
        .post_ongoing(
            &client,
            &json!({
                "redirect_uri": REDIRECT_URI,
                "user_id": "u1",
                "save_secrets": true,
                "provider_id": "kontolink-sandbox",
                "language": "fr",
                "accounts": [{"id": "de82 9009 4815 0000 0028 81"}],
                "account_types": ["Giro account"],
                "allow_multi_selection": false,
                "sync_period": 30,
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location: kontolink_api::AccessLocation = response.json().await.unwrap();
    let token = location.location.split_once("?token=").unwrap().1;
    let session = app.widget_session(token).await;
    assert!(session.session_token.len() > 40);
    assert!(session.expires_in > 0);
    let flow = session.flow;
    assert_eq!(flow.id, location.id);
    assert_eq!(flow.language, kontolink_api::Language::Fr);
    assert_eq!(flow.accounts[0].id, "DE82900948150000002881");
    assert_eq!(flow.account_types, Some(vec!["Giro account".to_owned()]));
    assert!(!flow.allow_multi_selection);
    assert_eq!(flow.sync_period, 30);
    assert!(flow.save_secrets_allowed);
    assert_eq!(flow.provider_id.as_deref(), Some("kontolink-sandbox"));

    let response = app.widget_get("/widget/flow", &session.session_token).await;
    assert_eq!(response.status(), 200);
    let read: FlowInfo = response.json().await.unwrap();
    assert_eq!(read, flow);
}

#[tokio::test]
async fn a_prefilled_german_iban_resolves_to_its_bank_so_bank_selection_is_skipped() {
    let app = spawn_app().await;
    let client = app.client().await;
    let body =
        json!({"redirect_uri": REDIRECT_URI, "accounts": [{"id": "DE82900948150000002881"}]});
    let (_, token) = crate::api_client::flow_created(app.post_onetime(&client, &body).await).await;
    let flow = app.widget_session(&token).await.flow;
    assert_eq!(flow.provider_id.as_deref(), Some("kontolink-sandbox"));
}

#[tokio::test]
async fn an_ongoing_flow_naming_a_provider_outside_the_catalog_is_refused() {
    let app = spawn_app().await;
    let client = app.client().await;
    let body =
        json!({"redirect_uri": REDIRECT_URI, "user_id": "u1", "provider_id": "no-such-bank"});
    assert_api_error(app.post_ongoing(&client, &body).await, 400, 1000).await;
}

#[tokio::test]
async fn a_onetime_flow_allows_no_saved_secrets_and_names_no_provider() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    let flow = app.widget_session(&token).await.flow;
    assert!(!flow.save_secrets_allowed);
    assert_eq!(flow.provider_id, None);
    assert!(flow.allow_multi_selection);
    assert_eq!(flow.sync_period, 90);
}

#[tokio::test]
async fn a_second_exchange_of_a_flow_token_fails_with_1030() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    app.widget_session(&token).await;
    let response = app.exchange_flow_token(&token).await;
    assert_api_error(response, 400, 1030).await;
}

#[tokio::test]
async fn an_expired_or_unknown_flow_token_fails_with_1030() {
    let app = spawn_app_with(|c| c.lifetimes.flow_token = std::time::Duration::ZERO).await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    assert_api_error(app.exchange_flow_token(&token).await, 400, 1030).await;
    assert_api_error(app.exchange_flow_token("klf_unknown").await, 400, 1030).await;
}

#[tokio::test]
async fn widget_endpoints_refuse_a_missing_or_unknown_session() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/widget/flow")).send().await.unwrap();
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_api_error(response, 401, 1001).await;
    for path in ["/widget/complete", "/widget/cancel", "/widget/fail"] {
        let response = app.widget_post(path, "klw_nope", Some(json!({}))).await;
        assert_api_error(response, 401, 1001).await;
    }
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let app = spawn_app_with(|c| c.lifetimes.widget_session = std::time::Duration::ZERO).await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&token).await;
    let response = app.widget_get("/widget/flow", &session.session_token).await;
    assert_api_error(response, 401, 1001).await;
}

#[tokio::test]
async fn completing_returns_the_redirect_with_code_state_and_success() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&token).await;
    let accounts = app.connect_accounts(&session.session_token).await;
    let response = app
        .widget_post(
            "/widget/complete",
            &session.session_token,
            Some(json!({ "account_ids": accounts })),
        )
        .await;
    assert_eq!(response.status(), 200);
    let finish: FinishRedirect = response.json().await.unwrap();
    assert_eq!(finish.redirect, REDIRECT_URI);
    assert!(finish.query.code.as_deref().is_some_and(|c| c.len() > 40));
    assert_eq!(finish.query.state.as_deref(), Some("xyz"));
    assert_eq!(finish.query.success, "true");
    assert_eq!((finish.query.cancel, finish.query.error), (None, None));
}

#[tokio::test]
async fn cancelling_returns_success_false_and_cancel_true() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&token).await;
    let response = app
        .widget_post("/widget/cancel", &session.session_token, None)
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"redirect": REDIRECT_URI, "query": {"state": "xyz", "success": "false", "cancel": "true"}})
    );
}

#[tokio::test]
async fn failing_returns_success_false_and_the_error() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&token).await;
    let response = app
        .widget_post(
            "/widget/fail",
            &session.session_token,
            Some(json!({"error": "a&b"})),
        )
        .await;
    assert_api_error(response, 400, 1000).await;
    let response = app
        .widget_post(
            "/widget/fail",
            &session.session_token,
            Some(json!({"error": "10000"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"redirect": REDIRECT_URI, "query": {"state": "xyz", "success": "false", "error": "10000"}})
    );
}

#[tokio::test]
async fn the_session_dies_when_the_flow_ends() {
    let app = spawn_app().await;
    let client = app.client().await;
    for path in ["/widget/complete", "/widget/cancel", "/widget/fail"] {
        let (_, token) = app.onetime_flow(&client).await;
        let session = app.widget_session(&token).await.session_token;
        let body = match path {
            "/widget/complete" => {
                let accounts = app.connect_accounts(&session).await;
                Some(json!({"account_ids": [accounts[0]]}))
            }
            "/widget/fail" => Some(json!({"error": "10000"})),
            _ => None,
        };
        assert_eq!(
            app.widget_post(path, &session, body.clone()).await.status(),
            200
        );
        assert_api_error(app.widget_get("/widget/flow", &session).await, 401, 1001).await;
        assert_api_error(app.widget_post(path, &session, body).await, 401, 1001).await;
        let complete = json!({"account_ids": ["a"]});
        let response = app
            .widget_post("/widget/complete", &session, Some(complete))
            .await;
        assert_api_error(response, 401, 1001).await;
    }
}

#[tokio::test]
async fn account_ids_must_be_1_to_100_distinct_strings() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&token).await.session_token;
    let many: Vec<String> = (0..101).map(|i| format!("acc-{i}")).collect();
    for body in [
        json!({"account_ids": []}),
        json!({"account_ids": [""]}),
        json!({"account_ids": [5]}),
        json!({"account_ids": ["a", "a"]}),
        json!({"account_ids": many}),
        json!({}),
    ] {
        let response = app
            .widget_post("/widget/complete", &session, Some(body.clone()))
            .await;
        assert_api_error(response, 400, 1000).await;
    }
    let hundred: Vec<String> = (0..100).map(|i| format!("acc-{i}")).collect();
    let response = app
        .widget_post(
            "/widget/complete",
            &session,
            Some(json!({"account_ids": hundred})),
        )
        .await;
    let body = assert_api_error(response, 400, 1000).await;
    assert_eq!(
        body["error"]["data"]["account_ids"],
        json!(hundred),
        "unknown ids are named"
    );
    let accounts = app.connect_accounts(&session).await;
    let response = app
        .widget_post(
            "/widget/complete",
            &session,
            Some(json!({ "account_ids": accounts })),
        )
        .await;
    assert_eq!(response.status(), 200, "the refusals left the flow open");
}

#[tokio::test]
async fn another_users_accounts_cannot_be_selected() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, first) = app.onetime_flow(&client).await;
    let first = app.widget_session(&first).await.session_token;
    let theirs = app.connect_accounts(&first).await;
    let (_, second) = app.onetime_flow(&client).await;
    let second = app.widget_session(&second).await.session_token;
    let mine = app.connect_accounts(&second).await;
    let response = app
        .widget_post(
            "/widget/complete",
            &second,
            Some(json!({"account_ids": [mine[0], theirs[0]]})),
        )
        .await;
    let body = assert_api_error(response, 400, 1000).await;
    assert_eq!(body["error"]["data"]["account_ids"], json!([theirs[0]]));
    assert!(
        body["error"]["description"]
            .as_str()
            .unwrap()
            .contains("not the user's"),
        "{body}"
    );
}

#[tokio::test]
async fn a_single_selection_flow_refuses_several_accounts() {
    let app = spawn_app().await;
    let client = app.client().await;
    let response = app
        .post_onetime(
            &client,
            &json!({"redirect_uri": REDIRECT_URI, "allow_multi_selection": false}),
        )
        .await;
    let location: kontolink_api::AccessLocation = response.json().await.unwrap();
    let token = location.location.split_once("?token=").unwrap().1;
    let session = app.widget_session(token).await.session_token;
    let accounts = app.connect_accounts(&session).await;
    let response = app
        .widget_post(
            "/widget/complete",
            &session,
            Some(json!({ "account_ids": accounts })),
        )
        .await;
    assert_api_error(response, 400, 1000).await;
    let response = app
        .widget_post(
            "/widget/complete",
            &session,
            Some(json!({"account_ids": [accounts[0]]})),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn widget_requests_are_rate_limited_per_flow() {
    let app = spawn_app_with(|c| {
        c.rate_limits.widget_per_flow = kontolink_server::config::RateLimit {
            burst: 3,
            per_second: 0.0,
        };
    })
    .await;
    let client = app.client().await;
    let (_, first) = app.onetime_flow(&client).await;
    let (_, second) = app.onetime_flow(&client).await;
    let session = app.widget_session(&first).await.session_token;
    for _ in 0..3 {
        assert_eq!(app.widget_get("/widget/flow", &session).await.status(), 200);
    }
    let response = app.widget_get("/widget/flow", &session).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_api_error(response, 429, 1029).await;
    let other = app.widget_session(&second).await.session_token;
    assert_eq!(app.widget_get("/widget/flow", &other).await.status(), 200);
}
