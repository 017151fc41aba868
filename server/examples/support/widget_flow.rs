//! One end-user flow through the widget's HTTP API, as the widget drives it: the app
//! creates a one-time link, the widget opens a session, the end-user picks the sandbox bank
//! and logs in, the widget polls the sync every 500 ms until it completes, the end-user
//! chooses an account, and the app gets its authorization code.

use std::time::{Duration, Instant};

use kontolink_api::{AccessLocation, FinishRedirect, WidgetSession};
use serde_json::{Value, json};

pub const REDIRECT_URI: &str = "https://app.example.com/callback";

/// How often the widget asks for its sync's state.
pub const POLL: Duration = Duration::from_millis(500);

/// What one flow took.
pub struct FlowRun {
    pub code: String,
    /// From the start of the flow to the code.
    pub total: Duration,
    /// From the sync's creation to the first answer in which it is no longer `QUEUED`.
    pub queued: Duration,
}

async fn json(response: reqwest::Response) -> anyhow::Result<Value> {
    let status = response.status();
    let body = response.text().await?;
    anyhow::ensure!(status.is_success(), "HTTP {status}: {body}");
    Ok(serde_json::from_str(&body)?)
}

/// Runs one flow: `app` is where the integrator calls, `widget` where the widget does (the
/// same server, or another process on the same database).
pub async fn widget_flow(
    http: &reqwest::Client,
    app: &str,
    widget: &str,
    client: (&str, &str),
    poll: Duration,
) -> anyhow::Result<FlowRun> {
    let started = Instant::now();
    let location: AccessLocation = serde_json::from_value(
        json(
            http.post(format!("{app}/onetime/access"))
                .basic_auth(client.0, Some(client.1))
                .json(&json!({"redirect_uri": REDIRECT_URI}))
                .send()
                .await?,
        )
        .await?,
    )?;
    let token = location
        .location
        .split_once("?token=")
        .ok_or_else(|| anyhow::anyhow!("no token in {}", location.location))?
        .1;
    let session: WidgetSession = serde_json::from_value(
        json(
            http.post(format!("{widget}/widget/session"))
                .json(&json!({ "token": token }))
                .send()
                .await?,
        )
        .await?,
    )?;
    let bearer = session.session_token.as_str();
    let access = json(
        http.post(format!("{widget}/rest/accesses"))
            .bearer_auth(bearer)
            .json(&json!({
                "access_method_id": "kontolink-sandbox-pin",
                "credentials": {"login": "demo", "pin": "1234"},
            }))
            .send()
            .await?,
    )
    .await?;
    let syncs = format!(
        "{widget}/rest/accesses/{}/syncs",
        access["id"].as_str().unwrap_or("")
    );
    let sync = json(http.post(&syncs).bearer_auth(bearer).send().await?).await?;
    let created = Instant::now();
    let mut queued = None;
    let sync_url = format!("{syncs}/{}", sync["id"].as_str().unwrap_or(""));
    loop {
        let sync = json(http.get(&sync_url).bearer_auth(bearer).send().await?).await?;
        let status = sync["status"].as_str().unwrap_or("");
        if status != "QUEUED" && queued.is_none() {
            queued = Some(created.elapsed());
        }
        match status {
            "COMPLETED" => break,
            "FAILED" => anyhow::bail!("sync failed: {sync}"),
            _ => tokio::time::sleep(poll).await,
        }
    }
    let accounts = json(
        http.get(format!("{widget}/rest/accounts"))
            .bearer_auth(bearer)
            .send()
            .await?,
    )
    .await?;
    let first = accounts["accounts"][0]["id"].clone();
    let finish: FinishRedirect = serde_json::from_value(
        json(
            http.post(format!("{widget}/widget/complete"))
                .bearer_auth(bearer)
                .json(&json!({ "account_ids": [first] }))
                .send()
                .await?,
        )
        .await?,
    )?;
    Ok(FlowRun {
        code: finish
            .query
            .code
            .ok_or_else(|| anyhow::anyhow!("no code"))?,
        total: started.elapsed(),
        queued: queued.unwrap_or_default(),
    })
}
