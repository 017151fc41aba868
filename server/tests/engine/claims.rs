//! The job queue's batch claims and the dispatcher's wake-up: concurrent claims of several
//! jobs at once, from one process or two, never hand one sync to two owners; a sync
//! enqueued in the process starts at once, not at the next poll.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kontolink_api::{CreateAccessRequest, SyncRequest};
use kontolink_server::config::Config;
use kontolink_server::engine::provider_state::VaultState;
use kontolink_server::engine::{Engine, service};
use kontolink_server::providers::ProviderRegistry;
use kontolink_server::providers::fints::Fints;
use kontolink_server::store::{self, Store};
use kontolink_server::vault::Vault;
use serde_json::json;
use tokio::task::JoinSet;

use crate::database::TestDatabase;
use crate::helpers::{attended, spawn_with};

const SYNCS: usize = 120;
const BATCH: usize = 7;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// An engine on `url` whose dispatcher never runs: the test claims its jobs itself.
async fn engine_without_dispatcher(dir: &std::path::Path, url: &str) -> Arc<Engine> {
    let store = store::connect(url).await.unwrap();
    let (vault, _) = Vault::open_or_create(&dir.join("vault.key")).unwrap();
    let vault = Arc::new(vault);
    let config = Config::default();
    let fints = Fints::new(
        config.fints.clone(),
        Default::default(),
        Arc::new(VaultState::new(store.clone(), vault.clone())),
    );
    let providers = Arc::new(ProviderRegistry::new(config.sandbox, fints));
    Arc::new(Engine::new(
        store,
        vault,
        providers,
        config.engine,
        "http://127.0.0.1:1".into(),
    ))
}

/// `SYNCS` queued syncs of `user-1`, each of its own access.
async fn enqueue(engine: &Engine) -> BTreeSet<String> {
    let request = SyncRequest {
        psu_ip_address: Some("203.0.113.7".to_owned()),
        ..SyncRequest::default()
    };
    let mut ids = BTreeSet::new();
    for n in 0..SYNCS {
        let create = CreateAccessRequest {
            access_method_id: "kontolink-sandbox-pin".to_owned(),
            credentials: BTreeMap::from([
                ("login".to_owned(), format!("claim-{n}")),
                ("pin".to_owned(), "1234".to_owned()),
            ]),
            save_secrets: false,
            consent: false,
        };
        let access = service::create_access(engine, "user-1", "test", create, 90, None)
            .await
            .unwrap();
        let sync = service::start_sync(engine, &access, &request, service::SyncOrigin::AccessToken)
            .await
            .unwrap();
        ids.insert(sync.id.to_string());
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_batch_claims_never_hand_one_sync_to_two_owners() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let engine = engine_without_dispatcher(dir.path(), database.url()).await;
    let queued = enqueue(&engine).await;
    // Two "processes" (a second pool on the same database), three claimers each.
    let other: Arc<dyn Store> = store::connect(database.url()).await.unwrap();
    let stores = [engine.store.clone(), other];
    let mut claimers = JoinSet::new();
    for claimer in 0..6 {
        let store = stores[claimer % 2].clone();
        claimers.spawn(async move {
            let owner = format!("claimer-{claimer}");
            let mut mine = Vec::new();
            loop {
                let now = now_ms();
                let claimed = store.claim(&owner, now, now + 60_000, BATCH).await.unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                assert!(claimed.len() <= BATCH, "a claim takes at most its limit");
                for job in claimed {
                    assert_eq!(job.sync.lease_owner.as_deref(), Some(owner.as_str()));
                    assert!(!job.taken_over);
                    mine.push(job.sync.id.to_string());
                }
            }
        });
    }
    let mut claimed = Vec::new();
    while let Some(mine) = claimers.join_next().await {
        claimed.extend(mine.unwrap());
    }
    assert_eq!(claimed.len(), SYNCS, "every sync is claimed exactly once");
    assert_eq!(claimed.into_iter().collect::<BTreeSet<_>>(), queued);
    let now = now_ms();
    let again = engine
        .store
        .claim("late", now, now + 60_000, SYNCS)
        .await
        .unwrap();
    assert!(again.is_empty(), "a leased sync is not claimable again");

    // One SYNC_RUNNING per sync, after its SYNC_QUEUED.
    let events = engine.store.events("user-1", 0, 10_000).await.unwrap();
    let running: Vec<&str> = events
        .iter()
        .filter(|e| e.event_type == "SYNC_RUNNING")
        .map(|e| e.resource_id.as_str())
        .collect();
    assert_eq!(running.len(), SYNCS);
    assert_eq!(
        running
            .iter()
            .map(|id| id.to_string())
            .collect::<BTreeSet<_>>(),
        queued
    );
    for event in events.iter().filter(|e| e.event_type == "SYNC_RUNNING") {
        let queued_at = events
            .iter()
            .position(|e| e.event_type == "SYNC_QUEUED" && e.resource_id == event.resource_id);
        let running_at = events.iter().position(|e| e.id == event.id);
        assert!(queued_at < running_at, "QUEUED comes before RUNNING");
    }
}

#[tokio::test]
async fn an_enqueued_sync_starts_at_once_not_at_the_next_poll() {
    // The dispatcher polls once an hour: only the wake-up can start the sync in time.
    let app = spawn_with(|config| config.engine.poll_interval = Duration::from_secs(3600)).await;
    let access = app.access("wake-up", false).await;
    let started = Instant::now();
    let sync = app
        .start(
            &access,
            attended(json!({"psu_ip_address": "203.0.113.7", "sync_period": 5})),
        )
        .await;
    app.wait_status(&sync, "COMPLETED").await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the sync waited for the poll"
    );
}
