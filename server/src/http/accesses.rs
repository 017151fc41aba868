//! `POST/GET /rest/accesses`, `GET /rest/accesses/{id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use kontolink_api::{Access, AccessList, CreateAccessRequest};

use super::ApiError;
use super::end_user::EndUser;
use super::json_body::JsonBody;
use crate::engine::{render, service};
use crate::state::AppState;
use crate::store::rows::AccessRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rest/accesses", get(list).post(create))
        .route("/rest/accesses/{id}", get(one))
}

/// The caller's access, or `404` (also for another user's access).
pub async fn owned(state: &AppState, user: &EndUser, id: &str) -> Result<AccessRow, ApiError> {
    state
        .store
        .access(id)
        .await?
        .filter(|access| access.user_id == user.user_id)
        .ok_or_else(|| ApiError::not_found("no such access"))
}

async fn view(state: &AppState, access: &AccessRow) -> Result<Access, ApiError> {
    let accounts = state.store.accounts_of_access(&access.id).await?;
    let next = service::next_sync_possible_at(&state.engine, &access.id).await?;
    Ok(render::access(access, &accounts, next))
}

async fn create(
    State(state): State<AppState>,
    user: EndUser,
    JsonBody(request): JsonBody<CreateAccessRequest>,
) -> Result<(StatusCode, Json<Access>), ApiError> {
    let access =
        service::create_access(&state.engine, &user.user_id, &user.client_id, request).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &access).await?)))
}

async fn list(State(state): State<AppState>, user: EndUser) -> Result<Json<AccessList>, ApiError> {
    let mut accesses = Vec::new();
    for access in state.store.accesses_of_user(&user.user_id).await? {
        accesses.push(view(&state, &access).await?);
    }
    Ok(Json(AccessList { accesses }))
}

async fn one(
    State(state): State<AppState>,
    user: EndUser,
    Path(id): Path<String>,
) -> Result<Json<Access>, ApiError> {
    let access = owned(&state, &user, &id).await?;
    Ok(Json(view(&state, &access).await?))
}
