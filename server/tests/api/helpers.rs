//! Spawning the server (zero-to-production style) and the calls the tests share.

use std::path::PathBuf;
use std::sync::Arc;

use kontolink_api::{AccessLocation, FinishRedirect, TokenResponse, WidgetSession};
use kontolink_server::clients::{NewClientSpec, register};
use kontolink_server::config::Config;
use kontolink_server::domain::secret_token::SecretToken;
use kontolink_server::domain::time::UnixTime;
use kontolink_server::startup::Application;
use kontolink_server::state::AppState;
use kontolink_server::store::{AccessGrant, Store};
use reqwest::Response;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::task::JoinHandle;

pub const REDIRECT_URI: &str = "https://app.example.com/callback";
pub const FRAME_ORIGIN: &str = "https://app.example.com";

pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    pub state: AppState,
    config: Config,
    server: JoinHandle<()>,
    /// Holds the database file and the widget directory; removed on drop.
    pub dir: Arc<TempDir>,
}

/// A registered client's credentials.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub id: String,
    pub secret: String,
}

impl TestClient {
    pub fn wrong_secret(&self) -> TestClient {
        TestClient {
            id: self.id.clone(),
            secret: format!("{}x", self.secret),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawns the server with a fresh database; `configure` may shorten lifetimes etc.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let widget_dir = dir.path().join("dist");
    std::fs::create_dir_all(&widget_dir).unwrap();
    std::fs::write(
        widget_dir.join("index.html"),
        "<!doctype html><title>Kontolink</title>",
    )
    .unwrap();
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", dir.path().join("kontolink.db").display()),
        vault_key_file: dir.path().join("vault.key"),
        widget_dir,
        ..Config::default()
    };
    configure(&mut config);
    start(config, dir).await
}

async fn start(config: Config, dir: Arc<TempDir>) -> TestApp {
    let app = Application::build(config.clone()).await.expect("build");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let server = tokio::spawn(async move {
        let _ = app.run_until_stopped().await;
    });
    TestApp {
        address,
        http: reqwest::Client::new(),
        state,
        config,
        server,
        dir,
    }
}

impl TestApp {
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    pub fn database_path(&self) -> PathBuf {
        self.dir.path().join("kontolink.db")
    }

    /// Stops this server and builds a new `Application` on the same database file.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            config,
            dir,
            state,
            server,
            ..
        } = self;
        server.abort();
        let _ = server.await;
        drop(state);
        let mut config = config;
        config.listen = "127.0.0.1:0".parse().unwrap();
        start(config, dir).await
    }

    pub async fn register_client(
        &self,
        redirect_uris: &[&str],
        frame_origins: &[&str],
    ) -> TestClient {
        let spec = NewClientSpec {
            name: "Test integrator".into(),
            redirect_uris: redirect_uris.iter().map(|s| s.to_string()).collect(),
            frame_origins: frame_origins.iter().map(|s| s.to_string()).collect(),
            notification_uri: None,
        };
        let creds = register(self.store().as_ref(), &self.state.engine.vault, spec)
            .await
            .expect("register");
        TestClient {
            id: creds.client_id.as_str().to_owned(),
            secret: creds.client_secret.expose().to_owned(),
        }
    }

    pub async fn client(&self) -> TestClient {
        self.register_client(&[REDIRECT_URI], &[FRAME_ORIGIN]).await
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

    /// What the access token grants right now (`None`: unknown, expired or revoked).
    pub async fn access_grant(&self, access_token: &str) -> Option<AccessGrant> {
        self.store()
            .access_grant(
                &SecretToken::from_presented(access_token).hash(),
                UnixTime::now(),
            )
            .await
            .unwrap()
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

/// The `{"error": {…}}` body of a failure, asserting its status and code.
pub async fn assert_api_error(response: Response, status: u16, code: u64) -> Value {
    assert_eq!(response.status(), status, "status");
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["group"].is_string(), "{body}");
    assert!(body["error"]["description"].is_string(), "{body}");
    body
}

/// An RFC 6749 error body, asserting its status and `error`.
pub async fn assert_oauth_error(response: Response, status: u16, error: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
    body
}
