//! Several `serve` processes on one PostgreSQL database share one job queue (contract §1):
//! no job runs twice at the same time, and a crashed process's jobs are taken over. Needs
//! `KONTOLINK_TEST_DATABASE_URL`; without it the test says so and does nothing.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::postgres::PgPool;

use crate::database::{DATABASE_ENV, TestDatabase};
use crate::recovery::{call, create_client, serve_with, widget_session};

const USERS: usize = 20;
const SYNCS_PER_USER: usize = 10;
const SYNCS: i64 = (USERS * SYNCS_PER_USER) as i64;

/// Short slow steps, few workers (the 200 syncs take a few seconds), short leases; 200
/// accesses created within a second or two exceed the default credential-attempt budget
/// of one client, so it is raised as an operator with that many logins would.
const ENV: [(&str, &str); 6] = [
    ("KONTOLINK_SANDBOX_SLOW_STEP_MS", "150"),
    ("KONTOLINK_WORKERS", "8"),
    ("KONTOLINK_ENGINE_LEASE_MS", "1500"),
    ("KONTOLINK_ENGINE_POLL_MS", "50"),
    ("KONTOLINK_RATE_LIMIT_CREDENTIALS_CLIENT", "1000/100"),
    ("KONTOLINK_RATE_LIMIT_CREDENTIALS_FLOW", "100/1"),
];

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// One end-user's syncs: a widget session, then per sync a new access (login `slow`) and
/// its sync, alternating between the two processes.
async fn start_syncs(servers: [String; 2], client: (String, String), user: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let at = |i: usize| &servers[(user + i) % 2];
    let token = widget_session(&http, at(0), &client, &format!("user-{user}")).await;
    let mut syncs = Vec::new();
    for i in 0..SYNCS_PER_USER {
        let address = at(i);
        let access = call(
            &http,
            &token,
            reqwest::Method::POST,
            format!("{address}/rest/accesses"),
            Some(json!({"access_method_id": "kontolink-sandbox-pin", "credentials": {"login": "slow", "pin": "1"}, "save_secrets": true, "consent": true})),
        )
        .await;
        let access = access["id"].as_str().expect("an access id").to_owned();
        let sync = call(
            &http,
            &token,
            reqwest::Method::POST,
            format!("{address}/rest/accesses/{access}/syncs"),
            Some(json!({"psu_ip_address": "203.0.113.7"})),
        )
        .await;
        syncs.push(sync["id"].as_str().expect("a sync id").to_owned());
    }
    syncs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_finish_200_syncs_exactly_once_though_one_is_killed_halfway() {
    let Some(database) = TestDatabase::postgres().await else {
        eprintln!(
            "SKIPPED: two processes on one database need PostgreSQL; set {DATABASE_ENV}=postgres://…"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The first start creates the vault key file; the client and the second process share it.
    let first = serve_with(dir.path(), database.url(), &ENV);
    let client = create_client(dir.path(), database.url());
    let second = serve_with(dir.path(), database.url(), &ENV);
    let pool = PgPool::connect(database.url()).await.unwrap();

    let servers = [first.address.clone(), second.address.clone()];
    let tasks: Vec<_> = (0..USERS)
        .map(|user| tokio::spawn(start_syncs(servers.clone(), client.clone(), user)))
        .collect();
    let mut started = BTreeSet::new();
    for task in tasks {
        started.extend(task.await.unwrap());
    }
    assert_eq!(started.len(), SYNCS as usize);

    // Halfway, the first process dies with the jobs it holds.
    let deadline = Instant::now() + Duration::from_secs(120);
    let completed = "SELECT count(*) FROM syncs WHERE status = 'COMPLETED'";
    while count(&pool, completed).await < SYNCS / 2 {
        assert!(Instant::now() < deadline, "the syncs do not progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let running = count(&pool, "SELECT count(*) FROM syncs WHERE status = 'RUNNING'").await;
    first.kill();
    eprintln!("killed the first process with {running} syncs running");

    while count(&pool, completed).await < SYNCS {
        let failed = count(&pool, "SELECT count(*) FROM syncs WHERE status = 'FAILED'").await;
        assert_eq!(failed, 0, "no sync fails");
        assert!(
            Instant::now() < deadline,
            "the survivor does not finish the syncs"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stored: Vec<String> = sqlx::query_scalar("SELECT id FROM syncs WHERE status = 'COMPLETED'")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.into_iter().collect::<BTreeSet<_>>(), started);

    // Each sync was started once (one SYNC_RUNNING: a takeover is no new start) and
    // completed once.
    for event in ["SYNC_RUNNING", "SYNC_COMPLETED"] {
        let per_sync: Vec<(String, i64)> = sqlx::query_as(
            "SELECT resource_id, count(*) FROM events WHERE event_type = $1 GROUP BY resource_id",
        )
        .bind(event)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(per_sync.len(), SYNCS as usize, "{event} of every sync");
        assert!(
            per_sync.iter().all(|(_, n)| *n == 1),
            "{event} exactly once"
        );
    }
    let taken_over = count(&pool, "SELECT count(*) FROM syncs WHERE attempts > 1").await;
    assert!(taken_over > 0, "the dead process's jobs were taken over");

    // No duplicates: every access holds the sandbox's two accounts and the same transactions
    // as every other (a job run twice, or re-run after a takeover, would add rows).
    let shapes: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT (SELECT count(*) FROM accounts c WHERE c.access_id = a.id), \
         (SELECT count(*) FROM transactions t JOIN accounts c ON c.id = t.account_id \
          WHERE c.access_id = a.id) FROM accesses a",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(shapes.len(), SYNCS as usize);
    let distinct: BTreeSet<_> = shapes.into_iter().collect();
    assert_eq!(
        distinct.len(),
        1,
        "every access has the same rows: {distinct:?}"
    );
    let (accounts, transactions) = distinct.into_iter().next().unwrap();
    assert_eq!(accounts, 2);
    assert!(transactions > 0);
    // And they were each counted as new exactly once.
    let reported: i64 = count(
        &pool,
        "SELECT COALESCE(sum((data::json ->> 'new_transactions')::bigint), 0)::bigint FROM events \
         WHERE event_type = 'TRANSACTIONS_UPDATED'",
    )
    .await;
    assert_eq!(reported, transactions * SYNCS);
    drop(second);
}
