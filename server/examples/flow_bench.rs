//! End-user flow benchmark (not a test): `BENCH_FLOWS` (default 1,000) flows started at
//! once, each as the widget drives it over loopback HTTP (link → session → sandbox login →
//! sync, polled every 500 ms → account choice → code; `support/widget_flow.rs`), with
//! `BENCH_LATENCY_MS` (default 200) of sandbox latency per bank call, `BENCH_WORKERS` jobs
//! at once per server (default: the server's default). On a fresh SQLite
//! file in one server, or on a new PostgreSQL database (first argument: the server's URL)
//! shared by `BENCH_SERVERS` (default 2) servers, the flows spread over them. Prints the
//! flows' duration (p50, p95, max), how long their syncs waited in the queue, failures and
//! 5xx answers, and the peak RSS.
//!
//! ```text
//! cargo run --profile server -p kontolink-server --example flow_bench [postgres://…]
//! ```

use std::time::{Duration, Instant};

use kontolink_server::config::{Config, RateLimit};
use kontolink_server::startup::Application;

mod support;

use support::widget_flow::{POLL, widget_flow};
use support::{bench_client, create_postgres, drop_postgres, env, peak_rss_kib};

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    sorted
        .get(((sorted.len().max(1) - 1) as f64 * q) as usize)
        .map_or(0.0, Duration::as_secs_f64)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let flows = env("BENCH_FLOWS", 1000) as usize;
    let latency = Duration::from_millis(env("BENCH_LATENCY_MS", 200));
    let server = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("KONTOLINK_BENCH_DATABASE_URL").ok())
        .filter(|url| !url.trim().is_empty());
    let dir = tempfile::tempdir()?;
    let (database_url, postgres, servers) = match &server {
        Some(server) => {
            let (url, name) = create_postgres(server).await?;
            (url, Some(name), env("BENCH_SERVERS", 2).max(1))
        }
        None => (
            format!("sqlite://{}/bench.db", dir.path().display()),
            None,
            1,
        ),
    };
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite synchronous=FULL"
    };
    // The limits protect a real deployment from one client; here one client is everyone.
    let unlimited = RateLimit {
        burst: 1_000_000,
        per_second: 1_000_000.0,
    };
    let mut bases = Vec::new();
    let mut states = Vec::new();
    for _ in 0..servers {
        let mut config = Config {
            listen: "127.0.0.1:0".parse()?,
            database_url: database_url.clone(),
            vault_key_file: dir.path().join("vault.key"),
            ..Config::default()
        };
        config.sandbox.latency = latency;
        config.engine.concurrency = env("BENCH_WORKERS", config.engine.concurrency as u64) as usize;
        config.rate_limits.access_per_client = unlimited;
        config.rate_limits.credentials_per_client = unlimited;
        let app = Application::build(config).await?;
        bases.push(format!("http://127.0.0.1:{}", app.port()));
        states.push(app.state().clone());
        tokio::spawn(app.run_until_stopped());
    }
    let client = bench_client(&states[0]).await?;
    let http = reqwest::Client::new();
    let started = Instant::now();
    let tasks: Vec<_> = (0..flows)
        .map(|n| {
            let (http, client) = (http.clone(), client.clone());
            // The app calls one server, the end-user's widget lands on another.
            let app = bases[n % bases.len()].clone();
            let widget = bases[(n + 1) % bases.len()].clone();
            tokio::spawn(async move {
                widget_flow(&http, &app, &widget, (&client.0, &client.1), POLL).await
            })
        })
        .collect();
    let (mut totals, mut queued, mut failures) = (Vec::new(), Vec::new(), Vec::new());
    for task in tasks {
        match task.await? {
            Ok(run) => {
                totals.push(run.total);
                queued.push(run.queued);
            }
            Err(error) => failures.push(error.to_string()),
        }
    }
    let wall = started.elapsed();
    totals.sort();
    queued.sort();
    let server_errors = failures.iter().filter(|f| f.starts_with("HTTP 5")).count();
    println!(
        "flow_bench: {backend}, {servers} server(s) with {} workers each, {flows} flows at \
         once, {} ms sandbox latency",
        states[0].config.engine.concurrency,
        latency.as_millis()
    );
    println!(
        "flow_bench: completed {} of {flows} in {:.1} s; failed {} ({server_errors} with a 5xx)",
        totals.len(),
        wall.as_secs_f64(),
        failures.len(),
    );
    println!(
        "flow_bench: flow duration p50 {:.2} s, p95 {:.2} s, max {:.2} s",
        quantile(&totals, 0.5),
        quantile(&totals, 0.95),
        quantile(&totals, 1.0),
    );
    println!(
        "flow_bench: sync queued p50 {:.2} s, p95 {:.2} s, max {:.2} s",
        quantile(&queued, 0.5),
        quantile(&queued, 0.95),
        quantile(&queued, 1.0),
    );
    println!("flow_bench: peak RSS {} MiB", peak_rss_kib() / 1024);
    for failure in failures.iter().take(5) {
        println!("flow_bench: failure: {failure}");
    }
    if let (Some(server), Some(name)) = (&server, &postgres) {
        drop_postgres(server, name).await?;
    }
    Ok(())
}
