//! The widget session of contract §2: exchange the flow token once, read the flow, and end
//! it by completing (authorization code), cancelling or failing.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use kontolink_api::{
    AccountRef, CompleteRequest, FailRequest, FinishQuery, FinishRedirect, FlowInfo,
    ReconnectAccess, WidgetSession, WidgetSessionRequest,
};
use utoipa::OpenApi;

use super::ApiError;
use super::bearer::WidgetFlow;
use super::json::AppJson;
use crate::domain::flow::{FlowKind, validate_failure_code};
use crate::domain::scope::{ONETIME_SCOPE, ONGOING_SCOPE};
use crate::domain::secret_token::{SecretToken, TokenKind};
use crate::domain::time::UnixTime;
use crate::domain::{account_ids, iban::Iban};
use crate::state::AppState;
use crate::store::{FlowEnd, FlowRecord, NewAuthorizationCode};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/widget/session", post(open_session))
        .route("/widget/flow", get(flow))
        .route("/widget/complete", post(complete))
        .route("/widget/cancel", post(cancel))
        .route("/widget/fail", post(fail))
}

#[derive(OpenApi)]
#[openapi(paths(open_session, flow, complete, cancel, fail))]
pub struct WidgetSessionApi;

/// `400`/`1030`: the flow token was used, has expired or never existed.
fn flow_token_invalid() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        1030,
        "Flow token invalid",
        "the flow token is unknown, expired or has already been used",
    )
}

/// The flow as the widget sees it. A prefilled German IBAN whose bank is in the catalog
/// resolves to its provider, so the widget skips bank selection; a reconnect names its
/// access and that access's provider.
async fn flow_info(state: &AppState, flow: &FlowRecord) -> Result<FlowInfo, ApiError> {
    let reconnect = match &flow.params.access_id {
        Some(access_id) => state.store.access(access_id).await?,
        None => None,
    };
    let catalog = &state.catalog;
    Ok(FlowInfo {
        id: flow.id.to_string(),
        language: flow.params.language,
        accounts: flow
            .params
            .accounts
            .iter()
            .map(|iban| AccountRef {
                id: Iban::as_str(iban).to_owned(),
            })
            .collect(),
        account_types: flow.params.account_types.clone(),
        allow_multi_selection: flow.params.allow_multi_selection,
        sync_period: flow.params.sync_period,
        save_secrets_allowed: flow.save_secrets,
        provider_id: reconnect
            .as_ref()
            .map(|access| access.provider_id.clone())
            .or_else(|| flow.provider_id.clone())
            .or_else(|| {
                flow.params
                    .accounts
                    .first()
                    .and_then(|iban| catalog.by_iban(iban.as_str()))
                    .map(|provider| provider.id.clone())
            }),
        access: reconnect.map(|access| ReconnectAccess {
            id: access.id.to_string(),
            access_method_id: access.access_method_id,
            upgrade: access.upgrade_error,
        }),
    })
}

/// Exchanges the flow token (once) for a widget session.
#[utoipa::path(
    post,
    path = "/widget/session",
    operation_id = "open_widget_session",
    tag = "widget",
    request_body = WidgetSessionRequest,
    responses(
        (status = 201, description = "The session; use `session_token` as Bearer token", body = WidgetSession),
        (status = 400, description = "`1030`: the flow token is used, expired or unknown; `1000`: malformed body", body = kontolink_api::ErrorBody),
    )
)]
async fn open_session(
    State(state): State<AppState>,
    AppJson(request): AppJson<WidgetSessionRequest>,
) -> Result<(StatusCode, AppJson<WidgetSession>), ApiError> {
    let now = UnixTime::now();
    let lifetime = state.config.lifetimes.widget_session;
    let session = SecretToken::generate(TokenKind::WidgetSession);
    let flow = state
        .store
        .open_session(
            &SecretToken::from_presented(&request.token).hash(),
            &session.hash(),
            now.plus(lifetime),
            now,
        )
        .await?
        .ok_or_else(flow_token_invalid)?;
    Ok((
        StatusCode::CREATED,
        AppJson(WidgetSession {
            session_token: session.into_exposed(),
            expires_in: lifetime.as_secs(),
            flow: flow_info(&state, &flow).await?,
        }),
    ))
}

/// The session's flow.
#[utoipa::path(
    get,
    path = "/widget/flow",
    operation_id = "get_widget_flow",
    tag = "widget",
    security(("widget_session" = [])),
    responses(
        (status = 200, body = FlowInfo),
        (status = 401, description = "`1001`: the session is unknown, expired or its flow has ended", body = kontolink_api::ErrorBody),
    )
)]
async fn flow(
    State(state): State<AppState>,
    WidgetFlow(flow): WidgetFlow,
) -> Result<AppJson<FlowInfo>, ApiError> {
    Ok(AppJson(flow_info(&state, &flow).await?))
}

