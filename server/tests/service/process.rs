//! A `kontolink-server` child process and the few HTTP calls the tests make to it (shared
//! with the engine suite's process tests).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use kontolink_server::domain::ids::AccessId;
use kontolink_server::store::Store;
use kontolink_server::store::rows::TransactionFilter;
use serde_json::{Value, json};

pub const REDIRECT_URI: &str = "https://app.example.com/callback";

/// The server binary Cargo built for these tests.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kontolink-server"))
}

/// A running `serve`, stopped with SIGKILL when dropped (tests stop it with [`Server::stop`]).
pub struct Server {
    child: Child,
    pub address: String,
    /// Everything the process wrote to stderr.
    pub log: PathBuf,
}

impl Server {
    /// `program serve ARGS` in `cwd` with `env`; waits until `/healthz` answers.
    pub async fn start(program: &Path, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let log = cwd.join(format!("server-{port}.log"));
        let child = Command::new(program)
            .current_dir(cwd)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the server binary starts");
        let mut server = Server {
            child,
            address: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.ready().await;
        server
    }

    async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the server exited early ({status}):\n{}", self.log_text());
            }
            let health = reqwest::get(self.url("/healthz")).await;
            if health.is_ok_and(|r| r.status() == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then waits (up to 30 s) for the exit: its status and how long it took.
    pub fn stop(mut self) -> (ExitStatus, Duration) {
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM");
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, started.elapsed());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "still running 30 s after SIGTERM:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kontolink-server client create` against the database and the vault key file of `dir`.
pub fn create_client(dir: &Path, database_url: &str) -> (String, String) {
    let output = Command::new(binary())
        .args(["client", "create", "--name", "Process test"])
        .args(["--redirect-uri", REDIRECT_URI])
        .args(["--database-url", database_url])
        .arg("--vault-key-file")
        .arg(dir.join("vault.key"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    (
        created["client_id"].as_str().unwrap().to_owned(),
        created["client_secret"].as_str().unwrap().to_owned(),
    )
}

/// A widget session for the integrator's end-user `user_id` (an ongoing flow that may save
/// secrets), through the HTTP API.
pub async fn widget_session(
    http: &reqwest::Client,
    address: &str,
    client: &(String, String),
    user_id: &str,
) -> String {
    let flow: Value = http
        .post(format!("{address}/ongoing/access"))
        .basic_auth(&client.0, Some(&client.1))
        .json(&json!({"redirect_uri": REDIRECT_URI, "user_id": user_id, "save_secrets": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let flow_token = flow["location"]
        .as_str()
        .expect("a flow location")
        .split_once("?token=")
        .unwrap()
        .1;
    let session: Value = http
        .post(format!("{address}/widget/session"))
        .json(&json!({ "token": flow_token }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["session_token"].as_str().unwrap().to_owned()
}

/// One call with the Bearer `token`; the answer's JSON.
pub async fn call(
    http: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> Value {
    let mut request = http.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// Accounts and transactions of the access, read through the store trait.
pub async fn stored(store: &dyn Store, access: &str) -> (usize, usize) {
    let accounts = store
        .accounts_of_access(&AccessId::from_text(access))
        .await
        .unwrap();
    let filter = TransactionFilter {
        since: None,
        until: None,
        count: 100_000,
        offset: 0,
    };
    let mut transactions = 0;
    for account in &accounts {
        transactions += store
            .transactions(&account.id, &filter)
            .await
            .unwrap()
            .len();
    }
    (accounts.len(), transactions)
}

/// A sandbox access with the `login` scenario, and a sync of it started: `(access, sync)`.
/// `request_id` is sent as `X-Request-Id` with the sync's start.
pub async fn start_sync(
    address: &str,
    token: &str,
    login: &str,
    request_id: Option<&str>,
) -> (String, String) {
    let http = reqwest::Client::new();
    let access = call(
        &http,
        token,
        reqwest::Method::POST,
        format!("{address}/rest/accesses"),
        Some(json!({"access_method_id": "kontolink-sandbox-pin", "credentials": {"login": login, "pin": "1"}, "save_secrets": true, "consent": true})),
    )
    .await;
    let access = access["id"].as_str().expect("an access").to_owned();
    let mut request = http
        .post(format!("{address}/rest/accesses/{access}/syncs"))
        .bearer_auth(token)
        .json(&json!({"psu_ip_address": "203.0.113.7"}));
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    let sync: Value = request.send().await.unwrap().json().await.unwrap();
    (access, sync["id"].as_str().expect("a sync").to_owned())
}

/// Polls the sync until it has ended (up to 90 s); returns it. Stuck, it fails with `log`.
pub async fn wait_ended(
    address: &str,
    token: &str,
    access: &str,
    sync: &str,
    log: impl Fn() -> String,
) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{address}/rest/accesses/{access}/syncs/{sync}");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let current = call(&http, token, reqwest::Method::GET, url.clone(), None).await;
        if current["status"] == "COMPLETED" || current["status"] == "FAILED" {
            return current;
        }
        assert!(
            Instant::now() < deadline,
            "sync stuck: {current}\nthe server's log:\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
