use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChallengeType {
    Embedded,
    Decoupled,
    Redirect,
    AuthMethodSelect,
    AuthMediumSelect,
}

/// How an `EMBEDDED` challenge's `data` is to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChallengeFormat {
    Text,
    Html,
    /// HHD 1.4 flicker code string, animated by the widget.
    Hhd,
    /// RFC 2397 data URI of an image.
    Photo,
}

/// What the bank asks of the end-user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Challenge {
    pub id: String,
    #[serde(rename = "type")]
    pub challenge_type: ChallengeType,
    pub format: Option<ChallengeFormat>,
    pub data: Option<String>,
    pub label: Option<String>,
    /// `NUMERIC` or `ALPHANUMERIC`.
    pub input_format: Option<String>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub additional_info: Option<String>,
    #[serde(default)]
    pub auth_methods: Vec<AuthMethod>,
    /// `REDIRECT` only: where to send the end-user.
    pub location: Option<String>,
}

/// A TAN method or medium to choose from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthMethod {
    pub id: String,
    pub medium_name: Option<String>,
    #[serde(rename = "type")]
    pub method_type: Option<String>,
    pub additional_info: Option<String>,
}

/// `POST …/challenges/{id}/response`: one of the fields, or none (decoupled/redirect: "check now").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChallengeResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChallengeList {
    pub challenges: Vec<Challenge>,
}
