use std::sync::Arc;
use std::time::{Duration, Instant};

use kontolink_server::clients::{NewClientSpec, register};
use kontolink_server::config::{Config, RateLimit};
use kontolink_server::startup::Application;
use kontolink_server::state::AppState;
use kontolink_server::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::database::TestDatabase;

pub const REDIRECT_URI: &str = "https://app.example.com/callback";

pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    /// The Bearer of every call: by default the widget session of an ongoing flow for the
    /// integrator's end-user `user-1` (attended); [`TestApp::unattended`] swaps in an access
    /// token of the same end-user.
    pub token: String,
    /// The integrator client `token` belongs to.
    pub client: TestClient,
    pub state: AppState,
    pub dir: Arc<TempDir>,
    /// The database; a second server on it ([`spawn_on`]) shares it, the last holder drops it.
    pub database: Arc<TestDatabase>,
}

/// A registered client's credentials.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub id: String,
    pub secret: String,
}

/// Fast timings: tests poll with a deadline, they never sleep for a fixed time.
pub fn test_config(dir: &std::path::Path, database_url: &str) -> Config {
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_owned(),
        vault_key_file: dir.join("vault.key"),
        widget_dir: Some(dir.to_owned()),
        ..Config::default()
    };
    config.engine.poll_interval = Duration::from_millis(20);
    config.engine.retry.base_delay = Duration::from_millis(10);
    config.engine.lease = Duration::from_secs(5);
    config.engine.scheduler_tick = Duration::from_millis(100);
    config.engine.webhook_backoff = Duration::from_millis(50);
    config.sandbox.slow_step = Duration::from_millis(100);
    config.sandbox.decoupled_delay = Duration::from_millis(300);
    // The tests poll a widget session every 20 ms, far faster than a widget does.
    config.rate_limits.widget_per_flow = RateLimit {
        burst: 100_000,
        per_second: 100_000.0,
    };
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database = Arc::new(TestDatabase::create(dir.path()).await);
    spawn_on(Arc::new(dir), database, adjust).await
}

/// A server on an existing directory (vault key) and database, e.g. a restart.
pub async fn spawn_on(
    dir: Arc<TempDir>,
    database: Arc<TestDatabase>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let mut config = test_config(dir.path(), database.url());
    adjust(&mut config);
    let app = Application::build(config).await.expect("the server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp {
        address,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        token: String::new(),
        client: TestClient {
            id: String::new(),
            secret: String::new(),
        },
        state,
        dir,
        database,
    };
    app.client = app.register_client(None).await;
    app.token = app.widget_session(&app.client, "user-1").await;
    app
}

pub fn attended(mut body: Value) -> Value {
    body["psu_ip_address"] = json!("203.0.113.7");
    body
}

impl TestApp {
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    /// Registers an integrator client the way `client create` does (with `notification_uri`,
    /// its secret is sealed for webhook signing).
    pub async fn register_client(&self, notification_uri: Option<&str>) -> TestClient {
        let spec = NewClientSpec {
            name: "Engine test integrator".into(),
            redirect_uris: vec![REDIRECT_URI.into()],
            frame_origins: Vec::new(),
            notification_uri: notification_uri.map(str::to_owned),
        };
        let credentials = register(self.store().as_ref(), &self.state.engine.vault, spec)
            .await
            .expect("client registration");
        TestClient {
            id: credentials.client_id.as_str().to_owned(),
            secret: credentials.client_secret.expose().to_owned(),
        }
    }

    /// The widget's way in: `POST /ongoing/access` for the integrator's `user_id` (saving
    /// secrets allowed), then `POST /widget/session` with the flow token.
    pub async fn widget_session(&self, client: &TestClient, user_id: &str) -> String {
        let flow = json!({"redirect_uri": REDIRECT_URI, "user_id": user_id, "save_secrets": true});
        self.flow_session(client, "/ongoing/access", flow).await
    }

