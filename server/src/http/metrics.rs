use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::domain::SyncStatus;
use crate::metrics::{HttpLabels, RouteLabels, StatusLabels};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(render))
}

/// `GET /metrics`: Prometheus text format, the database's figures read now.
async fn render(State(state): State<AppState>) -> impl IntoResponse {
    if let Err(error) = read_database_figures(&state).await {
        tracing::warn!(%error, "reading the queue figures for /metrics");
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

async fn read_database_figures(state: &AppState) -> Result<(), crate::store::StoreError> {
    let metrics = &state.metrics;
    let max_attempts = state.engine.config.webhook_max_attempts;
    for status in [
        SyncStatus::Queued,
        SyncStatus::Running,
        SyncStatus::AwaitAuth,
    ] {
        let count = state.store.count_syncs(status).await?;
        if status == SyncStatus::Queued {
            metrics.sync_queue_depth.set(count);
        }
        metrics
            .syncs_active
            .get_or_create(&StatusLabels {
                status: status.as_str().to_owned(),
            })
            .set(count);
    }
    metrics
        .webhook_outbox_backlog
        .set(state.store.webhook_backlog(max_attempts).await?);
    Ok(())
}

/// Counts every answered request by method and status class, and times it by route.
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("widget", MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    let status = format!("{}xx", response.status().as_u16() / 100);
    state
        .metrics
        .http_request_duration
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route,
            status: status.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    state
        .metrics
        .http_requests
        .get_or_create(&HttpLabels { method, status })
        .inc();
    response
}