/// Completes the flow with the accounts the end-user selected and issues the
/// authorization code (valid one hour, once, bound to the client and `redirect_uri`).
#[utoipa::path(
    post,
    path = "/widget/complete",
    operation_id = "complete_flow",
    tag = "widget",
    request_body = CompleteRequest,
    security(("widget_session" = [])),
    responses(
        (status = 200, description = "Navigate to `redirect` with `query` appended (`success=true`)", body = FinishRedirect),
        (status = 400, description = "`1000`: no, too many (over 100), repeated or foreign account ids", body = kontolink_api::ErrorBody),
        (status = 401, description = "`1001`: the session is unknown, expired or its flow has ended", body = kontolink_api::ErrorBody),
    )
)]
async fn complete(
    State(state): State<AppState>,
    WidgetFlow(flow): WidgetFlow,
    AppJson(request): AppJson<CompleteRequest>,
) -> Result<AppJson<FinishRedirect>, ApiError> {
    account_ids::validate(&request.account_ids).map_err(ApiError::bad_request)?;
    if !flow.params.allow_multi_selection && request.account_ids.len() > 1 {
        return Err(ApiError::bad_request(
            "this flow allows selecting one account only",
        ));
    }
    let foreign = state
        .store
        .accounts_not_owned_by(flow.user_id, &request.account_ids)
        .await?;
    if !foreign.is_empty() {
        return Err(
            ApiError::bad_request("account_ids names accounts that are not the user's")
                .with_data(serde_json::json!({ "account_ids": foreign })),
        );
    }
    let now = UnixTime::now();
    let code = SecretToken::generate(TokenKind::AuthorizationCode);
    let scope = match flow.kind {
        FlowKind::Onetime => ONETIME_SCOPE,
        FlowKind::Ongoing => ONGOING_SCOPE,
    };
    let end = FlowEnd::Completed {
        account_ids: request.account_ids,
        code: NewAuthorizationCode {
            hash: code.hash(),
            scope: scope.to_owned(),
            expires_at: now.plus(state.config.lifetimes.authorization_code),
        },
    };
    finish(&state, &flow, &end, now).await?;
    Ok(redirect(
        &flow,
        FinishQuery {
            code: Some(code.into_exposed()),
            success: "true".to_owned(),
            ..FinishQuery::default()
        },
    ))
}

/// The end-user cancelled.
#[utoipa::path(
    post,
    path = "/widget/cancel",
    operation_id = "cancel_flow",
    tag = "widget",
    security(("widget_session" = [])),
    responses(
        (status = 200, description = "`success=false&cancel=true`", body = FinishRedirect),
        (status = 401, description = "`1001`: the session is unknown, expired or its flow has ended", body = kontolink_api::ErrorBody),
    )
)]
async fn cancel(
    State(state): State<AppState>,
    WidgetFlow(flow): WidgetFlow,
) -> Result<AppJson<FinishRedirect>, ApiError> {
    finish(&state, &flow, &FlowEnd::Cancelled, UnixTime::now()).await?;
    Ok(redirect(
        &flow,
        FinishQuery {
            success: "false".to_owned(),
            cancel: Some("true".to_owned()),
            ..FinishQuery::default()
        },
    ))
}

/// The flow failed with an error code (e.g. `10000`).
#[utoipa::path(
    post,
    path = "/widget/fail",
    operation_id = "fail_flow",
    tag = "widget",
    request_body = FailRequest,
    security(("widget_session" = [])),
    responses(
        (status = 200, description = "`success=false&error=CODE`", body = FinishRedirect),
        (status = 400, description = "`1000`: `error` is not 1–64 letters, digits, `_`, `-`, `.`", body = kontolink_api::ErrorBody),
        (status = 401, description = "`1001`: the session is unknown, expired or its flow has ended", body = kontolink_api::ErrorBody),
    )
)]
async fn fail(
    State(state): State<AppState>,
    WidgetFlow(flow): WidgetFlow,
    AppJson(request): AppJson<FailRequest>,
) -> Result<AppJson<FinishRedirect>, ApiError> {
    validate_failure_code(&request.error).map_err(ApiError::bad_request)?;
    let end = FlowEnd::Failed {
        error: request.error.clone(),
    };
    finish(&state, &flow, &end, UnixTime::now()).await?;
    Ok(redirect(
        &flow,
        FinishQuery {
            success: "false".to_owned(),
            error: Some(request.error),
            ..FinishQuery::default()
        },
    ))
}

async fn finish(
    state: &AppState,
    flow: &FlowRecord,
    end: &FlowEnd,
    now: UnixTime,
) -> Result<(), ApiError> {
    if state.store.finish_flow(flow.id, end, now).await? {
        Ok(())
    } else {
        Err(ApiError::unauthorized("the widget session has ended"))
    }
}

/// `redirect` is the flow's registered `redirect_uri`, exactly; `query` carries `state`.
fn redirect(flow: &FlowRecord, query: FinishQuery) -> AppJson<FinishRedirect> {
    AppJson(FinishRedirect {
        redirect: flow.params.redirect_uri.as_str().to_owned(),
        query: FinishQuery {
            state: flow.params.state.clone(),
            ..query
        },
    })
}
