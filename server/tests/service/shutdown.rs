//! SIGTERM with syncs under way: the process stops accepting, hands the leases of its running
//! syncs back and exits 0 within seconds; the next start continues every sync at once (not
//! after the lease) and each finishes once, without duplicate accounts or transactions.

use std::time::{Duration, Instant};

use kontolink_server::domain::SyncStatus;
use kontolink_server::domain::ids::SyncId;
use tokio::task::JoinSet;

use crate::database::TestDatabase;
use crate::process::{
    Server, binary, call, create_client, start_sync, stored, wait_ended, widget_session,
};

const SYNCS: usize = 50;

/// Leases far longer than the test waits: only a handed-back lease lets the next start go on.
const ENV: &[(&str, &str)] = &[
    ("KONTOLINK_ENGINE_LEASE_MS", "120000"),
    ("KONTOLINK_ENGINE_POLL_MS", "50"),
    ("RUST_LOG", "info"),
];

#[tokio::test]
async fn sigterm_during_50_running_syncs_exits_0_and_the_next_start_finishes_them_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let key = dir.path().join("vault.key");
    let key_arg = key.to_str().unwrap();
    let args = [
        "--database-url",
        database.url(),
        "--vault-key-file",
        key_arg,
        "--rate-limit-credentials-client",
        "1000/100",
        "--rate-limit-access",
        "1000/100",
    ];
    let first = Server::start(&binary(), dir.path(), &args, ENV).await;
    let client = create_client(dir.path(), database.url());
    let store = kontolink_server::store::connect(database.url())
        .await
        .unwrap();

    // 50 end-users each connect the sandbox bank's `slow` scenario (2 s per bank step).
    let first_address = first.address.clone();
    let mut starting = JoinSet::new();
    for user in 0..SYNCS {
        let client = client.clone();
        let address = first_address.clone();
        starting.spawn(async move {
            let http = reqwest::Client::new();
            let token = widget_session(&http, &address, &client, &format!("user-{user}")).await;
            let (access, sync) = start_sync(&address, &token, "slow", None).await;
            (token, access, sync)
        });
    }
    let syncs: Vec<(String, String, String)> = starting.join_all().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.count_syncs(SyncStatus::Running).await.unwrap() < SYNCS as i64 {
        assert!(Instant::now() < deadline, "the 50 syncs did not all start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let first_log = first.log.clone();
    let (status, took) = first.stop();
    assert!(status.success(), "exit status {status}");
    assert!(took < Duration::from_secs(5), "stopping took {took:?}");
    assert_eq!(
        store.count_syncs(SyncStatus::Running).await.unwrap(),
        SYNCS as i64,
        "every sync was interrupted, none failed"
    );

    // The next start continues all of them at once: the leases (2 minutes) were handed back.
    let started = Instant::now();
    let second = Server::start(&binary(), dir.path(), &args, ENV).await;
    let mut counts = Vec::new();
    for (token, access, sync) in &syncs {
        let log = || {
            let first = std::fs::read_to_string(&first_log).unwrap_or_default();
            let second = second.log_text();
            let relevant = |text: &str| {
                text.lines()
                    .filter(|l| l.contains(sync.as_str()) || !l.contains(" INFO "))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            format!(
                "first:\n{}\nsecond:\n{}",
                relevant(&first),
                relevant(&second)
            )
        };
        let done = wait_ended(&second.address, token, access, sync, log).await;
        assert_eq!(done["status"], "COMPLETED", "{done}");
        let row = store
            .sync(&SyncId::from_text(sync.clone()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.attempts, 2, "claimed once before the stop, once after");
        counts.push(stored(store.as_ref(), access).await);
    }
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the syncs waited for their leases: {:?}",
        started.elapsed()
    );
    let expected = counts[0];
    assert_eq!(expected.0, 2, "the sandbox's two accounts");
    assert!(expected.1 > 0);
    assert!(counts.iter().all(|c| *c == expected), "{counts:?}");

    // A further sync adds nothing: the interrupted run left no half-written duplicates.
    let (token, access, _) = &syncs[0];
    let again = call(
        &reqwest::Client::new(),
        token,
        reqwest::Method::POST,
        second.url(&format!("/rest/accesses/{access}/syncs")),
        Some(serde_json::json!({"psu_ip_address": "203.0.113.7"})),
    )
    .await;
    let again = again["id"].as_str().expect("a sync").to_owned();
    wait_ended(&second.address, token, access, &again, || second.log_text()).await;
    assert_eq!(stored(store.as_ref(), access).await, expected);

    let log = second.log_text();
    assert!(
        !log.contains("taking over"),
        "handed-back syncs are resumed, not taken over:\n{log}"
    );
    assert!(log.contains("resuming the sync"), "{log}");
    let (status, _) = second.stop();
    assert!(status.success());
}
