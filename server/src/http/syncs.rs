//! Syncs and their challenges: `POST /rest/accesses/{id}/syncs`, `POST /rest/syncs`
//! (every access of the user), `GET …/syncs/{sync_id}`, `…/challenges[/{challenge_id}]`,
//! `POST …/challenges/{challenge_id}/response`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use kontolink_api::{Challenge, ChallengeList, ChallengeResponse, Sync, SyncList, SyncRequest};

use super::ApiError;
use super::accesses::owned;
use super::end_user::EndUser;
use super::json_body::JsonBody;
use crate::engine::{challenges, render, service};
use crate::state::AppState;
use crate::store::rows::SyncRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rest/syncs", post(sync_all))
        .route("/rest/accesses/{id}/syncs", post(start))
        .route("/rest/accesses/{id}/syncs/{sync_id}", get(one))
        .route(
            "/rest/accesses/{id}/syncs/{sync_id}/challenges",
            get(list_challenges),
        )
        .route(
            "/rest/accesses/{id}/syncs/{sync_id}/challenges/{challenge_id}",
            get(one_challenge),
        )
        .route(
            "/rest/accesses/{id}/syncs/{sync_id}/challenges/{challenge_id}/response",
            post(respond),
        )
}

async fn owned_sync(
    state: &AppState,
    user: &EndUser,
    access_id: &str,
    sync_id: &str,
) -> Result<SyncRow, ApiError> {
    let access = owned(state, user, access_id).await?;
    state
        .store
        .sync(sync_id)
        .await?
        .filter(|sync| sync.access_id == access.id)
        .ok_or_else(|| ApiError::not_found("no such sync"))
}

async fn start(
    State(state): State<AppState>,
    user: EndUser,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<SyncRequest>,
) -> Result<(StatusCode, Json<Sync>), ApiError> {
    let access = owned(&state, &user, &id).await?;
    let sync = service::start_sync(&state.engine, &access, &request, false).await?;
    Ok((StatusCode::CREATED, Json(render::sync(&sync))))
}

/// Starts a sync of every access; a busy access answers with its running sync, an access
/// without the credentials it needs is left out.
async fn sync_all(
    State(state): State<AppState>,
    user: EndUser,
    JsonBody(request): JsonBody<SyncRequest>,
) -> Result<Json<SyncList>, ApiError> {
    if request.credentials.is_some() {
        return Err(ApiError::bad_request(
            "credentials are given per access, not to POST /rest/syncs",
        ));
    }
    let mut syncs = Vec::new();
    for access in state.store.accesses_of_user(&user.user_id).await? {
        match service::start_sync(&state.engine, &access, &request, false).await {
            Ok(sync) => syncs.push(render::sync(&sync)),
            Err(error) if error.code == 1008 => {
                if let Some(active) = state.store.active_sync(&access.id).await? {
                    syncs.push(render::sync(&active));
                }
            }
            // No saved secrets: this access needs the end-user (a widget flow); it is left out.
            Err(error) if error.code == 1011 => {
                tracing::info!(access_id = %access.id, "sync-all skips an access without saved credentials");
            }
            Err(error) => return Err(error),
        }
    }
    Ok(Json(SyncList { syncs }))
}

async fn one(
    State(state): State<AppState>,
    user: EndUser,
    Path((id, sync_id)): Path<(String, String)>,
) -> Result<Json<Sync>, ApiError> {
    Ok(Json(render::sync(
        &owned_sync(&state, &user, &id, &sync_id).await?,
    )))
}

async fn list_challenges(
    State(state): State<AppState>,
    user: EndUser,
    Path((id, sync_id)): Path<(String, String)>,
) -> Result<Json<ChallengeList>, ApiError> {
    let sync = owned_sync(&state, &user, &id, &sync_id).await?;
    Ok(Json(ChallengeList {
        challenges: sync
            .progress
            .rounds
            .into_iter()
            .map(|r| r.challenge)
            .collect(),
    }))
}

async fn one_challenge(
    State(state): State<AppState>,
    user: EndUser,
    Path((id, sync_id, challenge_id)): Path<(String, String, String)>,
) -> Result<Json<Challenge>, ApiError> {
    let sync = owned_sync(&state, &user, &id, &sync_id).await?;
    sync.progress
        .rounds
        .into_iter()
        .map(|r| r.challenge)
        .find(|c| c.id == challenge_id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such challenge"))
}

async fn respond(
    State(state): State<AppState>,
    user: EndUser,
    Path((id, sync_id, challenge_id)): Path<(String, String, String)>,
    JsonBody(response): JsonBody<ChallengeResponse>,
) -> Result<Json<Sync>, ApiError> {
    let sync = owned_sync(&state, &user, &id, &sync_id).await?;
    if !sync
        .progress
        .rounds
        .iter()
        .any(|r| r.challenge.id == challenge_id)
    {
        return Err(ApiError::not_found("no such challenge"));
    }
    let sync = challenges::answer(&state.engine, &sync, &challenge_id, response).await?;
    Ok(Json(render::sync(&sync)))
}
