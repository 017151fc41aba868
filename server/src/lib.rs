//! Kontolink's companion server: integrator API, widget sessions, token endpoint,
//! the sync engine, the bank catalog, the credentials vault and the sandbox bank.
//!
//! Tests and embedders start it through [`startup::Application`]:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use kontolink_server::{config::Config, startup::Application};
//! let mut config = Config::default();
//! config.listen = "127.0.0.1:0".parse()?;
//! let app = Application::build(config).await?;
//! println!("listening on port {}", app.port());
//! app.run_until_stopped().await?;
//! # Ok(()) }
//! ```

pub mod catalog;
pub mod cli;
pub mod clients;
pub mod config;
pub mod domain;
pub mod engine;
pub mod http;
pub mod metrics;
pub mod providers;
pub mod settings;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod vault;
pub mod widget_files;
