//! Token endpoint benchmark (not a test): one server on a fresh database (a SQLite file, or a
//! new PostgreSQL database on the server named by the first argument), one authorization
//! code obtained through the real widget flow, then `BENCH_ROTATIONS` (default 2,000)
//! sequential `POST /auth/token` refresh-token rotations over loopback HTTP, each with the
//! previous answer's refresh token. Prints the median, 90th percentile and the rotations per
//! second.
//!
//! ```text
//! cargo run --profile server -p kontolink-server --example token_bench [postgres://…]
//! ```

use std::time::{Duration, Instant};

use kontolink_api::{AccessLocation, FinishRedirect, TokenResponse, WidgetSession};
use kontolink_server::clients::{NewClientSpec, register};
use kontolink_server::config::{Config, RateLimit};
use kontolink_server::startup::Application;
use serde_json::{Value, json};

mod support;

use support::{create_postgres, drop_postgres};

const REDIRECT_URI: &str = "https://app.example.com/callback";

/// A code through the widget: flow → session → sandbox access → sync → complete.
async fn authorization_code(
    http: &reqwest::Client,
    base: &str,
    client: (&str, &str),
) -> anyhow::Result<String> {
    let location: AccessLocation = http
        .post(format!("{base}/onetime/access"))
        .basic_auth(client.0, Some(client.1))
        .json(&json!({"redirect_uri": REDIRECT_URI}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = location
        .location
        .split_once("?token=")
        .ok_or_else(|| anyhow::anyhow!("no token in {}", location.location))?
        .1;
    let session: WidgetSession = http
        .post(format!("{base}/widget/session"))
        .json(&json!({ "token": token }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let bearer = session.session_token.as_str();
    let access: Value = http
        .post(format!("{base}/rest/accesses"))
        .bearer_auth(bearer)
        .json(&json!({
            "access_method_id": "kontolink-sandbox-pin",
            "credentials": {"login": "demo", "pin": "1234"},
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let syncs = format!(
        "{base}/rest/accesses/{}/syncs",
        access["id"].as_str().unwrap_or("")
    );
    let sync: Value = http
        .post(&syncs)
        .bearer_auth(bearer)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let sync_url = format!("{syncs}/{}", sync["id"].as_str().unwrap_or(""));
    loop {
        let sync: Value = http
            .get(&sync_url)
            .bearer_auth(bearer)
            .send()
            .await?
            .json()
            .await?;
        match sync["status"].as_str() {
            Some("COMPLETED") => break,
            Some("FAILED") => anyhow::bail!("sync failed: {sync}"),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    let accounts: Value = http
        .get(format!("{base}/rest/accounts"))
        .bearer_auth(bearer)
        .send()
        .await?
        .json()
        .await?;
    let first = accounts["accounts"][0]["id"].clone();
    let finish: FinishRedirect = http
        .post(format!("{base}/widget/complete"))
        .bearer_auth(bearer)
        .json(&json!({ "account_ids": [first] }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    finish.query.code.ok_or_else(|| anyhow::anyhow!("no code"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rotations: usize = std::env::var("BENCH_ROTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let server = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("KONTOLINK_BENCH_DATABASE_URL").ok())
        .filter(|url| !url.trim().is_empty());
    let dir = tempfile::tempdir()?;
    let (database_url, postgres) = match &server {
        Some(server) => {
            let (url, name) = create_postgres(server).await?;
            (url, Some(name))
        }
        None => (format!("sqlite://{}/bench.db", dir.path().display()), None),
    };
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut config = Config {
        listen: "127.0.0.1:0".parse()?,
        database_url,
        vault_key_file: dir.path().join("vault.key"),
        ..Config::default()
    };
    config.sandbox.latency = Duration::ZERO;
    let unlimited = RateLimit {
        burst: 1_000_000,
        per_second: 1_000_000.0,
    };
    config.rate_limits.token_per_client = unlimited;
    config.rate_limits.widget_per_flow = unlimited;
    let app = Application::build(config).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let spec = NewClientSpec {
        name: "Bench".into(),
        redirect_uris: vec![REDIRECT_URI.into()],
        frame_origins: vec![],
        notification_uri: None,
    };
    let credentials = register(state.store.as_ref(), &state.engine.vault, spec).await?;
    let client = (
        credentials.client_id.as_str().to_owned(),
        credentials.client_secret.expose().to_owned(),
    );
    let client = (client.0.as_str(), client.1.as_str());
    let http = reqwest::Client::new();
    let code = authorization_code(&http, &base, client).await?;
    let mut tokens: TokenResponse = http
        .post(format!("{base}/auth/token"))
        .basic_auth(client.0, Some(client.1))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;

    let mut times = Vec::with_capacity(rotations);
    let started = Instant::now();
    for _ in 0..rotations {
        let one = Instant::now();
        tokens = http
            .post(format!("{base}/auth/token"))
            .basic_auth(client.0, Some(client.1))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens.refresh_token.as_str()),
            ])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        times.push(one.elapsed());
    }
    let wall = started.elapsed();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "token_bench: {rotations} refresh rotations on {backend}: median {:.3} ms, p90 {:.3} ms, \
         {:.0} rotations/s",
        at(0.5),
        at(0.9),
        rotations as f64 / wall.as_secs_f64()
    );
    if let (Some(server), Some(name)) = (&server, &postgres) {
        drop_postgres(server, name).await?;
    }
    Ok(())
}
