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
pub mod path;
pub mod rate_limit;
mod sandbox_pages;
mod syncs;
mod token;
mod token_body;
mod widget;
mod widget_page;
mod widget_session;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use error::ApiError;

use crate::state::AppState;

/// Request bodies larger than this are refused with `413` in the error format of §7.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The API's path prefixes (contract §7): below them a path that names no route is a `404`
/// in the error format, never the widget's page. `/widget` itself is not one of them, only
/// what lies under `/widget/`.
const API_PREFIXES: [&str; 8] = [
    "/rest",
    "/auth",
    "/onetime",
    "/ongoing",
    "/widget/",
    "/catalog",
    "/sandbox",
    "/.well-known",
];

pub fn router(state: AppState) -> Router {
    // Everything under the API's prefixes carries tokens, codes or account data, or answers
    // about them: never stored by a cache (contract §7).
    let api = Router::new()
        .merge(flows::router())
        .merge(widget_session::router())
        .merge(catalog::router())
        .merge(accounts::router())
        .merge(accesses::router())
        .merge(syncs::router())
        .merge(events::router())
        .merge(sandbox_pages::router())
        .layer(from_fn(refuse_oversized_bodies))
        // The token endpoint reads its whole body and refuses an oversized one itself, in
        // the OAuth error format of §3.
        .merge(token::router())
        // Here, so that the layer below covers the `405`s too.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(no_store());
    Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(openapi::router())
        .merge(widget_page::router())
        .merge(api)
        .merge(demo::router())
        // After every route: `method_not_allowed_fallback` reaches only the routes before it.
        .method_not_allowed_fallback(method_not_allowed)
        .fallback_service(
            ServiceBuilder::new()
                .layer(from_fn(api_paths_not_found))
                .service(widget::service(&state)),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(from_fn(crate::telemetry::scope_request_id))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::telemetry::request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(crate::telemetry::request_id_layers())
        .with_state(state)
}

/// `Cache-Control: no-store` on every answer that does not say otherwise.
pub fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    )
}

/// Whether a path lies under one of the [`API_PREFIXES`].
fn is_api_path(path: &str) -> bool {
    API_PREFIXES
        .iter()
        .any(|prefix| match path.strip_prefix(prefix) {
            Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
            None => false,
        })
}

/// In front of the widget: a path under the API's prefixes that names no route is a `404`
/// in the error format; any other path is the widget's.
async fn api_paths_not_found(request: Request, next: Next) -> Response {
    if is_api_path(request.uri().path()) {
        let mut response = ApiError::not_found("no endpoint has this path").into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    next.run(request).await
}

/// A body larger than [`MAX_BODY_BYTES`] is refused before any handler runs, also where the
/// handler never reads the body (`DefaultBodyLimit` acts only when an extractor reads it): one
/// announced larger by its `Content-Length` at once, one of unknown length (chunked) once it
/// has grown past the limit.
async fn refuse_oversized_bodies(request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if announced.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return ApiError::payload_too_large().into_response();
    }
    let (parts, body) = request.into_parts();
    let body = match body.size_hint().upper() {
        Some(upper) if upper <= MAX_BODY_BYTES as u64 => body,
        _ => match read_limited(body).await {
            Ok(bytes) => Body::from(bytes),
            Err(error) => return error.into_response(),
        },
    };
    next.run(Request::from_parts(parts, body)).await
}

/// The whole body, or `413` as soon as it exceeds [`MAX_BODY_BYTES`].
async fn read_limited(mut body: Body) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame =
            frame.map_err(|_| ApiError::bad_request("the request body could not be read"))?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > MAX_BODY_BYTES {
                return Err(ApiError::payload_too_large());
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
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
