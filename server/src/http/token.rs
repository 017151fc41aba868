//! `POST /auth/token` (contract §3): the `authorization_code` and `refresh_token` grants,
//! with HTTP Basic client authentication and RFC 6749 error bodies.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use kontolink_api::{OAuthError, TokenRequest, TokenResponse};
use utoipa::OpenApi;

use super::client_auth::{self, BASIC_CHALLENGE, ClientAuthError};
use super::rate_limit::{Bucket, Refusal, retry_after_secs};
use super::token_body::TokenBody;
use crate::domain::secret_token::{SecretToken, TokenKind};
use crate::domain::time::UnixTime;
use crate::state::AppState;
use crate::store::{Exchange, IssuedTokens, StoreError};

pub fn router() -> Router<AppState> {
    Router::new().route("/auth/token", post(token))
}

#[derive(OpenApi)]
#[openapi(paths(token))]
pub struct TokenApi;

/// An RFC 6749 §5.2 error answer.
#[derive(Debug)]
pub struct OAuthFailure {
    status: StatusCode,
    error: &'static str,
    description: String,
    retry_after: Option<u64>,
}

impl OAuthFailure {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        OAuthFailure {
            status,
            error,
            description: description.into(),
            retry_after: None,
        }
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    fn server_error() -> Self {
        OAuthFailure::new(
            "server_error",
            "an internal error occurred; it has been logged",
        )
        .with_status(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<StoreError> for OAuthFailure {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "storage failure at the token endpoint");
        OAuthFailure::server_error()
    }
}

impl IntoResponse for OAuthFailure {
    fn into_response(self) -> Response {
        let body = OAuthError {
            error: self.error.to_owned(),
            error_description: self.description,
        };
        let mut response = (self.status, no_store(), Json(body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(BASIC_CHALLENGE),
            );
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// RFC 6749 §5.1: token answers must not be cached.
fn no_store() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// Exchanges an authorization code or a refresh token for tokens.
///
/// Ongoing grants get the scope `accounts=ro balance=ro transactions=ro offline`; one-time
/// grants get the same without `offline`, and also a refresh token (for the 90 days it
/// lives), without daily synchronisation. Every refresh returns a new refresh token and
/// retires the old one; presenting a retired refresh token (or redeeming a code twice)
/// revokes every token of that grant.
#[utoipa::path(
    post,
    path = "/auth/token",
    operation_id = "token",
    tag = "oauth",
    request_body(content(
        (TokenRequest = "application/x-www-form-urlencoded"),
        (TokenRequest = "application/json"),
    )),
    security(("basic" = [])),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "`invalid_grant`, `invalid_request` or `unsupported_grant_type`", body = OAuthError),
        (status = 401, description = "`invalid_client` (with `WWW-Authenticate: Basic`)", body = OAuthError),
        (status = 413, description = "`invalid_request`: body over 64 KiB", body = OAuthError),
        (status = 429, description = "`invalid_request`: too many token requests by this client (`Retry-After`)", body = OAuthError),
    )
)]
async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    TokenBody(request): TokenBody,
) -> Result<Response, OAuthFailure> {
    let client = client_auth::authenticate(&state, &headers)
        .await
        .map_err(|e| match e {
            ClientAuthError::Internal => OAuthFailure::server_error(),
            e => OAuthFailure::new("invalid_client", e.description()),
        })?;
    let limited = match state.limits.check(Bucket::Token, client.id.as_str()).await {
        Ok(()) => None,
        Err(Refusal::Limited(wait)) => Some(wait),
        Err(Refusal::Store(error)) => {
            tracing::error!(%error, "rate limit check failed");
            return Err(OAuthFailure::server_error());
        }
    };
    if let Some(wait) = limited {
        let secs = retry_after_secs(wait);
        let mut failure = OAuthFailure::new(
            "invalid_request",
            format!("too many token requests; retry after {secs} seconds"),
        )
        .with_status(StatusCode::TOO_MANY_REQUESTS);
        failure.retry_after = Some(secs);
        return Err(failure);
    }
    let now = UnixTime::now();
    let lifetimes = state.config.lifetimes;
    let access = SecretToken::generate(TokenKind::AccessToken);
    let refresh = SecretToken::generate(TokenKind::RefreshToken);
    let issued = IssuedTokens {
        access_hash: access.hash(),
        access_expires_at: now.plus(lifetimes.access_token),
        refresh_hash: refresh.hash(),
        refresh_expires_at: now.plus(lifetimes.refresh_token),
    };
    let exchange = match request.grant_type.as_deref() {
        Some("authorization_code") => {
            let code = required(request.code.as_deref(), "code")?;
            let redirect_uri = required(request.redirect_uri.as_deref(), "redirect_uri")?;
            let code = SecretToken::from_presented(code).hash();
            state
                .store
                .redeem_code(&code, &client.id, redirect_uri, &issued, now)
                .await?
        }
        Some("refresh_token") => {
            let presented = required(request.refresh_token.as_deref(), "refresh_token")?;
            let presented = SecretToken::from_presented(presented).hash();
            state
                .store
                .rotate_refresh_token(&presented, &client.id, &issued, now)
                .await?
        }
        Some(other) => {
            return Err(OAuthFailure::new(
                "unsupported_grant_type",
                format!(
                    "grant_type {other:?} is not supported; use authorization_code or refresh_token"
                ),
            ));
        }
        None => {
            return Err(OAuthFailure::new(
                "invalid_request",
                "grant_type is missing",
            ));
        }
    };
    let grant = match exchange {
        Exchange::Issued(grant) => grant,
        Exchange::Replayed => {
            tracing::warn!(client = %client.id, "a used code or retired refresh token was presented; its grant is revoked");
            return Err(OAuthFailure::new(
                "invalid_grant",
                "the grant has already been used; every token issued from it is revoked",
            ));
        }
        Exchange::Refused(refusal) => {
            return Err(OAuthFailure::new("invalid_grant", refusal.description()));
        }
    };
    let body = TokenResponse {
        access_token: access.into_exposed(),
        expires_in: lifetimes.access_token.as_secs(),
        scope: grant.scope,
        token_type: "Bearer".to_owned(),
        refresh_token: refresh.into_exposed(),
    };
    Ok((no_store(), Json(body)).into_response())
}

fn required<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, OAuthFailure> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(OAuthFailure::new(
            "invalid_request",
            format!("{name} is required"),
        )),
    }
}
