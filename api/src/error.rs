use serde::{Deserialize, Serialize};

/// The body of every non-OAuth error: `{"error": {code, group, message, description, data}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// One error with finX's code ranges: 1000–1999 client, 10000–19999 user,
/// 20000–29999 bank, 30000–39999 general, 40000–49999 connectivity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: u32,
    pub group: String,
    pub message: String,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub data: Option<serde_json::Value>,
}

/// RFC 6749 §5.2 error body of `POST /auth/token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthError {
    /// `invalid_grant`, `invalid_client`, `invalid_request` or `unsupported_grant_type`.
    pub error: String,
    pub error_description: String,
}
