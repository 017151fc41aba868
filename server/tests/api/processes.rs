//! Several `serve` processes on one PostgreSQL database work together (contract §1, §8).
//! These tests need `KONTOLINK_TEST_DATABASE_URL`; without it they say so and do nothing.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kontolink_server::clients::{NewClientSpec, register};
use kontolink_server::vault::Vault;
use tokio::sync::Barrier;

use crate::api_client::ApiClient;
use crate::database::{DATABASE_ENV, TestDatabase};
use crate::helpers::{REDIRECT_URI, TestClient, assert_oauth_error};

/// A `kontolink-server serve` child process, killed (by its handle) when dropped.
struct ServerProcess {
    child: Child,
    api: ApiClient,
    _widget_dir: tempfile::TempDir,
    /// Holds the vault key the processes share (kept by the first one).
    _vault_dir: Option<tempfile::TempDir>,
}

impl ServerProcess {
    /// `vault_key_file`: every process of one deployment shares the vault key, or a job
    /// sealed by one process could not be opened by the process that claims it.
    fn spawn(
        database_url: &str,
        vault_key_file: &std::path::Path,
        flags: &[&str],
    ) -> ServerProcess {
        let widget_dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_kontolink-server"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url])
            .arg("--widget-dir")
            .arg(widget_dir.path())
            .arg("--vault-key-file")
            .arg(vault_key_file)
            .args(flags)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(widget_dir.path().join("stderr.log")).unwrap())
            .spawn()
            .expect("run kontolink-server serve");
        ServerProcess {
            child,
            api: ApiClient::new(format!("http://127.0.0.1:{port}")),
            _widget_dir: widget_dir,
            _vault_dir: None,
        }
    }

    /// Waits until `/healthz` answers 200 (the process has migrated and listens).
    async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let log = std::fs::read_to_string(self._widget_dir.path().join("stderr.log"));
                panic!(
                    "kontolink-server serve exited early: {status}\n{}",
                    log.unwrap_or_default()
                );
            }
            let response = self.api.http.get(self.api.url("/healthz")).send().await;
            if response.is_ok_and(|r| r.status() == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Says why a test did nothing: straight to stderr, past the harness's capture, so that a
/// skip is visible and never mistaken for a pass.
fn skipped() {
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: this test needs PostgreSQL; set {DATABASE_ENV}=postgres://… \
         (scripts/test.sh starts one with scripts/postgres.sh and sets it)"
    );
}

/// Two processes started at the same moment on a fresh database (both run the migrations).
async fn two_processes() -> Option<(TestDatabase, ServerProcess, ServerProcess)> {
    two_processes_with(&[]).await
}

/// [`two_processes`], both started with `flags`.
async fn two_processes_with(
    flags: &[&str],
) -> Option<(TestDatabase, ServerProcess, ServerProcess)> {
    let Some(database) = TestDatabase::postgres().await else {
        skipped();
        return None;
    };
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("vault.key");
    let mut first = ServerProcess::spawn(database.url(), &key, flags);
    let mut second = ServerProcess::spawn(database.url(), &key, flags);
    first._vault_dir = Some(keys);
    first.ready().await;
    second.ready().await;
    Some((database, first, second))
}

async fn register_client(database: &TestDatabase) -> TestClient {
    let store = kontolink_server::store::connect(database.url())
        .await
        .expect("connect");
    let spec = NewClientSpec {
        name: "Test integrator".into(),
        redirect_uris: vec![REDIRECT_URI.into()],
        frame_origins: vec![],
        notification_uri: None,
    };
    // Without a notification URI nothing is sealed: a throw-away vault key will do.
    let dir = tempfile::tempdir().unwrap();
    let (vault, _) = Vault::open_or_create(&dir.path().join("vault.key")).expect("a vault key");
    let creds = register(store.as_ref(), &vault, spec)
        .await
        .expect("register");
    TestClient {
        id: creds.client_id.as_str().to_owned(),
        secret: creds.client_secret.expose().to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_database_let_exactly_one_of_50_parallel_refreshes_succeed() {
    let Some((database, first, second)) = two_processes().await else {
        return;
    };
    let client = register_client(&database).await;
    // The flow, the code and its redemption hop between the processes: they share state.
    let (_, flow_token) = first.api.onetime_flow(&client).await;
    let code = second.api.complete_flow(&flow_token).await;
    let response = first.api.redeem(&client, &code).await;
    assert_eq!(response.status(), 200);
    let tokens: kontolink_api::TokenResponse = response.json().await.unwrap();

    let barrier = Arc::new(Barrier::new(50));
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let api = if i % 2 == 0 { &first.api } else { &second.api }.clone();
            let (client, refresh) = (client.clone(), tokens.refresh_token.clone());
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                api.refresh(&client, &refresh).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for handle in handles {
        let response = handle.await.unwrap();
        match response.status().as_u16() {
            200 => winners.push(
                response
                    .json::<kontolink_api::TokenResponse>()
                    .await
                    .unwrap(),
            ),
            400 => {
                assert_oauth_error(response, 400, "invalid_grant").await;
            }
            other => panic!(
                "unexpected status {other}: {}",
                response.text().await.unwrap()
            ),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one refresh wins across both processes"
    );

    // The losers presented a retired token: replays, which revoke the whole family, so
    // even the winner's successor token is dead, in either process.
    for api in [&first.api, &second.api] {
        let response = api.refresh(&client, &winners[0].refresh_token).await;
        assert_oauth_error(response, 400, "invalid_grant").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_code_redeemed_by_one_process_cannot_be_redeemed_by_the_other() {
    let Some((database, first, second)) = two_processes().await else {
        return;
    };
    let client = register_client(&database).await;
    let code = first.api.authorization_code(&client).await;
    let barrier = Arc::new(Barrier::new(2));
    let redeem = |api: ApiClient| {
        let (client, code, barrier) = (client.clone(), code.clone(), barrier.clone());
        tokio::spawn(async move {
            barrier.wait().await;
            api.redeem(&client, &code).await.status().as_u16()
        })
    };
    let a = redeem(first.api.clone());
    let b = redeem(second.api.clone());
    let mut statuses = [a.await.unwrap(), b.await.unwrap()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_processes_share_one_token_rate_limit_per_client() {
    // 10 token requests at once, no refill: one budget for the deployment, not one each.
    let Some((database, first, second)) = two_processes_with(&["--rate-limit-token", "10/0"]).await
    else {
        return;
    };
    let client = register_client(&database).await;
    let mut statuses = Vec::new();
    for i in 0..16 {
        let api = if i % 2 == 0 { &first.api } else { &second.api };
        statuses.push(api.redeem(&client, "no-such-code").await.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 400).count(),
        10,
        "{statuses:?}"
    );
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_servers_opening_a_fresh_database_at_once_migrate_it_exactly_once() {
    let Some(database) = TestDatabase::postgres().await else {
        skipped();
        return;
    };
    let opens: Vec<_> = (0..8)
        .map(|_| {
            let url = database.url().to_owned();
            tokio::spawn(async move { kontolink_server::store::connect(&url).await })
        })
        .collect();
    for open in opens {
        let store = open.await.unwrap().expect("every start succeeds");
        store.ping().await.unwrap();
    }
    let applied: i64 = database
        .scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .await;
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count();
    assert_eq!(applied, files as i64);
}
