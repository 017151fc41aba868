//! What the benchmarks share: a throw-away PostgreSQL database, and the widget's flow.

#![allow(dead_code)] // each benchmark uses part of it

pub mod widget_flow;

use kontolink_server::clients::{NewClientSpec, register};
use kontolink_server::state::AppState;
use sqlx::{Connection, Executor, PgConnection};

/// A fresh database on the PostgreSQL server `server`: its URL and name.
pub async fn create_postgres(server: &str) -> anyhow::Result<(String, String)> {
    let name = format!("kontolink_bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(server).await?;
    admin
        .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await?;
    admin.close().await?;
    let mut url = url::Url::parse(server)?;
    url.set_path(&name);
    Ok((url.to_string(), name))
}

pub async fn drop_postgres(server: &str, name: &str) -> anyhow::Result<()> {
    let mut admin = PgConnection::connect(server).await?;
    admin
        .execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str())
        .await?;
    Ok(())
}

/// The process's peak resident set size (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Registers the benchmark's client (redirect URI [`widget_flow::REDIRECT_URI`]): its id and
/// secret.
pub async fn bench_client(state: &AppState) -> anyhow::Result<(String, String)> {
    let spec = NewClientSpec {
        name: "Bench".into(),
        redirect_uris: vec![widget_flow::REDIRECT_URI.into()],
        frame_origins: vec![],
        notification_uri: None,
    };
    let credentials = register(state.store.as_ref(), &state.engine.vault, spec).await?;
    Ok((
        credentials.client_id.as_str().to_owned(),
        credentials.client_secret.expose().to_owned(),
    ))
}

/// The number in the variable `name`, or `default`.
pub fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
