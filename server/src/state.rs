//! What every handler can reach.

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::engine::Engine;
use crate::http::rate_limit::RateLimiter;
use crate::metrics::Metrics;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// The base URL links are built from, without a trailing slash.
    pub public_url: Arc<str>,
    pub metrics: Metrics,
    /// Per-client and per-flow request budgets.
    pub limits: Arc<RateLimiter>,
    /// The bank catalog, parsed once at startup.
    pub catalog: Catalog,
    /// The sync engine (its store is `store`), the vault and the provider registry.
    pub engine: Arc<Engine>,
}
