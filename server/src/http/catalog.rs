//! `GET /catalog/providers` (search) and `GET /catalog/providers/{id}`.
//!
//! Open to an end-user's access token and to a widget session (contract §4).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use kontolink_api::{Provider, ProviderList};
use serde::Deserialize;

use super::ApiError;
use super::bearer::AuthenticatedUser;
use super::path::AppPath;
use crate::state::AppState;

/// The longest search text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
/// Results per search unless `limit` says otherwise, and the most `limit` may ask for.
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 50;

#[derive(utoipa::OpenApi)]
#[openapi(paths(search, provider))]
pub struct CatalogApi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/catalog/providers", get(search))
        .route("/catalog/providers/{id}", get(provider))
}

/// Query string of `GET /catalog/providers`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Bank name, BLZ, BIC, city or IBAN; empty lists the sandbox bank and the biggest banks.
    #[serde(default)]
    #[param(max_length = 100)]
    pub q: String,
    /// ISO 3166 alpha-2 country, e.g. `DE`.
    #[param(pattern = "^[A-Za-z]{2}$")]
    pub country: Option<String>,
    /// At most this many results (1–50, default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

/// Searches the catalog: best matches first, one row per bank.
#[utoipa::path(
    get,
    path = "/catalog/providers",
    operation_id = "search_providers",
    tag = "catalog",
    params(SearchParams),
    responses(
        (status = 200, description = "Matching providers, best first", body = ProviderList),
        (status = 400, description = "Query too long or invalid", body = kontolink_api::ErrorBody),
        (status = 401, description = "`1001`: no valid access token or widget session", body = kontolink_api::ErrorBody),
    ),
    security(("bearer" = []), ("widget_session" = []))
)]
pub async fn search(
    State(state): State<AppState>,
    _user: AuthenticatedUser,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<ProviderList>, ApiError> {
    let Query(params) =
        params.map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?;
    if params.q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!(
            "q is limited to {MAX_QUERY_CHARS} characters"
        )));
    }
    let country = params.country.as_deref();
    if let Some(country) = country
        && (country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(ApiError::bad_request(
            "country must be an ISO 3166 alpha-2 code such as DE",
        ));
    }
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let providers = state
        .catalog
        .search(&params.q, country, limit)
        .into_iter()
        .map(|p| p.to_api())
        .collect();
    Ok(Json(ProviderList { providers }))
}

/// One provider by id (`kontolink-sandbox`, `de-<BLZ>`).
#[utoipa::path(
    get,
    path = "/catalog/providers/{id}",
    operation_id = "get_provider",
    tag = "catalog",
    params(("id" = String, Path, description = "Provider id")),
    responses(
        (status = 200, description = "The provider", body = Provider),
        (status = 401, description = "`1001`: no valid access token or widget session", body = kontolink_api::ErrorBody),
        (status = 404, description = "No such provider", body = kontolink_api::ErrorBody),
    ),
    security(("bearer" = []), ("widget_session" = []))
)]
pub async fn provider(
    State(state): State<AppState>,
    _user: AuthenticatedUser,
    AppPath(id): AppPath<String>,
) -> Result<Json<Provider>, ApiError> {
    state
        .catalog
        .provider(&id)
        .map(|p| Json(p.to_api()))
        .ok_or_else(|| ApiError::not_found("no provider with this id"))
}
