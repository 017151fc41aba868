//! The integrator API of contract §2: `POST /onetime/access` and `POST /ongoing/access`
//! create a widget flow and answer its `location`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use kontolink_api::{AccessLocation, OnetimeAccessRequest, OngoingAccessRequest};
use utoipa::OpenApi;

use super::ApiError;
use super::client_auth::AuthenticatedClient;
use super::json::AppJson;
use crate::domain::flow::{FlowKind, FlowParams, OngoingParams};
use crate::domain::ids::{AccessId, ClientId, FlowId, UserId};
use crate::domain::secret_token::{SecretToken, TokenKind};
use crate::domain::time::UnixTime;
use crate::state::AppState;
use crate::store::NewFlow;
use crate::store::rows::AccessRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/onetime/access", post(onetime_access))
        .route("/ongoing/access", post(ongoing_access))
}

#[derive(OpenApi)]
#[openapi(paths(onetime_access, ongoing_access))]
pub struct FlowsApi;

/// Creates a one-time flow: the end-user connects a bank once; the tokens read what was
/// connected. The end-user is a new internal user of this flow, except for a reconnect:
/// with `access_id` (an access of this client, e.g. after a sync failed with `10020`) the
/// flow acts for that access's end-user, so the widget reaches the access.
#[utoipa::path(
    post,
    path = "/onetime/access",
    operation_id = "create_onetime_flow",
    tag = "integrator",
    request_body = OnetimeAccessRequest,
    security(("basic" = [])),
    responses(
        (status = 201, description = "Flow created; send the end-user to `location` (valid 30 minutes, once)", body = AccessLocation),
        (status = 400, description = "Invalid field (`1000`), e.g. an unregistered `redirect_uri`, a `state` outside 1–1024 characters, `sync_period` outside 1–730, an IBAN failing the mod-97 check, an unknown `language`, an `access_id` that is no access of this client", body = kontolink_api::ErrorBody),
        (status = 401, description = "Client authentication failed (`1001`)", body = kontolink_api::ErrorBody),
        (status = 429, description = "Too many flows created by this client (`1029`)", body = kontolink_api::ErrorBody),
    )
)]
async fn onetime_access(
    State(state): State<AppState>,
    AuthenticatedClient(client): AuthenticatedClient,
    AppJson(request): AppJson<OnetimeAccessRequest>,
) -> Result<(StatusCode, AppJson<AccessLocation>), ApiError> {
    let params =
        FlowParams::onetime(&request, &client.redirect_uris).map_err(ApiError::bad_request)?;
    let reconnect_user = match &params.access_id {
        Some(access_id) => Some(reconnected_access(&state, &client.id, access_id).await?.0),
        None => None,
    };
    create(
        &state,
        client.id,
        FlowKind::Onetime,
        params,
        None,
        reconnect_user,
    )
    .await
}

/// Creates an ongoing flow for the integrator's end-user `user_id`: the grant's scope adds
/// `offline`, and accesses whose secrets were saved synchronise daily. A reconnect's
/// `access_id` must be an access of this client's `user_id`.
#[utoipa::path(
    post,
    path = "/ongoing/access",
    operation_id = "create_ongoing_flow",
    tag = "integrator",
    request_body = OngoingAccessRequest,
    security(("basic" = [])),
    responses(
        (status = 201, description = "Flow created; send the end-user to `location` (valid 30 minutes, once)", body = AccessLocation),
        (status = 400, description = "Invalid field (`1000`), as for `/onetime/access`, or a missing/blank `user_id`, an `access_id` that is no access of this client's `user_id`", body = kontolink_api::ErrorBody),
        (status = 401, description = "Client authentication failed (`1001`)", body = kontolink_api::ErrorBody),
        (status = 429, description = "Too many flows created by this client (`1029`)", body = kontolink_api::ErrorBody),
    )
)]
async fn ongoing_access(
    State(state): State<AppState>,
    AuthenticatedClient(client): AuthenticatedClient,
    AppJson(request): AppJson<OngoingAccessRequest>,
) -> Result<(StatusCode, AppJson<AccessLocation>), ApiError> {
    let (params, ongoing) =
        FlowParams::ongoing(&request, &client.redirect_uris).map_err(ApiError::bad_request)?;
    if let Some(provider_id) = &ongoing.provider_id
        && state.catalog.provider(provider_id).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "provider_id {provider_id:?} is not in the catalog"
        )));
    }
    if let Some(access_id) = &params.access_id {
        let (owner, _) = reconnected_access(&state, &client.id, access_id).await?;
        let user = state
            .store
            .user_by_external_id(&client.id, &ongoing.user)
            .await?;
        if user != Some(owner) {
            return Err(ApiError::bad_request(
                "access_id is not an access of this user_id",
            ));
        }
    }
    create(
        &state,
        client.id,
        FlowKind::Ongoing,
        params,
        Some(ongoing),
        None,
    )
    .await
}

/// The access a reconnect (`access_id`) names: it must be an access of this client. Returns
/// its end-user and the access.
async fn reconnected_access(
    state: &AppState,
    client: &ClientId,
    access_id: &AccessId,
) -> Result<(UserId, AccessRow), ApiError> {
    let not_found = || ApiError::bad_request("access_id names no access of this client");
    let access = state
        .store
        .access(access_id)
        .await?
        .filter(|access| access.client_id == client.as_str())
        .ok_or_else(not_found)?;
    let owner = UserId::parse(&access.user_id).ok_or_else(not_found)?;
    Ok((owner, access))
}

pub(super) async fn create(
    state: &AppState,
    client_id: ClientId,
    kind: FlowKind,
    params: FlowParams,
    ongoing: Option<OngoingParams>,
    reconnect_user: Option<UserId>,
) -> Result<(StatusCode, AppJson<AccessLocation>), ApiError> {
    let now = UnixTime::now();
    let token = SecretToken::generate(TokenKind::Flow);
    let flow = NewFlow {
        id: FlowId::generate(),
        client_id,
        kind,
        params,
        ongoing,
        reconnect_user,
        token_hash: token.hash(),
        token_expires_at: now.plus(state.config.lifetimes.flow_token),
        created_at: now,
    };
    state.store.create_flow(&flow).await?;
    let location = format!("{}/?token={}", state.public_url, token.expose());
    Ok((
        StatusCode::CREATED,
        AppJson(AccessLocation {
            location,
            id: flow.id.to_string(),
        }),
    ))
}
