//! The HTTP calls the tests make, against any running server: an in-process
//! [`crate::helpers::TestApp`] (which dereferences to its `ApiClient`) or a server process.

use kontolink_api::{AccessLocation, FinishRedirect, TokenResponse, WidgetSession};
use reqwest::Response;
use serde_json::{Value, json};

use crate::helpers::{REDIRECT_URI, TestClient};

/// A server's address and an HTTP client.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub address: String,
    pub http: reqwest::Client,
}

impl ApiClient {
    pub fn new(address: String) -> ApiClient {
        ApiClient {
            address,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post_json(&self, path: &str, client: &TestClient, body: &Value) -> Response {
        self.http
            .post(self.url(path))
            .basic_auth(&client.id, Some(&client.secret))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_onetime(&self, client: &TestClient, body: &Value) -> Response {
        self.post_json("/onetime/access", client, body).await
    }

    pub async fn post_ongoing(&self, client: &TestClient, body: &Value) -> Response {
        self.post_json("/ongoing/access", client, body).await
    }

    /// A one-time flow with `state=xyz`; returns its location answer and flow token.
    pub async fn onetime_flow(&self, client: &TestClient) -> (AccessLocation, String) {
        let response = self
            .post_onetime(
                client,
                &json!({"redirect_uri": REDIRECT_URI, "state": "xyz"}),
            )
            .await;
        flow_created(response).await
    }

    pub async fn ongoing_flow(
        &self,
        client: &TestClient,
        user_id: &str,
    ) -> (AccessLocation, String) {
        let body = json!({"redirect_uri": REDIRECT_URI, "user_id": user_id, "state": "xyz"});
        flow_created(self.post_ongoing(client, &body).await).await
    }

    pub async fn exchange_flow_token(&self, token: &str) -> Response {
        self.http
            .post(self.url("/widget/session"))
            .json(&json!({ "token": token }))
            .send()
            .await
            .expect("request")
    }

    pub async fn widget_session(&self, token: &str) -> WidgetSession {
        let response = self.exchange_flow_token(token).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    pub async fn widget_post(&self, path: &str, session: &str, body: Option<Value>) -> Response {
        let request = self.http.post(self.url(path)).bearer_auth(session);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        request.send().await.expect("request")
    }

    pub async fn widget_get(&self, path: &str, session: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(session)
            .send()
            .await
            .expect("request")
    }

    /// Runs a one-time flow to completion and returns the authorization code.
    pub async fn authorization_code(&self, client: &TestClient) -> String {
        let (_, token) = self.onetime_flow(client).await;
        self.complete_flow(&token).await
    }

    /// What the widget does before completing: connects the sandbox bank (`demo`) with the
    /// session, syncs, and returns the ids of the two imported accounts.
    pub async fn connect_accounts(&self, session: &str) -> Vec<String> {
        let body = json!({
            "access_method_id": "kontolink-sandbox-pin",
            "credentials": {"login": "demo", "pin": "1234"},
        });
        let response = self
            .widget_post("/rest/accesses", session, Some(body))
            .await;
        assert_eq!(response.status(), 201);
        let access: Value = response.json().await.unwrap();
        let access = access["id"].as_str().unwrap().to_owned();
        let path = format!("/rest/accesses/{access}/syncs");
        let response = self.widget_post(&path, session, None).await;
        assert_eq!(response.status(), 201);
        let sync: Value = response.json().await.unwrap();
        let path = format!("{path}/{}", sync["id"].as_str().unwrap());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let sync: Value = self.widget_get(&path, session).await.json().await.unwrap();
            if sync["status"] == "COMPLETED" {
                break;
            }
            assert!(
                sync["status"] != "FAILED" && std::time::Instant::now() < deadline,
                "{sync}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let accounts: Value = self
            .widget_get("/rest/accounts", session)
            .await
            .json()
            .await
            .unwrap();
        accounts["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["access_id"] == access.as_str())
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn complete_flow(&self, token: &str) -> String {
        let session = self.widget_session(token).await;
        let accounts = self.connect_accounts(&session.session_token).await;
        let response = self
            .widget_post(
                "/widget/complete",
                &session.session_token,
                Some(json!({"account_ids": [accounts[0]]})),
            )
            .await;
        assert_eq!(response.status(), 200);
        let finish: FinishRedirect = response.json().await.unwrap();
        finish.query.code.expect("code")
    }

    pub async fn token_form(&self, client: &TestClient, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url("/auth/token"))
            .basic_auth(&client.id, Some(&client.secret))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn redeem(&self, client: &TestClient, code: &str) -> Response {
        self.token_form(
            client,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT_URI),
            ],
        )
        .await
    }

    pub async fn refresh(&self, client: &TestClient, refresh_token: &str) -> Response {
        self.token_form(
            client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    /// Code → tokens, asserting success.
    pub async fn tokens(&self, client: &TestClient) -> TokenResponse {
        let code = self.authorization_code(client).await;
        let response = self.redeem(client, &code).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

pub async fn flow_created(response: Response) -> (AccessLocation, String) {
    assert_eq!(response.status(), 201);
    let location: AccessLocation = response.json().await.unwrap();
    let token = location
        .location
        .split_once("?token=")
        .expect("token in location")
        .1
        .to_owned();
    (location, token)
}
