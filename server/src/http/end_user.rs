//! `EndUser`: the end-user a Bearer access token belongs to.
//!
//! Minimal stand-in for the auth module's `AuthenticatedUser { user_id, client_id }`: it
//! hashes the token (SHA-256, hex) and asks the store. Swap it for auth's extractor at merge;
//! the handlers only read `user_id` and `client_id`.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use super::ApiError;
use crate::engine::model::now_ms;
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndUser {
    pub user_id: String,
    pub client_id: String,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl FromRequestParts<AppState> for EndUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized = || ApiError::unauthorized("a valid Bearer access token is required");
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 512)
            .ok_or_else(unauthorized)?;
        let (user_id, client_id) = state
            .store
            .user_for_access_token(&token_hash(token), now_ms())
            .await?
            .ok_or_else(unauthorized)?;
        Ok(EndUser { user_id, client_id })
    }
}
