//! Build the application (database, migrations, router, listener) so that `main` and the
//! tests start the very same thing; tests bind port 0 and read [`Application::port`].

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::engine::{self, Engine, EngineHandle};
use crate::http;
use crate::http::rate_limit::RateLimiter;
use crate::providers::ProviderRegistry;
use crate::state::AppState;
use crate::store;
use crate::vault::Vault;

pub struct Application {
    listener: TcpListener,
    state: AppState,
    engine: EngineHandle,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let store = store::connect(&config.database_url)
            .await
            .with_context(|| format!("opening database {}", store::redact(&config.database_url)))?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let local = listener.local_addr()?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}"))
            .trim_end_matches('/')
            .to_owned();
        let vault = open_vault(&config)?;
        let public_url: Arc<str> = public_url.into();
        let engine = Arc::new(Engine::new(
            store.clone(),
            vault,
            Arc::new(ProviderRegistry::new(config.sandbox)),
            config.engine.clone(),
            public_url.clone(),
        ));
        let handle = engine::start(engine.clone());
        let state = AppState {
            limits: Arc::new(RateLimiter::new(config.rate_limits, Arc::clone(&store))),
            store,
            public_url,
            metrics: crate::metrics::Metrics::new(),
            config: Arc::new(config),
            catalog: Catalog::load(),
            engine,
        };
        if state.config.demo {
            crate::clients::ensure_demo_client(state.store.as_ref(), &state.public_url)
                .await
                .context("registering the demo client")?;
        }
        Ok(Application {
            listener,
            state,
            engine: handle,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let router = http::router(self.state.clone());
        let served = axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving HTTP");
        self.engine.stop().await;
        served
    }
}

/// Opens the vault key file, creating it (and saying where) on first start.
pub fn open_vault(config: &Config) -> anyhow::Result<Arc<Vault>> {
    open_vault_file(&config.vault_key_file)
}

/// [`open_vault`] for commands that do not build a whole [`Config`] (`client create`).
pub fn open_vault_file(path: &std::path::Path) -> anyhow::Result<Arc<Vault>> {
    let (vault, created) = Vault::open_or_create(path)
        .with_context(|| format!("opening the vault key file {}", path.display()))?;
    if created {
        tracing::warn!(
            path = %path.display(),
            "generated a new vault key; back this file up: saved secrets cannot be read without it"
        );
    }
    Ok(Arc::new(vault))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
