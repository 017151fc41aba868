//! What the benchmarks share: a throw-away PostgreSQL database.

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
