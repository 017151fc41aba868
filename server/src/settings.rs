//! What an operator sets, in four layers merged by `figment`: defaults < the config file
//! (`--config FILE` / `KONTOLINK_CONFIG`, TOML with the flags' names as keys) <
//! `KONTOLINK_*` variables < flags. Clap reads the two upper layers (a flag wins over its
//! variable) into [`Settings`]-shaped overrides holding only what was given; figment lays
//! them over the file and the defaults and refuses a key it does not know, naming it and the
//! file. [`Settings::into_config`] turns the result into the server's [`Config`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use serde_with::{DeserializeAs, DisplayFromStr, serde_as, skip_serializing_none};

use crate::config::{Config, Lifetimes, RateLimit, RateLimits};

/// Every key of the config file. Names and forms are the flags' (`database-url`,
/// `rate-limit-token = "100/20"`, `fints-url = ["BLZ=URL"]`, lifetimes as `"30m"`, `"90d"`).
#[serde_as]
#[skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    pub public_url: Option<String>,
    /// `None`: the widget compiled into the binary.
    pub widget_dir: Option<PathBuf>,
    pub vault_key_file: PathBuf,
    pub demo: bool,
    pub log_format: LogFormat,
    pub workers: usize,
    /// Simulated latency of every sandbox bank call, in milliseconds.
    pub sandbox_latency_ms: u64,
    #[serde_as(as = "DisplayFromStr")]
    pub rate_limit_token: RateLimit,
    #[serde_as(as = "DisplayFromStr")]
    pub rate_limit_access: RateLimit,
    #[serde_as(as = "DisplayFromStr")]
    pub rate_limit_widget: RateLimit,
    #[serde_as(as = "DisplayFromStr")]
    pub rate_limit_credentials_client: RateLimit,
    #[serde_as(as = "DisplayFromStr")]
    pub rate_limit_credentials_flow: RateLimit,
    pub fints_product_id: Option<String>,
    #[serde_as(as = "Vec<DisplayFromStr>")]
    pub fints_url: Vec<FintsUrl>,
    pub fints_statement_format: StatementFormat,
    pub flow_token_lifetime: HumanDuration,
    pub widget_session_lifetime: HumanDuration,
    pub authorization_code_lifetime: HumanDuration,
    pub access_token_lifetime: HumanDuration,
    pub refresh_token_lifetime: HumanDuration,
    /// How long a stop waits for in-flight requests and running syncs.
    pub shutdown_timeout: HumanDuration,
}

impl Default for Settings {
    fn default() -> Self {
        let config = Config::default();
        let limits = config.rate_limits;
        let lifetimes = config.lifetimes;
        Settings {
            listen: config.listen,
            database_url: config.database_url,
            public_url: None,
            widget_dir: None,
            vault_key_file: config.vault_key_file,
            demo: false,
            log_format: LogFormat::Text,
            workers: config.engine.concurrency,
            sandbox_latency_ms: config.sandbox.latency.as_millis() as u64,
            rate_limit_token: limits.token_per_client,
            rate_limit_access: limits.access_per_client,
            rate_limit_widget: limits.widget_per_flow,
            rate_limit_credentials_client: limits.credentials_per_client,
            rate_limit_credentials_flow: limits.credentials_per_flow,
            fints_product_id: None,
            fints_url: Vec::new(),
            fints_statement_format: StatementFormat::Auto,
            flow_token_lifetime: HumanDuration(lifetimes.flow_token),
            widget_session_lifetime: HumanDuration(lifetimes.widget_session),
            authorization_code_lifetime: HumanDuration(lifetimes.authorization_code),
            access_token_lifetime: HumanDuration(lifetimes.access_token),
            refresh_token_lifetime: HumanDuration(lifetimes.refresh_token),
            shutdown_timeout: HumanDuration(config.shutdown_timeout),
        }
    }
}

impl Settings {
    /// Defaults, then `file` (if any), then `overrides` (what flags and variables set; any
    /// serializable value whose absent fields are skipped).
    pub fn load(file: Option<&Path>, overrides: &impl Serialize) -> anyhow::Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.is_file() {
                anyhow::bail!("the config file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        let settings: Settings = figment
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|error| describe(error, file))?;
        Ok(settings)
    }

