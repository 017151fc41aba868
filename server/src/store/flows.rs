//! Widget flows, their end-users and their widget sessions.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::flow::{FlowKind, FlowParams, FlowStatus, OngoingParams};
use crate::domain::ids::{ClientId, ExternalUserId, FlowId, UserId};
use crate::domain::secret_token::TokenHash;
use crate::domain::time::UnixTime;

/// A flow to create, with the hash of its flow token.
#[derive(Debug, Clone)]
pub struct NewFlow {
    pub id: FlowId,
    pub client_id: ClientId,
    pub kind: FlowKind,
    pub params: FlowParams,
    pub ongoing: Option<OngoingParams>,
    /// A one-time flow that reconnects an access (`access_id`) acts for that access's
    /// end-user instead of a new one.
    pub reconnect_user: Option<UserId>,
    pub token_hash: TokenHash,
    pub token_expires_at: UnixTime,
    pub created_at: UnixTime,
}

/// A stored flow.
#[derive(Debug, Clone)]
pub struct FlowRecord {
    pub id: FlowId,
    pub client_id: ClientId,
    pub user_id: UserId,
    pub kind: FlowKind,
    pub status: FlowStatus,
    pub params: FlowParams,
    pub save_secrets: bool,
    pub provider_id: Option<String>,
    /// Set once the flow completed.
    pub account_ids: Option<Vec<String>>,
    pub session_expires_at: Option<UnixTime>,
}

/// An authorization code to store with a completed flow.
#[derive(Debug, Clone)]
pub struct NewAuthorizationCode {
    pub hash: TokenHash,
    pub scope: String,
    pub expires_at: UnixTime,
}

/// How the widget ended a flow.
#[derive(Debug, Clone)]
pub enum FlowEnd {
    Completed {
        account_ids: Vec<String>,
        code: NewAuthorizationCode,
    },
    Cancelled,
    Failed {
        error: String,
    },
}

#[async_trait]
pub trait FlowStore: Send + Sync {
    /// Creates the flow and its end-user (a new internal user for a one-time flow, the
    /// client's user with that `user_id` for an ongoing one, created on first use).
    async fn create_flow(&self, flow: &NewFlow) -> Result<UserId, StoreError>;

    /// The internal end-user of the client's `user_id`, if an ongoing flow created it.
    async fn user_by_external_id(
        &self,
        client: &ClientId,
        external: &ExternalUserId,
    ) -> Result<Option<UserId>, StoreError>;

    /// Looks a flow up by its flow token without using the token (the widget page's CSP).
    async fn flow_by_token(&self, token: &TokenHash) -> Result<Option<FlowRecord>, StoreError>;

    /// Uses the flow token, once: if it is unused, unexpired and its flow open, marks it used
    /// and attaches the widget session. `None` otherwise (nothing changes).
    async fn open_session(
        &self,
        token: &TokenHash,
        session: &TokenHash,
        session_expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<Option<FlowRecord>, StoreError>;

    /// The open flow of a live widget session.
    async fn flow_by_session(
        &self,
        session: &TokenHash,
        now: UnixTime,
    ) -> Result<Option<FlowRecord>, StoreError>;

    /// Ends an open flow (and its session) and, on completion, stores the authorization
    /// code in the same transaction. `false` when the flow was no longer open.
    async fn finish_flow(
        &self,
        flow: FlowId,
        end: &FlowEnd,
        now: UnixTime,
    ) -> Result<bool, StoreError>;

    /// Which of `ids` are not accounts of `user` (unknown ids included), in the given
    /// order. `POST /widget/complete` refuses the selection if any are returned.
    async fn accounts_not_owned_by(
        &self,
        user: UserId,
        ids: &[String],
    ) -> Result<Vec<String>, StoreError>;
}
