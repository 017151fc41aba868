//! Token endpoint benchmark (not a test): one server on a fresh database (a SQLite file, or a
//! new PostgreSQL database on the server named by the first argument), one authorization
//! code per chain obtained through the real widget flow, then, for each level of
//! `BENCH_CHAINS` (default 1, 8, 32, 64 chains at once), `BENCH_ROTATIONS` (default 2,000)
//! `POST /auth/token` refresh-token rotations over loopback HTTP split over the chains; each
//! chain rotates with the token its previous answer returned. Prints grants/s, the median
//! and the 99th percentile per level.
//!
//! ```text
//! cargo run --profile server -p kontolink-server --example token_bench [postgres://…]
//! ```

use std::time::{Duration, Instant};

use kontolink_api::TokenResponse;
use kontolink_server::config::{Config, RateLimit};
use kontolink_server::startup::Application;

mod support;

use support::widget_flow::{REDIRECT_URI, widget_flow};
use support::{bench_client, create_postgres, drop_postgres};

/// `BENCH_CHAINS`: how many chains rotate at once, one run per level (default 1,8,32,64).
fn chain_levels() -> Vec<usize> {
    std::env::var("BENCH_CHAINS")
        .unwrap_or_else(|_| "1,8,32,64".to_owned())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
        .collect()
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
    let client = bench_client(&state).await?;
    let client = (client.0.as_str(), client.1.as_str());
    let http = reqwest::Client::new();
    let levels = chain_levels();
    let most = levels.iter().copied().max().unwrap_or(1);
    // One rotating chain per grant: each needs its own code, through the widget.
    let mut chains = Vec::with_capacity(most);
    for _ in 0..most {
        let code = widget_flow(&http, &base, &base, client, Duration::from_millis(20))
            .await?
            .code;
        let tokens: TokenResponse = http
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
        chains.push(tokens.refresh_token);
    }
    for level in levels {
        let per_chain = rotations.div_ceil(level).max(1);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for refresh in chains.iter_mut().take(level) {
            let (http, base) = (http.clone(), base.clone());
            let (id, secret) = (client.0.to_owned(), client.1.to_owned());
            let mut current = std::mem::take(refresh);
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::with_capacity(per_chain);
                for _ in 0..per_chain {
                    let one = Instant::now();
                    let answer: TokenResponse = http
                        .post(format!("{base}/auth/token"))
                        .basic_auth(&id, Some(&secret))
                        .form(&[
                            ("grant_type", "refresh_token"),
                            ("refresh_token", current.as_str()),
                        ])
                        .send()
                        .await?
                        .error_for_status()?
                        .json()
                        .await?;
                    current = answer.refresh_token;
                    times.push(one.elapsed());
                }
                anyhow::Ok((current, times))
            }));
        }
        let mut times = Vec::new();
        for (task, refresh) in tasks.into_iter().zip(chains.iter_mut()) {
            let (current, chain_times) = task.await??;
            *refresh = current;
            times.extend(chain_times);
        }
        let wall = started.elapsed();
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
        println!(
            "token_bench: {backend}, {level:>2} rotating chains: {} rotations in {:.2} s, \
             {:.0} grants/s, median {:.2} ms, p99 {:.2} ms",
            times.len(),
            wall.as_secs_f64(),
            times.len() as f64 / wall.as_secs_f64(),
            at(0.5),
            at(0.99),
        );
    }
    if let (Some(server), Some(name)) = (&server, &postgres) {
        drop_postgres(server, name).await?;
    }
    Ok(())
}
