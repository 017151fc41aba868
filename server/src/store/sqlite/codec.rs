//! Conversions between domain types and SQLite columns.

use serde::de::DeserializeOwned;

use crate::domain::ids::{ClientId, FlowId, GrantId, UserId};
use crate::domain::secret_token::TokenHash;
use crate::store::StoreError;

pub fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

pub use crate::store::row_mapping::to_json;

pub fn from_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| corrupt(what))
}

pub fn flow_id(text: &str) -> Result<FlowId, StoreError> {
    FlowId::parse(text).ok_or_else(|| corrupt("flow id"))
}

pub fn user_id(text: &str) -> Result<UserId, StoreError> {
    UserId::parse(text).ok_or_else(|| corrupt("user id"))
}

pub fn grant_id(text: &str) -> Result<GrantId, StoreError> {
    GrantId::parse(text).ok_or_else(|| corrupt("grant id"))
}

pub fn client_id(text: &str) -> Result<ClientId, StoreError> {
    ClientId::parse(text).ok_or_else(|| corrupt("client id"))
}

pub fn token_hash(text: &str) -> Result<TokenHash, StoreError> {
    TokenHash::from_hex(text).ok_or_else(|| corrupt("token hash"))
}
