//! Build the application (database, migrations, router, listener) so that `main` and the
//! tests start the very same thing; tests bind port 0 and read [`Application::port`].

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::http;
use crate::http::rate_limit::RateLimiter;
use crate::state::AppState;
use crate::store;

pub struct Application {
    listener: TcpListener,
    state: AppState,
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
        let state = AppState {
            store,
            public_url: public_url.into(),
            metrics: crate::metrics::Metrics::new(),
            limits: Arc::new(RateLimiter::new(
                config.rate_limits.token_per_client,
                config.rate_limits.access_per_client,
                config.rate_limits.widget_per_flow,
            )),
            config: Arc::new(config),
            catalog: Catalog::load(),
        };
        if state.config.demo {
            crate::clients::ensure_demo_client(state.store.as_ref(), &state.public_url)
                .await
                .context("registering the demo client")?;
        }
        Ok(Application { listener, state })
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
        axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving HTTP")
    }
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
