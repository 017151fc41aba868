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
use crate::domain::ids::FlowId;
use crate::domain::secret_token::{SecretToken, TokenKind};
use crate::domain::time::UnixTime;
use crate::state::AppState;
use crate::store::NewFlow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/onetime/access", post(onetime_access))
        .route("/ongoing/access", post(ongoing_access))
}

#[derive(OpenApi)]
#[openapi(paths(onetime_access, ongoing_access))]
pub struct FlowsApi;

/// Creates a one-time flow: the end-user connects a bank once; the tokens read what was
/// connected. The end-user is a new internal user of this flow.
#[utoipa::path(
    post,
    path = "/onetime/access",
    tag = "integrator",
    request_body = OnetimeAccessRequest,
    security(("basic" = [])),
    responses(
        (status = 201, description = "Flow created; send the end-user to `location` (valid 30 minutes, once)", body = AccessLocation),
        (status = 400, description = "Invalid field (`1000`), e.g. an unregistered `redirect_uri`, a `state` outside 1–1024 characters, `sync_period` outside 1–730, an IBAN failing the mod-97 check, an unknown `language`", body = kontolink_api::ErrorBody),
        (status = 401, description = "Client authentication failed (`1001`)", body = kontolink_api::ErrorBody),
        (status = 413, description = "Body over 64 KiB (`1009`)", body = kontolink_api::ErrorBody),
        (status = 415, description = "Body is not JSON", body = kontolink_api::ErrorBody),
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
    create(&state, client.id, FlowKind::Onetime, params, None).await
}

/// Creates an ongoing flow for the integrator's end-user `user_id`: the grant's scope adds
/// `offline`, and accesses whose secrets were saved synchronise daily.
#[utoipa::path(
    post,
    path = "/ongoing/access",
    tag = "integrator",
    request_body = OngoingAccessRequest,
    security(("basic" = [])),
    responses(
        (status = 201, description = "Flow created; send the end-user to `location` (valid 30 minutes, once)", body = AccessLocation),
        (status = 400, description = "Invalid field (`1000`), as for `/onetime/access`, or a missing/blank `user_id`", body = kontolink_api::ErrorBody),
        (status = 401, description = "Client authentication failed (`1001`)", body = kontolink_api::ErrorBody),
        (status = 413, description = "Body over 64 KiB (`1009`)", body = kontolink_api::ErrorBody),
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
    create(&state, client.id, FlowKind::Ongoing, params, Some(ongoing)).await
}

pub(super) async fn create(
    state: &AppState,
    client_id: crate::domain::ids::ClientId,
    kind: FlowKind,
    params: FlowParams,
    ongoing: Option<OngoingParams>,
) -> Result<(StatusCode, AppJson<AccessLocation>), ApiError> {
    let now = UnixTime::now();
    let token = SecretToken::generate(TokenKind::Flow);
    let flow = NewFlow {
        id: FlowId::generate(),
        client_id,
        kind,
        params,
        ongoing,
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