    /// Creates a flow (`path`: `/onetime/access` or `/ongoing/access`) and opens its widget
    /// session; the session token.
    pub async fn flow_session(&self, client: &TestClient, path: &str, flow: Value) -> String {
        let response = self
            .http
            .post(format!("{}{path}", self.address))
            .basic_auth(&client.id, Some(&client.secret))
            .json(&flow)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let location: Value = response.json().await.unwrap();
        let flow_token = location["location"]
            .as_str()
            .and_then(|l| l.split_once("?token="))
            .expect("the flow token in location")
            .1
            .to_owned();
        let response = self
            .http
            .post(format!("{}/widget/session", self.address))
            .json(&json!({ "token": flow_token }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let session: Value = response.json().await.unwrap();
        session["session_token"].as_str().unwrap().to_owned()
    }

    /// The same server and client, calling with another bearer token.
    pub fn with_token(&self, token: &str) -> TestApp {
        TestApp {
            token: token.to_owned(),
            client: self.client.clone(),
            state: self.state.clone(),
            address: self.address.clone(),
            http: self.http.clone(),
            dir: self.dir.clone(),
            database: self.database.clone(),
        }
    }

    /// An access token of the client's `user_id`, through the real token endpoint: a widget
    /// session connects the sandbox bank (`demo`, secrets not saved), syncs, completes the
    /// flow with the imported accounts, and the code is redeemed at `POST /auth/token`.
    pub async fn access_token(&self, client: &TestClient, user_id: &str) -> String {
        let widget = self.with_token(&self.widget_session(client, user_id).await);
        let access = widget.access("demo", false).await;
        widget
            .run_sync(&access, json!({}))
            .await
            .tap_status("COMPLETED");
        let account_ids: Vec<Value> = widget
            .accounts()
            .await
            .into_iter()
            .filter(|a| a["access_id"] == access.as_str())
            .map(|a| a["id"].clone())
            .collect();
        let code = widget.complete(json!(account_ids)).await;
        self.redeem(client, &code).await
    }

    /// `POST /widget/complete` with these `account_ids` (this app's token is the session);
    /// the authorization code.
    pub async fn complete(&self, account_ids: Value) -> String {
        let (status, finish) = self
            .post("/widget/complete", json!({ "account_ids": account_ids }))
            .await;
        assert_eq!(status, StatusCode::OK, "{finish}");
        finish["query"]["code"].as_str().expect("a code").to_owned()
    }

    /// Redeems an authorization code at `POST /auth/token`; the access token.
    pub async fn redeem(&self, client: &TestClient, code: &str) -> String {
        let response = self
            .http
            .post(format!("{}/auth/token", self.address))
            .basic_auth(&client.id, Some(&client.secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT_URI),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let tokens: Value = response.json().await.unwrap();
        tokens["access_token"].as_str().unwrap().to_owned()
    }

    /// From now on calls use an access token of the same end-user (`user-1`), so syncs without
    /// `psu_ip_address` are unattended.
    pub async fn unattended(mut self) -> TestApp {
        self.token = self.access_token(&self.client, "user-1").await;
        self
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// A sandbox access with `login` and PIN `1234`.
    pub async fn access(&self, login: &str, save_secrets: bool) -> String {
        self.access_with_pin(login, "1234", save_secrets).await
    }

    pub async fn access_with_pin(&self, login: &str, pin: &str, save_secrets: bool) -> String {
        let (status, body) = self
            .post(
                "/rest/accesses",
                json!({
                    "access_method_id": "kontolink-sandbox-pin",
                    "credentials": {"login": login, "pin": pin},
                    "save_secrets": save_secrets,
                    "consent": save_secrets,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    pub async fn start(&self, access_id: &str, body: Value) -> Value {
        let (status, sync) = self
            .post(&format!("/rest/accesses/{access_id}/syncs"), body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sync}");
        sync
    }

    pub async fn sync(&self, access_id: &str, sync_id: &str) -> Value {
        let (status, sync) = self
            .get(&format!("/rest/accesses/{access_id}/syncs/{sync_id}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{sync}");
        sync
    }

    /// Polls the sync until `done` holds (deadline 30 s).
    pub async fn wait_until(&self, sync: &Value, done: impl Fn(&Value) -> bool) -> Value {
        let (access_id, sync_id) = (
            sync["access_id"].as_str().unwrap(),
            sync["id"].as_str().unwrap(),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let current = self.sync(access_id, sync_id).await;
            if done(&current) {
                return current;
            }
            assert!(
                Instant::now() < deadline,
                "sync never reached the expected state: {current}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn wait_status(&self, sync: &Value, status: &str) -> Value {
        self.wait_until(sync, |s| {
            s["status"] == status || s["status"] == "COMPLETED" || s["status"] == "FAILED"
        })
        .await
        .tap_status(status)
    }

    pub async fn answer(&self, sync: &Value, body: Value) -> (StatusCode, Value) {
        let challenge_id = sync["challenge"]["id"].as_str().expect("an open challenge");
        self.post(
            &format!(
                "/rest/accesses/{}/syncs/{}/challenges/{challenge_id}/response",
                sync["access_id"].as_str().unwrap(),
                sync["id"].as_str().unwrap()
            ),
            body,
        )
        .await
    }

    /// Starts a sync (attended) and runs it to its end, answering TAN challenges with `tan`.
    pub async fn run_sync(&self, access_id: &str, body: Value) -> Value {
        let sync = self.start(access_id, body).await;
        self.wait_until(&sync, |s| {
            s["status"] == "COMPLETED" || s["status"] == "FAILED"
        })
        .await
    }

    pub async fn accounts(&self) -> Vec<Value> {
        let (status, body) = self.get("/rest/accounts").await;
        assert_eq!(status, StatusCode::OK);
        body["accounts"].as_array().unwrap().clone()
    }

    pub async fn transactions(&self, account_id: &str) -> Vec<Value> {
        let (status, body) = self
            .get(&format!(
                "/rest/accounts/{account_id}/transactions?count=1000"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["transactions"].as_array().unwrap().clone()
    }

    pub async fn events(&self) -> Vec<Value> {
        let (status, body) = self.get("/rest/events?count=1000").await;
        assert_eq!(status, StatusCode::OK);
        body["events"].as_array().unwrap().clone()
    }
}

pub trait TapStatus {
    fn tap_status(self, expected: &str) -> Self;
}

impl TapStatus for Value {
    fn tap_status(self, expected: &str) -> Value {
        assert_eq!(self["status"], expected, "{self}");
        self
    }
}

pub fn error_code(sync: &Value) -> u64 {
    sync["error"]["code"].as_u64().unwrap_or(0)
}
