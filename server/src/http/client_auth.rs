//! HTTP Basic client authentication (`client_id:client_secret`, RFC 6749 §2.3.1).
//!
//! [`AuthenticatedClient`] answers a failure in our error format (`401`/`1001`, integrator
//! API); the token endpoint calls [`authenticate`] and answers `invalid_client` itself.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use std::time::Duration;

use super::ApiError;
use super::rate_limit::{Bucket, rate_limited_response};
use crate::domain::ids::ClientId;
use crate::domain::secret_token::SecretToken;
use crate::state::AppState;
use crate::store::ClientRecord;

/// `WWW-Authenticate` of every `401` to a client.
pub const BASIC_CHALLENGE: &str = "Basic realm=\"kontolink\", charset=\"UTF-8\"";

/// Why a client was not authenticated (the caller learns only that it was not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthError {
    Missing,
    Malformed,
    BadCredentials,
    Internal,
}

impl ClientAuthError {
    pub fn description(self) -> &'static str {
        match self {
            ClientAuthError::Missing => "client authentication (HTTP Basic) is required",
            ClientAuthError::Malformed => "the Authorization header is not valid HTTP Basic",
            ClientAuthError::BadCredentials | ClientAuthError::Internal => {
                "client authentication failed"
            }
        }
    }
}

/// Checks `Authorization: Basic …` against the stored secret hash, in constant time.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<ClientRecord, ClientAuthError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(ClientAuthError::Missing)?;
    let (id, secret) = parse_basic(value).ok_or(ClientAuthError::Malformed)?;
    let presented = SecretToken::from_presented(&secret).hash();
    let Some(id) = ClientId::parse(&id) else {
        return Err(ClientAuthError::BadCredentials);
    };
    let client = state.store.client(&id).await.map_err(|error| {
        tracing::error!(%error, "loading a client");
        ClientAuthError::Internal
    })?;
    match client {
        Some(client) if client.secret_hash.matches(&presented) => Ok(client),
        _ => Err(ClientAuthError::BadCredentials),
    }
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`.
fn parse_basic(value: &HeaderValue) -> Option<(String, String)> {
    let text = value.to_str().ok()?;
    let (scheme, encoded) = text.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

fn form_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("v={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// An integrator request with valid client credentials.
#[derive(Debug, Clone)]
pub struct AuthenticatedClient(pub ClientRecord);

/// `401`/`1001` in our format with a Basic challenge, or `429` when the client's budget for
/// creating flows is spent.
#[derive(Debug)]
pub enum ClientRejection {
    Unauthorized(ApiError),
    Internal,
    RateLimited(Duration),
}

impl IntoResponse for ClientRejection {
    fn into_response(self) -> Response {
        match self {
            ClientRejection::Unauthorized(error) => {
                let mut response = error.into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(BASIC_CHALLENGE),
                );
                response
            }
            ClientRejection::Internal => ApiError::internal().into_response(),
            ClientRejection::RateLimited(wait) => rate_limited_response(wait),
        }
    }
}

/// Authenticates the client and takes one request from its [`Bucket::Access`] budget.
impl FromRequestParts<AppState> for AuthenticatedClient {
    type Rejection = ClientRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let client = match authenticate(state, &parts.headers).await {
            Ok(client) => client,
            Err(ClientAuthError::Internal) => return Err(ClientRejection::Internal),
            Err(e) => {
                return Err(ClientRejection::Unauthorized(ApiError::unauthorized(
                    e.description(),
                )));
            }
        };
        state
            .limits
            .check(Bucket::Access, client.id.as_str())
            .await?;
        Ok(AuthenticatedClient(client))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_decoded() {
        let header =
            HeaderValue::from_str(&format!("Basic {}", STANDARD.encode("demo:demo-secret")))
                .unwrap();
        assert_eq!(
            parse_basic(&header),
            Some(("demo".into(), "demo-secret".into()))
        );
        let encoded =
            HeaderValue::from_str(&format!("basic {}", STANDARD.encode("a%3Ab:s+t"))).unwrap();
        assert_eq!(parse_basic(&encoded), Some(("a:b".into(), "s t".into())));
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        for value in ["Bearer abc", "Basic !!!", "Basic", "Basic ZGVtbw=="] {
            assert_eq!(
                parse_basic(&HeaderValue::from_static(value)),
                None,
                "{value}"
            );
        }
    }
}
