//! The HTTP edge: one module per resource, each with its own `router()`.

mod accesses;
mod accounts;
pub mod bearer;
mod catalog;
pub mod client_auth;
pub mod csp;
mod demo;
mod demo_page;
pub mod error;
mod events;
mod flows;
mod health;
pub mod html;
pub mod json;
mod metrics;
pub mod openapi;
pub mod rate_limit;
mod sandbox_pages;
mod syncs;
mod token;
mod token_body;
mod widget;
mod widget_page;
mod widget_session;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

use crate::state::AppState;

/// Request bodies larger than this are refused with `413` in the error format of §7.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(openapi::router())
        .merge(flows::router())
        .merge(widget_session::router())
        .merge(token::router())
        .merge(widget_page::router())
        .method_not_allowed_fallback(method_not_allowed)
        .merge(catalog::router())
        .merge(accounts::router())
        .merge(accesses::router())
        .merge(syncs::router())
        .merge(events::router())
        .merge(sandbox_pages::router())
        .merge(demo::router())
        .fallback_service(widget::service(&state))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `405` in our error format (axum's default has no body).
async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        1000,
        "Method not allowed",
        "this endpoint does not support this HTTP method",
    )
}
