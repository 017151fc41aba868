//! Syncs and their challenges: `POST /rest/accesses/{id}/syncs`, `POST /rest/syncs`
//! (every access of the user), `GET …/syncs/{sync_id}`, `…/challenges[/{challenge_id}]`,
//! `POST …/challenges/{challenge_id}/response`.
//!
//! Attended or not: a sync started with the widget's session token is attended (the end-user
//! is at the screen), with or without `psu_ip_address`. With an access token, contract §4
//! applies: `psu_ip_address` present = attended; otherwise it counts against the PSD2 limit
//! and a challenge ends it with `10020`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use kontolink_api::{
    Challenge, ChallengeList, ChallengeResponse, ErrorBody, Sync, SyncList, SyncRequest,
};
use utoipa::OpenApi;

use super::ApiError;
use super::accesses::owned;
use super::bearer::AuthenticatedUser;
use super::json::AppJson;
use super::path::AppPath;
use super::rate_limit::check_credential_attempt;
use crate::domain::ids::{AccessId, SyncId};
use crate::engine::service::{MissingCredentials, SyncOrigin};
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

#[derive(OpenApi)]
#[openapi(paths(start, sync_all, one, list_challenges, one_challenge, respond))]
pub struct SyncsApi;

/// A widget session's syncs are attended and bounded by its flow's `sync_period`.
fn origin(user: &AuthenticatedUser) -> SyncOrigin {
    match user.flow_sync_period() {
        Some(flow_sync_period) => SyncOrigin::WidgetSession { flow_sync_period },
        None => SyncOrigin::AccessToken,
    }
}

/// The sync as the caller may see it: an upgrade's error data names only what it reaches.
fn view(user: &AuthenticatedUser, sync: &SyncRow) -> Sync {
    let mut rendered = render::sync(sync);
    if let Some(data) = rendered.error.as_mut().and_then(|e| e.data.as_mut()) {
        user.reach.redact_upgrade_data(data);
    }
    rendered
}

/// A sync's `redirect_uri` (where redirect SCA returns the end-user) must equal one of the
/// client's registered redirect URIs, character for character (contract §4, §8: no open
/// redirect). A widget session may also name the widget's own page, `<public URL>/`, and
/// gets it when it names none.
async fn checked_redirect(
    state: &AppState,
    user: &AuthenticatedUser,
    mut request: SyncRequest,
) -> Result<SyncRequest, ApiError> {
    let widget_page = format!("{}/", state.public_url);
    match &request.redirect_uri {
        None if user.is_widget_session() => request.redirect_uri = Some(widget_page),
        None => {}
        Some(uri) if user.is_widget_session() && *uri == widget_page => {}
        Some(uri) => {
            let client = state.store.client(&user.client_id).await?;
            let registered = client.is_some_and(|client| {
                client
                    .redirect_uris
                    .iter()
                    .any(|registered| registered.as_str() == uri)
            });
            if !registered {
                return Err(ApiError::bad_request(
                    "redirect_uri must equal one of the client's registered redirect URIs",
                ));
            }
        }
    }
    Ok(request)
}

async fn owned_sync(
    state: &AppState,
    user: &AuthenticatedUser,
    access_id: &AccessId,
    sync_id: &SyncId,
) -> Result<SyncRow, ApiError> {
    let access = owned(state, user, access_id).await?;
    state
        .store
        .sync(sync_id)
        .await?
        .filter(|sync| sync.access_id == access.id)
        .ok_or_else(|| ApiError::not_found("no such sync"))
}

