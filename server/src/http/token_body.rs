//! The token endpoint's body: `application/x-www-form-urlencoded` (RFC 6749) or JSON.
//! Anything else, a malformed body or one over 64 KiB is an RFC 6749 `invalid_request`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use kontolink_api::TokenRequest;

use super::token::OAuthFailure;

#[derive(Debug)]
pub struct TokenBody(pub TokenRequest);

impl<S: Send + Sync> FromRequest<S> for TokenBody {
    type Rejection = OAuthFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                OAuthFailure::new("invalid_request", "the body is larger than 64 KiB")
                    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
            } else {
                OAuthFailure::new("invalid_request", "the body could not be read")
            }
        })?;
        let parsed = match content_type.as_str() {
            "application/x-www-form-urlencoded" => {
                serde_urlencoded::from_bytes::<TokenRequest>(&bytes).map_err(|e| e.to_string())
            }
            "application/json" => {
                serde_json::from_slice::<TokenRequest>(&bytes).map_err(|e| e.to_string())
            }
            _ => {
                return Err(OAuthFailure::new(
                    "invalid_request",
                    "the body must be application/x-www-form-urlencoded or application/json",
                ));
            }
        };
        parsed
            .map(TokenBody)
            .map_err(|e| OAuthFailure::new("invalid_request", format!("malformed body: {e}")))
    }
}
