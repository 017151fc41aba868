//! A server killed with SIGKILL mid-sync loses nothing: after a restart on the same
//! database the job is taken over when its lease expires, and it finishes without
//! duplicate accounts or transactions.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kontolink_server::domain::SyncStatus;
use kontolink_server::domain::ids::SyncId;
use serde_json::{Value, json};

use crate::database::TestDatabase;
pub(crate) use crate::process::{call, create_client, stored, widget_session};

pub(crate) struct Server {
    child: Child,
    pub address: String,
}

impl Server {
    /// SIGKILL, no goodbye: leases stay with the dead process until they expire.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &std::path::Path, database_url: &str) -> Server {
    serve_with(dir, database_url, &[])
}

/// The real binary on `database_url` with the vault key file of `dir`; `env` overrides the
/// test timings (lease 1.5 s, poll 50 ms, sandbox slow step 400 ms).
pub(crate) fn serve_with(
    dir: &std::path::Path,
    database_url: &str,
    env: &[(&str, &str)],
) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kontolink-server"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--database-url")
        .arg(database_url)
        .arg("--vault-key-file")
        .arg(dir.join("vault.key"))
        .arg("--widget-dir")
        .arg(dir)
        .env("KONTOLINK_ENGINE_LEASE_MS", "1500")
        .env("KONTOLINK_ENGINE_POLL_MS", "50")
        .env("KONTOLINK_SANDBOX_SLOW_STEP_MS", "400")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(at) = line.find("listening on http://") {
            break line[at + "listening on ".len()..].trim().to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Server { child, address }
}

async fn poll_sync(
    http: &reqwest::Client,
    token: &str,
    server: &Server,
    access: &str,
    sync: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let url = format!("{}/rest/accesses/{access}/syncs/{sync}", server.address);
        let current = call(http, token, reqwest::Method::GET, url, None).await;
        if done(&current) {
            return current;
        }
        assert!(Instant::now() < deadline, "sync stuck: {current}");
        // A widget polls about once a second; its session's rate limit allows 5 per second.
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

#[tokio::test]
async fn a_sync_survives_sigkill_and_finishes_after_restart_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let first = serve(dir.path(), database.url());
    let client = create_client(dir.path(), database.url());
    let store = kontolink_server::store::connect(database.url())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let token = widget_session(&http, &first.address, &client, "user-1").await;
    let access = call(
        &http,
        &token,
        reqwest::Method::POST,
        format!("{}/rest/accesses", first.address),
        Some(json!({"access_method_id": "kontolink-sandbox-pin", "credentials": {"login": "slow", "pin": "1"}, "save_secrets": true, "consent": true})),
    )
    .await;
    let access = access["id"].as_str().unwrap().to_owned();
    let sync = call(
        &http,
        &token,
        reqwest::Method::POST,
        format!("{}/rest/accesses/{access}/syncs", first.address),
        Some(json!({"psu_ip_address": "203.0.113.7"})),
    )
    .await;
    let sync = sync["id"].as_str().unwrap().to_owned();
    // Accounts are stored, transactions are being fetched: kill it now.
    poll_sync(&http, &token, &first, &access, &sync, |s| {
        s["step"] == "ACCOUNTS"
    })
    .await;
    first.kill();
    assert_eq!(stored(store.as_ref(), &access).await.0, 2);
    assert_eq!(store.count_syncs(SyncStatus::Running).await.unwrap(), 1);

    let second = serve(dir.path(), database.url());
    let done = poll_sync(&http, &token, &second, &access, &sync, |s| {
        s["status"] == "COMPLETED" || s["status"] == "FAILED"
    })
    .await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(
        store
            .sync(&SyncId::from_text(sync.clone()))
            .await
            .unwrap()
            .unwrap()
            .attempts,
        2,
        "taken over once"
    );
    let (accounts, transactions) = stored(store.as_ref(), &access).await;
    assert_eq!(accounts, 2);
    assert!(transactions > 0);
    // The one takeover of this story is the one the operator's metric shows.
    let metrics = reqwest::get(format!("{}/metrics", second.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("kontolink_sync_takeovers_total 1"),
        "{metrics}"
    );

    // A further sync of the same access adds nothing: ids are stable.
    let again = call(
        &http,
        &token,
        reqwest::Method::POST,
        format!("{}/rest/accesses/{access}/syncs", second.address),
        Some(json!({"psu_ip_address": "203.0.113.7"})),
    )
    .await;
    let again = again["id"].as_str().unwrap().to_owned();
    poll_sync(&http, &token, &second, &access, &again, |s| {
        s["status"] == "COMPLETED"
    })
    .await;
    assert_eq!(
        stored(store.as_ref(), &access).await,
        (accounts, transactions)
    );
}