/// Starts a sync of the access. The body and each of its fields are optional.
///
/// Attended (the end-user is present) when started with the widget's session token, or with
/// an access token and `psu_ip_address`. Every other sync is unattended: it counts against
/// the PSD2 limit of 4 per access per 24 hours (the fifth is created directly `FAILED` with
/// `1020` and `data.next_sync_possible_at`), and a challenge fails it with `10020`.
#[utoipa::path(
    post,
    path = "/rest/accesses/{id}/syncs",
    operation_id = "start_sync",
    tag = "data",
    params(("id" = String, Path, description = "The access id")),
    request_body(content = Option<SyncRequest>, description = "Optional; an empty body is `{}`"),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 201, description = "The sync (`QUEUED`, or `FAILED` at once with `1020` or an access upgrade `4000x`)", body = Sync),
        (status = 400, description = "`1000`: malformed body or field; `1011`: credentials missing", body = ErrorBody),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 404, description = "`1003`: no such access of this end-user", body = ErrorBody),
        (status = 409, description = "`1008`: the access has a sync that has not ended", body = ErrorBody),
        (status = 429, description = "`1029`: too many credential attempts (a sync with `credentials`) of this client or flow; `Retry-After` says when", body = ErrorBody),
    )
)]
async fn start(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppPath(id): AppPath<AccessId>,
    body: Option<AppJson<SyncRequest>>,
) -> Result<(StatusCode, AppJson<Sync>), ApiError> {
    let request = body.map(|AppJson(r)| r).unwrap_or_default();
    user.check_save_secrets(request.save_secrets == Some(true))?;
    if request.credentials.is_some() {
        check_credential_attempt(&state.limits, &user).await?;
    }
    let access = owned(&state, &user, &id).await?;
    let request = checked_redirect(&state, &user, request).await?;
    let origin = origin(&user);
    let sync = service::start_sync(&state.engine, &access, &request, origin).await?;
    Ok((StatusCode::CREATED, AppJson(view(&user, &sync))))
}

/// Starts a sync of every access of the end-user (no `credentials`: they are per access).
/// A busy access answers with its running sync; an access without the credentials it needs
/// (none saved) gets a sync FAILED at once with `1011`, so the answer names every access and
/// which of them need the end-user (a reconnect flow). Attended as for a single sync.
#[utoipa::path(
    post,
    path = "/rest/syncs",
    operation_id = "sync_all_accesses",
    tag = "data",
    request_body(content = Option<SyncRequest>, description = "Optional; `credentials` is refused"),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, description = "One sync per access: new ones, running ones of busy accesses, and `FAILED` ones with `1011` for accesses whose credentials are not saved", body = SyncList),
        (status = 400, description = "`1000`: malformed body or field, `credentials` given", body = ErrorBody),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
    )
)]
async fn sync_all(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    body: Option<AppJson<SyncRequest>>,
) -> Result<AppJson<SyncList>, ApiError> {
    let request = body.map(|AppJson(r)| r).unwrap_or_default();
    user.check_save_secrets(request.save_secrets == Some(true))?;
    if request.credentials.is_some() {
        return Err(ApiError::bad_request(
            "credentials are given per access, not to POST /rest/syncs",
        ));
    }
    // Checked once up front: an end-user without accesses gets the same answer to a bad body.
    service::validate(&request)?;
    let request = checked_redirect(&state, &user, request).await?;
    let origin = origin(&user);
    let mut syncs = Vec::new();
    let accesses = state.store.accesses_of_user(&user.engine_user_id()).await?;
    for access in accesses.iter().filter(|a| user.reach.access(&a.id)) {
        let started = service::start_sync_with(
            &state.engine,
            access,
            &request,
            origin,
            MissingCredentials::FailTheSync,
        )
        .await;
        match started {
            Ok(sync) => syncs.push(view(&user, &sync)),
            Err(error) if error.code == 1008 => {
                if let Some(active) = state.store.active_sync(&access.id).await? {
                    syncs.push(view(&user, &active));
                }
            }
            Err(error) => return Err(error),
        }
    }
    Ok(AppJson(SyncList { syncs }))
}

