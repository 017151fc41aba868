//! The command line: `serve`, `client create`. Every flag of `serve` can also be set by a
//! `KONTOLINK_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::clients::{NewClientSpec, register};
use crate::config::{Config, RateLimit, RateLimits};
use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(
    name = "kontolink-server",
    version,
    about = "Kontolink companion server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the widget, the API and the sync engine.
    Serve(ServeArgs),
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
    Rotate(VaultArgs),
}

#[derive(Debug, clap::Args)]
pub struct VaultArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub vault: VaultKeyArgs,
}

#[derive(Debug, clap::Args)]
pub struct VaultKeyArgs {
    /// The vault key file (created on first start).
    #[arg(
        long,
        env = "KONTOLINK_VAULT_KEY_FILE",
        default_value = "./data/vault.key"
    )]
    pub vault_key_file: PathBuf,
}

/// Engine tuning; the defaults suit production, tests shorten the timings.
#[derive(Debug, clap::Args)]
pub struct EngineArgs {
    /// Syncs run at the same time by this process.
    #[arg(long, env = "KONTOLINK_WORKERS", default_value_t = 64)]
    pub workers: usize,
    /// Lease of a claimed sync, in milliseconds.
    #[arg(
        long,
        env = "KONTOLINK_ENGINE_LEASE_MS",
        default_value_t = 30_000,
        hide = true
    )]
    pub lease_ms: u64,
    /// Idle polling interval of the job queue, in milliseconds.
    #[arg(
        long,
        env = "KONTOLINK_ENGINE_POLL_MS",
        default_value_t = 500,
        hide = true
    )]
    pub poll_ms: u64,
    /// Duration of each bank step of the sandbox's `slow` scenario, in milliseconds.
    #[arg(
        long,
        env = "KONTOLINK_SANDBOX_SLOW_STEP_MS",
        default_value_t = 2_000,
        hide = true
    )]
    pub sandbox_slow_step_ms: u64,
}

/// Real banks over FinTS 3.0 PIN/TAN (contract §9).
#[derive(Debug, clap::Args)]
pub struct FintsArgs {
    /// The FinTS product registration number of the Deutsche Kreditwirtschaft; without it,
    /// FinTS syncs fail with 20001.
    #[arg(long, env = "KONTOLINK_FINTS_PRODUCT_ID")]
    pub fints_product_id: Option<String>,
    /// `BLZ=URL`: adds or replaces a bank's FinTS server (repeatable; the variable takes a
    /// comma-separated list). `https://`, or `http://` for loopback hosts only.
    #[arg(long = "fints-url", env = "KONTOLINK_FINTS_URLS", value_delimiter = ',', value_parser = parse_fints_url)]
    pub fints_urls: Vec<(String, String)>,
    /// `auto` (camt.052 where the bank offers it, else MT940), `camt` or `mt940`.
    #[arg(long, env = "KONTOLINK_FINTS_STATEMENT_FORMAT", default_value = "auto", value_parser = parse_statement_format)]
    pub fints_statement_format: crate::providers::fints::StatementFormat,
}

fn parse_fints_url(raw: &str) -> Result<(String, String), String> {
    let (blz, url) = raw
        .split_once('=')
        .ok_or_else(|| format!("{raw}: expected BLZ=URL"))?;
    let blz = blz.trim();
    if blz.len() != 8 || !blz.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{raw}: the BLZ must be 8 digits"));
    }
    let url = crate::providers::fints::transport::BankUrl::parse(url)?;
    Ok((blz.to_owned(), url.as_str().to_owned()))
}

fn parse_statement_format(raw: &str) -> Result<crate::providers::fints::StatementFormat, String> {
    use crate::providers::fints::StatementFormat;
    match raw.trim().to_ascii_lowercase().as_str() {
        "auto" => Ok(StatementFormat::Auto),
        "camt" => Ok(StatementFormat::Camt),
        "mt940" => Ok(StatementFormat::Mt940),
        other => Err(format!("{other}: expected auto, camt or mt940")),
    }
}

