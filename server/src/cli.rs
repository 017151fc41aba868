//! The command line: `serve`, `client create`. Every flag of `serve` can also be set by a
//! `KONTOLINK_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::clients::{NewClientSpec, register};
use crate::config::Config;
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
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    crate::telemetry::init();
    match cli.command {
        Command::Serve(args) => {
            let config = Config {
                listen: args.listen,
                database_url: args.database.database_url,
                public_url: args.public_url,
                widget_dir: args.widget_dir,
                demo: args.demo,
                ..Config::default()
            };
            let app = Application::build(config).await?;
            tracing::info!(url = %app.public_url(), "kontolink-server listening");
            app.run_until_stopped().await
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
            let credentials = register(store.as_ref(), spec).await?;
            let json = serde_json::json!({
                "client_id": credentials.client_id.as_str(),
                "client_secret": credentials.client_secret.expose(),
            });
            println!("{json}");
            Ok(())
        }
    }
}