/// One sync: `QUEUED → RUNNING ⇄ AWAIT_AUTH → COMPLETED | FAILED`.
#[utoipa::path(
    get,
    path = "/rest/accesses/{id}/syncs/{sync_id}",
    operation_id = "get_sync",
    tag = "data",
    params(
        ("id" = String, Path, description = "The access id"),
        ("sync_id" = String, Path, description = "The sync id"),
    ),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = Sync),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 404, description = "`1003`: no such access or sync of this end-user", body = ErrorBody),
    )
)]
async fn one(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppPath((id, sync_id)): AppPath<(AccessId, SyncId)>,
) -> Result<AppJson<Sync>, ApiError> {
    Ok(AppJson(view(
        &user,
        &owned_sync(&state, &user, &id, &sync_id).await?,
    )))
}

/// Every challenge the sync has met, in order.
#[utoipa::path(
    get,
    path = "/rest/accesses/{id}/syncs/{sync_id}/challenges",
    operation_id = "list_challenges",
    tag = "data",
    params(
        ("id" = String, Path, description = "The access id"),
        ("sync_id" = String, Path, description = "The sync id"),
    ),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = ChallengeList),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 404, description = "`1003`: no such access or sync of this end-user", body = ErrorBody),
    )
)]
async fn list_challenges(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppPath((id, sync_id)): AppPath<(AccessId, SyncId)>,
) -> Result<AppJson<ChallengeList>, ApiError> {
    let sync = owned_sync(&state, &user, &id, &sync_id).await?;
    Ok(AppJson(ChallengeList {
        challenges: sync
            .progress
            .rounds
            .into_iter()
            .map(|r| r.challenge)
            .collect(),
    }))
}

/// One challenge of the sync.
#[utoipa::path(
    get,
    path = "/rest/accesses/{id}/syncs/{sync_id}/challenges/{challenge_id}",
    operation_id = "get_challenge",
    tag = "data",
    params(
        ("id" = String, Path, description = "The access id"),
        ("sync_id" = String, Path, description = "The sync id"),
        ("challenge_id" = String, Path, description = "The challenge id"),
    ),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = Challenge),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 404, description = "`1003`: no such access, sync or challenge", body = ErrorBody),
    )
)]
async fn one_challenge(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppPath((id, sync_id, challenge_id)): AppPath<(AccessId, SyncId, String)>,
) -> Result<AppJson<Challenge>, ApiError> {
    let sync = owned_sync(&state, &user, &id, &sync_id).await?;
    sync.progress
        .rounds
        .into_iter()
        .map(|r| r.challenge)
        .find(|c| c.id == challenge_id)
        .map(AppJson)
        .ok_or_else(|| ApiError::not_found("no such challenge"))
}

/// Answers the open challenge: `{"value": TAN}`, `{"method_id": ID}`, `{"medium_id": ID}`, or
/// `{}` (or no body) for DECOUPLED/REDIRECT: "done, check now".
#[utoipa::path(
    post,
    path = "/rest/accesses/{id}/syncs/{sync_id}/challenges/{challenge_id}/response",
    operation_id = "answer_challenge",
    tag = "data",
    params(
        ("id" = String, Path, description = "The access id"),
        ("sync_id" = String, Path, description = "The sync id"),
        ("challenge_id" = String, Path, description = "The open challenge's id"),
    ),
    request_body(content = Option<ChallengeResponse>, description = "The answer matching the challenge type"),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, description = "The sync, `RUNNING` again", body = Sync),
        (status = 400, description = "`1000`: malformed body or an answer of the wrong kind", body = ErrorBody),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 404, description = "`1003`: no such access, sync or challenge", body = ErrorBody),
        (status = 409, description = "`1008`: the challenge is not open (answered already, or the sync ended)", body = ErrorBody),
    )
)]
async fn respond(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppPath((id, sync_id, challenge_id)): AppPath<(AccessId, SyncId, String)>,
    body: Option<AppJson<ChallengeResponse>>,
) -> Result<AppJson<Sync>, ApiError> {
    let response = body.map(|AppJson(r)| r).unwrap_or_default();
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
    Ok(AppJson(view(&user, &sync)))
}
