//! The HTTP edge: one module per resource, each with its own `router()`.

mod accesses;
mod accounts;
pub mod end_user;
pub mod error;
mod events;
mod health;
mod json_body;
mod sandbox_pages;
mod syncs;
mod widget;

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
        .merge(accounts::router())
        .merge(accesses::router())
        .merge(syncs::router())
        .merge(events::router())
        .merge(sandbox_pages::router())
        .fallback_service(widget::service(&state))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
