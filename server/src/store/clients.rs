//! Integrator clients.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::ids::ClientId;
use crate::domain::origin::Origin;
use crate::domain::redirect_uri::RedirectUri;
use crate::domain::secret_token::TokenHash;

/// A client as registered (by `client create` or the `--demo` switch).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRecord {
    pub id: ClientId,
    pub name: String,
    pub secret_hash: TokenHash,
    pub redirect_uris: Vec<RedirectUri>,
    pub frame_origins: Vec<Origin>,
    pub notification_uri: Option<String>,
}

#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Registers a new client; an existing id is an error.
    async fn insert_client(&self, client: &ClientRecord) -> Result<(), StoreError>;
    /// Registers a client or replaces its secret, URIs and origins (the demo client).
    async fn upsert_client(&self, client: &ClientRecord) -> Result<(), StoreError>;
    async fn client(&self, id: &ClientId) -> Result<Option<ClientRecord>, StoreError>;
}