    /// The server's configuration; engine timings and the other sandbox settings stay at
    /// their defaults.
    pub fn into_config(self) -> Config {
        let mut config = Config {
            listen: self.listen,
            database_url: self.database_url,
            public_url: self.public_url.filter(|url| !url.trim().is_empty()),
            widget_dir: self.widget_dir,
            demo: self.demo,
            vault_key_file: self.vault_key_file,
            rate_limits: RateLimits {
                token_per_client: self.rate_limit_token,
                access_per_client: self.rate_limit_access,
                widget_per_flow: self.rate_limit_widget,
                credentials_per_client: self.rate_limit_credentials_client,
                credentials_per_flow: self.rate_limit_credentials_flow,
            },
            lifetimes: Lifetimes {
                flow_token: self.flow_token_lifetime.0,
                widget_session: self.widget_session_lifetime.0,
                authorization_code: self.authorization_code_lifetime.0,
                access_token: self.access_token_lifetime.0,
                refresh_token: self.refresh_token_lifetime.0,
            },
            shutdown_timeout: self.shutdown_timeout.0,
            ..Config::default()
        };
        config.engine.concurrency = self.workers.max(1);
        config.sandbox.latency = Duration::from_millis(self.sandbox_latency_ms);
        config.fints.product_id = self.fints_product_id.filter(|id| !id.trim().is_empty());
        config.fints.urls = self.fints_url.into_iter().map(|u| (u.blz, u.url)).collect();
        config.fints.statement_format = self.fints_statement_format.into();
        config
    }

    /// The effective settings as TOML, secrets replaced by `***` (the password of the
    /// database URL, the FinTS product id).
    pub fn redacted_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        shown.database_url = crate::store::redact(&shown.database_url);
        if shown.fints_product_id.is_some() {
            shown.fints_product_id = Some("***".to_owned());
        }
        toml::to_string(&shown).context("writing the configuration as TOML")
    }
}

/// figment's errors, an unknown key said in the operator's words: which key, where.
fn describe(error: figment::Error, file: Option<&Path>) -> anyhow::Error {
    let lines: Vec<String> = error
        .into_iter()
        .map(|error| match &error.kind {
            figment::error::Kind::UnknownField(key, _) => {
                let source = error
                    .metadata
                    .as_ref()
                    .and_then(|m| m.source.as_ref())
                    .and_then(|s| s.file_path())
                    .or(file)
                    .map_or_else(
                        || "the settings".to_owned(),
                        |path| format!("the config file {}", path.display()),
                    );
                let path: Vec<&str> = error.path.iter().skip(1).map(String::as_str).collect();
                let key = if path.len() > 1 {
                    path.join(".")
                } else {
                    key.clone()
                };
                format!("unknown key `{key}` in {source} (the keys are the flags' names, e.g. `database-url`; see docs/kontolink.example.toml)")
            }
            _ => error.to_string(),
        })
        .collect();
    anyhow::anyhow!("invalid configuration: {}", lines.join("; "))
}

/// `--log-format`: `text` (human-readable) or `json` (one object per line, for a shipper).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// `--fints-statement-format`: `auto` (camt.052 where the bank offers it, else MT940).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StatementFormat {
    Auto,
    Camt,
    Mt940,
}

impl From<StatementFormat> for crate::providers::fints::StatementFormat {
    fn from(format: StatementFormat) -> Self {
        match format {
            StatementFormat::Auto => Self::Auto,
            StatementFormat::Camt => Self::Camt,
            StatementFormat::Mt940 => Self::Mt940,
        }
    }
}

/// `BLZ=URL`: a bank's FinTS server. `https://`, or `http://` for loopback hosts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FintsUrl {
    pub blz: String,
    pub url: String,
}

impl std::str::FromStr for FintsUrl {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let (blz, url) = raw
            .split_once('=')
            .ok_or_else(|| format!("{raw}: expected BLZ=URL"))?;
        let blz = blz.trim();
        if blz.len() != 8 || !blz.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{raw}: the BLZ must be 8 digits"));
        }
        let url = crate::providers::fints::transport::BankUrl::parse(url)?;
        Ok(FintsUrl {
            blz: blz.to_owned(),
            url: url.as_str().to_owned(),
        })
    }
}

impl std::fmt::Display for FintsUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.blz, self.url)
    }
}

/// A duration written for people: `30m`, `1h`, `90days` (humantime's forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl std::str::FromStr for HumanDuration {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        humantime::parse_duration(raw.trim())
            .map(HumanDuration)
            .map_err(|error| format!("{raw:?}: {error} (write e.g. 30s, 30m, 1h, 90d)"))
    }
}

/// In the largest unit that divides it (`90d`, `1h`, `30m`, `10s`, `1500ms`).
impl std::fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let millis = self.0.as_millis();
        let units = [
            (86_400_000, "d"),
            (3_600_000, "h"),
            (60_000, "m"),
            (1_000, "s"),
        ];
        match units
            .iter()
            .find(|(size, _)| millis > 0 && millis.is_multiple_of(*size))
        {
            Some((size, unit)) => write!(f, "{}{unit}", millis / size),
            None => write!(f, "{millis}ms"),
        }
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        DisplayFromStr::deserialize_as(deserializer)
    }
}

#[cfg(test)]
mod tests;
