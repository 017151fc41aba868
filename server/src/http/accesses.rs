//! `POST/GET /rest/accesses`, `GET /rest/accesses/{id}`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use kontolink_api::{Access, AccessList, CreateAccessRequest, ErrorBody};
use utoipa::OpenApi;

use super::ApiError;
use super::bearer::AuthenticatedUser;
use super::json::AppJson;
use super::path::AppPath;
use super::rate_limit::check_credential_attempt;
use crate::domain::flow::DEFAULT_SYNC_PERIOD;
use crate::domain::ids::AccessId;
use crate::engine::{render, service};
use crate::state::AppState;
use crate::store::rows::AccessRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rest/accesses", get(list).post(create))
        .route("/rest/accesses/{id}", get(one))
}

#[derive(OpenApi)]
#[openapi(paths(create, list, one))]
pub struct AccessesApi;

/// The caller's access, or `404` (also for another user's access).
pub async fn owned(
    state: &AppState,
    user: &AuthenticatedUser,
    id: &AccessId,
) -> Result<AccessRow, ApiError> {
    let user_id = user.engine_user_id();
    state
        .store
        .access(id)
        .await?
        .filter(|access| access.user_id == user_id && user.reach.access(&access.id))
        .ok_or_else(|| ApiError::not_found("no such access"))
}

/// The access as the caller may see it: only the accounts it reaches.
async fn view(
    state: &AppState,
    user: &AuthenticatedUser,
    access: &AccessRow,
) -> Result<Access, ApiError> {
    let mut accounts = state.store.accounts_of_access(&access.id).await?;
    accounts.retain(|account| user.reach.account(&account.id, &account.access_id));
    let next = service::next_sync_possible_at(&state.engine, &access.id).await?;
    Ok(render::access(access, &accounts, next))
}

/// Creates an access at a provider from an access method of the catalog and the end-user's
/// credentials. No bank contact yet: start a sync next. Secret credentials are sealed in the
/// vault; they are kept after the first sync only with `save_secrets` and `consent`.
#[utoipa::path(
    post,
    path = "/rest/accesses",
    operation_id = "create_access",
    tag = "data",
    request_body = CreateAccessRequest,
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 201, description = "The access (no bank contact yet)", body = Access),
        (status = 400, description = "`1000`: malformed body, unknown `access_method_id` or credential, `save_secrets` without `consent` or from a widget session whose flow does not allow it; `1011`: required credentials missing", body = ErrorBody),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 429, description = "`1029`: too many credential attempts of this client or flow; `Retry-After` says when to try again", body = ErrorBody),
    )
)]
async fn create(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppJson(request): AppJson<CreateAccessRequest>,
) -> Result<(StatusCode, AppJson<Access>), ApiError> {
    user.check_save_secrets(request.save_secrets)?;
    check_credential_attempt(&state.limits, &user).await?;
    let sync_period = user.flow_sync_period().unwrap_or(DEFAULT_SYNC_PERIOD);
    let access = service::create_access(
        &state.engine,
        &user.engine_user_id(),
        user.client_id.as_str(),
        request,
        sync_period,
        user.grant_id(),
    )
    .await?;
    // The access is the caller's own: an access token's grant reaches all of it.
    let user = AuthenticatedUser {
        reach: user.reach.with_own_access(&access.id),
        ..user
    };
    Ok((
        StatusCode::CREATED,
        AppJson(view(&state, &user, &access).await?),
    ))
}

/// The end-user's accesses, oldest first.
#[utoipa::path(
    get,
    path = "/rest/accesses",
    operation_id = "list_accesses",
    tag = "data",
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = AccessList),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
    )
)]
async fn list(
    State(state): State<AppState>,
    user: AuthenticatedUser,
) -> Result<AppJson<AccessList>, ApiError> {
    let mut accesses = Vec::new();
    for access in state.store.accesses_of_user(&user.engine_user_id()).await? {
        if user.reach.access(&access.id) {
            accesses.push(view(&state, &user, &access).await?);
        }
    }
    Ok(AppJson(AccessList { accesses }))
}

/// One access of the end-user.
#[utoipa::path(
    get,
    path = "/rest/accesses/{id}",
    operation_id = "get_access",
    tag = "data",
    params(("id" = String, Path, description = "The access id")),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = Access),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 404, description = "`1003`: no such access of this end-user", body = ErrorBody),
    )
)]
async fn one(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppPath(id): AppPath<AccessId>,
) -> Result<AppJson<Access>, ApiError> {
    let access = owned(&state, &user, &id).await?;
    Ok(AppJson(view(&state, &user, &access).await?))
}
