//! The command line: `serve`, `config`, `client create`, `vault rotate`. Every setting of
//! `serve` can come from a flag, a `KONTOLINK_*` variable or the config file
//! ([`crate::settings`]); `config` prints the result.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde::Serialize;
use serde_with::{DisplayFromStr, serde_as, skip_serializing_none};

use crate::clients::{NewClientSpec, register};
use crate::config::{Config, RateLimit};
use crate::settings::{FintsUrl, HumanDuration, LogFormat, Settings, StatementFormat};
use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(
    name = "kontolink-server",
    version,
    about = "Kontolink companion server"
)]
pub struct Cli {
    /// A TOML file with the flags' names as keys (e.g. `database-url = "…"`); flags and
    /// `KONTOLINK_*` variables win over it. See docs/kontolink.example.toml.
    #[arg(long, global = true, env = "KONTOLINK_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the widget, the API and the sync engine.
    Serve(ServeArgs),
    /// Print the effective configuration of `serve` (file, variables and flags merged) as
    /// TOML, secrets redacted.
    Config(ServeArgs),
    /// Manage integrator clients.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage the credentials vault.
    #[command(subcommand)]
    Vault(VaultCommand),
}

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// A new key becomes current, every saved secret is re-encrypted with it, then the old
    /// keys are removed from the key file. Prints a JSON report on stdout.
    Rotate(StorageArgs),
}

/// The database and the vault key file: what every command that touches data needs.
#[skip_serializing_none]
#[derive(Debug, Clone, clap::Args, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct StorageArgs {
    /// `sqlite://PATH` or `postgres://…` [default: sqlite://./data/kontolink.db]
    #[arg(long, env = "KONTOLINK_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The vault key file, created on first start [default: data/vault.key]
    #[arg(long, env = "KONTOLINK_VAULT_KEY_FILE")]
    pub vault_key_file: Option<PathBuf>,
}

/// The settings of `serve`; defaults are those of [`Settings::default`].
#[serde_as]
#[skip_serializing_none]
#[derive(Debug, Clone, clap::Args, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "KONTOLINK_LISTEN")]
    pub listen: Option<SocketAddr>,
    #[command(flatten)]
    #[serde(flatten)]
    pub storage: StorageArgs,
    /// Base URL the widget is reached at [default: `http://` + the listen address]
    #[arg(long, env = "KONTOLINK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Serve the widget from this directory (development) instead of the one compiled in.
    #[arg(long, env = "KONTOLINK_WIDGET_DIR")]
    pub widget_dir: Option<PathBuf>,
    /// Register the demo client `demo` / `demo-secret`.
    #[arg(long, env = "KONTOLINK_DEMO", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub demo: Option<bool>,
    /// `text` for people, `json` for a log shipper (one object per line) [default: text]
    #[arg(long, env = "KONTOLINK_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Syncs run at the same time by this process [default: 256]
    #[arg(long, env = "KONTOLINK_WORKERS")]
    pub workers: Option<usize>,
    /// Simulated network latency of every sandbox bank call, in milliseconds (load tests
    /// through the HTTP API) [default: 0]
    #[arg(long, env = "KONTOLINK_SANDBOX_LATENCY_MS")]
    pub sandbox_latency_ms: Option<u64>,
    /// `BURST/PER_SECOND` for `POST /auth/token`, per client [default: 100/20]
    #[arg(long, env = "KONTOLINK_RATE_LIMIT_TOKEN")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub rate_limit_token: Option<RateLimit>,
    /// `BURST/PER_SECOND` for creating flows, per client [default: 100/20]
    #[arg(long, env = "KONTOLINK_RATE_LIMIT_ACCESS")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub rate_limit_access: Option<RateLimit>,
    /// `BURST/PER_SECOND` for the requests of one widget session [default: 120/5]
    #[arg(long, env = "KONTOLINK_RATE_LIMIT_WIDGET")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub rate_limit_widget: Option<RateLimit>,
    /// `BURST/PER_SECOND` for credential attempts, per client [default: 100/20]
    #[arg(long, env = "KONTOLINK_RATE_LIMIT_CREDENTIALS_CLIENT")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub rate_limit_credentials_client: Option<RateLimit>,
    /// `BURST/PER_SECOND` for credential attempts of one widget session [default: 10/0.2]
    #[arg(long, env = "KONTOLINK_RATE_LIMIT_CREDENTIALS_FLOW")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub rate_limit_credentials_flow: Option<RateLimit>,
    /// The FinTS product registration number; without it, FinTS syncs fail with 20001.
    #[arg(long, env = "KONTOLINK_FINTS_PRODUCT_ID")]
    pub fints_product_id: Option<String>,
    /// `BLZ=URL`: adds or replaces a bank's FinTS server (repeatable; the variable takes a
    /// comma-separated list). `https://`, or `http://` for loopback hosts only.
    #[arg(
        long = "fints-url",
        env = "KONTOLINK_FINTS_URLS",
        value_delimiter = ','
    )]
    #[serde_as(as = "Vec<DisplayFromStr>")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fints_url: Vec<FintsUrl>,
    /// `auto` (camt.052 where the bank offers it, else MT940), `camt` or `mt940` [default: auto]
    #[arg(long, env = "KONTOLINK_FINTS_STATEMENT_FORMAT", value_enum)]
    pub fints_statement_format: Option<StatementFormat>,
    /// Lifetime of a flow's one-time link, e.g. `30m` [default: 30m]
    #[arg(long, env = "KONTOLINK_FLOW_TOKEN_LIFETIME")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub flow_token_lifetime: Option<HumanDuration>,
    /// Lifetime of a widget session [default: 1h]
    #[arg(long, env = "KONTOLINK_WIDGET_SESSION_LIFETIME")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub widget_session_lifetime: Option<HumanDuration>,
    /// Lifetime of an authorization code [default: 1h]
    #[arg(long, env = "KONTOLINK_AUTHORIZATION_CODE_LIFETIME")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub authorization_code_lifetime: Option<HumanDuration>,
    /// Lifetime of an access token [default: 1h]
    #[arg(long, env = "KONTOLINK_ACCESS_TOKEN_LIFETIME")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub access_token_lifetime: Option<HumanDuration>,
    /// Lifetime of a refresh token [default: 90days]
    #[arg(long, env = "KONTOLINK_REFRESH_TOKEN_LIFETIME")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub refresh_token_lifetime: Option<HumanDuration>,
    /// At SIGTERM/SIGINT, how long in-flight requests may take [default: 10s]
    #[arg(long, env = "KONTOLINK_SHUTDOWN_TIMEOUT")]
    #[serde_as(as = "Option<DisplayFromStr>")]
    pub shutdown_timeout: Option<HumanDuration>,
    #[command(flatten)]
    #[serde(skip)]
    pub tuning: EngineTuning,
}

