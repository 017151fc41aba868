//! Engine benchmark (not a test): 10,000 sandbox syncs with 200 ms simulated bank latency
//! per bank call, through the real engine on a fresh database: a SQLite file by default, or
//! a new PostgreSQL database (random name, dropped at the end) on the server named by the
//! first argument or `KONTOLINK_BENCH_DATABASE_URL` (`postgres://…`). Prints wall time,
//! syncs/s and the process's peak RSS. `scripts/bench-engine.sh` runs it on both backends.
//!
//! ```text
//! cargo run --profile server -p kontolink-server --example engine_bench [postgres://…]
//! BENCH_SYNCS=2000 BENCH_PRODUCERS=64 BENCH_CONCURRENCY=512 BENCH_LATENCY_MS=200 BENCH_SYNC_PERIOD=30 cargo run …
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kontolink_api::{CreateAccessRequest, SyncRequest};
use kontolink_server::config::Config;
use kontolink_server::domain::SyncStatus;
use kontolink_server::engine::service;
use kontolink_server::startup::Application;

mod support;

use support::{create_postgres, drop_postgres, env, peak_rss_kib};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let syncs = env("BENCH_SYNCS", 10_000);
    let concurrency = env("BENCH_CONCURRENCY", 1024) as usize;
    let latency = Duration::from_millis(env("BENCH_LATENCY_MS", 200));
    let sync_period = env("BENCH_SYNC_PERIOD", 30) as i64;
    // API clients creating an access and starting its sync, each one after the other.
    let producer_count = env("BENCH_PRODUCERS", 64).max(1);
    let server = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("KONTOLINK_BENCH_DATABASE_URL").ok())
        .filter(|url| !url.trim().is_empty());
    let dir = tempfile::tempdir()?;
    let (database_url, postgres, backend) = match &server {
        Some(server) => {
            let (url, name) = create_postgres(server).await?;
            (
                url,
                Some(name),
                "PostgreSQL (READ COMMITTED, fsync as configured)",
            )
        }
        None => (
            format!("sqlite://{}/bench.db", dir.path().display()),
            None,
            "SQLite synchronous=FULL",
        ),
    };
    let mut config = Config {
        listen: "127.0.0.1:0".parse()?,
        database_url,
        vault_key_file: dir.path().join("vault.key"),
        ..Config::default()
    };
    config.engine.concurrency = concurrency;
    config.engine.poll_interval = Duration::from_millis(50);
    config.sandbox.latency = latency;
    let app = Application::build(config).await?;
    let engine = app.state().engine.clone();
    tokio::spawn(app.run_until_stopped());

    println!(
        "engine_bench: {syncs} syncs started by {producer_count} producers, {concurrency} \
         concurrent jobs, {} ms per bank call (4 calls per sync), sync_period {sync_period} \
         days, {backend}",
        latency.as_millis()
    );
    let started = Instant::now();
    let request = SyncRequest {
        psu_ip_address: Some("203.0.113.7".to_owned()),
        sync_period: Some(sync_period),
        ..SyncRequest::default()
    };
    let request = Arc::new(request);
    let mut producers = tokio::task::JoinSet::new();
    let per_producer = syncs.div_ceil(producer_count);
    for producer in 0..producer_count {
        let engine = engine.clone();
        let request = request.clone();
        producers.spawn(async move {
            for n in 0..per_producer {
                let index = producer * per_producer + n;
                if index >= syncs {
                    break;
                }
                let credentials = BTreeMap::from([
                    ("login".to_owned(), format!("bench-{index}")),
                    ("pin".to_owned(), "1234".to_owned()),
                ]);
                let create = CreateAccessRequest {
                    access_method_id: "kontolink-sandbox-pin".to_owned(),
                    credentials,
                    save_secrets: false,
                    consent: false,
                };
                let user = format!("user-{}", index % 100);
                let access = service::create_access(&engine, &user, "bench", create, 90, None)
                    .await
                    .map_err(|e| anyhow::anyhow!("create access: {e}"))?;
                service::start_sync(&engine, &access, &request, service::SyncOrigin::AccessToken)
                    .await
                    .map_err(|e| anyhow::anyhow!("start sync: {e}"))?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(result) = producers.join_next().await {
        result??;
    }
    let enqueued = started.elapsed();
    println!("enqueued {syncs} syncs in {:.1} s", enqueued.as_secs_f64());
    let (completed, failed) = loop {
        let completed = engine.store.count_syncs(SyncStatus::Completed).await?;
        let failed = engine.store.count_syncs(SyncStatus::Failed).await?;
        if (completed + failed) as u64 >= syncs {
            break (completed, failed);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let wall = started.elapsed();
    println!("completed {completed}, failed {failed}");
    println!("wall time {:.1} s", wall.as_secs_f64());
    println!(
        "throughput {:.1} syncs/s",
        syncs as f64 / wall.as_secs_f64()
    );
    println!("peak RSS {:.1} MiB (VmHWM)", peak_rss_kib() as f64 / 1024.0);
    if let (Some(server), Some(name)) = (&server, &postgres) {
        drop_postgres(server, name).await?;
    }
    Ok(())
}
