use serde::{Deserialize, Serialize};

/// The widget's languages; `de` is the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    De,
    En,
    Fr,
    Es,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::De, Language::En, Language::Fr, Language::Es];

    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
            Language::Fr => "fr",
            Language::Es => "es",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// `{"id": IBAN}` in a flow's `accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountRef {
    pub id: String,
}

/// `POST /onetime/access`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OnetimeAccessRequest {
    pub redirect_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `de` (default), `en`, `fr` or `es`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Language>, inline))]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// At most 100; a known IBAN makes the widget skip bank selection.
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub accounts: Option<Vec<AccountRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Only accounts of these types may be chosen; each one of `ACCOUNT_TYPES`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::AccountTypeList>, inline))]
    pub account_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_multi_selection: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Days of transaction history, 1–730 (default 90).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 730))]
    pub sync_period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Returned unchanged on the redirect, 1–1024 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub state: Option<String>,
    /// Reconnect an existing access (after `10020` user interaction required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::BoundedText>, inline))]
    pub access_id: Option<String>,
}

/// `POST /ongoing/access`: the one-time fields plus the end-user and secret handling.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OngoingAccessRequest {
    pub redirect_uri: String,
    /// The integrator's id of its end-user, 1–255 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::BoundedText, inline))]
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_secrets: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Skips bank selection.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::BoundedText>, inline))]
    pub provider_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `de` (default), `en`, `fr` or `es`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Language>, inline))]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// At most 100; a known IBAN makes the widget skip bank selection.
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub accounts: Option<Vec<AccountRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Only accounts of these types may be chosen; each one of `ACCOUNT_TYPES`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::AccountTypeList>, inline))]
    pub account_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_multi_selection: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Days of transaction history, 1–730 (default 90).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 730))]
    pub sync_period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Returned unchanged on the redirect, 1–1024 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::BoundedText>, inline))]
    pub access_id: Option<String>,
}

/// `201` answer of both access endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessLocation {
    /// `<public base URL>/?token=<flow token>`.
    pub location: String,
    pub id: String,
}
