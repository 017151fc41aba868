//! Authorization codes, token families (grants), access and refresh tokens.
//!
//! Every method is one transaction whose first statement is a conditional `UPDATE`, so
//! of two concurrent calls with the same code or refresh token exactly one wins.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::ids::{ClientId, GrantId, UserId};
use crate::domain::reach::GrantReach;
use crate::domain::secret_token::TokenHash;
use crate::domain::time::UnixTime;

/// The hashes and expiries of a fresh access/refresh token pair.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_hash: TokenHash,
    pub access_expires_at: UnixTime,
    pub refresh_hash: TokenHash,
    pub refresh_expires_at: UnixTime,
}

/// Whose tokens they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantInfo {
    pub grant_id: GrantId,
    pub client_id: ClientId,
    pub user_id: UserId,
    pub scope: String,
}

/// Why a code or refresh token was not accepted (for `error_description`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
    OtherClient,
    RedirectUriMismatch,
    Revoked,
}

impl Refusal {
    pub fn description(self) -> &'static str {
        match self {
            Refusal::Unknown => "the grant is unknown",
            Refusal::Expired => "the grant has expired",
            Refusal::OtherClient => "the grant was issued to another client",
            Refusal::RedirectUriMismatch => {
                "redirect_uri does not match the one of the authorization request"
            }
            Refusal::Revoked => "the grant has been revoked",
        }
    }
}

/// The result of redeeming an authorization code or rotating a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exchange {
    /// The tokens were stored.
    Issued(GrantInfo),
    /// The code or refresh token had been used before: its whole family is now revoked.
    Replayed,
    Refused(Refusal),
}

/// What a valid access token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    pub grant_id: GrantId,
    pub client_id: ClientId,
    pub user_id: UserId,
    pub scope: String,
}

#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Redeems a code once: bound to its client and redirect URI, creating a token family.
    /// A second redemption revokes the family created by the first.
    async fn redeem_code(
        &self,
        code: &TokenHash,
        client: &ClientId,
        redirect_uri: &str,
        tokens: &IssuedTokens,
        now: UnixTime,
    ) -> Result<Exchange, StoreError>;

    /// Retires a refresh token and issues its successor in the same family. A retired
    /// token presented again revokes the family.
    async fn rotate_refresh_token(
        &self,
        refresh: &TokenHash,
        client: &ClientId,
        tokens: &IssuedTokens,
        now: UnixTime,
    ) -> Result<Exchange, StoreError>;

    /// The grant behind a live access token of a non-revoked family.
    async fn access_grant(
        &self,
        access: &TokenHash,
        now: UnixTime,
    ) -> Result<Option<AccessGrant>, StoreError>;

    /// What the grant reaches (contract §2): its chosen accounts and the accesses its own
    /// token created.
    async fn grant_reach(&self, grant: GrantId) -> Result<GrantReach, StoreError>;

    /// Everything the end-user's live (non-revoked) grants reach together: what the
    /// client may learn in a webhook about this end-user.
    async fn live_grants_reach(&self, user: &str) -> Result<GrantReach, StoreError>;
}