/// Rate limits (contract §8) as `BURST/PER_SECOND`: that many requests at once, refilled at
/// that rate. Processes on one PostgreSQL database share each budget.
#[derive(Debug, clap::Args)]
pub struct RateLimitArgs {
    /// `POST /auth/token`, per client.
    #[arg(long, env = "KONTOLINK_RATE_LIMIT_TOKEN", default_value_t = RateLimits::default().token_per_client)]
    pub rate_limit_token: RateLimit,
    /// `POST /onetime/access` and `POST /ongoing/access`, per client.
    #[arg(long, env = "KONTOLINK_RATE_LIMIT_ACCESS", default_value_t = RateLimits::default().access_per_client)]
    pub rate_limit_access: RateLimit,
    /// Requests of one widget session, per flow.
    #[arg(long, env = "KONTOLINK_RATE_LIMIT_WIDGET", default_value_t = RateLimits::default().widget_per_flow)]
    pub rate_limit_widget: RateLimit,
    /// Credential attempts (an access created, a sync started with credentials), per client.
    #[arg(
        long,
        env = "KONTOLINK_RATE_LIMIT_CREDENTIALS_CLIENT",
        default_value_t = RateLimits::default().credentials_per_client
    )]
    pub rate_limit_credentials_client: RateLimit,
    /// Credential attempts with one widget session, per flow.
    #[arg(
        long,
        env = "KONTOLINK_RATE_LIMIT_CREDENTIALS_FLOW",
        default_value_t = RateLimits::default().credentials_per_flow
    )]
    pub rate_limit_credentials_flow: RateLimit,
}

/// Flags shared by every command that opens the database.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` or `postgres://…`.
    #[arg(
        long,
        env = "KONTOLINK_DATABASE_URL",
        default_value = "sqlite://./data/kontolink.db"
    )]
    pub database_url: String,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[arg(long, env = "KONTOLINK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Base URL the widget is reached at (default: `http://` + the listen address).
    #[arg(long, env = "KONTOLINK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Directory of the built widget.
    #[arg(long, env = "KONTOLINK_WIDGET_DIR", default_value = "dist")]
    pub widget_dir: PathBuf,
    #[command(flatten)]
    pub vault: VaultKeyArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub rate_limits: RateLimitArgs,
    #[command(flatten)]
    pub fints: FintsArgs,
    /// Register the demo client `demo` / `demo-secret`.
    #[arg(long, env = "KONTOLINK_DEMO", value_parser = clap::builder::BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub demo: bool,
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
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The server's vault key file: a client with `--notification-uri` has its secret sealed
    /// there to sign webhooks.
    #[command(flatten)]
    pub vault: VaultKeyArgs,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    crate::telemetry::init();
    match cli.command {
        Command::Serve(args) => {
            let mut config = Config {
                listen: args.listen,
                database_url: args.database.database_url,
                public_url: args.public_url,
                widget_dir: args.widget_dir,
                demo: args.demo,
                vault_key_file: args.vault.vault_key_file,
                rate_limits: RateLimits {
                    token_per_client: args.rate_limits.rate_limit_token,
                    access_per_client: args.rate_limits.rate_limit_access,
                    widget_per_flow: args.rate_limits.rate_limit_widget,
                    credentials_per_client: args.rate_limits.rate_limit_credentials_client,
                    credentials_per_flow: args.rate_limits.rate_limit_credentials_flow,
                },
                ..Config::default()
            };
            config.engine.concurrency = args.engine.workers.max(1);
            config.engine.lease = Duration::from_millis(args.engine.lease_ms.max(100));
            config.engine.poll_interval = Duration::from_millis(args.engine.poll_ms.max(10));
            config.sandbox.slow_step = Duration::from_millis(args.engine.sandbox_slow_step_ms);
            config.fints.product_id = args
                .fints
                .fints_product_id
                .filter(|id| !id.trim().is_empty());
            config.fints.urls = args.fints.fints_urls.into_iter().collect();
            config.fints.statement_format = args.fints.fints_statement_format;
            let app = Application::build(config).await?;
            // The one line scripts and tests wait for (port 0 makes the address discoverable).
            eprintln!("kontolink-server listening on http://{}", app.local_addr()?);
            tracing::info!(url = %app.public_url(), "kontolink-server listening");
            app.run_until_stopped().await
        }
        Command::Vault(VaultCommand::Rotate(args)) => {
            let store = crate::store::connect(&args.database.database_url).await?;
            let (vault, _) = crate::vault::Vault::open_or_create(&args.vault.vault_key_file)?;
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
            let store = crate::store::connect(&args.database.database_url)
                .await
                .with_context(|| {
                    format!(
                        "opening database {}",
                        crate::store::redact(&args.database.database_url)
                    )
                })?;
            let spec = NewClientSpec {
                name: args.name,
                redirect_uris: args.redirect_uris,
                frame_origins: args.frame_origins,
                notification_uri: args.notification_uri,
            };
            let vault = crate::startup::open_vault_file(&args.vault.vault_key_file)?;
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
