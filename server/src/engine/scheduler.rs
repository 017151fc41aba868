//! Periodic work: fail AWAIT_AUTH syncs whose challenge was not answered in time, and start
//! the automatic daily sync of every access with saved secrets (unattended: it counts
//! against the PSD2 limit and fails with `10020` if the bank asks for the end-user); forget
//! idle rate-limit buckets.

use std::sync::Arc;

use kontolink_api::SyncRequest;
use tokio::sync::watch;

use super::{Engine, SyncFailure, service, worker};
use crate::domain::rate_limit::IDLE_FORGET;
use crate::domain::time::now_ms;

pub async fn run(engine: Arc<Engine>, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(error) = tick(&engine).await {
            tracing::error!(error = format!("{error:#}"), "scheduler tick failed");
        }
        tokio::select! {
            () = tokio::time::sleep(engine.config.scheduler_tick) => {}
            _ = shutdown.changed() => return,
        }
    }
}

pub async fn tick(engine: &Engine) -> anyhow::Result<()> {
    let now = now_ms();
    for sync in engine.store.expired_await_auth(now).await? {
        tracing::info!(sync_id = %sync.id, "challenge not answered in time");
        let end = worker::End {
            failure: Some(SyncFailure::challenge_timed_out()),
            ..worker::End::default()
        };
        worker::finish(engine, &sync, end).await?;
    }
    let idle_since = now - IDLE_FORGET.as_millis() as i64;
    engine.store.forget_rate_buckets(idle_since).await?;
    let before = now - engine.config.daily_sync_interval.as_millis() as i64;
    for access in engine.store.accesses_due(before, 100).await? {
        match service::start_sync(
            engine,
            &access,
            &SyncRequest::default(),
            service::SyncOrigin::Automatic,
        )
        .await
        {
            Ok(sync) => {
                tracing::info!(access_id = %access.id, sync_id = %sync.id, "automatic sync started")
            }
            Err(error) => {
                tracing::warn!(access_id = %access.id, %error, "automatic sync not started")
            }
        }
    }
    Ok(())
}
