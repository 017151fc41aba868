//! The dispatcher: claims runnable syncs in batches (one write transaction for up to
//! [`CLAIM_BATCH`] jobs) while it has free slots, runs each in its own task and keeps its
//! lease alive with heartbeats. It sleeps only while the queue is empty: an enqueue or an
//! answer in this process wakes it at once (`Engine::wake`), a freed slot too; the poll
//! interval only bounds how late it sees work enqueued by another process. A job whose
//! lease is lost (another process took it over after a stall) is stopped at once; every
//! write of a job is fenced by the lease in the store, so a stalled worker can never
//! overwrite its successor.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::Engine;
use super::worker;
use crate::domain::time::now_ms;
use crate::store::Claimed;

/// Most jobs one claim takes: one write transaction starts this many syncs.
pub const CLAIM_BATCH: usize = 64;

/// While the queue has more work than free slots, a claim waits this long for more slots
/// to free up, so that a busy process claims in batches rather than one job per freed slot.
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

pub async fn dispatch(engine: Arc<Engine>, mut shutdown: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(engine.config.concurrency.max(1)));
    let batch = CLAIM_BATCH.min(engine.config.concurrency.max(1));
    let mut jobs = JoinSet::new();
    // Whether the last claim filled every slot it had: the queue may hold more.
    let mut more = false;
    loop {
        while jobs.try_join_next().is_some() {}
        let first = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        let mut permits = vec![first];
        if more && slots.available_permits() + 1 < batch {
            tokio::time::sleep(GATHER).await;
        }
        while permits.len() < batch {
            match slots.clone().try_acquire_owned() {
                Ok(permit) => permits.push(permit),
                Err(_) => break,
            }
        }
        let now = now_ms();
        let wanted = permits.len();
        match engine
            .store
            .claim(&engine.worker_id, now, now + engine.lease_ms(), wanted)
            .await
        {
            Ok(claimed) => {
                more = claimed.len() == wanted;
                for (job, permit) in claimed.into_iter().zip(permits) {
                    jobs.spawn(run_leased(engine.clone(), job, permit));
                }
                if more {
                    continue;
                }
            }
            Err(error) => {
                more = false;
                drop(permits);
                tracing::error!(%error, "claiming syncs failed");
            }
        }
        // Nothing (more) to claim: sleep until a sync is enqueued or answered in this
        // process (`engine.wake`), or until the poll finds work of another process
        // (PostgreSQL), a wake-up time that came, or an expired lease.
        tokio::select! {
            () = engine.wake.notified() => {}
            () = tokio::time::sleep(engine.config.poll_interval) => {}
            _ = shutdown.changed() => break,
        }
    }
    // Stop running jobs and hand their leases back, so a restarted process (or another
    // one on the same database) takes them over at once instead of after the lease.
    let running = jobs.len();
    jobs.abort_all();
    while jobs.join_next().await.is_some() {}
    // A write of an interrupted job may still hold the database briefly: try a few times.
    for attempt in 1..=3 {
        match engine.store.release_leases(&engine.worker_id).await {
            Ok(()) => {
                tracing::info!(running, "handed the leases of the running syncs back");
                return;
            }
            Err(error) if attempt < 3 => {
                tracing::warn!(%error, attempt, "releasing leases at shutdown failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Err(error) => tracing::error!(%error, "releasing leases at shutdown failed"),
        }
    }
}

async fn run_leased(engine: Arc<Engine>, claimed: Claimed, _slot: OwnedSemaphorePermit) {
    let sync_id = claimed.sync.id.clone();
    let span = tracing::info_span!(
        "sync",
        sync_id = %sync_id,
        request_id = tracing::field::Empty,
    );
    if let Some(request_id) = &claimed.sync.progress.request_id {
        span.record("request_id", request_id.as_str());
    }
    run_leased_in_span(engine, claimed).instrument(span).await;
}

async fn run_leased_in_span(engine: Arc<Engine>, claimed: Claimed) {
    let sync_id = claimed.sync.id.clone();
    if claimed.taken_over {
        engine.metrics.sync_takeovers.inc();
        tracing::warn!("taking over a sync whose worker stopped heartbeating");
    } else if claimed.sync.attempts > 1 {
        // Answered challenges, wake-ups and syncs handed back at a stop.
        tracing::info!(attempt = claimed.sync.attempts, "resuming the sync");
    } else {
        let waited = now_ms().saturating_sub(claimed.sync.created_at).max(0);
        engine
            .metrics
            .sync_queue_wait
            .observe(waited as f64 / 1000.0);
        tracing::info!(waited_ms = waited, "running the sync");
    }
    let heartbeat = async {
        let period = engine.config.lease / 3;
        loop {
            tokio::time::sleep(period).await;
            let until = now_ms() + engine.lease_ms();
            match engine
                .store
                .heartbeat(&sync_id, &engine.worker_id, until)
                .await
            {
                Ok(true) => {}
                Ok(false) => return,
                Err(error) => tracing::warn!(%error, "heartbeat failed"),
            }
        }
    };
    tokio::select! {
        () = worker::run(&engine, claimed.sync) => {}
        () = heartbeat => tracing::warn!("lease lost; this worker stops the sync"),
    }
}
