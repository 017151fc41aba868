//! `GET /rest/events?after=EVENT_ID&count=N`: the end-user's event queue, oldest first.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use kontolink_api::{ErrorBody, EventList};
use serde::Deserialize;
use utoipa::OpenApi;

use super::ApiError;
use super::bearer::AuthenticatedUser;
use super::json::AppJson;
use crate::engine::render;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/rest/events", get(list))
}

#[derive(OpenApi)]
#[openapi(paths(list))]
pub struct EventsApi;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventQuery {
    after: Option<String>,
    count: Option<u32>,
}

/// The end-user's events, oldest first: `SYNC_QUEUED`, `SYNC_RUNNING`, `SYNC_AWAIT_AUTH`,
/// `ACCOUNTS_UPDATED`, `TRANSACTIONS_UPDATED`, `SYNC_COMPLETED`, `SYNC_FAILED`,
/// `ACCESS_UPGRADED`. Pass the last seen `id` as `after` to read on.
#[utoipa::path(
    get,
    path = "/rest/events",
    tag = "data",
    params(
        ("after" = Option<String>, Query, description = "Only events after this event id"),
        ("count" = Option<u32>, Query, description = "1–1000, default 100"),
    ),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = EventList),
        (status = 400, description = "`1000`: `after` is no event id, `count` outside 1–1000", body = ErrorBody),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
    )
)]
async fn list(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    query: Result<Query<EventQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<AppJson<EventList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let after = match query.after.as_deref() {
        None | Some("") => 0,
        Some(id) => id
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("after must be an event id"))?,
    };
    let count = query.count.unwrap_or(100);
    if !(1..=1000).contains(&count) {
        return Err(ApiError::bad_request("count must be between 1 and 1000"));
    }
    let events = state
        .store
        .events(&user.engine_user_id(), after, count)
        .await?;
    Ok(AppJson(EventList {
        events: events.iter().map(render::event).collect(),
    }))
}
