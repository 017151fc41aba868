//! Build the application (database, migrations, router, listener) so that `main` and the
//! tests start the very same thing; tests bind port 0 and read [`Application::port`].

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::engine::provider_state::VaultState;
use crate::engine::{self, Engine, EngineHandle};
use crate::http;
use crate::http::rate_limit::RateLimiter;
use crate::providers::ProviderRegistry;
use crate::providers::fints::Fints;
use crate::state::AppState;
use crate::store;
use crate::vault::Vault;
use crate::widget_files::WidgetFiles;

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
        check_vault_key(&vault, store.as_ref()).await?;
        let public_url: Arc<str> = public_url.into();
        let catalog = Catalog::load().with_fints_urls(&config.fints.urls);
        let fints = Fints::new(
            config.fints.clone(),
            catalog.fints_urls(),
            Arc::new(VaultState::new(store.clone(), vault.clone())),
        );
        let engine = Arc::new(Engine::new(
            store.clone(),
            vault,
            Arc::new(ProviderRegistry::new(config.sandbox, fints)),
            config.engine.clone(),
            public_url.clone(),
        ));
        let handle = engine::start(engine.clone());
        let metrics = engine.metrics.clone();
        let limits = RateLimiter::new(config.rate_limits, Arc::clone(&store))
            .counting_refusals(metrics.rate_limit_refusals.clone());
        let state = AppState {
            limits: Arc::new(limits),
            store,
            public_url,
            metrics,
            config: Arc::new(config),
            catalog,
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

    /// Where the widget is served from, for the start-up log.
    pub fn widget(&self) -> String {
        WidgetFiles::new(self.state.config.widget_dir.as_deref()).describe()
    }

    /// Serves until SIGINT/SIGTERM, then stops cleanly ([`Application::run_until`]).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then: stops accepting connections, lets in-flight
    /// requests finish and at the same time stops the engine (running syncs are interrupted
    /// and their leases handed back, so the next process continues them at once; a webhook
    /// delivery under way is finished and recorded), both bounded by the configured
    /// `shutdown_timeout`.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        if !WidgetFiles::new(self.state.config.widget_dir.as_deref()).present() {
            tracing::warn!(widget = %self.widget(), "serving without a widget: `/` says so");
        }
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        let router = http::router(self.state.clone());
        let mut draining = stopped.clone();
        let served = axum::serve(self.listener, router)
            .with_graceful_shutdown(async move {
                let _ = draining.wait_for(|stop| *stop).await;
            })
            .into_future();
        tokio::pin!(served);
        tokio::select! {
            result = &mut served => {
                self.engine.stop().await;
                return result.context("serving HTTP");
            }
            () = stop => {}
        }
        let timeout = self.state.config.shutdown_timeout;
        tracing::info!(
            ?timeout,
            "stopping: no new connections; finishing requests and handing back running syncs"
        );
        let _ = stopping.send(true);
        let (served, engine) = tokio::join!(
            tokio::time::timeout(timeout, &mut served),
            tokio::time::timeout(timeout, self.engine.stop()),
        );
        if engine.is_err() {
            tracing::warn!(
                "the engine did not stop in time; unreleased leases expire by themselves"
            );
        }
        match served {
            Ok(result) => result.context("serving HTTP")?,
            Err(_) => {
                tracing::warn!("requests still running after the shutdown timeout were cut off")
            }
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Opens the vault key file, creating it (and saying where) on first start.
pub fn open_vault(config: &Config) -> anyhow::Result<Arc<Vault>> {
    open_vault_file(&config.vault_key_file)
}

/// Refuses to start with a key file that opens none of the database's saved secrets: the
/// processes of one deployment share one key file, and a process with a key of its own
/// would seal secrets the others cannot open (and open none of theirs). Some unknown keys
/// beside known ones (e.g. a key file restored from before a rotation) only warn.
pub async fn check_vault_key(vault: &Vault, store: &dyn store::Store) -> anyhow::Result<()> {
    let sealed_with = store
        .vault_key_ids()
        .await
        .context("reading the key ids of the saved secrets")?;
    let unknown: Vec<&str> = sealed_with
        .iter()
        .map(String::as_str)
        .filter(|id| !vault.knows(id))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    if unknown.len() == sealed_with.len() {
        anyhow::bail!(
            "the vault key file {} opens none of the saved secrets in this database (they are \
             sealed with key {}, the file holds {}): every process of a deployment must use the \
             same vault key file; copy it from the first server or point --vault-key-file at it",
            vault.path().display(),
            unknown.join(", "),
            vault.current_key_id(),
        );
    }
    tracing::warn!(
        path = %vault.path().display(),
        unknown_keys = unknown.join(", "),
        "some saved secrets are sealed with keys this vault key file does not hold; syncs that need them fail with 30000 until the end-user connects again"
    );
    Ok(())
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
