//! `GET /rest/events?after=EVENT_ID&count=N`: the end-user's event queue, oldest first.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use kontolink_api::EventList;
use serde::Deserialize;

use super::ApiError;
use super::end_user::EndUser;
use crate::engine::render;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/rest/events", get(list))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventQuery {
    after: Option<String>,
    count: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    user: EndUser,
    query: Result<Query<EventQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<EventList>, ApiError> {
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
    let events = state.store.events(&user.user_id, after, count).await?;
    Ok(Json(EventList {
        events: events.iter().map(render::event).collect(),
    }))
}
