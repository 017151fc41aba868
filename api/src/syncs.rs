use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Challenge, ErrorDetail};

/// The states of a sync. `QUEUED → RUNNING ⇄ AWAIT_AUTH → COMPLETED | FAILED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncStatus {
    Queued,
    Running,
    AwaitAuth,
    Completed,
    Failed,
}

impl SyncStatus {
    /// A finished sync never changes again.
    pub fn is_final(self) -> bool {
        matches!(self, SyncStatus::Completed | SyncStatus::Failed)
    }
}

/// `ACCOUNTS` (also adds new provider accounts to the access) or `TRANSACTIONS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncScope {
    Accounts,
    Transactions,
}

/// Body of `POST /rest/accesses/{id}/syncs` and `POST /rest/syncs`; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_secrets: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_notifications: Option<bool>,
    /// Where redirect SCA returns the end-user: one of the client's registered redirect
    /// URIs, exactly (a widget session may also name the widget's own page and gets it by
    /// default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Returned with the redirect, 1–1024 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub state: Option<String>,
    /// Default `["TRANSACTIONS"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub scope: Option<Vec<SyncScope>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_auth_method: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_auth_medium: Option<bool>,
    /// Present = the end-user is present (does not count against the PSD2 limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::IpAddress>, inline))]
    pub psu_ip_address: Option<String>,
    /// Days of history, 1–730. Default: the flow's for a widget session (which also caps a
    /// larger one), else the one the access was created with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 730))]
    pub sync_period: Option<i64>,
}

/// One synchronization of one access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sync {
    pub id: String,
    pub access_id: String,
    pub status: SyncStatus,
    pub scope: Vec<SyncScope>,
    /// The open challenge while `AWAIT_AUTH`.
    pub challenge: Option<Challenge>,
    pub error: Option<ErrorDetail>,
    /// What the engine is doing right now (e.g. `LOGIN`, `FETCH_ACCOUNTS`), for progress display.
    pub step: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncList {
    pub syncs: Vec<Sync>,
}
