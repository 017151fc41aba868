//! The sync engine: every sync is a durable job in the store's queue. Workers in any process
//! claim jobs with a lease and heartbeat it ([`queue`]); a job whose worker died is taken over
//! when its lease expires. A job drives its provider through login → accounts →
//! transactions ([`worker`]), retrying transient bank errors with backoff ([`retry`]). The
//! [`scheduler`] starts daily syncs of accesses with saved secrets and fails challenges that
//! were not answered in time; [`webhooks`] delivers finished syncs from a durable outbox.

pub mod challenges;
mod error;
pub mod provider_state;
pub mod queue;
pub mod render;
pub mod retry;
pub mod scheduler;
pub mod service;
mod session;
mod upgrade;
pub mod webhooks;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

pub use crate::domain::failure::SyncFailure;
pub use error::EngineError;
pub use retry::RetryPolicy;

use crate::providers::ProviderRegistry;
use crate::store::Store;
use crate::vault::Vault;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Syncs one process runs at the same time.
    pub concurrency: usize,
    /// How often an idle process looks for work (it is also woken by local events).
    pub poll_interval: Duration,
    /// A claimed job belongs to its worker this long after the last heartbeat.
    pub lease: Duration,
    /// AWAIT_AUTH turns FAILED (`10021`) after this long without an answer.
    pub await_auth_timeout: Duration,
    pub retry: RetryPolicy,
    /// Accesses with saved secrets are synced automatically this often.
    pub daily_sync_interval: Duration,
    pub scheduler_tick: Duration,
    /// Unattended syncs per access per window (PSD2: 4 per 24 h).
    pub psd2_limit: usize,
    pub psd2_window: Duration,
    pub webhook_backoff: Duration,
    pub webhook_max_backoff: Duration,
    pub webhook_max_attempts: i64,
    pub webhook_timeout: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            concurrency: 256,
            poll_interval: Duration::from_millis(500),
            lease: Duration::from_secs(30),
            await_auth_timeout: Duration::from_secs(10 * 60),
            retry: RetryPolicy::default(),
            daily_sync_interval: Duration::from_secs(24 * 60 * 60),
            scheduler_tick: Duration::from_secs(30),
            psd2_limit: 4,
            psd2_window: Duration::from_secs(24 * 60 * 60),
            webhook_backoff: Duration::from_secs(5),
            webhook_max_backoff: Duration::from_secs(60 * 60),
            webhook_max_attempts: 30,
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

/// What the engine's tasks and the HTTP handlers share.
pub struct Engine {
    pub store: Arc<dyn Store>,
    pub vault: Arc<Vault>,
    pub providers: Arc<ProviderRegistry>,
    pub config: EngineConfig,
    pub public_url: Arc<str>,
    /// This process's lease owner id.
    pub worker_id: String,
    /// Woken when a sync becomes runnable in this process.
    pub wake: Notify,
    pub webhook_wake: Notify,
    /// The process's metrics (queue wait, bank calls, finished syncs).
    pub metrics: crate::metrics::Metrics,
}

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
        providers: Arc<ProviderRegistry>,
        config: EngineConfig,
        public_url: Arc<str>,
    ) -> Engine {
        Engine {
            store,
            vault,
            providers,
            config,
            public_url,
            worker_id: format!("worker-{}", uuid::Uuid::new_v4()),
            wake: Notify::new(),
            webhook_wake: Notify::new(),
            metrics: crate::metrics::Metrics::new(),
        }
    }

    fn lease_ms(&self) -> i64 {
        self.config.lease.as_millis() as i64
    }
}

/// The running engine tasks; [`EngineHandle::stop`] ends them.
pub struct EngineHandle {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl EngineHandle {
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Spawns the dispatcher, the scheduler and the webhook sender.
pub fn start(engine: Arc<Engine>) -> EngineHandle {
    let (shutdown, receiver) = watch::channel(false);
    let tasks = vec![
        tokio::spawn(queue::dispatch(engine.clone(), receiver.clone())),
        tokio::spawn(scheduler::run(engine.clone(), receiver.clone())),
        tokio::spawn(webhooks::run(engine, receiver)),
    ];
    EngineHandle { shutdown, tasks }
}
