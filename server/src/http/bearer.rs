//! Bearer authentication: [`AuthenticatedUser`] for the data API of contract §4 (an access
//! token, or the widget's session token for its own flow's user) and [`WidgetFlow`] for the
//! widget-session endpoints. Both count against the flow's rate limit when a widget session
//! is used.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::ApiError;
use super::rate_limit::{Bucket, rate_limited_response};
use crate::domain::ids::{ClientId, FlowId, GrantId, UserId};
use crate::domain::reach::Reach;
use crate::domain::secret_token::{SecretToken, TokenKind};
use crate::domain::time::UnixTime;
use crate::state::AppState;
use crate::store::FlowRecord;

/// The presented Bearer token; without one, why not: no credentials at all (no
/// `Authorization`, or another scheme) answer a bare challenge, a malformed Bearer header an
/// `invalid_token` one (RFC 6750 §3.1).
fn presented_bearer(headers: &HeaderMap) -> Result<SecretToken, BearerRejection> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(BearerRejection::Missing);
    };
    let value = value
        .to_str()
        .map_err(|_| BearerRejection::Unauthorized("the Authorization header is malformed"))?
        .trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerRejection::Missing);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(BearerRejection::Unauthorized("the Bearer token is empty"));
    }
    Ok(SecretToken::from_presented(token))
}

/// Why a bearer request was refused.
#[derive(Debug)]
pub enum BearerRejection {
    /// `401`/`1001` with a bare `WWW-Authenticate: Bearer realm="kontolink"`: the request
    /// carries no Bearer credentials at all, so there is no error code (RFC 6750 §3.1).
    Missing,
    /// `401`/`1001` with `WWW-Authenticate: Bearer … error="invalid_token"`.
    Unauthorized(&'static str),
    RateLimited(Duration),
    Internal(ApiError),
}

impl IntoResponse for BearerRejection {
    fn into_response(self) -> Response {
        match self {
            BearerRejection::Missing => {
                let mut response = ApiError::unauthorized(
                    "a Bearer token (an access token or a widget session) is required",
                )
                .into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"kontolink\""),
                );
                response
            }
            BearerRejection::Unauthorized(description) => {
                let mut response = ApiError::unauthorized(description).into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"kontolink\", error=\"invalid_token\""),
                );
                response
            }
            BearerRejection::RateLimited(wait) => rate_limited_response(wait),
            BearerRejection::Internal(error) => error.into_response(),
        }
    }
}

impl From<crate::store::StoreError> for BearerRejection {
    fn from(error: crate::store::StoreError) -> Self {
        BearerRejection::Internal(error.into())
    }
}

/// How the caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// An access token from `POST /auth/token`.
    AccessToken { grant_id: GrantId, scope: String },
    /// A widget session: reaches only this flow's user; saves secrets only where the
    /// integrator's flow allows it (`save_secrets` of an ongoing flow).
    WidgetSession {
        flow_id: FlowId,
        save_secrets_allowed: bool,
        /// The flow's `sync_period`: the default and upper bound of the session's syncs
        /// (contract §2) and the period of an access the session creates (§4).
        sync_period: i64,
    },
}

/// The end-user a data-API request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedUser {
    pub user_id: UserId,
    pub client_id: ClientId,
    pub credential: Credential,
    /// What of the end-user the caller may see (contract §2).
    pub reach: Reach,
}

impl AuthenticatedUser {
    /// The engine's text form of the end-user's id.
    pub fn engine_user_id(&self) -> String {
        self.user_id.to_string()
    }

    /// Refuses `save_secrets: true` from a widget session whose flow does not allow saving
    /// credentials; the integrator's own access token decides for itself.
    pub fn check_save_secrets(&self, save_secrets: bool) -> Result<(), super::ApiError> {
        match self.credential {
            Credential::WidgetSession {
                save_secrets_allowed: false,
                ..
            } if save_secrets => Err(super::ApiError::bad_request(
                "this flow does not allow saving credentials (save_secrets)",
            )),
            _ => Ok(()),
        }
    }

    /// The `sync_period` of the flow behind a widget session (`None` for an access token).
    pub fn flow_sync_period(&self) -> Option<i64> {
        match self.credential {
            Credential::WidgetSession { sync_period, .. } => Some(sync_period),
            Credential::AccessToken { .. } => None,
        }
    }

    /// The grant behind an access token (`None` for a widget session).
    pub fn grant_id(&self) -> Option<GrantId> {
        match self.credential {
            Credential::AccessToken { grant_id, .. } => Some(grant_id),
            Credential::WidgetSession { .. } => None,
        }
    }

    /// A widget session means the end-user is at the screen: its syncs are attended.
    pub fn is_widget_session(&self) -> bool {
        matches!(self.credential, Credential::WidgetSession { .. })
    }
}

impl FromRequestParts<AppState> for AuthenticatedUser {
    type Rejection = BearerRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = presented_bearer(&parts.headers)?;
        if token
            .expose()
            .starts_with(TokenKind::WidgetSession.prefix())
        {
            let flow = widget_flow(state, &token).await?;
            return Ok(AuthenticatedUser {
                user_id: flow.user_id,
                client_id: flow.client_id,
                credential: Credential::WidgetSession {
                    flow_id: flow.id,
                    save_secrets_allowed: flow.save_secrets,
                    sync_period: flow.params.sync_period,
                },
                reach: Reach::EndUser,
            });
        }
        let grant = state
            .store
            .access_grant(&token.hash(), UnixTime::now())
            .await?
            .ok_or(BearerRejection::Unauthorized(
                "the access token is unknown, expired or revoked",
            ))?;
        let reach = Reach::Grant(state.store.grant_reach(grant.grant_id).await?);
        Ok(AuthenticatedUser {
            user_id: grant.user_id,
            client_id: grant.client_id,
            credential: Credential::AccessToken {
                grant_id: grant.grant_id,
                scope: grant.scope,
            },
            reach,
        })
    }
}

/// The open flow behind a live widget session (`Authorization: Bearer <session_token>`).
#[derive(Debug, Clone)]
pub struct WidgetFlow(pub FlowRecord);

impl FromRequestParts<AppState> for WidgetFlow {
    type Rejection = BearerRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = presented_bearer(&parts.headers)?;
        Ok(WidgetFlow(widget_flow(state, &token).await?))
    }
}

async fn widget_flow(state: &AppState, token: &SecretToken) -> Result<FlowRecord, BearerRejection> {
    let flow = state
        .store
        .flow_by_session(&token.hash(), UnixTime::now())
        .await?
        .ok_or(BearerRejection::Unauthorized(
            "the widget session is unknown, expired or has ended",
        ))?;
    state
        .limits
        .check(Bucket::Flow, &flow.id.to_string())
        .await?;
    Ok(flow)
}
