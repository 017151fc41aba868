use serde::{Deserialize, Serialize};

/// One bank in the catalog (`GET /catalog/providers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// German bank code (Bankleitzahl), 8 digits.
    pub blz: Option<String>,
    pub bic: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub access_methods: Vec<AccessMethod>,
}

/// A way of reaching a provider (FinTS, PSD2 API, sandbox) and the credentials it asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessMethod {
    pub id: String,
    pub name: String,
    /// `FINTS`, `PSD2` or `SANDBOX`.
    #[serde(rename = "type")]
    pub method_type: String,
    pub credentials: Vec<CredentialField>,
}

/// One input of the credentials form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialField {
    pub id: String,
    pub label: String,
    pub is_secret: bool,
    pub is_optional: bool,
}

/// `{"providers": […], "total": N}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderList {
    /// The best matches, at most the search's `limit`.
    pub providers: Vec<Provider>,
    /// How many providers match in all: more than `providers` holds when the search was cut
    /// at its `limit` (then a narrower query finds the rest). Absent from servers before it
    /// was added; the server always sends it.
    #[serde(default)]
    pub total: Option<u64>,
}