/// Engine timings for tests (not in the config file; the defaults suit production).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EngineTuning {
    /// Lease of a claimed sync, in milliseconds.
    #[arg(long, env = "KONTOLINK_ENGINE_LEASE_MS", hide = true)]
    pub lease_ms: Option<u64>,
    /// Idle polling interval of the job queue, in milliseconds.
    #[arg(long, env = "KONTOLINK_ENGINE_POLL_MS", hide = true)]
    pub poll_ms: Option<u64>,
    /// Duration of each bank step of the sandbox's `slow` scenario, in milliseconds.
    #[arg(long, env = "KONTOLINK_SANDBOX_SLOW_STEP_MS", hide = true)]
    pub sandbox_slow_step_ms: Option<u64>,
}

impl EngineTuning {
    fn apply(&self, config: &mut Config) {
        if let Some(ms) = self.lease_ms {
            config.engine.lease = Duration::from_millis(ms.max(100));
        }
        if let Some(ms) = self.poll_ms {
            config.engine.poll_interval = Duration::from_millis(ms.max(10));
        }
        if let Some(ms) = self.sandbox_slow_step_ms {
            config.sandbox.slow_step = Duration::from_millis(ms);
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client; prints `{"client_id", "client_secret"}` on stdout.
    Create(ClientCreateArgs),
}

#[derive(Debug, clap::Args)]
pub struct ClientCreateArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long = "redirect-uri", required = true)]
    pub redirect_uris: Vec<String>,
    #[arg(long = "frame-origin")]
    pub frame_origins: Vec<String>,
    #[arg(long = "notification-uri")]
    pub notification_uri: Option<String>,
    /// The server's database and vault key file: a client with `--notification-uri` has its
    /// secret sealed there to sign webhooks.
    #[command(flatten)]
    pub storage: StorageArgs,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve(args) => {
            let settings = Settings::load(file, &args)?;
            crate::telemetry::init(settings.log_format);
            let log_format = settings.log_format;
            let mut config = settings.into_config();
            args.tuning.apply(&mut config);
            let app = Application::build(config).await?;
            let address = app.local_addr()?;
            if log_format == LogFormat::Text {
                // The one line scripts and tests wait for (port 0 makes the address
                // discoverable); in JSON, every line is an object: the next one says it.
                eprintln!("kontolink-server listening on http://{address}");
            }
            tracing::info!(%address, url = %app.public_url(), widget = %app.widget(), "kontolink-server listening");
            app.run_until_stopped().await
        }
        Command::Config(args) => {
            print!("{}", Settings::load(file, &args)?.redacted_toml()?);
            Ok(())
        }
        Command::Vault(VaultCommand::Rotate(args)) => {
            let settings = Settings::load(file, &args)?;
            crate::telemetry::init(settings.log_format);
            let store = open_store(&settings.database_url).await?;
            let (vault, _) = crate::vault::Vault::open_or_create(&settings.vault_key_file)?;
            let report = crate::vault::rotate::rotate(&vault, store.as_ref()).await?;
            println!(
                "{}",
                serde_json::json!({
                    "new_key_id": report.new_key_id,
                    "resealed": report.resealed,
                    "retired_keys": report.retired_keys,
                })
            );
            Ok(())
        }
        Command::Client(ClientCommand::Create(args)) => {
            let settings = Settings::load(file, &args.storage)?;
            crate::telemetry::init(settings.log_format);
            let store = open_store(&settings.database_url).await?;
            let spec = NewClientSpec {
                name: args.name,
                redirect_uris: args.redirect_uris,
                frame_origins: args.frame_origins,
                notification_uri: args.notification_uri,
            };
            let vault = crate::startup::open_vault_file(&settings.vault_key_file)?;
            let credentials = register(store.as_ref(), &vault, spec).await?;
            let json = serde_json::json!({
                "client_id": credentials.client_id.as_str(),
                "client_secret": credentials.client_secret.expose(),
            });
            println!("{json}");
            Ok(())
        }
    }
}

async fn open_store(url: &str) -> anyhow::Result<std::sync::Arc<dyn crate::store::Store>> {
    crate::store::connect(url)
        .await
        .with_context(|| format!("opening database {}", crate::store::redact(url)))
}
