//! Spawning the server (zero-to-production style) on a fresh database of the configured
//! backend (see `database.rs`), and the assertions the tests share.

use std::ops::Deref;
use std::sync::Arc;

use kontolink_server::clients::{NewClientSpec, register};
use kontolink_server::config::Config;
use kontolink_server::domain::secret_token::SecretToken;
use kontolink_server::domain::time::UnixTime;
use kontolink_server::startup::Application;
use kontolink_server::state::AppState;
use kontolink_server::store::{AccessGrant, Store};
use reqwest::Response;
use serde_json::Value;
use tempfile::TempDir;
use tokio::task::JoinHandle;

use crate::api_client::ApiClient;
use crate::database::TestDatabase;

pub const REDIRECT_URI: &str = "https://app.example.com/callback";
pub const FRAME_ORIGIN: &str = "https://app.example.com";

pub struct TestApp {
    pub api: ApiClient,
    pub state: AppState,
    config: Config,
    server: JoinHandle<()>,
    /// The database; a restart keeps it, the last holder drops it.
    pub database: Arc<TestDatabase>,
    /// Holds the widget directory (and a SQLite file); removed on drop.
    pub dir: Arc<TempDir>,
}

impl Deref for TestApp {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api
    }
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
        "<!doctype html><title>Kontolink</title><script type=\"module\">import init from '/w.js';\nawait init();\n</script>",
    )
    .unwrap();
    let database = Arc::new(TestDatabase::create(dir.path()).await);
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: database.url().to_owned(),
        vault_key_file: dir.path().join("vault.key"),
        widget_dir: Some(widget_dir),
        ..Config::default()
    };
    configure(&mut config);
    start(config, database, dir).await
}

async fn start(config: Config, database: Arc<TestDatabase>, dir: Arc<TempDir>) -> TestApp {
    let app = Application::build(config.clone()).await.expect("build");
    let api = ApiClient::new(format!("http://127.0.0.1:{}", app.port()));
    let state = app.state().clone();
    let server = tokio::spawn(async move {
        let _ = app.run_until_stopped().await;
    });
    TestApp {
        api,
        state,
        config,
        server,
        database,
        dir,
    }
}

impl TestApp {
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    pub fn database_url(&self) -> &str {
        self.database.url()
    }

    /// Stops this server and builds a new `Application` on the same database.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            config,
            database,
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
        start(config, database, dir).await
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
