use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kontolink_api::Health;

use super::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz))]
pub struct HealthApi;

/// `GET /healthz`: `200 {"status": "ok"}` when the database answers.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 500, description = "The database does not answer", body = kontolink_api::ErrorBody),
    )
)]
async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.ping().await?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}
