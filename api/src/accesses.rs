use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `POST /rest/accesses`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateAccessRequest {
    pub access_method_id: String,
    /// Credential id → value.
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    #[serde(default)]
    pub save_secrets: bool,
    /// The end-user agreed to store credentials (required when `save_secrets`).
    #[serde(default)]
    pub consent: bool,
}

/// A connection of one end-user to one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Access {
    pub id: String,
    pub provider_id: String,
    pub access_method_id: String,
    /// Ids of the accounts of this access.
    pub accounts: Vec<String>,
    pub secrets_saved: bool,
    /// When the next unattended sync is allowed (PSD2 limit), RFC 3339; `null` = now.
    pub next_sync_possible_at: Option<String>,
    pub created_at: String,
    pub last_synced_at: Option<String>,
    /// `ACTIVE` or `UPGRADE_REQUIRED` (its access method was replaced).
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessList {
    pub accesses: Vec<Access>,
}
