//! The server's configuration as [`crate::startup::Application`] takes it. Operators set it
//! through [`crate::settings`] (defaults < config file < `KONTOLINK_*` variables < flags).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use crate::domain::rate_limit::RateLimit;

/// Everything `serve` needs. `Default` is the contract's zero-configuration start.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The base URL the widget is reached at; `location` links start with it.
    /// `None`: derived from `listen`.
    pub public_url: Option<String>,
    /// A directory with the built widget (`trunk build --release` output) to serve instead of
    /// the one compiled into the binary.
    pub widget_dir: Option<PathBuf>,
    /// Registers the demo client `demo` / `demo-secret`.
    pub demo: bool,
    pub lifetimes: Lifetimes,
    pub rate_limits: RateLimits,
    /// The vault key file; created with a fresh key on first start.
    pub vault_key_file: PathBuf,
    pub engine: crate::engine::EngineConfig,
    pub sandbox: crate::providers::sandbox::SandboxConfig,
    /// Real banks over FinTS (contract §9).
    pub fints: crate::providers::fints::FintsConfig,
    /// At SIGTERM/SIGINT: how long in-flight requests may take to finish and running syncs
    /// to hand their leases back before the process exits anyway.
    pub shutdown_timeout: Duration,
}

/// Token lifetimes (contract §3).
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub flow_token: Duration,
    pub widget_session: Duration,
    pub authorization_code: Duration,
    pub access_token: Duration,
    pub refresh_token: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            flow_token: Duration::from_secs(30 * 60),
            widget_session: Duration::from_secs(60 * 60),
            authorization_code: Duration::from_secs(60 * 60),
            access_token: Duration::from_secs(60 * 60),
            refresh_token: Duration::from_secs(90 * 24 * 60 * 60),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://./data/kontolink.db".to_owned(),
            public_url: None,
            widget_dir: None,
            demo: false,
            lifetimes: Lifetimes::default(),
            vault_key_file: PathBuf::from("data/vault.key"),
            engine: crate::engine::EngineConfig::default(),
            sandbox: crate::providers::sandbox::SandboxConfig::default(),
            fints: crate::providers::fints::FintsConfig::default(),
            rate_limits: RateLimits::default(),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// Rate limits of contract §8.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// `POST /auth/token`, per client.
    pub token_per_client: RateLimit,
    /// `POST /onetime/access` and `/ongoing/access`, per client.
    pub access_per_client: RateLimit,
    /// Requests with one widget session, per flow.
    pub widget_per_flow: RateLimit,
    /// Credential attempts (creating an access, a sync with `credentials`), per client.
    pub credentials_per_client: RateLimit,
    /// Credential attempts with one widget session, per flow.
    pub credentials_per_flow: RateLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            token_per_client: RateLimit {
                burst: 100,
                per_second: 20.0,
            },
            access_per_client: RateLimit {
                burst: 100,
                per_second: 20.0,
            },
            widget_per_flow: RateLimit {
                burst: 120,
                per_second: 5.0,
            },
            credentials_per_client: RateLimit {
                burst: 100,
                per_second: 20.0,
            },
            credentials_per_flow: RateLimit {
                burst: 10,
                per_second: 0.2,
            },
        }
    }
}
