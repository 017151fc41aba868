//! `GET /rest/events?after=EVENT_ID&count=N`: the end-user's event queue, oldest first.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use kontolink_api::{ErrorBody, EventList};
use serde::Deserialize;
use serde_json::Value;
use utoipa::OpenApi;

use super::ApiError;
use super::bearer::AuthenticatedUser;
use super::json::AppJson;
use crate::domain::ids::AccessId;
use crate::domain::reach::Reach;
use crate::engine::render;
use crate::state::AppState;
use crate::store::rows::EventRow;

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
    count: Option<i32>,
}

/// The end-user's events, oldest first: `SYNC_QUEUED`, `SYNC_RUNNING`, `SYNC_AWAIT_AUTH`,
/// `ACCOUNTS_UPDATED`, `TRANSACTIONS_UPDATED`, `SYNC_COMPLETED`, `SYNC_FAILED`,
/// `ACCESS_UPGRADED`. Pass the last seen `id` as `after` to read on.
#[utoipa::path(
    get,
    path = "/rest/events",
    operation_id = "list_events",
    tag = "data",
    params(
        ("after" = Option<String>, Query, pattern = "^[0-9]{0,18}$", description = "Only events after this event id"),
        ("count" = Option<i32>, Query, minimum = 1, maximum = 1000, description = "1–1000, default 100"),
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
    let count = count.unsigned_abs();
    // Read on past events the caller may not see, so a page is only short at the end.
    let mut events = Vec::new();
    let mut cursor = after;
    while events.len() < count as usize {
        let page = state
            .store
            .events(&user.engine_user_id(), cursor, count)
            .await?;
        let Some(last) = page.last() else { break };
        cursor = last.id;
        let full = page.len() == count as usize;
        events.extend(
            page.into_iter()
                .filter_map(|event| visible(&user.reach, event))
                .take(count as usize - events.len()),
        );
        if !full {
            break;
        }
    }
    Ok(AppJson(EventList {
        events: events.iter().map(render::event).collect(),
    }))
}

/// The event as the caller may see it (contract §2): `None` when it is about an access the
/// caller does not reach; account ids it does not reach are removed from the data.
fn visible(reach: &Reach, mut event: EventRow) -> Option<EventRow> {
    if matches!(reach, Reach::EndUser) {
        return Some(event);
    }
    let access = if event.resource_type == "ACCESS" {
        Some(event.resource_id.clone())
    } else {
        event
            .data
            .as_ref()
            .and_then(|data| data.get("access_id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let access = AccessId::from_text(access?);
    if event.event_type == "ACCESS_UPGRADED" {
        let moved = event.data.as_mut().is_some_and(|data| {
            reach.redact_upgrade_data(data);
            data.get("accounts")
                .and_then(Value::as_array)
                .is_some_and(|accounts| !accounts.is_empty())
        });
        return (moved || reach.access(&access)).then_some(event);
    }
    if !reach.access(&access) {
        return None;
    }
    if let Some(data) = event.data.as_mut() {
        for key in ["accounts", "new_accounts"] {
            if let Some(ids) = data.get_mut(key) {
                reach.retain_account_ids(ids, &access);
            }
        }
    }
    Some(event)
}
