use serde::{Deserialize, Serialize};

use crate::{AccountRef, Language};

/// `POST /widget/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetSessionRequest {
    pub token: String,
}

/// `201` answer of `POST /widget/session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetSession {
    pub session_token: String,
    pub expires_in: u64,
    pub flow: FlowInfo,
}

/// What the widget needs to know about its flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowInfo {
    pub id: String,
    pub language: Language,
    pub accounts: Vec<AccountRef>,
    pub account_types: Option<Vec<String>>,
    pub allow_multi_selection: bool,
    pub sync_period: i64,
    pub save_secrets_allowed: bool,
    /// Set when the integrator named a provider or a prefilled IBAN resolved to one.
    pub provider_id: Option<String>,
    /// A reconnect (`access_id` in the access request, e.g. after `10020`): the widget
    /// syncs this existing access instead of creating a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<ReconnectAccess>,
}

/// The access a reconnect flow brings the end-user back to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconnectAccess {
    pub id: String,
    pub access_method_id: String,
    /// The bank replaced this access's method (`40001`/`40002`): the error of the upgrade,
    /// whose `data` names the accesses the accounts moved to. The widget logs the end-user
    /// in to those instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<crate::ErrorDetail>,
}

/// `POST /widget/complete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteRequest {
    /// The chosen accounts: 1–100 distinct account ids.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::AccountIdList, inline))]
    pub account_ids: Vec<String>,
}

/// `POST /widget/fail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailRequest {
    /// The error code, e.g. `10000`: letters, digits, `_`, `-`, `.`, at most 64.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_.\-]{1,64}$"))]
    pub error: String,
}

/// How a flow ends: the widget navigates to `redirect` with `query` appended, or, in an
/// iframe, posts `{"link": redirect, "query": query}` to the parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinishRedirect {
    pub redirect: String,
    pub query: FinishQuery,
}

/// The query parameters of the final redirect. Values are strings, as they travel in a URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinishQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub success: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
